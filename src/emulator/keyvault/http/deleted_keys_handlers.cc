// Key Vault's soft-deleted keys: list, get, purge, recover (key_vault_call.h).
#include "emulator/common/http/wire.h"
#include "emulator/keyvault/errors.h"
#include "emulator/keyvault/http/key_vault_call.h"

namespace crosskey::keyvault::http {

StatusOr<HttpResponse> GetDeletedKeys(const KeyVaultCall& call) {
  CK_ASSIGN_OR_RETURN(auto items, call.kv().ListDeletedKeys(call.vault.name, call.caller));
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : items) {
    nlohmann::json j = DeletedKeyBundle(call, d);
    out.push_back({{"kid", call.base + "/keys/" + d.latest->name}, {"attributes", j["attributes"]},
                   {"tags", j["tags"]}, {"recoveryId", j["recoveryId"]}, {"deletedDate", j["deletedDate"]},
                   {"scheduledPurgeDate", j["scheduledPurgeDate"]}});
  }
  return ListPage(std::move(out));
}

StatusOr<HttpResponse> GetDeletedKey(const KeyVaultCall& call) {
  CK_ASSIGN_OR_RETURN(auto d, call.kv().GetDeletedKey(call.vault.name, call.caller, call.Param("name")));
  return wire::Json(200, DeletedKeyBundle(call, d));
}

StatusOr<HttpResponse> PurgeDeletedKey(const KeyVaultCall& call) {
  CK_RETURN_IF_ERROR(call.kv().PurgeDeletedKey(call.vault.name, call.caller, call.Param("name")));
  return wire::Text(204, "text/plain", "");
}

StatusOr<HttpResponse> RecoverDeletedKey(const KeyVaultCall& call) {
  CK_ASSIGN_OR_RETURN(auto key, call.kv().RecoverDeletedKey(call.vault.name, call.caller, call.Param("name")));
  return wire::Json(200, KeyBundle(call, key));
}

}  // namespace crosskey::keyvault::http
