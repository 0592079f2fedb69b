// Graph's users: create, list, get, update (accountEnabled), memberOf (graph_call.h).
#include "emulator/common/http/wire.h"
#include "emulator/graph/errors.h"
#include "emulator/graph/http/graph_call.h"
#include "emulator/graph/http/graph_json.h"

namespace crosskey::graph::http {

StatusOr<HttpResponse> CreateUser(const GraphCall& call) {
  CK_RETURN_IF_ERROR(call.service().RequireAdmin(call.caller));
  User user;
  user.user_principal_name = call.body.value("userPrincipalName", "");
  user.display_name = call.body.value("displayName", user.user_principal_name);
  user.password = call.body.value("/passwordProfile/password"_json_pointer, std::string());
  user.account_enabled = call.body.value("accountEnabled", true);
  if (user.user_principal_name.empty() || user.password.empty()) {
    return errors::BadRequest("Properties 'userPrincipalName' and 'passwordProfile.password' are required.");
  }
  CK_ASSIGN_OR_RETURN(auto created, call.service().AddUser(call.caller, user));
  return wire::Json(201, UserJson(created));
}

StatusOr<HttpResponse> ListUsers(const GraphCall& call) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& u : call.dir().ListUsers(call.caller.tenant_id)) items.push_back(UserJson(u));
  return List("users", items);
}

StatusOr<HttpResponse> GetUser(const GraphCall& call) {
  auto user = call.dir().FindUser(call.caller.tenant_id, call.Param("id"));
  if (!user) return errors::ResourceNotFound(call.Param("id"));
  return wire::Json(200, UserJson(*user));
}

// Update user: accountEnabled is the property a revocation rehearsal needs.
StatusOr<HttpResponse> UpdateUser(const GraphCall& call) {
  CK_RETURN_IF_ERROR(call.service().RequireAdmin(call.caller));
  if (!call.body.contains("accountEnabled") || !call.body["accountEnabled"].is_boolean()) {
    return errors::BadRequest("crosskey updates a user's accountEnabled (a boolean) only.");
  }
  CK_RETURN_IF_ERROR(call.service().SetUserEnabled(call.caller, call.Param("id"), call.body["accountEnabled"]));
  return wire::Text(204, "text/plain", "");
}

StatusOr<HttpResponse> ListUserMemberOf(const GraphCall& call) {
  auto user = call.dir().FindUser(call.caller.tenant_id, call.Param("id"));
  if (!user) return errors::ResourceNotFound(call.Param("id"));
  return MemberOf(call, user->object_id);
}

}  // namespace crosskey::graph::http
