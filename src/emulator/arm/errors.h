#pragma once
// Named factories for every ARM error ({"error":{"code","message"}}); texts per
// docs/azure-errors.md §3.
#include <string>

#include "emulator/common/status.h"

namespace crosskey::arm::errors {

Error AuthenticationMissing();
Error InvalidAuthenticationToken(const std::string& detail);
Error ExpiredAuthenticationToken();
Error WrongTokenTenant(const std::string& token_tenant, const std::string& subscription_tenant);
Error AuthorizationFailed(const std::string& caller, const std::string& object_id, const std::string& action,
                          const std::string& scope);
Error SubscriptionNotFound(const std::string& subscription);
Error ResourceGroupNotFound(const std::string& group);
Error ResourceNotFound(const std::string& type_and_name, const std::string& group);
Error PrincipalNotFound(const std::string& principal, const std::string& tenant);
Error RoleAssignmentExists();
Error RoleAssignmentNotFound(const std::string& id);
Error RoleDefinitionDoesNotExist(const std::string& id);
Error InvalidRoleAssignmentId(const std::string& name);
Error VaultAlreadyExists(const std::string& name);
Error SoftDeletedVaultDoesNotExist();  // 400: createMode recover without a soft-deleted vault
Error VaultDeletedExists();
Error PurgeProtectionIrreversible();
// 405 MethodNotAllowed: ARM's purge of a deleted vault under purge protection.
Error DeletedVaultPurgeNotAllowed();
Error InvalidRequestContent(const std::string& detail);
Error InvalidResourceName(const std::string& name, const std::string& pattern);
Error MissingProperty(const std::string& property);
// 400 InvalidTag: tags break ARM's rules (string values, at most 50, names <= 512, values <= 256).
Error InvalidTag(const std::string& detail);
Error BadRequest(const std::string& message);
Error OperationNotFound(const std::string& id);
Error NotImplemented(const std::string& method, const std::string& path);

}  // namespace crosskey::arm::errors
