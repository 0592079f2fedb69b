// Key Vault's AuditEvent, written by the service itself: every public operation runs its
// unaudited body and records one line (learn.microsoft.com/azure/key-vault/general/logging:
// operationName, requestUri, identity, httpStatusCode, resultType, resultSignature, durationMs,
// correlationId), so the HTTP pipeline, the emulated platforms and in-process C++ callers all
// leave the same audit log.
#include <chrono>

#include "emulator/common/json_writer.h"
#include "emulator/keyvault/key_vault_service.h"

namespace crosskey::keyvault {

template <typename Body>
auto KeyVaultService::Audited(const KeyOperation& op, const std::string& vault, const KvCaller& caller,
                              const std::string& key, Body&& body) const -> decltype(body()) {
  if (!audit_) return body();
  auto started = std::chrono::steady_clock::now();
  auto result = body();
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  RecordAudit(op, vault, caller, key, result.ok() ? nullptr : &result.error(), ms);
  return result;
}

void KeyVaultService::RecordAudit(const KeyOperation& op, const std::string& vault_name, const KvCaller& caller,
                                  const std::string& key, const Error* error, double ms) const {
  auto vault = arm_->FindVault(vault_name);
  if (!vault) return;
  static const KvRequestTrace kNoTrace;
  const KvRequestTrace& trace = caller.trace ? *caller.trace : kNoTrace;
  trace.audited = true;
  const int status = error ? error->http_status : op.success_status;
  // Written field by field: this record is made on every Key Vault call.
  JsonObjectWriter r;
  r.Str("category", "AuditEvent")
      .Str("operationName", op.audit_name)
      .Str("operationId", op.id)
      .Str("tenantId", vault->tenant_id)
      .Str("vault", vault->name);
  if (!key.empty()) r.Str("key", key);
  if (!trace.request_uri.empty()) r.Str("requestUri", trace.request_uri);
  r.Str("appId", caller.app_id)
      .Str("objectId", caller.object_id)
      .Str("callerTenantId", caller.tenant_id)
      .Int("httpStatusCode", status)
      .Str("resultType", status < 400 ? "Success" : "Failure")
      .Num("durationMs", ms)
      .Str("correlationId", trace.correlation_id)
      .Str("requestId", trace.request_id);
  if (!trace.platform.empty()) r.Str("platform", trace.platform).Str("resourceId", trace.resource_id);
  if (!caller.authorized_by.empty()) r.Str("authorizedBy", caller.authorized_by);
  if (error) r.Str("resultSignature", error->inner_code.empty() ? error->code : error->inner_code);
  audit_->Record(std::move(r));
}

namespace {
const KeyOperation& CryptOperation(const std::string& op) {
  if (op == "wrapKey") return operations::kWrapKey;
  if (op == "unwrapKey") return operations::kUnwrapKey;
  if (op == "encrypt") return operations::kEncrypt;
  return operations::kDecrypt;
}
}  // namespace

StatusOr<KeyVersionSnapshot> KeyVaultService::CreateKey(const std::string& vault, const KvCaller& caller,
                                                        const std::string& name, const CreateKeyParams& params) {
  return Audited(operations::kCreateKey, vault, caller, name,
                 [&] { return CreateKeyUnaudited(vault, caller, name, params); });
}

StatusOr<KeyVersionSnapshot> KeyVaultService::ImportKey(const std::string& vault, const KvCaller& caller,
                                                        const std::string& name, const nlohmann::json& jwk,
                                                        const KeyAttributes& attributes, bool has_enabled,
                                                        const nlohmann::json& tags) {
  return Audited(operations::kImportKey, vault, caller, name,
                 [&] { return ImportKeyUnaudited(vault, caller, name, jwk, attributes, has_enabled, tags); });
}

StatusOr<KeyVersionSnapshot> KeyVaultService::GetKey(const std::string& vault, const KvCaller& caller,
                                                     const std::string& name, const std::string& version) {
  return Audited(operations::kGetKey, vault, caller, name,
                 [&] { return GetKeyUnaudited(vault, caller, name, version); });
}

StatusOr<std::vector<KeyVersionSnapshot>> KeyVaultService::ListKeys(const std::string& vault, const KvCaller& caller) {
  return Audited(operations::kGetKeys, vault, caller, "", [&] { return ListKeysUnaudited(vault, caller); });
}

StatusOr<std::vector<KeyVersionSnapshot>> KeyVaultService::ListVersions(const std::string& vault,
                                                                        const KvCaller& caller,
                                                                        const std::string& name) {
  return Audited(operations::kGetKeyVersions, vault, caller, name,
                 [&] { return ListVersionsUnaudited(vault, caller, name); });
}

StatusOr<KeyVersionSnapshot> KeyVaultService::UpdateKey(const std::string& vault, const KvCaller& caller,
                                                        const std::string& name, const std::string& version,
                                                        const KeyUpdate& update) {
  return Audited(operations::kUpdateKey, vault, caller, name,
                 [&] { return UpdateKeyUnaudited(vault, caller, name, version, update); });
}

StatusOr<DeletedKeyInfo> KeyVaultService::DeleteKey(const std::string& vault, const KvCaller& caller,
                                                    const std::string& name) {
  return Audited(operations::kDeleteKey, vault, caller, name, [&] { return DeleteKeyUnaudited(vault, caller, name); });
}

StatusOr<DeletedKeyInfo> KeyVaultService::GetDeletedKey(const std::string& vault, const KvCaller& caller,
                                                        const std::string& name) {
  return Audited(operations::kGetDeletedKey, vault, caller, name,
                 [&] { return GetDeletedKeyUnaudited(vault, caller, name); });
}

StatusOr<std::vector<DeletedKeyInfo>> KeyVaultService::ListDeletedKeys(const std::string& vault,
                                                                       const KvCaller& caller) {
  return Audited(operations::kGetDeletedKeys, vault, caller, "",
                 [&] { return ListDeletedKeysUnaudited(vault, caller); });
}

StatusOr<KeyVersionSnapshot> KeyVaultService::RecoverDeletedKey(const std::string& vault, const KvCaller& caller,
                                                                const std::string& name) {
  return Audited(operations::kRecoverDeletedKey, vault, caller, name,
                 [&] { return RecoverDeletedKeyUnaudited(vault, caller, name); });
}

Status KeyVaultService::PurgeDeletedKey(const std::string& vault, const KvCaller& caller, const std::string& name) {
  return Audited(operations::kPurgeDeletedKey, vault, caller, name,
                 [&] { return PurgeDeletedKeyUnaudited(vault, caller, name); });
}

StatusOr<CryptoResult> KeyVaultService::Crypt(const std::string& vault, const KvCaller& caller, const std::string& name,
                                              const std::string& version, const std::string& op, const std::string& alg,
                                              const std::string& value, const crypto::SymmetricParams& params) {
  return Audited(CryptOperation(op), vault, caller, name,
                 [&] { return CryptUnaudited(vault, caller, name, version, op, alg, value, params); });
}

StatusOr<CryptoResult> KeyVaultService::Sign(const std::string& vault, const KvCaller& caller, const std::string& name,
                                             const std::string& version, const std::string& alg,
                                             const std::string& digest) {
  return Audited(operations::kSign, vault, caller, name,
                 [&] { return SignUnaudited(vault, caller, name, version, alg, digest); });
}

StatusOr<std::pair<KeyVersionSnapshot, bool>> KeyVaultService::Verify(const std::string& vault, const KvCaller& caller,
                                                                      const std::string& name,
                                                                      const std::string& version,
                                                                      const std::string& alg, const std::string& digest,
                                                                      const std::string& signature) {
  return Audited(operations::kVerify, vault, caller, name,
                 [&] { return VerifyUnaudited(vault, caller, name, version, alg, digest, signature); });
}

StatusOr<KeyVersionSnapshot> KeyVaultService::RotateKey(const std::string& vault, const KvCaller& caller,
                                                        const std::string& name) {
  return Audited(operations::kRotateKey, vault, caller, name, [&] { return RotateKeyUnaudited(vault, caller, name); });
}

StatusOr<nlohmann::json> KeyVaultService::GetRotationPolicy(const std::string& vault, const KvCaller& caller,
                                                            const std::string& name) {
  return Audited(operations::kGetKeyRotationPolicy, vault, caller, name,
                 [&] { return GetRotationPolicyUnaudited(vault, caller, name); });
}

StatusOr<nlohmann::json> KeyVaultService::SetRotationPolicy(const std::string& vault, const KvCaller& caller,
                                                            const std::string& name, const nlohmann::json& policy) {
  return Audited(operations::kUpdateKeyRotationPolicy, vault, caller, name,
                 [&] { return SetRotationPolicyUnaudited(vault, caller, name, policy); });
}

StatusOr<std::string> KeyVaultService::BackupKey(const std::string& vault, const KvCaller& caller,
                                                 const std::string& name) {
  return Audited(operations::kBackupKey, vault, caller, name, [&] { return BackupKeyUnaudited(vault, caller, name); });
}

StatusOr<KeyVersionSnapshot> KeyVaultService::RestoreKey(const std::string& vault, const KvCaller& caller,
                                                         const std::string& blob) {
  return Audited(operations::kRestoreKey, vault, caller, "", [&] { return RestoreKeyUnaudited(vault, caller, blob); });
}

}  // namespace crosskey::keyvault
