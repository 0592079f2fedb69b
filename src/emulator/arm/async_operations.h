#pragma once
// ARM's long-running operations: an accepted write (a storage account create, a disk update,
// a SQL server delete, ...) is held as an operation whose outcome — the write's success or the
// provider's error, decided when the write was accepted — becomes visible when the operation
// completes on the emulator clock (`delay` seconds after it started; 0 by default, so tests
// stay fast). The ARM adapter serves each operation at the provider's operation-status and
// operation-result URLs (arm/http/lro_shapes.h).
// Thread-safety: all methods safe to call concurrently (one mutex).
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "emulator/common/clock.h"
#include "emulator/common/status.h"

namespace crosskey::arm {

struct AsyncOperation {
  std::string id;             // a GUID, the last segment of its status URL
  std::string resource_id;    // the resource written (canonical)
  std::string verb;           // PUT, PATCH or DELETE
  std::string status_kind;    // the status URL's segment ("asyncoperations", "DiskOperations", ...)
  std::string result_kind;    // the result URL's segment
  std::string location;       // the resource's region, in both URLs
  std::string pending_state;  // provisioningState while in progress: Creating, Updating, Deleting
  int64_t started = 0;
  int64_t completes = 0;
  std::optional<Error> error;  // the operation's failure; none: it succeeds
};

enum class OperationStatus { kInProgress, kSucceeded, kFailed };

class AsyncOperations {
 public:
  explicit AsyncOperations(const Clock* clock) : clock_(clock) {}
  // Records an operation started now; fills id, started and completes. Returns it.
  AsyncOperation Start(AsyncOperation op);
  std::optional<AsyncOperation> Find(const std::string& id) const;
  OperationStatus StatusOf(const AsyncOperation& op) const;
  // Seconds until `op` completes on the emulator clock (0 once it has).
  int64_t Remaining(const AsyncOperation& op) const;
  // The pending_state of the newest operation on `resource_id` still in progress, if any.
  std::optional<std::string> PendingState(const std::string& resource_id) const;

  int64_t delay() const;
  // Errors: InvalidRequestContent-style BadRequest when negative or over a day.
  Status set_delay(int64_t seconds);

 private:
  static constexpr size_t kMaxOperations = 10000;
  const Clock* clock_;
  mutable std::mutex mu_;
  int64_t delay_ = 0;
  int64_t last_completion_ = 0;                       // the latest `completes` of any operation
  std::map<std::string, AsyncOperation> operations_;  // key: lower-case id
  std::deque<std::string> order_;                     // oldest first, for the bound
};

}  // namespace crosskey::arm
