#pragma once
// One audit log across the three planes: sign-ins (token issuance and refusal), ARM activity
// (writes) and Key Vault AuditEvents, each a JSON record. Records sharing a token carry the
// same correlationId (the token's uti), so an exchange can be followed into the calls made
// with it. Kept in memory (bounded) for GET /_emulator/audit, appended to audit.jsonl in the
// data dir, and optionally echoed to stdout.
// Thread-safety: all methods safe to call concurrently.
#include <cstdint>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/common/clock.h"

namespace crosskey {

struct AuditQuery {
  std::string category;   // SignIn, Activity, AuditEvent
  std::string tenant;     // tenantId
  std::string principal;  // appId or objectId (caller or client)
  std::string operation;  // operationName
  std::string correlation_id;
  int64_t since = 0;      // epoch seconds on the emulator clock
  size_t limit = 1000;
};

class AuditLog {
 public:
  explicit AuditLog(const Clock* clock) : clock_(clock) {}
  ~AuditLog();
  // Appends every later record to `path` (created 0600). False when it cannot be opened.
  bool OpenFile(const std::string& path);
  void set_echo_stdout(bool echo) { echo_stdout_ = echo; }
  // Stamps time/epoch and stores the record.
  void Record(nlohmann::json record);
  std::vector<nlohmann::json> Query(const AuditQuery& query) const;
  size_t size() const;

 private:
  // Each record is a JSON tree of ~2.5 KB; 20,000 keep memory bounded near 50 MB.
  static constexpr size_t kMaxRecords = 20000;
  const Clock* clock_;
  mutable std::mutex mu_;
  std::deque<nlohmann::json> records_;
  std::FILE* file_ = nullptr;
  bool echo_stdout_ = false;
};

}  // namespace crosskey
