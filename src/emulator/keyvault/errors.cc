#include "emulator/keyvault/errors.h"

namespace crosskey::keyvault::errors {
namespace {
Error Challenge(Error e, const std::string& challenge) {
  e.headers.emplace_back("WWW-Authenticate", challenge);
  return e;
}
}  // namespace

Error MissingToken(const std::string& challenge) {
  return Challenge(MakeError(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token."), challenge);
}
Error InvalidIssuer(const std::string& expected, const std::string& found, const std::string& challenge) {
  return Challenge(MakeError(401, "Unauthorized", "AKV10032: Invalid issuer. Expected one of " + expected + ", found " + found + "."),
                   challenge);
}
Error InvalidAudience(const std::string& found, const std::string& challenge) {
  return Challenge(MakeError(401, "Unauthorized", "AKV10022: Invalid audience. Expected https://vault.azure.net, found: " + found + "."),
                   challenge);
}
Error InvalidToken(const std::string& detail, const std::string& challenge) {
  return Challenge(MakeError(401, "Unauthorized", "AKV10001: " + detail), challenge);
}
Error VaultNotFound(const std::string& host) {
  return MakeError(404, "VaultNotFound", "The vault '" + host + "' does not exist. (Azure would not resolve this host name.)");
}
Error KeyNotFound(const std::string& name_or_id) {
  return MakeError(404, "KeyNotFound",
              "A key with (name/id) " + name_or_id +
                  " was not found in this key vault. If you recently deleted this key you may be able to recover it "
                  "using the correct recovery command. For help resolving this issue, please see "
                  "https://go.microsoft.com/fwlink/?linkid=2125182");
}
Error DeletedKeyNotFound(const std::string& name) {
  return MakeError(404, "KeyNotFound", "Deleted Key not found: " + name);
}
Error KeyDisabled(const std::string& op) {
  return MakeError(403, "Forbidden", "Operation " + op + " is not allowed on a disabled key.", "KeyDisabled");
}
Error KeyExpired(const std::string& op) {
  return MakeError(403, "Forbidden", "Operation " + op + " is not allowed on an expired key.", "KeyExpired");
}
Error KeyNotYetValid(const std::string& op) {
  return MakeError(403, "Forbidden", "Operation " + op + " is not allowed on a key that is not yet valid.", "KeyNotYetValid");
}
Error KeyOperationForbidden(const std::string& op) {
  return MakeError(403, "Forbidden", "Operation " + op + " is not permitted on this key.", "KeyOperationForbidden");
}
Error ForbiddenByRbac(const std::string& caller, const std::string& action, const std::string& resource,
                      const std::string& vault, const std::string& location) {
  return MakeError(403, "Forbidden",
              "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or "
              "role definitions were changed recently, please observe propagation time.\r\nCaller: " +
                  caller + "\r\nAction: '" + action + "'\r\nResource: '" + resource +
                  "'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: " + vault +
                  ";location=" + location + "\r\n",
              "ForbiddenByRbac");
}
Error ForbiddenByPolicy(const std::string& op, const std::string& caller, const std::string& vault,
                        const std::string& location) {
  return MakeError(403, "Forbidden",
              "Operation is not allowed.\r\nOperation: \"" + op + "\"\r\nCaller: " + caller + "\r\nVault: " + vault +
                  ";location=" + location + "\r\n",
              "AccessDenied");
}
Error KeyInDeletedState(const std::string& name) {
  return MakeError(409, "Conflict",
              "Key " + name +
                  " is currently in a deleted but recoverable state, and its name cannot be reused; in this state, "
                  "the key can only be recovered or purged.");
}
Error KeyAlreadyExists(const std::string& name) {
  return MakeError(409, "Conflict", "Key " + name + " already exists. A backup can only be restored under a name that is not in use.");
}
Error InvalidBackup(const std::string& detail) {
  return MakeError(400, "BadParameter", "Backup blob could not be read: " + detail);
}
Error PurgeProtected(const std::string& vault, const std::string& location) {
  return MakeError(403, "Forbidden",
              "Operation \"purge\" is not allowed because purge protection is enabled for this vault. Key Vault "
              "service will automatically purge it after the retention period has passed.\r\nVault: " +
                  vault + ";location=" + location);
}
Error BadParameter(const std::string& message) { return MakeError(400, "BadParameter", message); }
Error Throttled(int retry_after_seconds) {
  Error e = MakeError(429, "Throttled",
                 "Request was not processed because too many requests were received. Reason: A transaction limit of "
                 "this vault has been exceeded (crosskey throttling). Retry after " +
                     std::to_string(retry_after_seconds) + " seconds.");
  e.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return e;
}
Error NotImplemented(const std::string& what) {
  return MakeError(501, "NotImplemented", "crosskey does not implement the Key Vault operation " + what + " yet.");
}

}  // namespace crosskey::keyvault::errors
