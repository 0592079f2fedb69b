#include "emulator/server/control_errors.h"

namespace crosskey::server::control_errors {

Error InvalidRequest(const std::string& message) { return MakeError(400, "BadRequest", message); }
Error InvalidParameter(const std::string& message) { return MakeError(400, "BadParameter", message); }
Error Unauthorized() {
  return MakeError(401, "Unauthorized", "The control API needs Authorization: Bearer <--admin-token>.");
}
Error NotFound(const std::string& message) { return MakeError(404, "NotFound", message); }
Error MethodNotAllowed(const std::string& message) { return MakeError(405, "MethodNotAllowed", message); }
Error Conflict(const std::string& message) { return MakeError(409, "Conflict", message); }
Error PersistFailed(const std::string& detail) {
  return MakeError(503, "ServiceUnavailable", "crosskey could not persist the change: " + detail);
}
Error Internal(const std::string& message) { return MakeError(500, "InternalServerError", message); }
Error NoControlEndpoint(const std::string& method, const std::string& path) {
  return MakeError(501, "NotImplemented", "crosskey has no control endpoint " + method + " " + path);
}
Error NotServed(const std::string& method, const std::string& path) {
  return MakeError(501, "NotImplemented", "crosskey does not serve " + method + " " + path);
}
Error ListenerRefused(int status, const std::string& message) { return MakeError(status, "BadRequest", message); }
Error UnhandledException() { return MakeError(500, "InternalError", "crosskey hit an internal error."); }

}  // namespace crosskey::server::control_errors
