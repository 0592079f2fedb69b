#pragma once
// Entra's sign-in log record, one per token request, whoever made it: the login plane, the
// managed-identity endpoint, or an emulated platform acquiring its key-access token.
// Thread-safety: a free function over the thread-safe AuditLog.
#include <string>

#include "emulator/common/audit_log.h"
#include "emulator/common/status.h"
#include "emulator/token/token_service.h"

namespace crosskey::token {

struct SignInAttempt {
  std::string tenant_id;
  std::string client_id;  // as requested (the record's appId when the request failed)
  std::string grant_type;
  std::string request_id;
  std::string platform;     // an emulated consumer's kind, when one signed in
  std::string resource_id;  // that consumer's resource id
};

// Writes category SignIn: result success with the token's appId, objectId, resource,
// credentialType, federatedCredential, correlationId (uti) and expiresOn; or failure with the
// first AADSTS code and the message.
void RecordSignIn(AuditLog* audit, const SignInAttempt& attempt, const StatusOr<TokenResponse>& result);

}  // namespace crosskey::token
