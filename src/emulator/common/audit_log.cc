#include "emulator/common/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string_view>

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

// The last records the file holds (at most kMaxRecords, read from its last kHistoryBytes) become
// the in-memory history, so GET /_emulator/audit lists them after a restart; a file past
// kRotateBytes is then moved to {path}.1 (replacing an older one) and a new file begun.
void AuditLog::LoadHistory(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return;
  const std::streamoff size = in.tellg();
  const std::streamoff start = size > kHistoryBytes ? size - kHistoryBytes : 0;
  in.seekg(start);
  std::string text(static_cast<size_t>(size - start), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  size_t pos = 0;
  if (start > 0) pos = text.find('\n') == std::string::npos ? text.size() : text.find('\n') + 1;  // a partial line
  std::deque<Entry> loaded;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    size_t at = line.find("\"epoch\":");
    if (line.empty() || line.front() != '{' || line.back() != '}' || at == std::string_view::npos) continue;
    int64_t epoch = std::strtoll(std::string(line.substr(at + 8, 20)).c_str(), nullptr, 10);
    if (loaded.size() >= kMaxRecords) loaded.pop_front();
    loaded.push_back({epoch, std::string(line)});
  }
  in.close();
  {
    std::lock_guard lock(mu_);
    for (auto& l : loaded) {
      if (records_.size() >= kMaxRecords) records_.pop_front();
      records_.push_back(std::move(l));
    }
  }
  if (size > kRotateBytes) std::rename(path.c_str(), (path + ".1").c_str());
}

bool AuditLog::OpenFile(const std::string& path) {
  LoadHistory(path);
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
