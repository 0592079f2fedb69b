// Graph's tenant-wide reads and the authorization policy: /me, memberOf, directory roles
// (graph_call.h). The one directory role modelled is Global Administrator, with its real
// role template id: enough to tell an administrator from a plain user.
#include <algorithm>

#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"
#include "emulator/graph/errors.h"
#include "emulator/graph/http/graph_call.h"
#include "emulator/graph/http/graph_json.h"

namespace crosskey::graph::http {
namespace {
using Json = nlohmann::json;

Json GlobalAdminRoleJson(const std::string& tenant_id) {
  return Json{{"id", GuidFromName(tenant_id, "directoryRole/global-admin")},
              {"displayName", "Global Administrator"},
              {"roleTemplateId", "62e90394-69f5-4237-9190-012177145e10"},
              {"@odata.type", "#microsoft.graph.directoryRole"}};
}

Status RequireRole(const GraphCall& call) {
  if (!EqualsIgnoreCase(call.Param("id"), GlobalAdminRoleJson(call.caller.tenant_id)["id"].get<std::string>())) {
    return errors::ResourceNotFound(call.Param("id"));
  }
  return Status::Ok();
}
}  // namespace

HttpResponse MemberOf(const GraphCall& call, const std::string& object_id) {
  Json items = Json::array();
  if (call.dir().IsGlobalAdmin(call.caller.tenant_id, object_id))
    items.push_back(GlobalAdminRoleJson(call.caller.tenant_id));
  return List("directoryObjects", items);
}

StatusOr<HttpResponse> GetMe(const GraphCall& call) {
  if (!call.caller.is_user) return errors::MeRequiresDelegated();
  auto user = call.dir().FindUser(call.caller.tenant_id, call.caller.object_id);
  if (!user) return errors::ResourceNotFound(call.caller.object_id);
  Json j = UserJson(*user);
  j["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users/$entity";
  return wire::Json(200, j);
}

StatusOr<HttpResponse> ListMyMemberOf(const GraphCall& call) {
  if (!call.caller.is_user) return errors::MeRequiresDelegated();
  return MemberOf(call, call.caller.object_id);
}

StatusOr<HttpResponse> ListDirectoryRoles(const GraphCall& call) {
  return List("directoryRoles", Json::array({GlobalAdminRoleJson(call.caller.tenant_id)}));
}

StatusOr<HttpResponse> GetDirectoryRole(const GraphCall& call) {
  CK_RETURN_IF_ERROR(RequireRole(call));
  return wire::Json(200, GlobalAdminRoleJson(call.caller.tenant_id));
}

StatusOr<HttpResponse> ListDirectoryRoleMembers(const GraphCall& call) {
  CK_RETURN_IF_ERROR(RequireRole(call));
  Json items = Json::array();
  for (const auto& u : call.dir().ListUsers(call.caller.tenant_id)) {
    if (u.global_admin) items.push_back(UserJson(u));
  }
  for (const auto& sp : call.dir().ListServicePrincipals(call.caller.tenant_id)) {
    if (sp.global_admin) items.push_back(ServicePrincipalJson(sp));
  }
  return List("directoryObjects", items);
}

// POST directoryObjects/getByIds {"ids": [...], "types": [...]}
// (learn.microsoft.com/graph/api/directoryobject-getbyids): the caller's tenant's users,
// service principals and applications with those ids, each with its @odata.type; unknown ids
// are left out; at most 1,000 ids.
StatusOr<HttpResponse> GetDirectoryObjectsByIds(const GraphCall& call) {
  const Json& ids = call.body.value("ids", Json());
  if (!ids.is_array() || ids.size() > 1000) return errors::BadRequest("ids must be an array of at most 1000 ids.");
  std::vector<std::string> types;
  for (const auto& t : call.body.value("types", Json::array())) {
    if (!t.is_string()) return errors::BadRequest("types must be an array of strings.");
    types.push_back(ToLower(t.get<std::string>()));
  }
  auto wanted = [&](const char* type) {
    return types.empty() || std::find(types.begin(), types.end(), type) != types.end();
  };
  const std::string& tid = call.caller.tenant_id;
  Json items = Json::array();
  for (const auto& id : ids) {
    if (!id.is_string()) return errors::BadRequest("ids must be an array of strings.");
    const std::string oid = id.get<std::string>();
    if (auto u = call.dir().FindUser(tid, oid); u && wanted("user")) {
      Json j = UserJson(*u);
      j["@odata.type"] = "#microsoft.graph.user";
      items.push_back(j);
    } else if (auto sp = call.dir().FindServicePrincipal(tid, oid); sp && wanted("serviceprincipal")) {
      Json j = ServicePrincipalJson(*sp);
      j["@odata.type"] = "#microsoft.graph.servicePrincipal";
      items.push_back(j);
    } else if (auto app = call.dir().FindApplication(tid, oid); app && wanted("application")) {
      Json j = ApplicationJson(*app);
      j["@odata.type"] = "#microsoft.graph.application";
      items.push_back(j);
    }
  }
  return List("directoryObjects", items);
}

StatusOr<HttpResponse> GetAuthorizationPolicy(const GraphCall& call) {
  return wire::Json(200, AuthorizationPolicyJson(call.tenant));
}

StatusOr<HttpResponse> UpdateAuthorizationPolicy(const GraphCall& call) {
  AuthorizationPolicy p = call.tenant.authorization_policy;
  if (call.body.contains("defaultUserRolePermissions")) {
    const Json& d = call.body["defaultUserRolePermissions"];
    if (d.contains("allowedToCreateApps") && d["allowedToCreateApps"].is_boolean()) {
      p.allowed_to_create_apps = d["allowedToCreateApps"];
    }
    if (d.contains("permissionGrantPoliciesAssigned")) {
      p.permission_grant_policies_assigned = Strings(d["permissionGrantPoliciesAssigned"]);
    }
  }
  CK_RETURN_IF_ERROR(call.service().SetAuthorizationPolicy(call.caller, p));
  return wire::Text(204, "text/plain", "");
}

}  // namespace crosskey::graph::http
