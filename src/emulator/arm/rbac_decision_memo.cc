#include "emulator/arm/rbac_decision_memo.h"

namespace crosskey::arm {
namespace {
void AppendQuestionLength(std::string& out, size_t n) { out.append(reinterpret_cast<const char*>(&n), sizeof n); }
}  // namespace

RbacDecisionMemo& RbacDecisionMemo::ForThread(uint64_t engine_id, uint64_t generation) {
  thread_local RbacDecisionMemo memo;
  if (memo.engine_id_ != engine_id || memo.generation_ != generation) {
    memo.answers_.clear();
    memo.engine_id_ = engine_id;
    memo.generation_ = generation;
  }
  return memo;
}

const RbacDecision* RbacDecisionMemo::Find(std::string_view principal_id, std::string_view action,
                                           std::string_view scope, bool data_action) {
  // Lengths first, so that no two questions read the same whatever their characters.
  question_.clear();
  AppendQuestionLength(question_, principal_id.size());
  AppendQuestionLength(question_, action.size());
  question_.append(principal_id).append(action).append(scope).push_back(data_action ? 'd' : 'c');
  auto it = answers_.find(question_);
  return it == answers_.end() ? nullptr : &it->second;
}

void RbacDecisionMemo::Keep(const RbacDecision& decision) {
  if (answers_.size() >= kMaxAnswers) answers_.clear();
  answers_.emplace(question_, decision);
}

}  // namespace crosskey::arm
