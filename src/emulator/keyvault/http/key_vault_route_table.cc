// Key Vault's data-plane routes: one line per operation. Operation ids are the REST API's
// (Azure/azure-rest-api-specs keyvault data-plane operationIds, camelCased as the SDKs name
// them); the audit names are Key Vault's AuditEvent operationName values
// (learn.microsoft.com/azure/key-vault/general/logging).
#include "emulator/keyvault/http/key_vault_call.h"

namespace crosskey::keyvault::http {

const wire::RouteTable<KeyVaultHandler>& KeyVaultRouteTable() {
  using wire::Writes;
  // Literal segments come before parameters that would match them: the first match wins.
  static const wire::RouteTable<KeyVaultHandler> kTable({
      {"GET", "keys", "getKeys", "KeyList", Writes::kNo, GetKeys},
      {"POST", "keys/restore", "restoreKey", "KeyRestore", Writes::kYes, RestoreKey},
      {"POST", "keys/{name}/create", "createKey", "KeyCreate", Writes::kYes, CreateKey},
      {"POST", "keys/{name}/backup", "backupKey", "KeyBackup", Writes::kNo, BackupKey},
      {"POST", "keys/{name}/rotate", "rotateKey", "KeyRotate", Writes::kYes, RotateKey},
      {"GET", "keys/{name}/rotationpolicy", "getKeyRotationPolicy", "KeyRotationPolicyGet", Writes::kNo,
       GetKeyRotationPolicy},
      {"PUT", "keys/{name}/rotationpolicy", "updateKeyRotationPolicy", "KeyRotationPolicySet", Writes::kYes,
       UpdateKeyRotationPolicy},
      {"GET", "keys/{name}/versions", "getKeyVersions", "KeyListVersions", Writes::kNo, GetKeyVersions},
      {"PUT", "keys/{name}", "importKey", "KeyImport", Writes::kYes, ImportKey},
      {"DELETE", "keys/{name}", "deleteKey", "KeyDelete", Writes::kYes, DeleteKey},
      {"GET", "keys/{name}/{version?}", "getKey", "KeyGet", Writes::kNo, GetKey},
      {"PATCH", "keys/{name}/{version?}", "updateKey", "KeyUpdate", Writes::kYes, UpdateKey},
      {"POST", "keys/{name}/{version?}/wrapkey", "wrapKey", "KeyWrap", Writes::kNo, WrapKey},
      {"POST", "keys/{name}/{version?}/unwrapkey", "unwrapKey", "KeyUnwrap", Writes::kNo, UnwrapKey},
      {"POST", "keys/{name}/{version?}/encrypt", "encrypt", "KeyEncrypt", Writes::kNo, Encrypt},
      {"POST", "keys/{name}/{version?}/decrypt", "decrypt", "KeyDecrypt", Writes::kNo, Decrypt},
      {"POST", "keys/{name}/{version?}/sign", "sign", "KeySign", Writes::kNo, Sign},
      {"POST", "keys/{name}/{version?}/verify", "verify", "KeyVerify", Writes::kNo, Verify},
      {"POST", "rng", "getRandomBytes", "GetRandomBytes", Writes::kNo, GetRandomBytes},
      {"GET", "deletedkeys", "getDeletedKeys", "KeyListDeleted", Writes::kNo, GetDeletedKeys},
      {"GET", "deletedkeys/{name}", "getDeletedKey", "KeyGetDeleted", Writes::kNo, GetDeletedKey},
      {"DELETE", "deletedkeys/{name}", "purgeDeletedKey", "KeyPurge", Writes::kYes, PurgeDeletedKey},
      {"POST", "deletedkeys/{name}/recover", "recoverDeletedKey", "KeyRecover", Writes::kYes, RecoverDeletedKey},
  });
  return kTable;
}

}  // namespace crosskey::keyvault::http
