#include "emulator/token/sign_in_record.h"

#include "emulator/common/json_writer.h"
#include "emulator/common/text.h"

namespace crosskey::token {

void RecordSignIn(AuditLog* audit, const SignInAttempt& attempt, const StatusOr<TokenResponse>& result) {
  // Written field by field: every token request makes one.
  JsonObjectWriter r;
  r.Str("category", "SignIn").Str("operationName", "Sign-in").Str("tenantId", attempt.tenant_id);
  r.Str("grantType", attempt.grant_type);
  if (!attempt.request_id.empty()) r.Str("requestId", attempt.request_id);
  if (!attempt.platform.empty()) r.Str("platform", attempt.platform).Str("resourceId", attempt.resource_id);
  if (result.ok()) {
    const TokenResponse& t = *result;
    r.Str("appId", t.claims.app_id).Str("result", "success").Str("objectId", t.claims.object_id);
    r.Str("resource", t.resource).Str("credentialType", t.credential_type);
    if (!t.matched_fic.empty()) r.Str("federatedCredential", t.matched_fic);
    r.Str("correlationId", t.claims.uti).Int("expiresOn", t.expires_on);
  } else {
    r.Str("appId", ToLower(attempt.client_id)).Str("result", "failure");
    r.Int("errorCode", result.error().aadsts.empty() ? 0 : result.error().aadsts.front());
    r.Str("error", result.error().message);
  }
  audit->Record(std::move(r));
}

}  // namespace crosskey::token
