#pragma once
// One immutable key version as the data plane serves it. Attribute changes replace the
// snapshot; readers holding the old one finish with it (the hot path takes no lock during
// crypto).
// Thread-safety: immutable once published through a KeyVersionSnapshot.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/crypto/key_material.h"

namespace crosskey::keyvault {

struct KeyAttributes {
  bool enabled = true;
  int64_t not_before = 0;  // 0: unset
  int64_t expires = 0;     // 0: unset
  int64_t created = 0;
  int64_t updated = 0;
  bool exportable = false;
};

// A version's text in the state document, made on its first export and kept: the durable
// store exports the whole state after every change, and a published version never changes.
// A copy starts empty (versions are copied to be changed, then published as a new snapshot).
class StateTextCache {
 public:
  StateTextCache() = default;
  StateTextCache(const StateTextCache&) {}
  StateTextCache& operator=(const StateTextCache&) {
    std::lock_guard lock(mu_);
    text_.reset();
    return *this;
  }
  // The kept text, made by `make` the first time.
  const std::string& Get(const std::function<std::string()>& make) const {
    std::lock_guard lock(mu_);
    if (!text_) text_ = std::make_unique<const std::string>(make());
    return *text_;
  }

 private:
  mutable std::mutex mu_;
  mutable std::unique_ptr<const std::string> text_;
};

struct KeyVersion {
  std::string vault;    // vault name
  std::string name;
  std::string version;  // 32 hex
  std::string kty;      // as created: RSA, RSA-HSM, EC, EC-HSM, oct, oct-HSM
  std::vector<std::string> key_ops;
  KeyAttributes attributes;
  nlohmann::json tags = nlohmann::json::object();
  std::shared_ptr<const crypto::KeyMaterial> material;
  StateTextCache state_text;  // see StateTextCache; only KeyVaultService's state export uses it
};

using KeyVersionSnapshot = std::shared_ptr<const KeyVersion>;

}  // namespace crosskey::keyvault
