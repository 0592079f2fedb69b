#include "emulator/token/errors.h"

#include "emulator/common/text.h"

namespace crosskey::token::errors {
namespace {
Error Make(int status, std::string error, int code, std::string description) {
  Error e;
  e.http_status = status;
  e.code = std::move(error);
  e.message = "AADSTS" + std::to_string(code) + ": " + std::move(description);
  e.aadsts = {code};
  return e;
}
constexpr const char* kWrongTenantHint =
    " This can happen if the application has not been installed by the administrator of the tenant or consented to "
    "by any user in the tenant. You may have sent your authentication request to the wrong tenant.";
// Texts as Entra answers them (docs/azure-errors.md §1).
constexpr const char* kFicHint =
    " Check your federated identity credential Subject, Audience and Issuer against the presented assertion. "
    "https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
}  // namespace

Error TenantNotFound(const std::string& tenant) {
  return Make(400, "invalid_request", 90002,
              "Tenant '" + tenant +
                  "' not found. Check to make sure you have the correct tenant ID and are signing into the correct "
                  "cloud. Check with your subscription administrator, this may happen if there are no active "
                  "subscriptions for the tenant.");
}
Error ApplicationNotFoundInDirectory(const std::string& app_id, const std::string& tenant) {
  return Make(400, "unauthorized_client", 700016,
              "Application with identifier '" + app_id + "' was not found in the directory '" + tenant + "'." +
                  kWrongTenantHint);
}
Error FicIssuerMismatch(const std::string& issuer) {
  return Make(401, "invalid_client", 700211,
              "No matching federated identity record found for presented assertion issuer '" + issuer +
                  "'. Please check your federated identity credential Subject, Audience and Issuer against the "
                  "presented assertion. https://docs.microsoft.com/en-us/azure/active-directory/develop/"
                  "workload-identity-federation");
}
Error FicAudienceMismatch(const std::string& audience) {
  return Make(401, "invalid_client", 700212,
              "No matching federated identity record found for presented assertion audience '" + audience + "'." +
                  kFicHint);
}
Error FicSubjectMismatch(const std::string& subject) {
  return Make(401, "invalid_client", 700213,
              "No matching federated identity record found for presented assertion subject '" + subject + "'." +
                  kFicHint);
}
Error AssertionTimeRange(int64_t now, int64_t nbf, int64_t exp) {
  return Make(401, "invalid_client", 700024,
              "Client assertion is not within its valid time range. Current time: " + IsoTime(now) +
                  ", assertion valid from " + IsoTime(nbf) + ", expiry time of assertion " + IsoTime(exp) +
                  ". Review the documentation at https://learn.microsoft.com/entra/identity-platform/"
                  "certificate-credentials .");
}
Error InvalidClientSecret(const std::string& app_id) {
  return Make(401, "invalid_client", 7000215,
              "Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
              "value, not the client secret ID, for a secret added to app '" +
                  app_id + "'.");
}
Error ApplicationDisabled(const std::string& app_id, const std::string& name) {
  return Make(400, "unauthorized_client", 7000112, "Application '" + app_id + "'(" + name + ") is disabled.");
}
Error ResourceNotFound(const std::string& resource, const std::string& tenant) {
  return Make(400, "invalid_resource", 500011,
              "The resource principal named " + resource + " was not found in the tenant named " + tenant + "." +
                  kWrongTenantHint);
}
Error UnsupportedGrantType(const std::string& grant_type) {
  return Make(400, "unsupported_grant_type", 70003,
              "The app requested an unsupported grant type '" + grant_type + "'.");
}
Error InvalidUsernameOrPassword() {
  return Make(400, "invalid_grant", 50126, "Error validating credentials due to invalid username or password.");
}
Error UserNotFound(const std::string& tenant) {
  return Make(400, "invalid_grant", 50034,
              "The user account {EmailHidden} does not exist in the " + tenant +
                  " directory. To sign into this application, the account must be added to the directory.");
}
Error MalformedJwt() { return Make(400, "invalid_request", 50027, "JWT token is invalid or malformed."); }
Error AssertionSignatureInvalid() {
  return Make(401, "invalid_client", 700027,
              "Client assertion contains an invalid signature. [Reason - Key was found, but use of the key to verify "
              "the signature failed.]");
}
Error MissingParameter(const std::string& name) {
  return Make(400, "invalid_request", 900144, "The request body must contain the following parameter: '" + name + "'.");
}
Error MissingClientCredential() {
  return Make(401, "invalid_client", 7000218,
              "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
}
Error InvalidScope(const std::string& scope) {
  return Make(400, "invalid_scope", 70011,
              "The provided request must include a 'scope' input parameter. The provided value for the input "
              "parameter 'scope' is not valid. The scope " + scope + " is not valid.");
}
// A refresh token redeemed by another client than the one it was issued to. Entra answers
// "AADSTS700007: The grant was issued for a different client id." (seen in
// https://github.com/microsoft/Partner-Center-PowerShell/issues/419; RFC 6749 5.2: invalid_grant).
Error RefreshTokenOfAnotherClient() {
  return Make(400, "invalid_grant", 700007, "The grant was issued for a different client id.");
}
// AADSTS50057 UserDisabled, "The user account is disabled." (Entra authentication and
// authorization error codes, https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
Error UserDisabled() { return Make(400, "invalid_grant", 50057, "The user account is disabled."); }
Error InvalidRefreshToken() {
  return Make(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.");
}
Error UnknownCertificate(const std::string& app_id) {
  return Make(401, "invalid_client", 700027,
              "Client assertion contains an invalid signature. [Reason - The key was not found., Please visit the "
              "Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '" +
                  app_id + "'.]");
}
Error AdminConsentRequired() {
  return Make(403, "access_denied", 90094, "The grant requires admin permission.");
}
Error ManagedIdentityNotFound(const std::string& selector) {
  Error e;
  e.http_status = 400;
  e.code = "invalid_request";
  e.message = "Identity not found: no user-assigned managed identity matches " + selector + ".";
  return e;
}
Error ManagedIdentityHeaderMissing(const std::string& header) {
  Error e;
  e.http_status = 400;
  e.code = "invalid_request";
  e.message = "Required metadata header not specified or wrong (" + header + ").";
  return e;
}

Error InvalidTenant(const std::string& tenant) {
  Error e = TenantNotFound(tenant);
  e.code = "invalid_tenant";  // OIDC discovery names the unknown tenant this way
  return e;
}

Error ManagedIdentityHeaderRejected(const std::string& header) {
  Error e = ManagedIdentityHeaderMissing(header);
  e.http_status = 401;  // App Service's endpoint: a wrong X-IDENTITY-HEADER is unauthorized
  return e;
}

Error ManagedIdentityMethodNotAllowed() { return MakeError(405, "invalid_request", "Only GET is supported."); }

Error InteractiveSignInNotImplemented(const std::string& path) {
  return MakeError(501, "not_implemented", "crosskey does not implement interactive sign-in (" + path + ") yet.");
}

Error UnknownManagedIdentityPath(const std::string& path) {
  return MakeError(404, "not_found", "Unknown managed-identity path " + path);
}

Error InvalidState(const std::string& what) { return MakeError(400, "InvalidState", "state: " + what); }

}  // namespace crosskey::token::errors
