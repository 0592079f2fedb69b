#pragma once
// Named factories for every Entra token-endpoint error (OAuth body with AADSTS codes).
// Messages follow Entra's texts; see docs/azure-errors.md for the sources.
#include <cstdint>
#include <string>

#include "emulator/common/status.h"

namespace crosskey::token::errors {

Error TenantNotFound(const std::string& tenant);                                     // 90002
Error ApplicationNotFoundInDirectory(const std::string& app_id, const std::string& tenant);  // 700016
Error FicIssuerMismatch(const std::string& issuer);                                  // 700211
Error FicAudienceMismatch(const std::string& audience);                              // 700212
Error FicSubjectMismatch(const std::string& subject);                                // 700213
Error AssertionTimeRange(int64_t now, int64_t nbf, int64_t exp);                     // 700024
Error InvalidClientSecret(const std::string& app_id);                                // 7000215
Error ApplicationDisabled(const std::string& app_id, const std::string& name);       // 7000112
Error ResourceNotFound(const std::string& resource, const std::string& tenant);      // 500011
Error UnsupportedGrantType(const std::string& grant_type);                           // 70003
Error InvalidUsernameOrPassword();                                                   // 50126
Error UserNotFound(const std::string& tenant);                                       // 50034
Error MalformedJwt();                                                                // 50027
Error AssertionSignatureInvalid();                                                   // 700027
Error MissingParameter(const std::string& name);                                     // 900144
Error MissingClientCredential();                                                     // 7000218
Error InvalidScope(const std::string& scope);                                        // 70011
Error InvalidRefreshToken();                                                         // 9002313
Error RefreshTokenOfAnotherClient();                                                 // 700007
Error UserDisabled();                                                                // 50057
Error UnknownCertificate(const std::string& app_id);                                 // 700027 variant
Error AdminConsentRequired();                                                 // 90094
Error ManagedIdentityNotFound(const std::string& selector);                          // MI endpoint 400
Error ManagedIdentityHeaderMissing(const std::string& header);                       // MI endpoint 400
Error ManagedIdentityHeaderRejected(const std::string& header);                      // MI endpoint 401
Error ManagedIdentityMethodNotAllowed();                                             // MI endpoint 405
Error InvalidTenant(const std::string& tenant);                    // 90002 as OIDC discovery names it
Error InteractiveSignInNotImplemented(const std::string& path);    // 501: /authorize is not emulated
Error UnknownManagedIdentityPath(const std::string& path);         // 404 on the managed-identity port
// A state document's token part (signing keys, issuers, refresh grants) cannot be imported (400).
Error InvalidState(const std::string& what);

}  // namespace crosskey::token::errors
