#include "emulator/server/fault_errors.h"

namespace crosskey::server::errors {
namespace {
bool IsOAuth(const std::string& plane) { return plane == "login" || plane == "mi"; }

std::string DefaultCode(int status, bool oauth) {
  if (oauth) {
    if (status == 401) return "invalid_client";
    if (status == 429 || status >= 500) return "temporarily_unavailable";
    return "invalid_request";
  }
  switch (status) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 409: return "Conflict";
    case 429: return "TooManyRequests";
    case 500: return "InternalServerError";
    case 502: return "BadGateway";
    case 503: return "ServiceUnavailable";
    case 504: return "GatewayTimeout";
    default: return "InjectedFault";
  }
}
}  // namespace

Error InjectedFault(int status, const std::string& plane, const std::string& rule_id) {
  // Key Vault names the failure again in innererror; the fault says it was injected there.
  return MakeError(status, DefaultCode(status, IsOAuth(plane)), "injected fault " + rule_id,
                   plane == "keyvault" ? "InjectedFault" : "");
}

Error InjectedDropFailed(const std::string& plane, const std::string& rule_id) {
  return MakeError(503, IsOAuth(plane) ? "temporarily_unavailable" : "ServiceUnavailable",
                   "injected fault " + rule_id + " (drop): the connection could not be dropped",
                   plane == "keyvault" ? "InjectedFault" : "");
}

}  // namespace crosskey::server::errors
