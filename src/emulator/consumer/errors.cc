#include "emulator/consumer/errors.h"

namespace crosskey::consumer::errors {
namespace {
std::string Because(const std::string& cause) { return cause.empty() ? "" : " Cause: " + cause; }
// A create or update whose key check failed: the asynchronous providers report it through the
// long-running operation they accepted.
Error OperationFailure(Error e) {
  e.operation_failure = true;
  return e;
}
}  // namespace

KeyFailure ClassifyKeyFailure(const std::string& cause) {
  const std::string code = cause.substr(0, cause.find_first_of("/:"));
  auto has = [&](const char* s) { return cause.find(s) != std::string::npos; };
  if (code == "invalid_client" || code == "unauthorized_client" || code == "invalid_request" ||
      code == "invalid_grant" || code == "ManagedIdentityNotFound" || has("AADSTS")) {
    return KeyFailure::kToken;
  }
  if (code == "VaultNotFound") return KeyFailure::kVaultGone;
  if (code == "KeyNotFound") return KeyFailure::kKeyGone;
  if (has("/KeyDisabled") || has("/KeyExpired") || has("/KeyNotYetValid")) return KeyFailure::kKeyState;
  if (code == "Forbidden" || code == "Unauthorized") return KeyFailure::kRefused;
  if (code == "BadParameter") return KeyFailure::kWrapFailed;
  return KeyFailure::kOther;
}

Error InvalidProperty(const std::string& message) { return MakeError(400, "InvalidRequestContent", message); }
Error ResourceNotFound(const std::string& type_and_name, const std::string& group) {
  return MakeError(404, "ResourceNotFound",
                   "The Resource '" + type_and_name + "' under resource group '" + group + "' was not found.");
}
Error DataItemNotFound(const std::string& item) {
  return MakeError(404, "BlobNotFound", "The specified item '" + item + "' does not exist.");
}
Error InvalidState(const std::string& what) { return MakeError(400, "InvalidState", "consumers: " + what); }
Error SealingFailed(const std::string& what) {
  return MakeError(500, "InternalError", "The server encountered an internal error while sealing blob data: " + what);
}

Error ActionNotSupported(const std::string& type, const std::string& action) {
  return MakeError(400, "InvalidAction", "The action '" + action + "' is not supported on '" + type + "'.");
}

namespace storage {
// Storage resource provider refusal when the account's identity cannot use the vault, as
// reported by Storage RP answers quoted in azure-cli/terraform issue threads (not in an
// official table): code KeyVaultAuthenticationFailure, aka.ms/storagekeyvaultaccesspolicy.
Error KeyVaultAuthenticationFailure(const std::string& cause) {
  return OperationFailure(
      MakeError(400, "KeyVaultAuthenticationFailure",
                "The operation failed because of authentication issue on the keyvault. For more information, see - "
                "https://aka.ms/storagekeyvaultaccesspolicy." +
                    Because(cause)));
}
// Storage data-plane codes from "Common REST API error codes"
// (https://learn.microsoft.com/rest/api/storageservices/common-rest-api-error-codes):
// KeyVaultEncryptionKeyNotFound 403 "The key vault key is not found to unwrap the encryption key.",
// KeyVaultAccessTokenCannotBeAcquired 403 "The access token cannot be acquired from the key vault.
// Verify that the key vault exists."
Error KeyVaultEncryptionKeyNotFound(const std::string& cause) {
  return MakeError(403, "KeyVaultEncryptionKeyNotFound",
                   "The key vault key is not found to unwrap the encryption key." + Because(cause));
}
Error KeyVaultAccessTokenCannotBeAcquired(const std::string& cause) {
  return MakeError(
      403, "KeyVaultAccessTokenCannotBeAcquired",
      "The access token cannot be acquired from the key vault. Verify that the key vault exists." + Because(cause));
}
}  // namespace storage

namespace cosmos {
// https://learn.microsoft.com/azure/cosmos-db/how-to-setup-cmk: the key URI must be versionless
// and must not end with a slash.
Error InvalidKeyVaultKeyUri(const std::string& uri) {
  return MakeError(
      400, "BadRequest",
      "The provided keyVaultKeyUri '" + uri +
          "' is invalid: it must be a versionless key URI (https://{vault}/keys/{name}) without a trailing "
          "slash.");
}
// https://learn.microsoft.com/azure/cosmos-db/cmk-troubleshooting-guide: the account goes to the
// revoked state; data-plane operations are refused until access to the key is restored.
Error KeyVaultAccessFailed(const std::string& cause) {
  return OperationFailure(
      MakeError(400, "BadRequest",
                "Unable to access the customer managed key configured in keyVaultKeyUri with the default identity. "
                "Check that the identity has get, wrapKey and unwrapKey on the key and that the key is enabled." +
                    Because(cause)));
}
// The x-ms-substatus Cosmos DB answers with for a customer key it cannot use (the SDKs'
// SubStatusCodes: 4000 AadClientCredentialsGrantFailure ... 4009 KeyVaultDnsNotResolved;
// learn.microsoft.com/azure/cosmos-db/cmk-troubleshooting-guide), chosen by what failed.
Substatus RevokedSubstatus(const std::string& cause) {
  switch (ClassifyKeyFailure(cause)) {
    case KeyFailure::kToken: return {4000, "AadClientCredentialsGrantFailure"};
    case KeyFailure::kVaultGone: return {4009, "KeyVaultDnsNotResolved"};
    case KeyFailure::kKeyGone: return {4003, "KeyVaultKeyNotFound"};
    case KeyFailure::kKeyState:
    case KeyFailure::kRefused: return {4002, "KeyVaultAuthenticationFailure"};
    case KeyFailure::kWrapFailed: return {4005, "KeyVaultWrapUnwrapFailure"};
    case KeyFailure::kOther: break;
  }
  return {4008, "KeyVaultInternalServerError"};
}
Error AccountRevoked(const std::string& cause) {
  Substatus sub = RevokedSubstatus(cause);
  Error e = MakeError(403, "Forbidden",
                      "Request is blocked because the customer managed key of this Azure Cosmos DB account is revoked "
                      "(customerManagedKeyStatus; substatus " + std::to_string(sub.code) + " " + sub.name +
                          "). Restore access to the Key Vault key; see "
                          "https://learn.microsoft.com/azure/cosmos-db/cmk-troubleshooting-guide." +
                          Because(cause));
  e.headers.emplace_back("x-ms-substatus", std::to_string(sub.code));
  return e;
}
}  // namespace cosmos

namespace compute {
// https://learn.microsoft.com/azure/virtual-machines/disk-encryption: the key vault and the disk
// encryption set must be in the same region (the seed's limitation).
Error KeyVaultRegionMismatch(const std::string& vault_location, const std::string& set_location) {
  return MakeError(400, "InvalidParameter",
                   "The Key Vault is in region '" + vault_location + "' but the disk encryption set is in '" +
                       set_location + "'. The Key Vault and the disk encryption set must be in the same region.");
}
Error KeyVaultAccessForbidden(const std::string& cause) {
  return OperationFailure(
      MakeError(400, "KeyVaultAccessForbidden",
                "The disk encryption set identity cannot access the key in the Key Vault." + Because(cause)));
}
Error DiskEncryptionSetNotFound(const std::string& id) {
  return MakeError(404, "NotFound", "Disk encryption set '" + id + "' was not found.");
}
Error DiskInaccessible(const std::string& cause) {
  return MakeError(
      409, "KeyVaultKeyInaccessible",
      "The disk cannot be accessed because the key of its disk encryption set is inaccessible." + Because(cause));
}
}  // namespace compute

namespace sql {
// The errors of learn.microsoft.com/sql/relational-databases/security/encryption/troubleshoot-tde,
// chosen by what failed (the cause starts with the failing plane's "code[/inner]: "):
// - the server's identity cannot get a token (UAMI gone, federated exchange refused):
//   401 AzureKeyVaultNoServerIdentity;
// - the vault does not exist: 503 AzureKeyVaultConnectionFailed;
// - the key does not exist: 404 ServerKeyNotFound;
// - the key is disabled, expired or not yet valid: 400 AzureKeyVaultKeyDisabled with the
//   article's "Expired key" text;
// - anything else Key Vault refuses (RBAC, access policies): 401 AzureKeyVaultMissingPermissions.
Error TdeProtectorInaccessible(const std::string& cause) {
  const KeyFailure failure = ClassifyKeyFailure(cause);
  Error e;
  if (failure == KeyFailure::kVaultGone) {
    e = MakeError(503, "AzureKeyVaultConnectionFailed",
                  "The operation could not be completed on the server because attempts to connect to Azure Key "
                  "Vault have failed." + Because(cause));
  } else if (failure == KeyFailure::kKeyGone) {
    e = MakeError(404, "ServerKeyNotFound",
                  "The requested server key was not found on the current subscription." + Because(cause));
  } else if (failure == KeyFailure::kKeyState) {
    e = MakeError(400, "AzureKeyVaultKeyDisabled",
                  "The server requires the Key Vault Crypto Service Encryption User permission for the RBAC policy "
                  "or following Azure Key Vault permissions: Get, WrapKey, UnwrapKey. Ensure the key is active, not "
                  "expired or disabled, set with the key activation date no later than the current date." +
                      Because(cause));
  } else if (failure == KeyFailure::kRefused) {
    e = MakeError(401, "AzureKeyVaultMissingPermissions",
                  "The server is missing required permissions on the Azure Key Vault." + Because(cause));
  } else {
    e = MakeError(401, "AzureKeyVaultNoServerIdentity",
                  "The server identity is not correctly configured on server. Please contact support." +
                      Because(cause));
  }
  return OperationFailure(e);
}
Error RevalidationFailed(const std::string& cause) {
  Error e = TdeProtectorInaccessible(cause);
  e.operation_failure = false;  // revalidate answers the request itself
  return e;
}
Error DatabaseInaccessible(const std::string& database, const std::string& cause) {
  return MakeError(409, "DatabaseInaccessible",
                   "Database '" + database +
                       "' is Inaccessible: the server's TDE protector in Azure Key Vault cannot be "
                       "accessed." +
                       Because(cause));
}
Error ServerNotFound(const std::string& name) {
  return MakeError(404, "ResourceNotFound",
                   "The requested resource of type 'Microsoft.Sql/servers' with name '" + name + "' was not found.");
}
// Server key names and codes: learn.microsoft.com/rest/api/sql/server-keys/create-or-update
// ("The name of the server key ... in the format of 'YourVaultName_YourKeyName_YourKeyVersion'")
// and troubleshoot-tde (ServerKeyNotFound); ServerKeyInUse is crosskey's name for Azure's refusal
// to delete the key that protects the server.
Error InvalidServerKeyName(const std::string& name, const std::string& expected) {
  return MakeError(400, "InvalidServerKeyName",
                   "The server key name '" + name + "' must be '" + expected + "' ({vault}_{key}_{version}).");
}
Error ServerKeyNotFound(const std::string& key, const std::string& server) {
  return MakeError(
      404, "ServerKeyNotFound",
      "The server key '" + key + "' was not found on server '" + server + "'. Add it first (servers/keys).");
}
Error ServerKeyInUse(const std::string& key) {
  return MakeError(
      400, "ServerKeyInUse",
      "The server key '" + key + "' is the built-in key or the current TDE protector and cannot be deleted.");
}
}  // namespace sql

}  // namespace crosskey::consumer::errors
