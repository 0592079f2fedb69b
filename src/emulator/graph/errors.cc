#include "emulator/graph/errors.h"

namespace crosskey::graph::errors {

Error ResourceNotFound(const std::string& id) {
  return MakeError(404, "Request_ResourceNotFound",
              "Resource '" + id + "' does not exist or one of its queried reference-property objects are not present.");
}
Error TenantNotFound(const std::string& tenant) {
  return MakeError(404, "Request_ResourceNotFound", "Tenant '" + tenant + "' does not exist.");
}
Error BadRequest(const std::string& message) { return MakeError(400, "Request_BadRequest", message); }
Error AppNotValidForServicePrincipal(const std::string& app_id) {
  return MakeError(400, "Request_BadRequest",
              "The appId '" + app_id + "' of the service principal does not reference a valid application object.");
}
Error ServicePrincipalExists(const std::string& app_id) {
  return MakeError(409, "Request_MultipleObjectsWithSameKeyValue",
              "Another object with the same value for property servicePrincipalNames already exists. (appId '" +
                  app_id + "')");
}
Error FederatedCredentialNameExists(const std::string& name) {
  return MakeError(409, "Request_MultipleObjectsWithSameKeyValue",
              "FederatedIdentityCredential with name " + name + " already exists.");
}
Error FederatedCredentialLimit() {
  return MakeError(400, "Request_BadRequest",
              "Maximum number of federated identity credentials (20) has been reached for this application.");
}
Error InsufficientPrivileges() {
  return MakeError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
}
Error MeRequiresDelegated() {
  return MakeError(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
}
Error InvalidAuthenticationToken(const std::string& detail) {
  return MakeError(401, "InvalidAuthenticationToken", detail);
}
Error UnsupportedQuery(const std::string& detail) {
  return MakeError(400, "Request_UnsupportedQuery", "Unsupported query: " + detail);
}
Error NotImplemented(const std::string& what) {
  return MakeError(501, "NotImplemented", "crosskey does not implement " + what + " in its Graph emulation.");
}

}  // namespace crosskey::graph::errors
