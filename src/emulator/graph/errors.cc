#include "emulator/graph/errors.h"

namespace crosskey::graph::errors {
namespace {
Error Make(int status, std::string code, std::string message) {
  Error e;
  e.http_status = status;
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}
}  // namespace

Error ResourceNotFound(const std::string& id) {
  return Make(404, "Request_ResourceNotFound",
              "Resource '" + id + "' does not exist or one of its queried reference-property objects are not present.");
}
Error TenantNotFound(const std::string& tenant) {
  return Make(404, "Request_ResourceNotFound", "Tenant '" + tenant + "' does not exist.");
}
Error BadRequest(const std::string& message) { return Make(400, "Request_BadRequest", message); }
Error AppNotValidForServicePrincipal(const std::string& app_id) {
  return Make(400, "Request_BadRequest",
              "The appId '" + app_id + "' of the service principal does not reference a valid application object.");
}
Error ServicePrincipalExists(const std::string& app_id) {
  return Make(409, "Request_MultipleObjectsWithSameKeyValue",
              "Another object with the same value for property servicePrincipalNames already exists. (appId '" +
                  app_id + "')");
}
Error FederatedCredentialNameExists(const std::string& name) {
  return Make(409, "Request_MultipleObjectsWithSameKeyValue",
              "FederatedIdentityCredential with name " + name + " already exists.");
}
Error FederatedCredentialLimit() {
  return Make(400, "Request_BadRequest",
              "Maximum number of federated identity credentials (20) has been reached for this application.");
}
Error InsufficientPrivileges() {
  return Make(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
}
Error MeRequiresDelegated() {
  return Make(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
}
Error InvalidAuthenticationToken(const std::string& detail) {
  return Make(401, "InvalidAuthenticationToken", detail);
}
Error UnsupportedQuery(const std::string& detail) {
  return Make(400, "Request_UnsupportedQuery", "Unsupported query: " + detail);
}
Error NotImplemented(const std::string& what) {
  return Make(501, "NotImplemented", "crosskey does not implement " + what + " in its Graph emulation.");
}

}  // namespace crosskey::graph::errors
