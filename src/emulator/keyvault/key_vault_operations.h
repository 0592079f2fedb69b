#pragma once
// Key Vault's operation vocabulary, one entry per data-plane operation: the REST API's
// operation id (Azure/azure-rest-api-specs keyvault data-plane operationIds, camelCased as the
// SDKs name them), Key Vault's AuditEvent operationName
// (learn.microsoft.com/azure/key-vault/general/logging) and the status a success answers.
// The route table, the fault rules, the audit filter and the service's audit records all use
// these names. Thread-safety: constants.
namespace crosskey::keyvault {

struct KeyOperation {
  const char* id;          // getKey
  const char* audit_name;  // KeyGet
  int success_status;
};

namespace operations {
inline constexpr KeyOperation kGetKeys{"getKeys", "KeyList", 200};
inline constexpr KeyOperation kRestoreKey{"restoreKey", "KeyRestore", 200};
inline constexpr KeyOperation kCreateKey{"createKey", "KeyCreate", 200};
inline constexpr KeyOperation kBackupKey{"backupKey", "KeyBackup", 200};
inline constexpr KeyOperation kRotateKey{"rotateKey", "KeyRotate", 200};
inline constexpr KeyOperation kGetKeyRotationPolicy{"getKeyRotationPolicy", "KeyRotationPolicyGet", 200};
inline constexpr KeyOperation kUpdateKeyRotationPolicy{"updateKeyRotationPolicy", "KeyRotationPolicySet", 200};
inline constexpr KeyOperation kGetKeyVersions{"getKeyVersions", "KeyListVersions", 200};
inline constexpr KeyOperation kImportKey{"importKey", "KeyImport", 200};
inline constexpr KeyOperation kDeleteKey{"deleteKey", "KeyDelete", 200};
inline constexpr KeyOperation kGetKey{"getKey", "KeyGet", 200};
inline constexpr KeyOperation kUpdateKey{"updateKey", "KeyUpdate", 200};
inline constexpr KeyOperation kWrapKey{"wrapKey", "KeyWrap", 200};
inline constexpr KeyOperation kUnwrapKey{"unwrapKey", "KeyUnwrap", 200};
inline constexpr KeyOperation kEncrypt{"encrypt", "KeyEncrypt", 200};
inline constexpr KeyOperation kDecrypt{"decrypt", "KeyDecrypt", 200};
inline constexpr KeyOperation kSign{"sign", "KeySign", 200};
inline constexpr KeyOperation kVerify{"verify", "KeyVerify", 200};
inline constexpr KeyOperation kGetRandomBytes{"getRandomBytes", "GetRandomBytes", 200};
inline constexpr KeyOperation kGetDeletedKeys{"getDeletedKeys", "KeyListDeleted", 200};
inline constexpr KeyOperation kGetDeletedKey{"getDeletedKey", "KeyGetDeleted", 200};
inline constexpr KeyOperation kPurgeDeletedKey{"purgeDeletedKey", "KeyPurge", 204};
inline constexpr KeyOperation kRecoverDeletedKey{"recoverDeletedKey", "KeyRecover", 200};
}  // namespace operations

}  // namespace crosskey::keyvault
