#include "emulator/arm/rbac_engine.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "emulator/arm/errors.h"
#include "emulator/arm/rbac_decision_memo.h"
#include "emulator/arm/role_definition.h"
#include "emulator/common/text.h"

namespace crosskey::arm {

namespace {
// ASCII case folding without allocation: RBAC runs on every Key Vault call.
inline char Fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string_view TrimTrailingSlashes(std::string_view s) {
  while (s.size() > 1 && s.back() == '/') s.remove_suffix(1);
  return s;
}

uint64_t NextEngineId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

RbacEngine::RbacEngine(const Clock* clock) : clock_(clock), id_(NextEngineId()) {}

bool ActionMatches(std::string_view pattern, std::string_view action) {
  std::string_view p = pattern;
  std::string_view a = action;
  // Iterative glob match with '*' only, case-insensitive.
  size_t pi = 0, ai = 0, star = std::string::npos, mark = 0;
  while (ai < a.size()) {
    if (pi < p.size() && p[pi] != '*' && Fold(p[pi]) == Fold(a[ai])) {
      ++pi;
      ++ai;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ai;
    } else if (star != std::string::npos) {
      pi = star + 1;
      ai = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool RbacEngine::ScopeCovers(const std::string& assignment_scope, const std::string& scope) {
  std::string_view a = TrimTrailingSlashes(assignment_scope), s = TrimTrailingSlashes(scope);
  if (a == "/" || a.empty()) return true;
  if (s.size() < a.size() || (s.size() > a.size() && s[a.size()] != '/')) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Fold(a[i]) != Fold(s[i])) return false;
  }
  return true;
}

bool RbacEngine::Grants(const RoleAssignment& a, std::string_view action, bool data_action) const {
  const RoleDefinition* role = FindBuiltInRoleByGuid(a.role_definition_guid);
  if (!role) return false;
  const auto& allow = data_action ? role->data_actions : role->actions;
  const auto& deny = data_action ? role->not_data_actions : role->not_actions;
  bool granted =
      std::any_of(allow.begin(), allow.end(), [&](const std::string& p) { return ActionMatches(p, action); });
  if (!granted) return false;
  return std::none_of(deny.begin(), deny.end(), [&](const std::string& p) { return ActionMatches(p, action); });
}

StatusOr<RoleAssignment> RbacEngine::Add(RoleAssignment assignment) {
  std::unique_lock lock(mu_);
  for (const auto& a : assignments_) {
    if (EqualsIgnoreCase(a.id, assignment.id)) {
      // Same name again: ARM answers with the existing assignment when nothing differs.
      if (EqualsIgnoreCase(a.principal_id, assignment.principal_id) &&
          EqualsIgnoreCase(a.role_definition_guid, assignment.role_definition_guid)) {
        return a;
      }
      return errors::RoleAssignmentExists();
    }
    if (EqualsIgnoreCase(a.scope, assignment.scope) && EqualsIgnoreCase(a.principal_id, assignment.principal_id) &&
        EqualsIgnoreCase(a.role_definition_guid, assignment.role_definition_guid)) {
      return errors::RoleAssignmentExists();
    }
  }
  if (grant_delay_ > 0) assignment.effective_from = clock_->Now() + grant_delay_;
  assignments_.push_back(assignment);
  Changed();
  return assignment;
}

std::optional<RoleAssignment> RbacEngine::Find(const std::string& id) const {
  std::shared_lock lock(mu_);
  for (const auto& a : assignments_) {
    if (EqualsIgnoreCase(a.id, id)) return a;
  }
  return std::nullopt;
}

StatusOr<RoleAssignment> RbacEngine::Remove(const std::string& id) {
  std::unique_lock lock(mu_);
  for (auto it = assignments_.begin(); it != assignments_.end(); ++it) {
    if (EqualsIgnoreCase(it->id, id)) {
      RoleAssignment removed = *it;
      assignments_.erase(it);
      if (propagation_delay_ > 0) removed_.push_back({removed, clock_->Now() + propagation_delay_});
      Changed();
      return removed;
    }
  }
  return errors::RoleAssignmentNotFound(id);
}

void RbacEngine::RemoveUnder(const std::string& scope) {
  std::unique_lock lock(mu_);
  std::erase_if(assignments_, [&](const RoleAssignment& a) { return ScopeCovers(scope, a.scope); });
  Changed();
}

std::vector<RoleAssignment> RbacEngine::List(const std::string& scope, const std::string& principal_id,
                                             bool include_below) const {
  std::shared_lock lock(mu_);
  std::vector<RoleAssignment> out;
  for (const auto& a : assignments_) {
    bool applies = ScopeCovers(a.scope, scope) || (include_below && ScopeCovers(scope, a.scope));
    if (applies && (principal_id.empty() || EqualsIgnoreCase(a.principal_id, principal_id))) out.push_back(a);
  }
  return out;
}

std::vector<RoleAssignment> RbacEngine::All() const {
  std::shared_lock lock(mu_);
  return assignments_;
}

RbacDecision RbacEngine::Decide(const std::string& principal_id, std::string_view action, const std::string& scope,
                                bool data_action) const {
  uint64_t generation = generation_.load(std::memory_order_acquire);
  RbacDecisionMemo& memo = RbacDecisionMemo::ForThread(id_, generation);
  if (const RbacDecision* kept = memo.Find(principal_id, action, scope, data_action)) return *kept;
  std::shared_lock lock(mu_);
  bool keepable = false;
  RbacDecision decision = DecideLocked(principal_id, action, scope, data_action, &keepable);
  // A change between the load above and the lock would make this the newer generation's answer.
  if (keepable && generation_.load(std::memory_order_relaxed) == generation) memo.Keep(decision);
  return decision;
}

RbacDecision RbacEngine::DecideLocked(const std::string& principal_id, std::string_view action,
                                      const std::string& scope, bool data_action, bool* keepable) const {
  bool pending = false;  // an assignment that starts granting later: the answer changes with the clock
  for (const auto& a : assignments_) {
    if (EqualsIgnoreCase(a.principal_id, principal_id) && ScopeCovers(a.scope, scope) &&
        Grants(a, action, data_action)) {
      // The clock is read only for an assignment under a grant delay (none by default).
      if (a.effective_from != 0 && clock_->Now() < a.effective_from) {
        pending = true;
        continue;
      }
      // Holds until the assignments change; not when the clock could still take it back.
      *keepable = a.effective_from == 0;
      return {true, a.id};
    }
  }
  // Grants still propagating end with the clock, and the emulator's clock can be set back: any
  // answer given while one exists is not kept.
  *keepable = removed_.empty() && !pending;
  const int64_t now = clock_->Now();
  for (const auto& r : removed_) {
    if (now < r.effective_until && EqualsIgnoreCase(r.assignment.principal_id, principal_id) &&
        ScopeCovers(r.assignment.scope, scope) && Grants(r.assignment, action, data_action)) {
      return {true, r.assignment.id};
    }
  }
  return {false, {}};
}

}  // namespace crosskey::arm
