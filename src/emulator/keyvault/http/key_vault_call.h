#pragma once
// One authenticated Key Vault request as a route handler sees it, the handler type, and the
// JSON codecs the handlers share (key bundles, attributes, base64url fields).
// Thread-safety: KeyVaultCall is a view over the request being served; the codecs are free
// functions.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/cloud/cloud.h"
#include "emulator/common/http/route_table.h"
#include "emulator/common/http_types.h"

namespace crosskey::keyvault::http {

struct KeyVaultCall {
  Cloud& cloud;
  const HttpRequest& request;
  const wire::PathParams& params;
  const arm::VaultInfo& vault;
  const KvCaller& caller;
  const nlohmann::json& body;  // the parsed request body, {} when empty
  std::string base;            // https://{vault}.vault.{domain}[:port]

  const std::string& Param(std::string_view name) const { return params.Get(name); }
  KeyVaultService& kv() const { return cloud.keyvault; }
};

using KeyVaultHandler = StatusOr<HttpResponse> (*)(const KeyVaultCall&);

// The plane's routes (key_vault_route_table.cc).
const wire::RouteTable<KeyVaultHandler>& KeyVaultRouteTable();

// ---- codecs (key_vault_json.cc)
nlohmann::json AttributesJson(const KeyAttributes& a, const arm::VaultInfo& vault);
nlohmann::json KeyBundle(const KeyVaultCall& call, const KeyVersionSnapshot& k);
nlohmann::json DeletedKeyBundle(const KeyVaultCall& call, const DeletedKeyInfo& d);
// A list page: {"value": items, "nextLink": null}.
HttpResponse ListPage(nlohmann::json items);
// A base64url property decoded; "" when absent and optional; nullopt with *error otherwise.
std::optional<std::string> B64Field(const nlohmann::json& body, const char* name, bool required, Error* error);
// The "attributes" object into *attrs (create, import) and/or *update (PATCH).
bool ReadAttributes(const nlohmann::json& body, KeyAttributes* attrs, bool* has_enabled, KeyUpdate* update,
                    Error* error);
bool ReadKeyOps(const nlohmann::json& body, std::vector<std::string>* ops, Error* error);

// ---- handlers, one per operation
StatusOr<HttpResponse> GetKeys(const KeyVaultCall& call);
StatusOr<HttpResponse> RestoreKey(const KeyVaultCall& call);
StatusOr<HttpResponse> CreateKey(const KeyVaultCall& call);
StatusOr<HttpResponse> ImportKey(const KeyVaultCall& call);
StatusOr<HttpResponse> BackupKey(const KeyVaultCall& call);
StatusOr<HttpResponse> RotateKey(const KeyVaultCall& call);
StatusOr<HttpResponse> GetKeyRotationPolicy(const KeyVaultCall& call);
StatusOr<HttpResponse> UpdateKeyRotationPolicy(const KeyVaultCall& call);
StatusOr<HttpResponse> GetKeyVersions(const KeyVaultCall& call);
StatusOr<HttpResponse> DeleteKey(const KeyVaultCall& call);
StatusOr<HttpResponse> GetKey(const KeyVaultCall& call);
StatusOr<HttpResponse> UpdateKey(const KeyVaultCall& call);
StatusOr<HttpResponse> WrapKey(const KeyVaultCall& call);
StatusOr<HttpResponse> UnwrapKey(const KeyVaultCall& call);
StatusOr<HttpResponse> Encrypt(const KeyVaultCall& call);
StatusOr<HttpResponse> Decrypt(const KeyVaultCall& call);
StatusOr<HttpResponse> Sign(const KeyVaultCall& call);
StatusOr<HttpResponse> Verify(const KeyVaultCall& call);
StatusOr<HttpResponse> GetRandomBytes(const KeyVaultCall& call);
StatusOr<HttpResponse> GetDeletedKeys(const KeyVaultCall& call);
StatusOr<HttpResponse> GetDeletedKey(const KeyVaultCall& call);
StatusOr<HttpResponse> PurgeDeletedKey(const KeyVaultCall& call);
StatusOr<HttpResponse> RecoverDeletedKey(const KeyVaultCall& call);

}  // namespace crosskey::keyvault::http
