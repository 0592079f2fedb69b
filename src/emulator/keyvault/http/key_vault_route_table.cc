// Key Vault's data-plane routes: one line per operation, named from the core's vocabulary
// (key_vault_operations.h).
#include "emulator/keyvault/http/key_vault_call.h"
#include "emulator/keyvault/key_vault_operations.h"

namespace crosskey::keyvault::http {

const wire::RouteTable<KeyVaultHandler>& KeyVaultRouteTable() {
  using wire::Writes;
  // Literal segments come before parameters that would match them: the first match wins.
  static const wire::RouteTable<KeyVaultHandler> kTable({
      {"GET", "keys", operations::kGetKeys.id, operations::kGetKeys.audit_name, Writes::kNo, GetKeys},
      {"POST", "keys/restore", operations::kRestoreKey.id, operations::kRestoreKey.audit_name, Writes::kYes,
       RestoreKey},
      {"POST", "keys/{name}/create", operations::kCreateKey.id, operations::kCreateKey.audit_name, Writes::kYes,
       CreateKey},
      {"POST", "keys/{name}/backup", operations::kBackupKey.id, operations::kBackupKey.audit_name, Writes::kNo,
       BackupKey},
      {"POST", "keys/{name}/rotate", operations::kRotateKey.id, operations::kRotateKey.audit_name, Writes::kYes,
       RotateKey},
      {"GET", "keys/{name}/rotationpolicy", operations::kGetKeyRotationPolicy.id,
       operations::kGetKeyRotationPolicy.audit_name, Writes::kNo, GetKeyRotationPolicy},
      {"PUT", "keys/{name}/rotationpolicy", operations::kUpdateKeyRotationPolicy.id,
       operations::kUpdateKeyRotationPolicy.audit_name, Writes::kYes, UpdateKeyRotationPolicy},
      {"GET", "keys/{name}/versions", operations::kGetKeyVersions.id, operations::kGetKeyVersions.audit_name,
       Writes::kNo, GetKeyVersions},
      {"PUT", "keys/{name}", operations::kImportKey.id, operations::kImportKey.audit_name, Writes::kYes, ImportKey},
      {"DELETE", "keys/{name}", operations::kDeleteKey.id, operations::kDeleteKey.audit_name, Writes::kYes, DeleteKey},
      {"GET", "keys/{name}/{version?}", operations::kGetKey.id, operations::kGetKey.audit_name, Writes::kNo, GetKey},
      {"PATCH", "keys/{name}/{version?}", operations::kUpdateKey.id, operations::kUpdateKey.audit_name, Writes::kYes,
       UpdateKey},
      {"POST", "keys/{name}/{version?}/wrapkey", operations::kWrapKey.id, operations::kWrapKey.audit_name, Writes::kNo,
       WrapKey},
      {"POST", "keys/{name}/{version?}/unwrapkey", operations::kUnwrapKey.id, operations::kUnwrapKey.audit_name,
       Writes::kNo, UnwrapKey},
      {"POST", "keys/{name}/{version?}/encrypt", operations::kEncrypt.id, operations::kEncrypt.audit_name, Writes::kNo,
       Encrypt},
      {"POST", "keys/{name}/{version?}/decrypt", operations::kDecrypt.id, operations::kDecrypt.audit_name, Writes::kNo,
       Decrypt},
      {"POST", "keys/{name}/{version?}/sign", operations::kSign.id, operations::kSign.audit_name, Writes::kNo, Sign},
      {"POST", "keys/{name}/{version?}/verify", operations::kVerify.id, operations::kVerify.audit_name, Writes::kNo,
       Verify},
      {"POST", "rng", operations::kGetRandomBytes.id, operations::kGetRandomBytes.audit_name, Writes::kNo,
       GetRandomBytes},
      {"GET", "deletedkeys", operations::kGetDeletedKeys.id, operations::kGetDeletedKeys.audit_name, Writes::kNo,
       GetDeletedKeys},
      {"GET", "deletedkeys/{name}", operations::kGetDeletedKey.id, operations::kGetDeletedKey.audit_name, Writes::kNo,
       GetDeletedKey},
      {"DELETE", "deletedkeys/{name}", operations::kPurgeDeletedKey.id, operations::kPurgeDeletedKey.audit_name,
       Writes::kYes, PurgeDeletedKey},
      {"POST", "deletedkeys/{name}/recover", operations::kRecoverDeletedKey.id,
       operations::kRecoverDeletedKey.audit_name, Writes::kYes, RecoverDeletedKey},
  });
  return kTable;
}

}  // namespace crosskey::keyvault::http
