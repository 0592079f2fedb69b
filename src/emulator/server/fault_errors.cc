#include "emulator/server/fault_errors.h"

#include "emulator/common/text.h"

namespace crosskey::server::errors {
namespace {
bool IsOAuth(const std::string& plane) { return plane == "login" || plane == "mi"; }

std::string DefaultCode(int status, bool oauth) {
  if (oauth) {
    if (status == 401) return "invalid_client";
    if (status == 429 || status >= 500) return "temporarily_unavailable";
    return "invalid_request";
  }
  const char* name = HttpStatusName(status);
  return status >= 400 && *name ? name : "InjectedFault";
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
