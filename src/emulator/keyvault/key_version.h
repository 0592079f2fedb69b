#pragma once
// One immutable key version as the data plane serves it. Attribute changes replace the
// snapshot; readers holding the old one finish with it (the hot path takes no lock during
// crypto).
// Thread-safety: immutable once published through a KeyVersionSnapshot.
#include <cstdint>
#include <memory>
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

struct KeyVersion {
  std::string vault;    // vault name
  std::string name;
  std::string version;  // 32 hex
  std::string kty;      // as created: RSA, RSA-HSM, EC, EC-HSM, oct, oct-HSM
  std::vector<std::string> key_ops;
  KeyAttributes attributes;
  nlohmann::json tags = nlohmann::json::object();
  std::shared_ptr<const crypto::KeyMaterial> material;
};

using KeyVersionSnapshot = std::shared_ptr<const KeyVersion>;

}  // namespace crosskey::keyvault
