#pragma once
// Azure RBAC: role assignments and the decision "may principal P perform action A at scope S".
// An assignment at S or any parent scope (subscription -> group -> resource -> child such as
// /keys/{name}) applies; a role grants A when one of its (data)actions matches with '*'
// wildcards and none of its not(Data)Actions does. A new assignment starts granting after a
// configurable grant delay, and a removed one keeps granting for a propagation delay (both
// default 0; Azure documents up to 10 minutes, learn.microsoft.com/azure/key-vault/general/rbac-guide). Decisions are memoised per thread until the
// assignments change (rbac_decision_memo.h).
// Thread-safety: all methods safe to call concurrently (shared_mutex; decisions take it shared).
#include <atomic>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/common/clock.h"
#include "emulator/common/status.h"

namespace crosskey::arm {

struct RoleAssignment {
  std::string id;     // {scope}/providers/Microsoft.Authorization/roleAssignments/{name}
  std::string name;   // GUID
  std::string scope;  // canonical scope
  std::string tenant_id;
  std::string role_definition_guid;
  std::string principal_id;
  std::string principal_type;
  std::string description;
  int64_t created_on = 0;
  std::string created_by;
  int64_t effective_from = 0;  // grants from this time on the emulator clock (the grant delay)
};

struct RbacDecision {
  bool allowed = false;
  std::string assignment_id;  // the assignment that allowed it (its id only: this is on every key operation)
};

// True when `action` matches the pattern (case-insensitive, '*' matches any run of characters).
bool ActionMatches(std::string_view pattern, std::string_view action);

class RbacEngine {
 public:
  explicit RbacEngine(const Clock* clock);

  void set_propagation_delay(int64_t seconds) { propagation_delay_ = seconds; }
  int64_t propagation_delay() const { return propagation_delay_; }
  void set_grant_delay(int64_t seconds) { grant_delay_ = seconds; }
  int64_t grant_delay() const { return grant_delay_; }

  // Errors: RoleAssignmentExists (same scope, role and principal under another name).
  StatusOr<RoleAssignment> Add(RoleAssignment assignment);
  std::optional<RoleAssignment> Find(const std::string& id) const;
  // Errors: RoleAssignmentNotFound.
  StatusOr<RoleAssignment> Remove(const std::string& id);
  // Removes every assignment at or under `scope` (a deleted resource takes its assignments).
  void RemoveUnder(const std::string& scope);
  // Assignments that apply at `scope` (at it or above; with at_scope_only, exactly at it or
  // above but not below), optionally for one principal.
  std::vector<RoleAssignment> List(const std::string& scope, const std::string& principal_id, bool include_below) const;
  std::vector<RoleAssignment> All() const;

  RbacDecision Decide(const std::string& principal_id, std::string_view action, const std::string& scope,
                      bool data_action) const;

  // Assignments, and removals still propagating (arm_state.cc).
  nlohmann::json ExportState() const;
  Status ImportState(const nlohmann::json& state);

 private:
  struct Removed {
    RoleAssignment assignment;
    int64_t effective_until;
  };
  static bool ScopeCovers(const std::string& assignment_scope, const std::string& scope);
  bool Grants(const RoleAssignment& a, std::string_view action, bool data_action) const;
  RbacDecision DecideLocked(const std::string& principal_id, std::string_view action, const std::string& scope,
                            bool data_action, bool* keepable) const;
  // Every change to assignments_ or removed_ calls this, holding mu_ exclusively.
  void Changed() { generation_.fetch_add(1, std::memory_order_release); }

  const Clock* clock_;
  std::atomic<int64_t> propagation_delay_{0};
  std::atomic<int64_t> grant_delay_{0};
  mutable std::shared_mutex mu_;
  std::vector<RoleAssignment> assignments_;
  std::vector<Removed> removed_;
  const uint64_t id_;  // unique for the process's lifetime: memos never mistake one engine for another
  std::atomic<uint64_t> generation_{0};
};

}  // namespace crosskey::arm
