#pragma once
// Named factories for every Key Vault data-plane error
// ({"error":{"code","message","innererror":{"code"}}}); texts per docs/azure-errors.md §2.
#include <string>

#include "emulator/common/status.h"

namespace crosskey::keyvault::errors {

Error MissingToken(const std::string& challenge);                       // 401 AKV10000
Error InvalidIssuer(const std::string& expected, const std::string& found, const std::string& challenge);  // 401 AKV10032
Error InvalidAudience(const std::string& found, const std::string& challenge);  // 401 AKV10022
Error InvalidToken(const std::string& detail, const std::string& challenge);    // 401
Error VaultNotFound(const std::string& host);                           // 404
Error KeyNotFound(const std::string& name_or_id);                       // 404
Error DeletedKeyNotFound(const std::string& name);                      // 404
Error KeyDisabled(const std::string& op);                               // 403 KeyDisabled
Error KeyExpired(const std::string& op);                                // 403 KeyExpired
Error KeyNotYetValid(const std::string& op);                            // 403 KeyNotYetValid
Error KeyOperationForbidden(const std::string& op);                     // 403 KeyOperationForbidden
Error ForbiddenByRbac(const std::string& caller, const std::string& action, const std::string& resource,
                      const std::string& vault, const std::string& location);
Error ForbiddenByPolicy(const std::string& op, const std::string& caller, const std::string& vault,
                        const std::string& location);
Error KeyInDeletedState(const std::string& name);                       // 409
Error KeyAlreadyExists(const std::string& name);                        // 409 (restore)
Error InvalidBackup(const std::string& detail);                         // 400
Error PurgeProtected(const std::string& vault, const std::string& location);  // 403
Error BadParameter(const std::string& message);                         // 400
Error Throttled(int retry_after_seconds);                               // 429 + Retry-After
Error NotImplemented(const std::string& what);                          // 501

}  // namespace crosskey::keyvault::errors
