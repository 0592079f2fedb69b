// Graph's service principals: create (install an application), list, get, update
// (accountEnabled), delete (graph_call.h).
#include "emulator/common/http/wire.h"
#include "emulator/graph/errors.h"
#include "emulator/graph/http/graph_call.h"
#include "emulator/graph/http/graph_json.h"

namespace crosskey::graph::http {

StatusOr<HttpResponse> CreateServicePrincipal(const GraphCall& call) {
  std::string app_id = call.body.value("appId", "");
  if (app_id.empty()) {
    // Authorization first, as Graph answers 403 before reading the body.
    CK_RETURN_IF_ERROR(call.service().CanCreateServicePrincipal(call.caller));
    return errors::BadRequest("Property 'appId' is required.");
  }
  CK_ASSIGN_OR_RETURN(auto sp, call.service().CreateServicePrincipal(call.caller, app_id));
  return wire::Json(201, ServicePrincipalJson(sp));
}

StatusOr<HttpResponse> ListServicePrincipals(const GraphCall& call) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& sp : call.dir().ListServicePrincipals(call.caller.tenant_id)) {
    std::vector<std::string> names = {sp.app_id};
    if (!sp.managed_identity_resource_id.empty()) names.push_back(sp.managed_identity_resource_id);
    if (!call.filter || Matches(*call.filter, sp.object_id, sp.app_id, sp.display_name, names)) {
      items.push_back(ServicePrincipalJson(sp));
    }
  }
  return List("servicePrincipals", items);
}

StatusOr<HttpResponse> GetServicePrincipal(const GraphCall& call) {
  CK_ASSIGN_OR_RETURN(auto sp, ResolveServicePrincipal(call));
  return wire::Json(200, ServicePrincipalJson(sp));
}

StatusOr<HttpResponse> UpdateServicePrincipal(const GraphCall& call) {
  CK_ASSIGN_OR_RETURN(auto sp, ResolveServicePrincipal(call));
  CK_RETURN_IF_ERROR(call.service().RequireAdmin(call.caller));
  if (call.body.contains("accountEnabled")) {
    if (!call.body["accountEnabled"].is_boolean()) return errors::BadRequest("accountEnabled must be a boolean.");
    CK_RETURN_IF_ERROR(call.service().SetServicePrincipalEnabled(call.caller, sp.object_id, call.body["accountEnabled"]));
  }
  return wire::Text(204, "text/plain", "");
}

StatusOr<HttpResponse> DeleteServicePrincipal(const GraphCall& call) {
  CK_ASSIGN_OR_RETURN(auto sp, ResolveServicePrincipal(call));
  CK_RETURN_IF_ERROR(call.service().DeleteServicePrincipal(call.caller, sp.object_id));
  return wire::Text(204, "text/plain", "");
}

}  // namespace crosskey::graph::http
