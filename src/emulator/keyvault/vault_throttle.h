#pragma once
// Optional per-vault throttling modelled on Key Vault's published limits
// (https://learn.microsoft.com/azure/key-vault/general/service-limits): transactions per 10 s
// per vault, weighted by key type and operation, enforced on their sum. A software RSA-2048
// (or EC) operation costs 1 of the 4,000-unit budget; HSM keys cost twice as much; RSA-3072 4x
// (HSM 8x), RSA-4096 8x (HSM 16x); creating a key costs 200 (software) or 400 (HSM), i.e. 20 /
// 10 creations per window. Refused requests do not count, as Key Vault documents. Off by
// default; `scale` shrinks or grows every limit (tests use tiny budgets).
// Thread-safety: all methods safe to call concurrently; a disabled throttle costs one atomic load.
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "emulator/common/status.h"
#include "emulator/keyvault/key_version.h"

namespace crosskey::keyvault {

class VaultThrottle {
 public:
  static constexpr double kBudgetUnits = 4000;  // software RSA-2048 "all other transactions"

  // Errors: BadParameter for a non-positive window or scale.
  Status Configure(bool enabled, int window_seconds, double scale);
  nlohmann::json Describe() const;
  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }

  // The weight of an operation on this key version (create: is_create).
  static double Cost(const KeyVersion* key, const std::string& kty, int key_bits, bool is_create);
  // Admits the request or answers Throttled (429) with Retry-After.
  Status Admit(const std::string& vault_instance, double cost);

 private:
  struct Window {
    std::chrono::steady_clock::time_point start;
    double used = 0;
  };
  std::atomic<bool> enabled_{false};
  mutable std::mutex mu_;
  int window_seconds_ = 10;
  double scale_ = 1.0;
  std::map<std::string, Window> windows_;
};

}  // namespace crosskey::keyvault
