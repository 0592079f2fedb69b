#pragma once
// A per-thread memo of RbacEngine decisions. RBAC runs on every Key Vault call, and the same
// assignments give the same answer to the same (principal, action, scope) question, so an
// answer is kept while its engine's generation stays where it was: every change to the
// assignments moves the generation, and the next question on any thread starts afresh.
// The engine decides what may be kept (nothing that depends on the clock).
// Thread-safety: each thread has its own memo; nothing in it is shared.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "emulator/arm/rbac_engine.h"

namespace crosskey::arm {

class RbacDecisionMemo {
 public:
  // The calling thread's memo, emptied first unless it holds answers of engine `engine_id` at
  // `generation`.
  static RbacDecisionMemo& ForThread(uint64_t engine_id, uint64_t generation);

  // The kept answer to this question, or nullptr. Remembers the question for Keep.
  const RbacDecision* Find(std::string_view principal_id, std::string_view action, std::string_view scope,
                           bool data_action);
  // Keeps `decision` as the answer to the question of the last Find.
  void Keep(const RbacDecision& decision);

 private:
  // A bound (64 worker threads x 256 answers x ~0.5 KB = 8 MB at most); one caller asks a handful.
  static constexpr size_t kMaxAnswers = 256;

  uint64_t engine_id_ = 0;
  uint64_t generation_ = 0;
  std::string question_;  // reused: a hit allocates nothing for the key
  std::unordered_map<std::string, RbacDecision> answers_;
};

}  // namespace crosskey::arm
