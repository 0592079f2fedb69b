#pragma once
// The admin-consent flow (/{tenant}/adminconsent and /{tenant}/v2.0/adminconsent): a tenant
// administrator signs in and installs a (multi-tenant) application, which creates its service
// principal in that tenant. The seeds' other way to install the provider's app.
// Thread-safety: free function over thread-safe services.
#include <string>

#include "emulator/common/status.h"
#include "emulator/graph/directory.h"
#include "emulator/token/token_service.h"

namespace crosskey::token {

struct ConsentResult {
  std::string tenant_id;
  graph::ServicePrincipal service_principal;
  bool created = false;  // false: the app was already installed
};

// Errors: TenantNotFound (90002), UserNotFound (50034), InvalidUsernameOrPassword (50126),
// AdminConsentRequired (90094) for a non-admin, ApplicationNotFoundInDirectory (700016) for an
// unknown app or a single-tenant app of another tenant.
StatusOr<ConsentResult> GrantAdminConsent(graph::Directory* directory, const TokenService& tokens,
                                          const std::string& tenant, const std::string& client_id,
                                          const std::string& username, const std::string& password);

}  // namespace crosskey::token
