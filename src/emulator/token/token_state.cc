// Token-plane state export/import: signing keys, external issuers, refresh grants.
#include <mutex>

#include "emulator/common/text.h"
#include "emulator/token/errors.h"
#include "emulator/token/signing_keys.h"
#include "emulator/token/token_service.h"

namespace crosskey::token {
namespace {
using nlohmann::json;
}  // namespace

json SigningKeyRing::ExportState() const {
  std::shared_lock lock(mu_);
  json out = json::array();
  for (const auto& [tid, k] : by_tenant_) out.push_back({{"tenantId", tid}, {"jwk", k.key->PrivateJwk()}});
  return out;
}

Status SigningKeyRing::ImportState(const json& state) {
  try {
    for (const auto& k : state) {
      std::string error;
      auto key = crypto::KeyMaterial::FromJwk(k.at("jwk"), &error);
      if (!key) return errors::InvalidState("unreadable signing key: " + error);
      EnsureTenantKey(k.at("tenantId"), key);
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return errors::InvalidState(std::string("signing keys: ") + e.what());
  }
}

json TokenService::ExportState() const {
  std::lock_guard lock(mu_);
  json issuers = json::array(), grants = json::array();
  for (const auto& [_, issuer] : external_issuers_) {
    json keys = json::array();
    for (const auto& [kid, key] : issuer.keys_by_kid) {
      json jwk = key->PublicJwk();
      jwk["kid"] = kid;
      keys.push_back(jwk);
    }
    issuers.push_back({{"issuer", issuer.issuer}, {"jwks", {{"keys", keys}}}});
  }
  for (const auto& [token, g] : refresh_grants_) {
    grants.push_back({{"token", token}, {"tenantId", g.tenant_id}, {"userObjectId", g.user_object_id},
                      {"clientId", g.client_id}});
  }
  return {{"oidcIssuers", issuers}, {"refreshTokens", grants}};
}

Status TokenService::ImportState(const json& state) {
  try {
    for (const auto& i : state.at("oidcIssuers")) {
      ExternalIssuer issuer;
      issuer.issuer = i.at("issuer");
      for (const auto& k : i.at("jwks").at("keys")) {
        std::string error;
        auto key = crypto::KeyMaterial::FromJwk(k, &error);
        if (!key) return errors::InvalidState("unreadable issuer key: " + error);
        issuer.keys_by_kid[k.value("kid", "")] = key;
      }
      AddExternalIssuer(issuer);
    }
    std::lock_guard lock(mu_);
    for (const auto& g : state.at("refreshTokens")) {
      refresh_grants_[g.at("token")] = {g.at("tenantId"), g.at("userObjectId"), g.at("clientId")};
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return errors::InvalidState(std::string("token service: ") + e.what());
  }
}

}  // namespace crosskey::token
