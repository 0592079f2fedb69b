#include "emulator/token/assertion_cache.h"

namespace crosskey::token {

std::optional<VerifiedAssertion> VerifiedAssertionCache::Find(const std::string& assertion) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(assertion);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void VerifiedAssertionCache::Put(const std::string& assertion, VerifiedAssertion verified) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_.insert_or_assign(assertion, std::move(verified));
}

}  // namespace crosskey::token
