#pragma once
// Federated assertions whose signature has been checked, by their exact text. A workload
// presents the same assertion (its managed-identity token) for every exchange until it
// expires, so the token endpoint checks its RS256 signature once, not per exchange. What can
// change between two exchanges is checked every time by the caller: the key that verified the
// signature must still be the issuer's key for that kid (rotation or removal misses), the
// lifetime is checked against the clock, and the application's FICs are matched anew.
// Thread-safety: all methods safe to call concurrently.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "emulator/crypto/key_material.h"

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

class VerifiedAssertionCache {
 public:
  static constexpr size_t kMaxEntries = 1024;  // then it starts over: a cache, not a record

  std::optional<VerifiedAssertion> Find(const std::string& assertion) const;
  void Put(const std::string& assertion, VerifiedAssertion verified);

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, VerifiedAssertion> entries_;
};

}  // namespace crosskey::token
