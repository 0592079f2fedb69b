#pragma once
// Per-tenant token signing keys (RSA-2048, kid = base64url SHA-256 thumbprint prefix) and the
// JWKS built from them.
// Thread-safety: all methods safe to call concurrently.
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "emulator/common/status.h"
#include "emulator/crypto/key_material.h"

namespace crosskey::token {

struct SigningKey {
  std::string kid;
  std::string tenant_id;
  std::shared_ptr<const crypto::KeyMaterial> key;
};

class SigningKeyRing {
 public:
  // Creates the tenant's key on first use (tokens, JWKS), so start-up pays for no key
  // generation; or installs `key` when given (state import).
  SigningKey EnsureTenantKey(const std::string& tenant_id,
                             std::shared_ptr<const crypto::KeyMaterial> key = nullptr);
  std::optional<SigningKey> ForTenant(const std::string& tenant_id) const;
  std::optional<SigningKey> ByKid(const std::string& kid) const;
  // {"keys":[{kty,use:"sig",kid,x5t,n,e,issuer}]} for one tenant; public members only.
  nlohmann::json Jwks(const std::string& tenant_id) const;

  // Every tenant's private signing key (state snapshots only; never served).
  nlohmann::json ExportState() const;
  Status ImportState(const nlohmann::json& state);

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, SigningKey> by_tenant_;
  std::map<std::string, SigningKey> by_kid_;
};

}  // namespace crosskey::token
