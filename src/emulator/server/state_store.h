#pragma once
// Durable state in the data dir: one SQLite database (WAL, synchronous=FULL) holding the
// whole-cloud state document, rewritten in one transaction after every acknowledged
// mutation and before its response is sent, so a restart or a kill -9 loses no acknowledged
// change and never sees half a write. The schema is versioned; another version is refused.
// Thread-safety: Save/Load serialize on an internal mutex.
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

struct sqlite3;

namespace crosskey::server {

class StateStore {
 public:
  static constexpr int kSchemaVersion = 1;
  ~StateStore();
  // Opens (creating 0600) DIR/crosskey.db. False with *error, e.g. for another schema version.
  bool Open(const std::string& data_dir, std::string* error);
  bool is_open() const { return db_ != nullptr; }
  // The stored document, if any.
  std::optional<nlohmann::json> Load(std::string* error);
  // Replaces the stored document (JSON text) atomically. Calls `produce` under the store's
  // lock so that concurrent mutations are written in the order their documents were taken.
  bool Save(const std::function<std::string()>& produce, std::string* error);

 private:
  bool Exec(const char* sql, std::string* error);
  std::mutex mu_;
  sqlite3* db_ = nullptr;
};

}  // namespace crosskey::server
