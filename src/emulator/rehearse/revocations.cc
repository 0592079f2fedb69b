#include "emulator/rehearse/revocations.h"

#include "emulator/common/text.h"
#include "emulator/rehearse/errors.h"

namespace crosskey::rehearse {
namespace {
constexpr const char* kRoleApi = "2022-04-01";
constexpr const char* kIdentityApi = "2023-01-31";
constexpr const char* kSqlApi = "2021-11-01";
constexpr const char* kEncryptionUserRole = "e147488a-f6f5-4113-8e2d-b22465e65bf6";  // KV Crypto Service Encryption User

Error ActionFailed(const std::string& what, const ApiResponse& r) {
  return errors::ActionFailed(r.status, what, Planes::ErrorText(r));
}
bool Ok(const ApiResponse& r) { return r.status >= 200 && r.status < 300; }
std::string S(const Json& j, const char* key) { return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : ""; }
std::string Filter(const std::string& expr) { return "$filter=" + UrlEncode(expr); }
// The ARM API version a consumer's type is PUT with.
std::string ApiFor(const std::string& id) {
  std::string l = ToLower(id);
  if (l.find("/microsoft.storage/") != std::string::npos) return "2023-01-01";
  if (l.find("/microsoft.documentdb/") != std::string::npos) return "2024-05-15";
  if (l.find("/microsoft.compute/") != std::string::npos) return "2023-04-02";
  return "2023-08-01";
}
}  // namespace

StatusOr<std::string> Revocations::SetKey(const ConsumerView& c, const Json& attributes, const std::string& what) {
  auto r = planes_->Vault(S(c.chain, "vaultTenantId"), S(c.chain, "vault"), "PATCH", "/keys/" + S(c.chain, "keyName"),
                          {{"attributes", attributes}});
  if (!Ok(r)) return ActionFailed(what, r);
  return what;
}

StatusOr<std::string> Revocations::ServicePrincipalId(const ConsumerView& c) {
  auto r = planes_->Graph(S(c.chain, "vaultTenantId"), "GET",
                          "/v1.0/servicePrincipals?" + Filter("appId eq '" + S(c.chain, "federatedClientId") + "'"));
  if (!Ok(r)) return ActionFailed("find the service principal", r);
  const Json& v = r.json.value("value", Json::array());
  if (v.empty()) return errors::NothingToRevoke("the customer tenant has no service principal for app " + S(c.chain, "federatedClientId"));
  return S(v[0], "id");
}

StatusOr<std::string> Revocations::ApplicationObjectId(const ConsumerView& c) {
  auto r = planes_->Graph(S(c.chain, "tenantId"), "GET",
                          "/v1.0/applications?" + Filter("appId eq '" + S(c.chain, "federatedClientId") + "'"));
  if (!Ok(r)) return ActionFailed("find the application", r);
  const Json& v = r.json.value("value", Json::array());
  if (v.empty()) return errors::NothingToRevoke("the provider tenant has no application " + S(c.chain, "federatedClientId"));
  return S(v[0], "id");
}

StatusOr<std::vector<Json>> Revocations::RoleAssignmentsOf(const ConsumerView& c, const std::string& principal_id) {
  auto r = planes_->Arm(S(c.chain, "vaultTenantId"), "GET",
                        S(c.chain, "vaultId") + "/providers/Microsoft.Authorization/roleAssignments?" +
                            Filter("principalId eq '" + principal_id + "'"),
                        kRoleApi);
  if (!Ok(r)) return ActionFailed("list the role assignments", r);
  std::vector<Json> out;
  for (const auto& a : r.json.value("value", Json::array())) {
    out.push_back({{"id", S(a, "id")}, {"name", S(a, "name")},
                   {"scope", S(a["properties"], "scope")}, {"roleDefinitionId", S(a["properties"], "roleDefinitionId")}});
  }
  return out;
}

// PUTs the remembered role assignments (or the Encryption User role on the vault when none
// was remembered) for `principal_id`.
StatusOr<std::string> Revocations::AssignRoles(const ConsumerView& c, const std::string& principal_id, bool fresh_names) {
  auto& mem = remembered_[c.owner_id];
  std::vector<Json> wanted = mem.role_assignments;
  if (wanted.empty()) {
    wanted.push_back({{"scope", S(c.chain, "vaultId")},
                      {"roleDefinitionId", S(c.chain, "vaultId").substr(0, S(c.chain, "vaultId").find("/resourceGroups")) +
                                               "/providers/Microsoft.Authorization/roleDefinitions/" + kEncryptionUserRole}});
  }
  std::string done;
  for (const auto& a : wanted) {
    std::string name = fresh_names || S(a, "name").empty() ? NewGuid() : S(a, "name");
    auto r = planes_->Arm(S(c.chain, "vaultTenantId"), "PUT",
                          S(a, "scope") + "/providers/Microsoft.Authorization/roleAssignments/" + name, kRoleApi,
                          {{"properties", {{"roleDefinitionId", S(a, "roleDefinitionId")}, {"principalId", principal_id},
                                           {"principalType", "ServicePrincipal"}}}});
    if (!Ok(r) && !(r.status == 409 && r.body.find("RoleAssignmentExists") != std::string::npos)) {
      return ActionFailed("assign the role again", r);
    }
    done += (done.empty() ? "" : ", ") + name;
  }
  return "role assignment(s) " + done + " for " + principal_id;
}

StatusOr<std::string> Revocations::PutConsumerAgain(const ConsumerView& c) {
  std::string api = ApiFor(c.owner_id);
  auto got = planes_->Arm(S(c.chain, "tenantId"), "GET", c.owner_id, api);
  if (!Ok(got)) return ActionFailed("read the consumer", got);
  Json body = {{"location", got.json.value("location", "")}, {"properties", got.json.value("properties", Json::object())}};
  for (const char* k : {"identity", "sku", "kind", "tags"}) {
    if (got.json.contains(k)) body[k] = got.json[k];
  }
  body["properties"].erase("crosskeyCmkStatus");
  auto put = planes_->Arm(S(c.chain, "tenantId"), "PUT", c.owner_id, api, body);
  if (!Ok(put)) return ActionFailed("PUT the consumer again", put);
  return "PUT " + c.owner_id.substr(c.owner_id.rfind('/') + 1) + " again";
}

StatusOr<std::string> Revocations::Revoke(const std::string& path, const ConsumerView& c) {
  if (!c.chain.is_object()) return errors::NoCustomerKey(c.name);
  const std::string key = S(c.chain, "keyName"), vault = S(c.chain, "vault"), vt = S(c.chain, "vaultTenantId");
  auto& mem = remembered_[c.owner_id];
  if (path == "key-disabled") return SetKey(c, {{"enabled", false}}, "disabled key " + key);
  if (path == "key-expired") return SetKey(c, {{"exp", planes_->Now()}}, "key " + key + " expires now");
  if (path == "key-deleted" || path == "key-purged") {
    auto del = planes_->Vault(vt, vault, "DELETE", "/keys/" + key);
    bool already = del.status == 404 && path == "key-purged";
    if (!Ok(del) && !already) return ActionFailed("delete key " + key, del);
    if (path == "key-deleted") return "deleted key " + key + " (soft delete)";
    auto purge = planes_->Vault(vt, vault, "DELETE", "/deletedkeys/" + key);
    if (!Ok(purge)) return ActionFailed("purge key " + key, purge);
    return "purged key " + key;
  }
  if (path == "role-removed") {
    CK_ASSIGN_OR_RETURN(std::string sp, ServicePrincipalId(c));
    CK_ASSIGN_OR_RETURN(auto assignments, RoleAssignmentsOf(c, sp));
    if (assignments.empty()) return errors::NothingToRevoke("service principal " + sp + " has no role on the vault");
    mem.role_assignments = assignments;
    for (const auto& a : assignments) {
      auto r = planes_->Arm(vt, "DELETE", S(a, "id"), kRoleApi);
      if (!Ok(r)) return ActionFailed("delete role assignment " + S(a, "name"), r);
    }
    return "removed " + std::to_string(assignments.size()) + " role assignment(s) of " + sp;
  }
  if (path == "sp-disabled" || path == "sp-deleted") {
    CK_ASSIGN_OR_RETURN(std::string sp, ServicePrincipalId(c));
    if (path == "sp-disabled") {
      auto r = planes_->Graph(vt, "PATCH", "/v1.0/servicePrincipals/" + sp, {{"accountEnabled", false}});
      if (!Ok(r)) return ActionFailed("disable service principal " + sp, r);
      return "disabled service principal " + sp;
    }
    auto r = planes_->Graph(vt, "DELETE", "/v1.0/servicePrincipals/" + sp);
    if (!Ok(r)) return ActionFailed("delete service principal " + sp, r);
    mem.deleted_sp = sp;
    return "deleted service principal " + sp + " (Entra keeps it 30 days in deleted items)";
  }
  if (path == "fic-removed") {
    CK_ASSIGN_OR_RETURN(std::string app, ApplicationObjectId(c));
    auto list = planes_->Graph(S(c.chain, "tenantId"), "GET", "/v1.0/applications/" + app + "/federatedIdentityCredentials");
    if (!Ok(list)) return ActionFailed("list the federated credentials", list);
    std::vector<Json> removed;
    for (const auto& f : list.json.value("value", Json::array())) {
      if (!EqualsIgnoreCase(S(f, "subject"), S(c.chain, "identityPrincipalId"))) continue;
      auto r = planes_->Graph(S(c.chain, "tenantId"), "DELETE",
                              "/v1.0/applications/" + app + "/federatedIdentityCredentials/" + S(f, "id"));
      if (!Ok(r)) return ActionFailed("delete federated credential " + S(f, "name"), r);
      removed.push_back({{"name", f["name"]}, {"issuer", f["issuer"]}, {"subject", f["subject"]},
                         {"audiences", f["audiences"]}, {"description", f.value("description", Json(""))}});
    }
    if (removed.empty()) return errors::NothingToRevoke("no federated credential of the app trusts the UAMI");
    mem.fics = removed;
    return "removed federated credential " + S(removed[0], "name");
  }
  if (path == "uami-deleted") {
    const std::string id = S(c.chain, "identityId");
    auto got = planes_->Arm(S(c.chain, "tenantId"), "GET", id, kIdentityApi);
    if (!Ok(got)) return ActionFailed("read the UAMI", got);
    mem.uami = got.json;
    auto r = planes_->Arm(S(c.chain, "tenantId"), "DELETE", id, kIdentityApi);
    if (!Ok(r)) return ActionFailed("delete the UAMI", r);
    return "deleted UAMI " + id.substr(id.rfind('/') + 1);
  }
  return errors::UnknownRevocationPath(path);
}

StatusOr<std::string> Revocations::Restore(const std::string& path, const ConsumerView& c) {
  if (!c.chain.is_object()) return errors::NoCustomerKey(c.name);
  const std::string key = S(c.chain, "keyName"), vault = S(c.chain, "vault"), vt = S(c.chain, "vaultTenantId");
  auto& mem = remembered_[c.owner_id];
  if (path == "key-disabled") return SetKey(c, {{"enabled", true}}, "enabled key " + key);
  if (path == "key-expired") return SetKey(c, {{"exp", planes_->Now() + 365 * 86400}}, "key " + key + " expires in a year");
  if (path == "key-deleted") {
    auto r = planes_->Vault(vt, vault, "POST", "/deletedkeys/" + key + "/recover");
    if (!Ok(r)) return ActionFailed("recover key " + key, r);
    return "recovered key " + key;
  }
  if (path == "key-purged") {
    auto r = planes_->Vault(vt, vault, "POST", "/keys/" + key + "/create", {{"kty", "RSA"}, {"key_size", 2048}});
    if (!Ok(r)) return ActionFailed("create key " + key + " again", r);
    return "created a new key named " + key + " (new material)";
  }
  if (path == "role-removed") {
    CK_ASSIGN_OR_RETURN(std::string sp, ServicePrincipalId(c));
    return AssignRoles(c, sp, false);
  }
  if (path == "sp-disabled") {
    CK_ASSIGN_OR_RETURN(std::string sp, ServicePrincipalId(c));
    auto r = planes_->Graph(vt, "PATCH", "/v1.0/servicePrincipals/" + sp, {{"accountEnabled", true}});
    if (!Ok(r)) return ActionFailed("enable service principal " + sp, r);
    return "enabled service principal " + sp;
  }
  if (path == "sp-deleted") {
    // Entra's recovery: restore the soft-deleted object; its object id is unchanged, so the role
    // assignments that name it apply again (a new service principal would need new ones).
    if (mem.deleted_sp.empty()) return errors::NothingToRestore("no service principal was deleted by this rehearsal");
    auto r = planes_->Graph(vt, "POST", "/v1.0/directory/deletedItems/" + mem.deleted_sp + "/restore");
    if (!Ok(r)) return ActionFailed("restore service principal " + mem.deleted_sp + " from deleted items", r);
    std::string sp = mem.deleted_sp;
    mem.deleted_sp.clear();
    return "restored service principal " + sp + " from deleted items (same object id: its role assignments apply again)";
  }
  if (path == "fic-removed") {
    if (mem.fics.empty()) return errors::NothingToRestore("no federated credential was removed by this rehearsal");
    CK_ASSIGN_OR_RETURN(std::string app, ApplicationObjectId(c));
    for (const auto& f : mem.fics) {
      auto r = planes_->Graph(S(c.chain, "tenantId"), "POST", "/v1.0/applications/" + app + "/federatedIdentityCredentials", f);
      if (!Ok(r)) return ActionFailed("add federated credential " + S(f, "name"), r);
    }
    return "added federated credential " + S(mem.fics[0], "name") + " again";
  }
  if (path == "uami-deleted") {
    if (mem.uami.is_null()) return errors::NothingToRestore("no UAMI was deleted by this rehearsal");
    const std::string id = S(c.chain, "identityId");
    auto put = planes_->Arm(S(c.chain, "tenantId"), "PUT", id, kIdentityApi, {{"location", mem.uami.value("location", "")}});
    if (!Ok(put)) return ActionFailed("create the UAMI again", put);
    std::string principal = S(put.json["properties"], "principalId");
    // The app's FIC trusted the old principal id: point it at the new one.
    CK_ASSIGN_OR_RETURN(std::string app, ApplicationObjectId(c));
    std::string tenant = S(c.chain, "tenantId");
    auto list = planes_->Graph(tenant, "GET", "/v1.0/applications/" + app + "/federatedIdentityCredentials");
    if (!Ok(list)) return ActionFailed("list the federated credentials", list);
    for (const auto& f : list.json.value("value", Json::array())) {
      if (!EqualsIgnoreCase(S(f, "subject"), S(c.chain, "identityPrincipalId"))) continue;
      auto del = planes_->Graph(tenant, "DELETE", "/v1.0/applications/" + app + "/federatedIdentityCredentials/" + S(f, "id"));
      if (!Ok(del)) return ActionFailed("replace federated credential " + S(f, "name"), del);
      Json again = {{"name", f["name"]}, {"issuer", f["issuer"]}, {"subject", principal}, {"audiences", f["audiences"]}};
      auto add = planes_->Graph(tenant, "POST", "/v1.0/applications/" + app + "/federatedIdentityCredentials", again);
      if (!Ok(add)) return ActionFailed("replace federated credential " + S(f, "name"), add);
    }
    CK_ASSIGN_OR_RETURN(std::string put_again, PutConsumerAgain(c));
    mem.uami = nullptr;
    return "new UAMI (principal " + principal + "), its FIC re-pointed, " + put_again;
  }
  return errors::UnknownRevocationPath(path);
}

StatusOr<std::string> Revocations::RevalidateProtector(const ConsumerView& c) {
  const std::string server = c.kind == "sqlServer" ? c.id : c.owner_id;
  if (c.kind != "sqlServer" && c.kind != "sql") {
    return errors::ActionFailed(400, "revalidate", c.name + " (" + c.kind + ") has no TDE protector: only SQL does");
  }
  auto r = planes_->Arm(S(c.chain, "tenantId"), "POST", server + "/encryptionProtector/current/revalidate", kSqlApi);
  if (!Ok(r)) return ActionFailed("revalidate the TDE protector of " + server, r);
  return "revalidated the TDE protector of " + server;
}

}  // namespace crosskey::rehearse
