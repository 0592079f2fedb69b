#pragma once
// Federated assertions whose signature has been checked, by their exact text. A workload
// presents the same assertion (its managed-identity token) for every exchange until it
// expires, so the token endpoint checks its RS256 signature once, not per exchange. What can
// change between two exchanges is checked every time by the caller: the key that verified the
// signature must still be the issuer's key for that kid (rotation or removal misses), the
// lifetime is checked against the clock, and the application's FICs are matched anew.
// Thread-safety: see verified_text_cache.h.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "emulator/crypto/key_material.h"
#include "emulator/token/verified_text_cache.h"

namespace crosskey::token {

struct VerifiedAssertion {
  std::string issuer;
  std::string subject;
  std::vector<std::string> audiences;
  std::string kid;
  int64_t not_before = 0;  // 0 when absent
  int64_t expires = 0;     // 0 when absent
  std::shared_ptr<const crypto::KeyMaterial> key;  // the key its signature verified with
};

// Assertions whose signature has been checked; 1024, then it starts over.
using VerifiedAssertionCache = VerifiedTextCache<VerifiedAssertion, 1024>;

}  // namespace crosskey::token
