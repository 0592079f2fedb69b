#include "emulator/arm/async_operations.h"

#include "emulator/arm/errors.h"
#include "emulator/common/text.h"

namespace crosskey::arm {

AsyncOperation AsyncOperations::Start(AsyncOperation op) {
  std::lock_guard lock(mu_);
  op.id = NewGuid();
  op.started = clock_->Now();
  op.completes = op.started + delay_;
  if (op.completes > last_completion_) last_completion_ = op.completes;
  operations_[ToLower(op.id)] = op;
  order_.push_back(ToLower(op.id));
  while (order_.size() > kMaxOperations) {
    operations_.erase(order_.front());
    order_.pop_front();
  }
  return op;
}

std::optional<AsyncOperation> AsyncOperations::Find(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = operations_.find(ToLower(id));
  if (it == operations_.end()) return std::nullopt;
  return it->second;
}

OperationStatus AsyncOperations::StatusOf(const AsyncOperation& op) const {
  if (clock_->Now() < op.completes) return OperationStatus::kInProgress;
  return op.error ? OperationStatus::kFailed : OperationStatus::kSucceeded;
}

int64_t AsyncOperations::Remaining(const AsyncOperation& op) const {
  int64_t left = op.completes - clock_->Now();
  return left > 0 ? left : 0;
}

std::optional<std::string> AsyncOperations::PendingState(const std::string& resource_id) const {
  std::lock_guard lock(mu_);
  const int64_t now = clock_->Now();
  if (now >= last_completion_) return std::nullopt;  // nothing in progress: the common case
  // Newest first: the latest write decides what the resource is doing.
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    const AsyncOperation& op = operations_.at(*it);
    if (now >= op.completes) continue;
    if (EqualsIgnoreCase(op.resource_id, resource_id)) return op.pending_state;
  }
  return std::nullopt;
}

int64_t AsyncOperations::delay() const {
  std::lock_guard lock(mu_);
  return delay_;
}

Status AsyncOperations::set_delay(int64_t seconds) {
  if (seconds < 0 || seconds > 86400) {
    return errors::BadRequest("delaySeconds must be between 0 and 86400, not " + std::to_string(seconds) + ".");
  }
  std::lock_guard lock(mu_);
  delay_ = seconds;
  return Status::Ok();
}

}  // namespace crosskey::arm
