#pragma once
// What has been verified about a token or an assertion, keyed by its exact text: a hit is the
// very text once verified, byte for byte (no hash whose collision could skip a check). Bounded:
// past kMaxEntries it starts over, since it is a cache and not a record. The token validator
// keeps access tokens here, the token endpoint federated assertions (assertion_cache.h).
// Thread-safety: all methods safe to call concurrently.
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace crosskey::token {

template <typename T, size_t kMaxEntries>
class VerifiedTextCache {
 public:
  std::optional<T> Find(const std::string& text) const {
    std::lock_guard lock(mu_);
    auto it = entries_.find(text);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }

  void Put(const std::string& text, T verified) {
    std::lock_guard lock(mu_);
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_.insert_or_assign(text, std::move(verified));
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, T> entries_;
};

}  // namespace crosskey::token
