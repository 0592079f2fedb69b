#pragma once
// One audit log across the three planes: sign-ins (token issuance and refusal), ARM activity
// (writes) and Key Vault AuditEvents, each a JSON record. Records sharing a token carry the
// same correlationId (the token's uti), so an exchange can be followed into the calls made
// with it. Kept in memory (bounded) for GET /_emulator/audit, appended to audit.jsonl in the
// data dir, and optionally echoed to stdout.
// Records are kept as their serialized lines and written through a buffer: a background
// thread flushes it every 100 ms, and every Query and the destructor flush it too (a process
// killed outright may lose the last 100 ms of audit lines; the state store is the durable one).
// Thread-safety: all methods safe to call concurrently.
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/common/clock.h"
#include "emulator/common/json_writer.h"

namespace crosskey {

struct AuditQuery {
  std::string category;   // SignIn, Activity, AuditEvent
  std::string tenant;     // tenantId
  std::string principal;  // appId or objectId (caller or client)
  std::string operation;  // operationName (KeyUnwrap) or operationId (unwrapKey)
  std::string correlation_id;
  int64_t since = 0;      // epoch seconds on the emulator clock
  size_t limit = 1000;
};

class AuditLog {
 public:
  explicit AuditLog(const Clock* clock) : clock_(clock) {}
  ~AuditLog();
  // Loads the last records `path` holds into the in-memory history (they survive a restart;
  // a file over 256 MiB is rotated to {path}.1), then appends every later record to it (created
  // 0600). False when it cannot be opened.
  bool OpenFile(const std::string& path);
  void set_echo_stdout(bool echo);
  // Stamps time/epoch and stores the record.
  void Record(nlohmann::json record);
  // The same for a record written field by field (the per-request Key Vault path); `fields`
  // must not already hold time or epoch.
  void Record(JsonObjectWriter fields);
  std::vector<nlohmann::json> Query(const AuditQuery& query) const;
  size_t size() const;

 private:
  struct Entry {
    int64_t epoch;
    std::string line;  // the whole record as one JSON object
  };
  // Each line is ~600 bytes: 20,000 keep memory bounded near 15 MB.
  static constexpr size_t kMaxRecords = 20000;
  static constexpr long long kHistoryBytes = 32LL << 20;  // read back at most this much of the file
  static constexpr long long kRotateBytes = 256LL << 20;  // a bigger file moves to {path}.1 at start
  void LoadHistory(const std::string& path);
  void Store(int64_t epoch, std::string line);
  void FlushLocked() const;
  void StartFlusher();  // with mu_ held
  void FlushLoop();

  const Clock* clock_;
  mutable std::mutex mu_;
  std::deque<Entry> records_;
  std::FILE* file_ = nullptr;
  std::unique_ptr<char[]> file_buffer_;  // file_'s stdio buffer (set in OpenFile); outlives it
  bool echo_stdout_ = false;
  mutable bool dirty_ = false;
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread flusher_;
};

}  // namespace crosskey
