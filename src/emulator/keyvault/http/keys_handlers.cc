// Key Vault's key lifecycle operations: list, create, import, get, update, delete, backup,
// restore, rotate and the rotation policy (key_vault_call.h).
#include "emulator/common/http/wire.h"
#include "emulator/keyvault/errors.h"
#include "emulator/keyvault/http/key_vault_call.h"

namespace crosskey::keyvault::http {
namespace {
using nlohmann::json;

HttpResponse BundleResponse(const KeyVaultCall& call, const KeyVersionSnapshot& key) {
  return wire::Json(200, KeyBundle(call, key));
}

json ItemsOf(const KeyVaultCall& call, const std::vector<KeyVersionSnapshot>& keys, bool with_version) {
  json items = json::array();
  for (const auto& k : keys) {
    std::string kid = call.base + "/keys/" + k->name + (with_version ? "/" + k->version : "");
    items.push_back({{"kid", kid}, {"attributes", AttributesJson(k->attributes, call.vault)}, {"tags", k->tags}});
  }
  return items;
}

Status ReadCreateParams(const json& body, CreateKeyParams* p) {
  Error field_error;
  p->kty = body.value("kty", "");
  if (p->kty.empty()) return errors::BadParameter("Property 'kty' is required.");
  if (body.contains("key_size") && !body["key_size"].is_null()) {
    if (!body["key_size"].is_number_integer()) return errors::BadParameter("Property 'key_size' must be an integer.");
    p->key_size = body["key_size"];
  }
  if (body.contains("public_exponent") && !body["public_exponent"].is_null()) {
    if (!body["public_exponent"].is_number_unsigned()) return errors::BadParameter("Invalid public_exponent.");
    p->public_exponent = body["public_exponent"];
  }
  p->crv = body.value("crv", "");
  if (!ReadKeyOps(body, &p->key_ops, &field_error)) return field_error;
  if (!ReadAttributes(body, &p->attributes, &p->has_enabled, nullptr, &field_error)) return field_error;
  if (body.contains("tags") && !body["tags"].is_null()) p->tags = body["tags"];  // checked by the service
  return Status::Ok();
}
}  // namespace

StatusOr<HttpResponse> GetKeys(const KeyVaultCall& call) {
  CK_ASSIGN_OR_RETURN(auto keys, call.kv().ListKeys(call.vault.name, call.caller));
  return ListPage(ItemsOf(call, keys, false));
}

StatusOr<HttpResponse> GetKeyVersions(const KeyVaultCall& call) {
  CK_ASSIGN_OR_RETURN(auto versions, call.kv().ListVersions(call.vault.name, call.caller, call.Param("name")));
  return ListPage(ItemsOf(call, versions, true));
}

StatusOr<HttpResponse> RestoreKey(const KeyVaultCall& call) {
  if (!call.body.contains("value") || !call.body["value"].is_string()) {
    return errors::BadParameter("Property 'value' is required.");
  }
  CK_ASSIGN_OR_RETURN(auto key, call.kv().RestoreKey(call.vault.name, call.caller, call.body["value"].get<std::string>()));
  return BundleResponse(call, key);
}

StatusOr<HttpResponse> BackupKey(const KeyVaultCall& call) {
  CK_ASSIGN_OR_RETURN(auto blob, call.kv().BackupKey(call.vault.name, call.caller, call.Param("name")));
  return wire::Json(200, {{"value", blob}});
}

StatusOr<HttpResponse> RotateKey(const KeyVaultCall& call) {
  CK_ASSIGN_OR_RETURN(auto key, call.kv().RotateKey(call.vault.name, call.caller, call.Param("name")));
  return BundleResponse(call, key);
}

static HttpResponse PolicyResponse(const KeyVaultCall& call, json policy) {
  policy["id"] = call.base + "/keys/" + call.Param("name") + "/rotationpolicy";
  return wire::Json(200, policy);
}

StatusOr<HttpResponse> GetKeyRotationPolicy(const KeyVaultCall& call) {
  CK_ASSIGN_OR_RETURN(auto policy, call.kv().GetRotationPolicy(call.vault.name, call.caller, call.Param("name")));
  return PolicyResponse(call, std::move(policy));
}

StatusOr<HttpResponse> UpdateKeyRotationPolicy(const KeyVaultCall& call) {
  CK_ASSIGN_OR_RETURN(auto policy,
                      call.kv().SetRotationPolicy(call.vault.name, call.caller, call.Param("name"), call.body));
  return PolicyResponse(call, std::move(policy));
}

StatusOr<HttpResponse> CreateKey(const KeyVaultCall& call) {
  CreateKeyParams p;
  CK_RETURN_IF_ERROR(ReadCreateParams(call.body, &p));
  CK_ASSIGN_OR_RETURN(auto key, call.kv().CreateKey(call.vault.name, call.caller, call.Param("name"), p));
  return BundleResponse(call, key);
}

StatusOr<HttpResponse> ImportKey(const KeyVaultCall& call) {
  const json& body = call.body;
  if (!body.contains("key") || !body["key"].is_object()) return errors::BadParameter("Property 'key' is required.");
  KeyAttributes attrs;
  bool has_enabled = false;
  Error field_error;
  if (!ReadAttributes(body, &attrs, &has_enabled, nullptr, &field_error)) return field_error;
  json tags = body.contains("tags") && !body["tags"].is_null() ? body["tags"] : json::object();
  CK_ASSIGN_OR_RETURN(auto key, call.kv().ImportKey(call.vault.name, call.caller, call.Param("name"), body["key"],
                                                    attrs, has_enabled, tags));
  return BundleResponse(call, key);
}

StatusOr<HttpResponse> DeleteKey(const KeyVaultCall& call) {
  CK_ASSIGN_OR_RETURN(auto deleted, call.kv().DeleteKey(call.vault.name, call.caller, call.Param("name")));
  return wire::Json(200, DeletedKeyBundle(call, deleted));
}

StatusOr<HttpResponse> GetKey(const KeyVaultCall& call) {
  CK_ASSIGN_OR_RETURN(auto key, call.kv().GetKey(call.vault.name, call.caller, call.Param("name"), call.Param("version")));
  return BundleResponse(call, key);
}

StatusOr<HttpResponse> UpdateKey(const KeyVaultCall& call) {
  const json& body = call.body;
  KeyUpdate update;
  Error field_error;
  if (!ReadAttributes(body, nullptr, nullptr, &update, &field_error)) return field_error;
  std::vector<std::string> ops;
  if (!ReadKeyOps(body, &ops, &field_error)) return field_error;
  if (body.contains("key_ops")) update.key_ops = ops;
  if (body.contains("tags") && !body["tags"].is_null()) update.tags = body["tags"];
  CK_ASSIGN_OR_RETURN(auto key, call.kv().UpdateKey(call.vault.name, call.caller, call.Param("name"),
                                                    call.Param("version"), update));
  return BundleResponse(call, key);
}

}  // namespace crosskey::keyvault::http
