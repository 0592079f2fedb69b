// Azure built-in role definitions used by the ARM emulator.
//
// Every GUID, description, actions, notActions, dataActions and notDataActions
// list below is copied from the JSON blocks of the Azure built-in roles
// reference (the "description" field there is what ARM returns from
// GET /providers/Microsoft.Authorization/roleDefinitions/{id}):
//   Privileged: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged
//     (source:
//     https://github.com/MicrosoftDocs/azure-docs/blob/main/articles/role-based-access-control/built-in-roles/privileged.md)
//   General:    https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/general
//     (source:
//     https://github.com/MicrosoftDocs/azure-docs/blob/main/articles/role-based-access-control/built-in-roles/general.md)
//   Security:   https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security
//     (source:
//     https://github.com/MicrosoftDocs/azure-docs/blob/main/articles/role-based-access-control/built-in-roles/security.md)
//   Identity:   https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/identity
//     (source:
//     https://github.com/MicrosoftDocs/azure-docs/blob/main/articles/role-based-access-control/built-in-roles/identity.md)
//   Storage:    https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage
//     (source:
//     https://github.com/MicrosoftDocs/azure-docs/blob/main/articles/role-based-access-control/built-in-roles/storage.md)
//
// All of these roles have assignableScopes ["/"] and roleType "BuiltInRole".
#include "emulator/arm/role_definition.h"

#include <cstddef>
#include <string>
#include <vector>

namespace crosskey::arm {
namespace {

// ASCII case-insensitive equality (GUIDs and role names are ASCII).
bool EqualsIgnoreCase(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// The "actions" prefix shared by most Key Vault data-plane roles
// (Key Vault Administrator / Crypto Officer / Reader / Secrets Officer).
// Source: security.md (see file header).
std::vector<std::string> KeyVaultDataRoleActions() {
  return {
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Support/*",
      "Microsoft.KeyVault/checkNameAvailability/read",
      "Microsoft.KeyVault/deletedVaults/read",
      "Microsoft.KeyVault/locations/*/read",
      "Microsoft.KeyVault/vaults/*/read",
      "Microsoft.KeyVault/operations/read",
  };
}

std::vector<RoleDefinition> BuildRoles() {
  std::vector<RoleDefinition> roles;

  // ---- Privileged (privileged.md) ----------------------------------------
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged#owner
  roles.push_back(RoleDefinition{
      "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
      "Owner",
      "Grants full access to manage all resources, including the ability to "
      "assign roles in Azure RBAC.",
      {"*"},
      {},
      {},
      {},
  });

  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged#contributor
  roles.push_back(RoleDefinition{
      "b24988ac-6180-42a0-ab88-20f7382dd24c",
      "Contributor",
      "Grants full access to manage all resources, but does not allow you to "
      "assign roles in Azure RBAC, manage assignments in Azure Blueprints, or "
      "share image galleries.",
      {"*"},
      {
          "Microsoft.Authorization/*/Delete",
          "Microsoft.Authorization/*/Write",
          "Microsoft.Authorization/elevateAccess/Action",
          "Microsoft.Blueprint/blueprintAssignments/write",
          "Microsoft.Blueprint/blueprintAssignments/delete",
          "Microsoft.Compute/galleries/share/action",
          "Microsoft.Purview/consents/write",
          "Microsoft.Purview/consents/delete",
          "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
          "Microsoft.Subscription/cancel/action",
          "Microsoft.Subscription/enable/action",
      },
      {},
      {},
  });

  // ---- General (general.md) ----------------------------------------------
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/general#reader
  roles.push_back(RoleDefinition{
      "acdd72a7-3385-48ef-bd42-f606fba81ae7",
      "Reader",
      "View all resources, but does not allow you to make any changes.",
      {"*/read"},
      {},
      {},
      {},
  });

  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged#user-access-administrator
  roles.push_back(RoleDefinition{
      "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
      "User Access Administrator",
      "Lets you manage user access to Azure resources.",
      {"*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"},
      {},
      {},
      {},
  });

  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged#role-based-access-control-administrator
  // NOTE: the docs list no ABAC condition on this role's JSON definition.
  roles.push_back(RoleDefinition{
      "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
      "Role Based Access Control Administrator",
      "Manage access to Azure resources by assigning roles using Azure RBAC. "
      "This role does not allow you to manage access using other ways, such as "
      "Azure Policy.",
      {
          "Microsoft.Authorization/roleAssignments/write",
          "Microsoft.Authorization/roleAssignments/delete",
          "*/read",
          "Microsoft.Support/*",
      },
      {},
      {},
      {},
  });

  // ---- Security / Key Vault (security.md) ---------------------------------
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-administrator
  roles.push_back(RoleDefinition{
      "00482a5a-887f-4fb3-b363-3b7fe8e74483",
      "Key Vault Administrator",
      "Perform all data plane operations on a key vault and all objects in it, "
      "including certificates, keys, and secrets. Cannot manage key vault "
      "resources or manage role assignments. Only works for key vaults that "
      "use the 'Azure role-based access control' permission model.",
      KeyVaultDataRoleActions(),
      {},
      {"Microsoft.KeyVault/vaults/*"},
      {},
  });

  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-contributor
  // The page's prose summary differs ("Manage key vaults, but does not allow
  // you to assign roles in Azure RBAC, ..."); the role definition JSON (what
  // ARM returns) says "Lets you manage key vaults, but not access to them.".
  roles.push_back(RoleDefinition{
      "f25e0fa2-a7c8-4377-a976-54943a77a395",
      "Key Vault Contributor",
      "Lets you manage key vaults, but not access to them.",
      {
          "Microsoft.Authorization/*/read",
          "Microsoft.Insights/alertRules/*",
          "Microsoft.KeyVault/*",
          "Microsoft.Resources/deployments/*",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
          "Microsoft.Support/*",
      },
      {
          "Microsoft.KeyVault/locations/deletedVaults/purge/action",
          "Microsoft.KeyVault/hsmPools/*",
          "Microsoft.KeyVault/managedHsms/*",
      },
      {},
      {},
  });

  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-crypto-officer
  roles.push_back(RoleDefinition{
      "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
      "Key Vault Crypto Officer",
      "Perform any action on the keys of a key vault, except manage "
      "permissions. Only works for key vaults that use the 'Azure role-based "
      "access control' permission model.",
      KeyVaultDataRoleActions(),
      {},
      {
          "Microsoft.KeyVault/vaults/keys/*",
          "Microsoft.KeyVault/vaults/keyrotationpolicies/*",
      },
      {},
  });

  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-crypto-service-encryption-user
  roles.push_back(RoleDefinition{
      "e147488a-f6f5-4113-8e2d-b22465e65bf6",
      "Key Vault Crypto Service Encryption User",
      "Read metadata of keys and perform wrap/unwrap operations. Only works "
      "for key vaults that use the 'Azure role-based access control' "
      "permission model.",
      {
          "Microsoft.EventGrid/eventSubscriptions/write",
          "Microsoft.EventGrid/eventSubscriptions/read",
          "Microsoft.EventGrid/eventSubscriptions/delete",
      },
      {},
      {
          "Microsoft.KeyVault/vaults/keys/read",
          "Microsoft.KeyVault/vaults/keys/wrap/action",
          "Microsoft.KeyVault/vaults/keys/unwrap/action",
      },
      {},
  });

  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-crypto-user
  roles.push_back(RoleDefinition{
      "12338af0-0e69-4776-bea7-57ae8d297424",
      "Key Vault Crypto User",
      "Perform cryptographic operations using keys. Only works for key vaults "
      "that use the 'Azure role-based access control' permission model.",
      {},
      {},
      {
          "Microsoft.KeyVault/vaults/keys/read",
          "Microsoft.KeyVault/vaults/keys/update/action",
          "Microsoft.KeyVault/vaults/keys/backup/action",
          "Microsoft.KeyVault/vaults/keys/encrypt/action",
          "Microsoft.KeyVault/vaults/keys/decrypt/action",
          "Microsoft.KeyVault/vaults/keys/wrap/action",
          "Microsoft.KeyVault/vaults/keys/unwrap/action",
          "Microsoft.KeyVault/vaults/keys/sign/action",
          "Microsoft.KeyVault/vaults/keys/verify/action",
      },
      {},
  });

  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-reader
  roles.push_back(RoleDefinition{
      "21090545-7ca7-4776-b22c-e363652d74d2",
      "Key Vault Reader",
      "Read metadata of key vaults and its certificates, keys, and secrets. "
      "Cannot read sensitive values such as secret contents or key material. "
      "Only works for key vaults that use the 'Azure role-based access "
      "control' permission model.",
      KeyVaultDataRoleActions(),
      {},
      {
          "Microsoft.KeyVault/vaults/*/read",
          "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
      },
      {},
  });

  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-secrets-officer
  roles.push_back(RoleDefinition{
      "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
      "Key Vault Secrets Officer",
      "Perform any action on the secrets of a key vault, except manage "
      "permissions. Only works for key vaults that use the 'Azure role-based "
      "access control' permission model.",
      KeyVaultDataRoleActions(),
      {},
      {"Microsoft.KeyVault/vaults/secrets/*"},
      {},
  });

  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-secrets-user
  roles.push_back(RoleDefinition{
      "4633458b-17de-408a-b874-0445c86b69e6",
      "Key Vault Secrets User",
      "Read secret contents. Only works for key vaults that use the 'Azure "
      "role-based access control' permission model.",
      {},
      {},
      {
          "Microsoft.KeyVault/vaults/secrets/getSecret/action",
          "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
      },
      {},
  });

  // ---- Identity (identity.md) ----------------------------------------------
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/identity#managed-identity-contributor
  roles.push_back(RoleDefinition{
      "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
      "Managed Identity Contributor",
      "Create, Read, Update, and Delete User Assigned Identity",
      {
          "Microsoft.ManagedIdentity/userAssignedIdentities/read",
          "Microsoft.ManagedIdentity/userAssignedIdentities/write",
          "Microsoft.ManagedIdentity/userAssignedIdentities/delete",
          "Microsoft.ManagedIdentity/userAssignedIdentities/"
          "federatedIdentityCredentials/read",
          "Microsoft.ManagedIdentity/userAssignedIdentities/"
          "federatedIdentityCredentials/write",
          "Microsoft.ManagedIdentity/userAssignedIdentities/"
          "federatedIdentityCredentials/delete",
          "Microsoft.ManagedIdentity/userAssignedIdentities/revokeTokens/action",
          "Microsoft.Authorization/*/read",
          "Microsoft.Insights/alertRules/*",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
          "Microsoft.Resources/deployments/*",
          "Microsoft.Support/*",
      },
      {},
      {},
      {},
  });

  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/identity#managed-identity-operator
  roles.push_back(RoleDefinition{
      "f1a07417-d97a-45cb-824c-7a7467783830",
      "Managed Identity Operator",
      "Read and Assign User Assigned Identity",
      {
          "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
          "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
          "Microsoft.Authorization/*/read",
          "Microsoft.Insights/alertRules/*",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
          "Microsoft.Resources/deployments/*",
          "Microsoft.Support/*",
      },
      {},
      {},
      {},
  });

  // ---- Storage (storage.md) ------------------------------------------------
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#storage-blob-data-owner
  roles.push_back(RoleDefinition{
      "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
      "Storage Blob Data Owner",
      "Allows for full access to Azure Storage blob containers and data, "
      "including assigning POSIX access control.",
      {
          "Microsoft.Storage/storageAccounts/blobServices/containers/*",
          "Microsoft.Storage/storageAccounts/blobServices/"
          "generateUserDelegationKey/action",
      },
      {},
      {"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"},
      {},
  });

  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#storage-blob-data-contributor
  roles.push_back(RoleDefinition{
      "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
      "Storage Blob Data Contributor",
      "Allows for read, write and delete access to Azure Storage blob "
      "containers and data",
      {
          "Microsoft.Storage/storageAccounts/blobServices/containers/delete",
          "Microsoft.Storage/storageAccounts/blobServices/containers/read",
          "Microsoft.Storage/storageAccounts/blobServices/containers/write",
          "Microsoft.Storage/storageAccounts/blobServices/"
          "generateUserDelegationKey/action",
      },
      {},
      {
          "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/"
          "delete",
          "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
          "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/"
          "write",
          "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/"
          "move/action",
          "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/"
          "add/action",
      },
      {},
  });

  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#storage-blob-data-reader
  roles.push_back(RoleDefinition{
      "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
      "Storage Blob Data Reader",
      "Allows for read access to Azure Storage blob containers and data",
      {
          "Microsoft.Storage/storageAccounts/blobServices/containers/read",
          "Microsoft.Storage/storageAccounts/blobServices/"
          "generateUserDelegationKey/action",
      },
      {},
      {"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"},
      {},
  });

  return roles;
}

}  // namespace

const std::vector<RoleDefinition>& BuiltInRoleDefinitions() {
  // Built once (thread-safe static initialisation), immutable afterwards.
  static const std::vector<RoleDefinition> kRoles = BuildRoles();
  return kRoles;
}

const RoleDefinition* FindBuiltInRoleByGuid(const std::string& guid) {
  for (const RoleDefinition& role : BuiltInRoleDefinitions()) {
    if (EqualsIgnoreCase(role.guid, guid)) return &role;
  }
  return nullptr;
}

const RoleDefinition* FindBuiltInRoleByName(const std::string& name) {
  for (const RoleDefinition& role : BuiltInRoleDefinitions()) {
    if (EqualsIgnoreCase(role.role_name, name)) return &role;
  }
  return nullptr;
}

}  // namespace crosskey::arm
