// ARM's Microsoft.Authorization routes at any scope: role definitions and role assignments
// (arm_call.h).
#include "emulator/arm/http/arm_call.h"
#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"

namespace crosskey::arm::http {
namespace {
std::string Scope(const ArmCall& call) {
  const std::string& scope = call.Param("scope");
  return scope.empty() ? "/" : scope;
}
}  // namespace

StatusOr<HttpResponse> ListRoleDefinitions(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(
      auto items,
      call.rm().ListRoleDefinitions(call.caller, Scope(call), FilterValue(call.request.Query("$filter"), "roleName")));
  return Value(items);
}

StatusOr<HttpResponse> GetRoleDefinition(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(auto role, call.rm().GetRoleDefinition(call.caller, Scope(call), call.Param("name")));
  return wire::Json(200, role);
}

StatusOr<HttpResponse> ListRoleAssignments(const ArmCall& call) {
  std::string filter = call.request.Query("$filter");
  bool at_scope = ToLower(filter).find("atscope()") != std::string::npos;
  CK_ASSIGN_OR_RETURN(auto items, call.rm().ListRoleAssignments(call.caller, Scope(call),
                                                                FilterValue(filter, "principalId"), at_scope));
  return Value(items);
}

StatusOr<HttpResponse> PutRoleAssignment(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(auto put, call.rm().PutRoleAssignment(call.caller, Scope(call), call.Param("name"), call.body));
  return wire::Json(put.created ? 201 : 200, put.body);
}

StatusOr<HttpResponse> GetRoleAssignment(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(auto ra, call.rm().GetRoleAssignment(call.caller, Scope(call), call.Param("name")));
  return wire::Json(200, ra);
}

// Deleting an assignment that does not exist is a success without content, as ARM answers.
StatusOr<HttpResponse> DeleteRoleAssignment(const ArmCall& call) {
  auto removed = call.rm().DeleteRoleAssignment(call.caller, Scope(call), call.Param("name"));
  if (!removed.ok() && removed.error().code == "RoleAssignmentNotFound") return wire::Text(204, "text/plain", "");
  if (!removed.ok()) return removed.error();
  return wire::Json(200, *removed);
}

}  // namespace crosskey::arm::http
