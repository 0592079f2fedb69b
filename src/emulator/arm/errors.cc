#include "emulator/arm/errors.h"

namespace crosskey::arm::errors {

Error AuthenticationMissing() {
  return MakeError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
}
Error InvalidAuthenticationToken(const std::string& detail) {
  return MakeError(401, "InvalidAuthenticationToken", "The access token is invalid. " + detail);
}
Error ExpiredAuthenticationToken() {
  return MakeError(401, "ExpiredAuthenticationToken",
                   "The access token expiry UTC time is earlier than current UTC time.");
}
Error WrongTokenTenant(const std::string& token_tenant, const std::string& subscription_tenant) {
  return MakeError(401, "InvalidAuthenticationTokenTenant",
                   "The access token is from the wrong issuer 'https://sts.windows.net/" + token_tenant +
                       "/'. It must match the tenant 'https://sts.windows.net/" + subscription_tenant +
                       "/' associated with this subscription. Please use the authority (URL) "
                       "'https://login.windows.net/" +
                       subscription_tenant + "' to get the token.");
}
Error AuthorizationFailed(const std::string& caller, const std::string& object_id, const std::string& action,
                          const std::string& scope) {
  return MakeError(403, "AuthorizationFailed",
                   "The client '" + caller + "' with object id '" + object_id +
                       "' does not have authorization to perform action '" + action + "' over scope '" + scope +
                       "' or the scope is invalid. If access was recently granted, please refresh your credentials.");
}
Error SubscriptionNotFound(const std::string& subscription) {
  return MakeError(404, "SubscriptionNotFound", "The subscription '" + subscription + "' could not be found.");
}
Error ResourceGroupNotFound(const std::string& group) {
  return MakeError(404, "ResourceGroupNotFound", "Resource group '" + group + "' could not be found.");
}
Error ResourceNotFound(const std::string& type_and_name, const std::string& group) {
  return MakeError(404, "ResourceNotFound",
                   "The Resource '" + type_and_name + "' under resource group '" + group +
                       "' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
}
Error PrincipalNotFound(const std::string& principal, const std::string& tenant) {
  std::string compact;
  for (char c : principal) {
    if (c != '-') compact += c;
  }
  return MakeError(
      400, "PrincipalNotFound",
      "Principal " + compact + " does not exist in the directory " + tenant +
          ". Check that you have the correct principal ID. If you are creating this principal and then "
          "immediately assigning a role, this error might be related to a replication delay. In this case, "
          "set the role assignment principalType property to a value, such as ServicePrincipal, User, or "
          "Group.  See https://aka.ms/docs-principaltype");
}
Error RoleAssignmentExists() { return MakeError(409, "RoleAssignmentExists", "The role assignment already exists."); }
Error RoleAssignmentNotFound(const std::string& id) {
  return MakeError(404, "RoleAssignmentNotFound", "The role assignment '" + id + "' is not found.");
}
Error RoleDefinitionDoesNotExist(const std::string& id) {
  return MakeError(404, "RoleDefinitionDoesNotExist",
                   "The specified role definition with ID '" + id + "' does not exist.");
}
Error InvalidRoleAssignmentId(const std::string& name) {
  return MakeError(400, "InvalidRoleAssignmentId",
                   "The role assignment ID '" + name + "' is not valid. The role assignment ID must be a GUID.");
}
// Seen in terraform-provider-azurerm applies: "400 SoftDeletedVaultDoesNotExist: A soft deleted
// vault with the given name does not exist. Ensure that the name for the vault that is being
// attempted to recover is in a recoverable state."
Error SoftDeletedVaultDoesNotExist() {
  return MakeError(400, "SoftDeletedVaultDoesNotExist",
                   "A soft deleted vault with the given name does not exist. Ensure that the name for the vault that "
                   "is being attempted to recover is in a recoverable state.");
}
Error VaultAlreadyExists(const std::string& name) {
  return MakeError(
      409, "VaultAlreadyExists",
      "The vault name '" + name +
          "' is already in use. Vault names are globally unique so it is possible that the name is already "
          "taken. If you are sure that the vault name was not taken then it is possible that a vault with "
          "the same name was recently deleted but not purged after being placed in a recoverable state. If "
          "the vault is in a recoverable state then the vault will need to be explicitly purged.");
}
Error VaultDeletedExists() {
  return MakeError(409, "ConflictError",
                   "A vault with the same name already exists in deleted state. You need to either recover or purge "
                   "existing key vault. Follow this link https://go.microsoft.com/fwlink/?linkid=2149745 for more "
                   "information on soft delete.");
}
Error DeletedVaultPurgeNotAllowed() {
  return MakeError(405, "MethodNotAllowed",
                   "Operation 'DeletedVaultPurge' is not allowed: purge protection is enabled for this vault, which "
                   "is purged automatically once its retention period has passed.");
}

Error InvalidTag(const std::string& detail) {
  return MakeError(400, "InvalidTag",
                   "The tags are not valid: " + detail +
                       " (learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations).");
}

Error PurgeProtectionIrreversible() {
  return MakeError(400, "BadRequest",
                   "The property \"enablePurgeProtection\" cannot be set to false. Enabling the purge protection for a "
                   "vault is an irreversible action.");
}
Error InvalidRequestContent(const std::string& detail) {
  return MakeError(400, "InvalidRequestContent",
                   "The request content was invalid and could not be deserialized: '" + detail + "'.");
}
Error InvalidResourceName(const std::string& name, const std::string& pattern) {
  return MakeError(
      400, "InvalidResourceName",
      "The resource name '" + name + "' is invalid. It must follow the following pattern: '" + pattern + "'");
}
Error MissingProperty(const std::string& property) {
  return MakeError(400, "InvalidRequestContent",
                   "The request content is missing the required property '" + property + "'.");
}
Error BadRequest(const std::string& message) { return MakeError(400, "BadRequest", message); }
// An operation-status or -result URL naming no operation this emulator started (or one
// forgotten after the last 10,000): 404 as for any missing ARM resource (code chosen here).
Error OperationNotFound(const std::string& id) {
  return MakeError(404, "NotFound", "The operation '" + id + "' was not found.");
}
Error NotImplemented(const std::string& method, const std::string& path) {
  return MakeError(501, "NotImplemented",
                   "crosskey does not implement " + method + " " + path + " (outside the emulated ARM surface).");
}

}  // namespace crosskey::arm::errors
