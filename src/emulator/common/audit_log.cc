#include "emulator/common/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>

#include "emulator/common/text.h"

namespace crosskey {
namespace {
constexpr auto kFlushInterval = std::chrono::milliseconds(100);
constexpr size_t kFileBuffer = 64 * 1024;
}  // namespace

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  std::lock_guard lock(mu_);
  FlushLocked();
  if (file_) std::fclose(file_);
}

bool AuditLog::OpenFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  std::lock_guard lock(mu_);
  if (file_) std::fclose(file_);
  file_ = ::fdopen(fd, "a");
  if (!file_) return false;
  // glibc ignores the size when it allocates the buffer itself (it takes st_blksize, 4 KiB):
  // hand it one, or every ~5 records cost a write().
  if (!file_buffer_) file_buffer_ = std::make_unique<char[]>(kFileBuffer);
  std::setvbuf(file_, file_buffer_.get(), _IOFBF, kFileBuffer);
  StartFlusher();
  return true;
}

void AuditLog::set_echo_stdout(bool echo) {
  std::lock_guard lock(mu_);
  echo_stdout_ = echo;
  if (echo) StartFlusher();
}

void AuditLog::StartFlusher() {
  if (!flusher_.joinable()) flusher_ = std::thread([this] { FlushLoop(); });
}

void AuditLog::FlushLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, kFlushInterval);
    FlushLocked();
  }
}

void AuditLog::FlushLocked() const {
  if (!dirty_) return;
  if (file_) std::fflush(file_);
  if (echo_stdout_) std::fflush(stdout);
  dirty_ = false;
}

void AuditLog::Record(nlohmann::json record) {
  int64_t now = clock_->Now();
  record["time"] = IsoTime(now);
  record["epoch"] = now;
  Store(now, record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void AuditLog::Record(JsonObjectWriter fields) {
  int64_t now = clock_->Now();
  fields.Str("time", IsoTime(now)).Int("epoch", now);
  Store(now, std::move(fields).Finish());
}

void AuditLog::Store(int64_t epoch, std::string line) {
  std::lock_guard lock(mu_);
  if (file_) {
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fputc('\n', file_);
    dirty_ = true;
  }
  if (echo_stdout_) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    dirty_ = true;
  }
  if (records_.size() >= kMaxRecords) records_.pop_front();
  records_.push_back({epoch, std::move(line)});
}

std::vector<nlohmann::json> AuditLog::Query(const AuditQuery& q) const {
  auto has = [](const nlohmann::json& r, const char* key, const std::string& want) {
    if (want.empty()) return true;
    auto it = r.find(key);
    return it != r.end() && it->is_string() && EqualsIgnoreCase(it->get<std::string>(), want);
  };
  std::lock_guard lock(mu_);
  FlushLocked();  // whoever reads audit.jsonl after a query sees every record it returned
  std::vector<nlohmann::json> out;
  for (const auto& e : records_) {
    if (e.epoch < q.since) continue;
    auto r = nlohmann::json::parse(e.line, nullptr, false);
    if (r.is_discarded()) continue;
    if (!has(r, "category", q.category) || !has(r, "tenantId", q.tenant) || !(has(r, "operationName", q.operation) || has(r, "operationId", q.operation)) ||
        !has(r, "correlationId", q.correlation_id)) {
      continue;
    }
    if (!q.principal.empty() && !has(r, "appId", q.principal) && !has(r, "objectId", q.principal)) continue;
    out.push_back(std::move(r));
    if (out.size() >= q.limit) break;
  }
  return out;
}

size_t AuditLog::size() const {
  std::lock_guard lock(mu_);
  return records_.size();
}

}  // namespace crosskey
