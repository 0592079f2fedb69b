// Graph's applications: create, list, get, update (displayName, signInAudience,
// keyCredentials), delete, addPassword (graph_call.h).
#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"
#include "emulator/crypto/key_material.h"
#include "emulator/graph/errors.h"
#include "emulator/graph/http/graph_call.h"
#include "emulator/graph/http/graph_json.h"

namespace crosskey::graph::http {
namespace {
using Json = nlohmann::json;

// keyCredentials as (displayName, certificate), each checked readable before any is stored.
StatusOr<std::vector<std::pair<std::string, std::string>>> ReadCertificates(const Json& key_credentials) {
  if (!key_credentials.is_array()) return errors::BadRequest("keyCredentials must be an array.");
  std::vector<std::pair<std::string, std::string>> certificates;
  for (const auto& kc : key_credentials) {
    std::string key = kc.is_object() ? kc.value("key", "") : "";
    std::string thumbprint, error;
    if (!crypto::KeyMaterial::FromCertificate(key, &thumbprint, &error)) {
      return errors::BadRequest("Invalid value specified for property 'key' of resource 'KeyCredential': " + error);
    }
    certificates.emplace_back(kc.value("displayName", ""), key);
  }
  return certificates;
}
}  // namespace

StatusOr<HttpResponse> CreateApplication(const GraphCall& call) {
  NewApplication spec;
  spec.display_name = call.body.value("displayName", "");
  spec.sign_in_audience = call.body.value("signInAudience", "AzureADMyOrg");
  if (spec.display_name.empty()) {
    // Authorization first: a caller who may not create apps learns nothing about the body.
    CK_RETURN_IF_ERROR(call.service().CanCreateApplication(call.caller));
    return errors::BadRequest("Property 'displayName' is required.");
  }
  CK_ASSIGN_OR_RETURN(auto app, call.service().CreateApplication(call.caller, spec));
  return wire::Json(201, ApplicationJson(app));
}

StatusOr<HttpResponse> ListApplications(const GraphCall& call) {
  Json items = Json::array();
  for (const auto& a : call.dir().ListApplications(call.caller.tenant_id)) {
    if (!call.filter || Matches(*call.filter, a.object_id, a.app_id, a.display_name)) {
      items.push_back(ApplicationJson(a));
    }
  }
  return List("applications", items);
}

StatusOr<HttpResponse> GetApplication(const GraphCall& call) {
  CK_ASSIGN_OR_RETURN(auto app, ResolveApplication(call));
  return wire::Json(200, ApplicationJson(app));
}

StatusOr<HttpResponse> UpdateApplication(const GraphCall& call) {
  CK_ASSIGN_OR_RETURN(auto app, ResolveApplication(call));
  CK_RETURN_IF_ERROR(call.service().RequireAdmin(call.caller));
  const Json& body = call.body;
  std::vector<std::pair<std::string, std::string>> certificates;
  if (body.contains("keyCredentials")) {
    CK_ASSIGN_OR_RETURN(certificates, ReadCertificates(body["keyCredentials"]));
  }
  auto updated = call.service().UpdateApplication(call.caller, app.object_id, [&](Application& a) -> Status {
    if (body.contains("displayName") && body["displayName"].is_string()) a.display_name = body["displayName"];
    if (body.contains("signInAudience") && body["signInAudience"].is_string()) a.sign_in_audience = body["signInAudience"];
    return Status::Ok();
  });
  if (!updated.ok()) return updated.error();
  if (body.contains("keyCredentials")) {
    CK_RETURN_IF_ERROR(call.service().ReplaceCertificates(call.caller, app.object_id, certificates));
  }
  return wire::Text(204, "text/plain", "");
}

StatusOr<HttpResponse> DeleteApplication(const GraphCall& call) {
  CK_ASSIGN_OR_RETURN(auto app, ResolveApplication(call));
  CK_RETURN_IF_ERROR(call.service().DeleteApplication(call.caller, app.object_id));
  return wire::Text(204, "text/plain", "");
}

StatusOr<HttpResponse> AddPassword(const GraphCall& call) {
  CK_ASSIGN_OR_RETURN(auto app, ResolveApplication(call));
  NewPassword spec;
  const Json pc = call.body.value("passwordCredential", Json::object());
  spec.display_name = pc.value("displayName", "");
  CK_ASSIGN_OR_RETURN(auto created, call.service().AddPassword(call.caller, app.object_id, spec));
  const auto& c = created.credential;
  return wire::Json(200, {{"customKeyIdentifier", nullptr}, {"displayName", c.display_name},
                          {"endDateTime", IsoTime(c.end)}, {"hint", c.hint}, {"keyId", c.key_id},
                          {"secretText", created.secret_text}, {"startDateTime", IsoTime(c.start)}});
}

}  // namespace crosskey::graph::http
