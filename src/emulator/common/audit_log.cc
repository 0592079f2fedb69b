#include "emulator/common/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include "emulator/common/text.h"

namespace crosskey {

AuditLog::~AuditLog() {
  if (file_) std::fclose(file_);
}

bool AuditLog::OpenFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  std::lock_guard lock(mu_);
  if (file_) std::fclose(file_);
  file_ = ::fdopen(fd, "a");
  return file_ != nullptr;
}

void AuditLog::Record(nlohmann::json record) {
  int64_t now = clock_->Now();
  record["time"] = IsoTime(now);
  record["epoch"] = now;
  // Serialize only when a sink wants the line: the in-memory log keeps the JSON value.
  std::string line;
  if (file_ || echo_stdout_) line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(mu_);
  if (records_.size() >= kMaxRecords) records_.pop_front();
  records_.push_back(std::move(record));
  if (file_) {
    std::fputs(line.c_str(), file_);
    std::fputc('\n', file_);
    std::fflush(file_);
  }
  if (echo_stdout_) {
    std::fputs(line.c_str(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }
}

std::vector<nlohmann::json> AuditLog::Query(const AuditQuery& q) const {
  auto has = [](const nlohmann::json& r, const char* key, const std::string& want) {
    if (want.empty()) return true;
    auto it = r.find(key);
    return it != r.end() && it->is_string() && EqualsIgnoreCase(it->get<std::string>(), want);
  };
  std::lock_guard lock(mu_);
  std::vector<nlohmann::json> out;
  for (const auto& r : records_) {
    if (r.value("epoch", int64_t{0}) < q.since) continue;
    if (!has(r, "category", q.category) || !has(r, "tenantId", q.tenant) || !has(r, "operationName", q.operation) ||
        !has(r, "correlationId", q.correlation_id)) {
      continue;
    }
    if (!q.principal.empty() && !has(r, "appId", q.principal) && !has(r, "objectId", q.principal)) continue;
    out.push_back(r);
    if (out.size() >= q.limit) break;
  }
  return out;
}

size_t AuditLog::size() const {
  std::lock_guard lock(mu_);
  return records_.size();
}

}  // namespace crosskey
