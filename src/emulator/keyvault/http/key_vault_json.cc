// The JSON codecs Key Vault's handlers share (key_vault_call.h).
#include "emulator/common/http/wire.h"
#include "emulator/crypto/encoding.h"
#include "emulator/keyvault/errors.h"
#include "emulator/keyvault/http/key_vault_call.h"

namespace crosskey::keyvault::http {
namespace {
using nlohmann::json;

constexpr size_t kMaxValueBytes = 64 * 1024;  // far above any RSA-4096 block or AES payload we accept

bool IntAttribute(const json& a, const char* name, std::optional<int64_t>* out, Error* error) {
  if (!a.contains(name) || a[name].is_null()) return true;
  if (!a[name].is_number_integer()) {
    *error = errors::BadParameter(std::string("Attribute '") + name + "' must be an integer Unix time.");
    return false;
  }
  *out = a[name].get<int64_t>();
  return true;
}
}  // namespace

json AttributesJson(const KeyAttributes& a, const arm::VaultInfo& vault) {
  json j = {{"enabled", a.enabled},
            {"created", a.created},
            {"updated", a.updated},
            {"recoveryLevel", KeyVaultService::RecoveryLevel(vault)},
            {"exportable", a.exportable}};
  if (vault.soft_delete) j["recoverableDays"] = vault.retention_days;
  if (a.not_before) j["nbf"] = a.not_before;
  if (a.expires) j["exp"] = a.expires;
  return j;
}

json KeyBundle(const KeyVaultCall& call, const KeyVersionSnapshot& k) {
  json key = k->material->PublicJwk();
  key["kid"] = call.base + "/keys/" + k->name + "/" + k->version;
  key["kty"] = k->kty;
  key["key_ops"] = k->key_ops;
  return json{{"key", key}, {"attributes", AttributesJson(k->attributes, call.vault)}, {"tags", k->tags}};
}

json DeletedKeyBundle(const KeyVaultCall& call, const DeletedKeyInfo& d) {
  json j = KeyBundle(call, d.latest);
  j["recoveryId"] = call.base + "/deletedkeys/" + d.latest->name;
  j["deletedDate"] = d.deleted_date;
  j["scheduledPurgeDate"] = d.scheduled_purge_date;
  return j;
}

HttpResponse ListPage(json items) { return wire::Json(200, {{"value", std::move(items)}, {"nextLink", nullptr}}); }

std::optional<std::string> B64Field(const json& body, const char* name, bool required, Error* error) {
  if (!body.contains(name) || body[name].is_null()) {
    if (required) *error = errors::BadParameter(std::string("Property '") + name + "' is required.");
    return required ? std::nullopt : std::optional<std::string>("");
  }
  if (!body[name].is_string()) {
    *error = errors::BadParameter(std::string("Property '") + name + "' must be a base64url string.");
    return std::nullopt;
  }
  auto decoded = crypto::Base64UrlDecode(body[name].get<std::string>());
  if (!decoded) {
    *error = errors::BadParameter(std::string("Content of '") + name + "' is not base64url.");
    return std::nullopt;
  }
  if (decoded->size() > kMaxValueBytes) {
    *error = errors::BadParameter(std::string("Property '") + name + "' is too large.");
    return std::nullopt;
  }
  return decoded;
}

bool ReadAttributes(const json& body, KeyAttributes* attrs, bool* has_enabled, KeyUpdate* update, Error* error) {
  if (!body.contains("attributes") || body["attributes"].is_null()) return true;
  const json& a = body["attributes"];
  if (!a.is_object()) {
    *error = errors::BadParameter("Property 'attributes' must be an object.");
    return false;
  }
  std::optional<int64_t> nbf, exp;
  if (!IntAttribute(a, "nbf", &nbf, error) || !IntAttribute(a, "exp", &exp, error)) return false;
  std::optional<bool> enabled;
  if (a.contains("enabled") && !a["enabled"].is_null()) {
    if (!a["enabled"].is_boolean()) {
      *error = errors::BadParameter("Attribute 'enabled' must be a boolean.");
      return false;
    }
    enabled = a["enabled"].get<bool>();
  }
  if (attrs) {
    if (enabled) attrs->enabled = *enabled;
    if (nbf) attrs->not_before = *nbf;
    if (exp) attrs->expires = *exp;
    if (has_enabled) *has_enabled = enabled.has_value();
  }
  if (update) {
    update->enabled = enabled;
    update->not_before = nbf;
    update->expires = exp;
  }
  return true;
}

bool ReadKeyOps(const json& body, std::vector<std::string>* ops, Error* error) {
  if (!body.contains("key_ops") || body["key_ops"].is_null()) return true;
  if (!body["key_ops"].is_array()) {
    *error = errors::BadParameter("Property 'key_ops' must be an array.");
    return false;
  }
  for (const auto& o : body["key_ops"]) {
    if (!o.is_string()) {
      *error = errors::BadParameter("Property 'key_ops' must contain strings.");
      return false;
    }
    ops->push_back(o.get<std::string>());
  }
  return true;
}

}  // namespace crosskey::keyvault::http
