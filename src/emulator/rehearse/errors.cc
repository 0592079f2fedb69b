#include "emulator/rehearse/errors.h"

namespace crosskey::rehearse::errors {

Error InvalidScenario(const std::string& file, const std::string& path, const std::string& reason) {
  return MakeError(400, "InvalidScenario", file + ": " + path + ": " + reason);
}

Error BootstrapUnavailable(const std::string& cause) {
  return MakeError(502, "BootstrapUnavailable", "GET /_emulator/bootstrap: " + cause);
}
Error TenantNotBootstrapped(const std::string& tenant_id) {
  return MakeError(404, "TenantNotBootstrapped", "the emulator has no bootstrap admin for tenant " + tenant_id);
}
Error TokenRefused(int status, const std::string& scope, const std::string& cause) {
  return MakeError(status ? status : 502, "TokenRefused", "admin token for " + scope + ": " + cause);
}

Error ConsumersUnavailable(const std::string& cause) {
  return MakeError(502, "ActionFailed", "GET /_emulator/consumers: " + cause);
}
Error ConsumerNotFound(const std::string& ref) {
  return MakeError(404, "ConsumerNotFound", "the emulator has no consumer named '" + ref + "'");
}

Error ActionFailed(int status, const std::string& what, const std::string& cause) {
  return MakeError(status ? status : 502, "ActionFailed", what + ": " + cause);
}
Error NothingToRevoke(const std::string& message) { return MakeError(404, "ActionFailed", message); }
Error NothingToRestore(const std::string& message) { return MakeError(409, "ActionFailed", message); }
Error NoCustomerKey(const std::string& consumer) {
  return MakeError(400, "ActionFailed", consumer + " uses no customer-managed key");
}
Error UnknownRevocationPath(const std::string& path) {
  return MakeError(400, "ActionFailed", "unknown revocation path " + path);
}

}  // namespace crosskey::rehearse::errors
