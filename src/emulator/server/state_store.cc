#include "emulator/server/state_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <ctime>
#include <functional>

#include "emulator/common/bounded_json.h"

namespace crosskey::server {

StateStore::~StateStore() {
  if (db_) sqlite3_close(db_);
}

bool StateStore::Exec(const char* sql, std::string* error) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    *error = std::string("sqlite: ") + (message ? message : "error") + " in: " + sql;
    sqlite3_free(message);
    return false;
  }
  return true;
}

bool StateStore::Open(const std::string& data_dir, std::string* error) {
  std::string path = data_dir + "/crosskey.db";
  mode_t old = ::umask(0077);  // the database and its WAL files hold private key material
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  ::umask(old);
  if (rc != SQLITE_OK) {
    *error = "cannot open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : "sqlite");
    return false;
  }
  ::chmod(path.c_str(), 0600);
  sqlite3_busy_timeout(db_, 5000);
  if (!Exec("PRAGMA journal_mode=WAL", error) || !Exec("PRAGMA synchronous=FULL", error) ||
      !Exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", error) ||
      !Exec("CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 1), document TEXT NOT NULL, "
            "saved_at INTEGER NOT NULL)",
            error)) {
    return false;
  }
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &stmt, nullptr);
  int version = 0;
  if (sqlite3_step(stmt) == SQLITE_ROW) version = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  if (version == 0) {
    return Exec(("INSERT INTO meta (key, value) VALUES ('schema_version', '" + std::to_string(kSchemaVersion) + "')").c_str(),
                error);
  }
  if (version != kSchemaVersion) {
    *error = path + " has schema version " + std::to_string(version) + "; this build reads version " +
             std::to_string(kSchemaVersion) + ". Use a build that matches, or another --data-dir.";
    return false;
  }
  return true;
}

std::optional<nlohmann::json> StateStore::Load(std::string* error) {
  std::lock_guard lock(mu_);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db_, "SELECT document FROM state WHERE id = 1", -1, &stmt, nullptr);
  std::optional<nlohmann::json> out;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    auto text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    std::string parse_error;
    auto doc = ParseBoundedJson(text ? text : "", &parse_error, kDocumentLimits);
    if (!doc) {
      *error = "the stored state is not readable JSON: " + parse_error;
    } else {
      out = std::move(doc);
    }
  }
  sqlite3_finalize(stmt);
  return out;
}

bool StateStore::Save(const std::function<std::string()>& produce, std::string* error) {
  std::lock_guard lock(mu_);
  std::string text = produce();
  sqlite3_stmt* stmt = nullptr;
  if (!Exec("BEGIN IMMEDIATE", error)) return false;
  sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO state (id, document, saved_at) VALUES (1, ?, ?)", -1, &stmt, nullptr);
  sqlite3_bind_text(stmt, 1, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(stmt, 2, static_cast<sqlite3_int64>(std::time(nullptr)));
  bool ok = sqlite3_step(stmt) == SQLITE_DONE;
  sqlite3_finalize(stmt);
  if (!ok) {
    *error = std::string("sqlite: ") + sqlite3_errmsg(db_);
    Exec("ROLLBACK", error);
    return false;
  }
  return Exec("COMMIT", error);
}

}  // namespace crosskey::server
