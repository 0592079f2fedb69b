#pragma once
// Named factories for every Microsoft Graph error the directory core returns
// (wire body {"error":{"code","message","innerError"}}).
#include <string>

#include "emulator/common/status.h"

namespace crosskey::graph::errors {

Error ResourceNotFound(const std::string& id);
Error TenantNotFound(const std::string& tenant);
Error BadRequest(const std::string& message);
Error AppNotValidForServicePrincipal(const std::string& app_id);
Error ServicePrincipalExists(const std::string& app_id);
Error FederatedCredentialNameExists(const std::string& name);
Error FederatedCredentialLimit();
Error InsufficientPrivileges();
Error MeRequiresDelegated();
Error InvalidAuthenticationToken(const std::string& detail);
Error UnsupportedQuery(const std::string& detail);
Error NotImplemented(const std::string& what);

}  // namespace crosskey::graph::errors
