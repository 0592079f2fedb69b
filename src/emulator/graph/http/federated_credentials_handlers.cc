// Graph's federated identity credentials of an application: list, create, get, update,
// delete (graph_call.h).
#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"
#include "emulator/graph/errors.h"
#include "emulator/graph/http/graph_call.h"
#include "emulator/graph/http/graph_json.h"

namespace crosskey::graph::http {
namespace {
using Json = nlohmann::json;

std::string Description(const Json& body) {
  return body.contains("description") && body["description"].is_string() ? body["description"].get<std::string>()
                                                                          : "";
}

std::string CollectionContext(const Application& app) {
  return "applications('" + app.object_id + "')/federatedIdentityCredentials";
}
}  // namespace

StatusOr<HttpResponse> ListFederatedCredentials(const GraphCall& call) {
  CK_ASSIGN_OR_RETURN(auto app, ResolveApplication(call));
  Json items = Json::array();
  for (const auto& f : app.federated_credentials) items.push_back(FederatedCredentialJson(f));
  return List(CollectionContext(app), items);
}

StatusOr<HttpResponse> CreateFederatedCredential(const GraphCall& call) {
  CK_ASSIGN_OR_RETURN(auto app, ResolveApplication(call));
  const Json& body = call.body;
  FederatedCredential fic;
  fic.name = body.value("name", "");
  fic.issuer = body.value("issuer", "");
  fic.subject = body.value("subject", "");
  fic.description = Description(body);
  fic.audiences = Strings(body.value("audiences", Json::array()));
  CK_ASSIGN_OR_RETURN(auto created, call.service().AddFederatedCredential(call.caller, app.object_id, fic));
  Json j = FederatedCredentialJson(created);
  j["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#" + CollectionContext(app) + "/$entity";
  return wire::Json(201, j);
}

StatusOr<HttpResponse> GetFederatedCredential(const GraphCall& call) {
  CK_ASSIGN_OR_RETURN(auto app, ResolveApplication(call));
  const std::string& wanted = call.Param("fic");
  for (const auto& f : app.federated_credentials) {
    if (EqualsIgnoreCase(f.id, wanted) || f.name == wanted) return wire::Json(200, FederatedCredentialJson(f));
  }
  return errors::ResourceNotFound(wanted);
}

StatusOr<HttpResponse> UpdateFederatedCredential(const GraphCall& call) {
  CK_ASSIGN_OR_RETURN(auto app, ResolveApplication(call));
  const Json& body = call.body;
  FederatedCredential patch;
  patch.issuer = body.value("issuer", "");
  patch.subject = body.value("subject", "");
  patch.audiences = Strings(body.value("audiences", Json::array()));
  patch.description = Description(body);
  CK_RETURN_IF_ERROR(call.service().UpdateFederatedCredential(
      call.caller, app.object_id, call.Param("fic"), patch, body.contains("issuer"), body.contains("subject"),
      body.contains("audiences"), body.contains("description")));
  return wire::Text(204, "text/plain", "");
}

StatusOr<HttpResponse> DeleteFederatedCredential(const GraphCall& call) {
  CK_ASSIGN_OR_RETURN(auto app, ResolveApplication(call));
  CK_RETURN_IF_ERROR(call.service().DeleteFederatedCredential(call.caller, app.object_id, call.Param("fic")));
  return wire::Text(204, "text/plain", "");
}

}  // namespace crosskey::graph::http
