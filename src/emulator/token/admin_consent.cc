#include "emulator/token/admin_consent.h"

#include "emulator/token/errors.h"

namespace crosskey::token {

StatusOr<ConsentResult> GrantAdminConsent(graph::Directory* directory, const TokenService& tokens,
                                          const std::string& tenant, const std::string& client_id,
                                          const std::string& username, const std::string& password) {
  auto tenant_id = tokens.ResolveTenant(tenant);
  if (!tenant_id) return errors::TenantNotFound(tenant);
  auto user = directory->FindUser(*tenant_id, username);
  if (!user) return errors::UserNotFound(*tenant_id);
  if (user->password != password || !user->account_enabled) return errors::InvalidUsernameOrPassword();
  if (!user->global_admin) return errors::AdminConsentRequired();
  ConsentResult result;
  result.tenant_id = *tenant_id;
  if (auto existing = directory->FindServicePrincipalByAppId(*tenant_id, client_id)) {
    result.service_principal = *existing;
    return result;
  }
  auto sp = directory->CreateServicePrincipal(*tenant_id, client_id);
  if (!sp.ok()) return errors::ApplicationNotFoundInDirectory(client_id, *tenant_id);
  result.service_principal = *sp;
  result.created = true;
  return result;
}

}  // namespace crosskey::token
