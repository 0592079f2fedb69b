#include "emulator/keyvault/vault_throttle.h"

#include <cmath>

#include "emulator/keyvault/errors.h"

namespace crosskey::keyvault {

Status VaultThrottle::Configure(bool enabled, int window_seconds, double scale) {
  if (window_seconds <= 0 || window_seconds > 3600) return errors::BadParameter("windowSeconds must be in 1..3600.");
  if (!(scale > 0) || scale > 1000) return errors::BadParameter("scale must be greater than 0 and at most 1000.");
  std::lock_guard lock(mu_);
  window_seconds_ = window_seconds;
  scale_ = scale;
  windows_.clear();
  enabled_.store(enabled);
  return Status::Ok();
}

nlohmann::json VaultThrottle::Describe() const {
  std::lock_guard lock(mu_);
  return {{"enabled", enabled_.load()}, {"windowSeconds", window_seconds_}, {"scale", scale_},
          {"budgetUnitsPerWindow", kBudgetUnits * scale_}};
}

double VaultThrottle::Cost(const KeyVersion* key, const std::string& kty, int key_bits, bool is_create) {
  bool hsm = kty.find("-HSM") != std::string::npos;
  if (is_create) return hsm ? 400 : 200;
  if (!key) return 1;  // vault-level transactions (list) weigh as a software RSA-2048 operation
  double weight = 1;
  if (key->material && key->material->type() == crypto::KeyType::kRsa) {
    if (key_bits >= 4096) {
      weight = 8;
    } else if (key_bits >= 3072) {
      weight = 4;
    }
  }
  return hsm ? weight * 2 : weight;
}

Status VaultThrottle::Admit(const std::string& vault_instance, double cost) {
  if (!enabled()) return Status::Ok();
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  auto window = std::chrono::seconds(window_seconds_);
  Window& w = windows_[vault_instance];
  if (now - w.start >= window) {
    w.start = now;
    w.used = 0;
  }
  if (w.used + cost > kBudgetUnits * scale_) {
    auto left = std::chrono::duration<double>(w.start + window - now).count();
    return errors::Throttled(std::max(1, static_cast<int>(std::ceil(left))));
  }
  w.used += cost;
  return Status::Ok();
}

}  // namespace crosskey::keyvault
