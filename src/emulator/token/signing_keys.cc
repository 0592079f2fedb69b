#include "emulator/token/signing_keys.h"

#include <mutex>

#include "emulator/common/text.h"
#include "emulator/crypto/encoding.h"
#include "emulator/token/audience.h"

namespace crosskey::token {

SigningKey SigningKeyRing::EnsureTenantKey(const std::string& tenant_id,
                                           std::shared_ptr<const crypto::KeyMaterial> key) {
  auto tid = ToLower(tenant_id);
  {
    std::shared_lock lock(mu_);
    auto it = by_tenant_.find(tid);
    if (it != by_tenant_.end() && !key) return it->second;
  }
  bool installing = key != nullptr;
  if (!key) key = crypto::KeyMaterial::GenerateRsa(2048);  // outside the lock: keygen is slow
  SigningKey sk;
  sk.tenant_id = tid;
  sk.key = key;
  sk.kid = crypto::Base64UrlEncode(crypto::Sha256(key->PublicJwk().dump()).substr(0, 20));
  std::unique_lock lock(mu_);
  auto it = by_tenant_.find(tid);
  if (it != by_tenant_.end()) {
    // Another thread generated this tenant's key while we did: keep the first, or tokens it
    // already signed would stop verifying.
    if (!installing) return it->second;
    by_kid_.erase(it->second.kid);
  }
  by_tenant_[tid] = sk;
  by_kid_[sk.kid] = sk;
  return sk;
}

std::optional<SigningKey> SigningKeyRing::ForTenant(const std::string& tenant_id) const {
  std::shared_lock lock(mu_);
  auto it = by_tenant_.find(ToLower(tenant_id));
  if (it == by_tenant_.end()) return std::nullopt;
  return it->second;
}

std::optional<SigningKey> SigningKeyRing::ByKid(const std::string& kid) const {
  std::shared_lock lock(mu_);
  auto it = by_kid_.find(kid);
  if (it == by_kid_.end()) return std::nullopt;
  return it->second;
}

nlohmann::json SigningKeyRing::Jwks(const std::string& tenant_id) const {
  nlohmann::json keys = nlohmann::json::array();
  if (auto sk = ForTenant(tenant_id)) {
    nlohmann::json jwk = sk->key->PublicJwk();
    jwk["use"] = "sig";
    jwk["kid"] = sk->kid;
    jwk["x5t"] = sk->kid;
    jwk["issuer"] = V2Issuer(sk->tenant_id);
    keys.push_back(jwk);
  }
  return {{"keys", keys}};
}

}  // namespace crosskey::token
