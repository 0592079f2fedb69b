#pragma once
// The Key Vault data-plane core: keys, versions, attributes, soft delete, and crypto. One gate
// before every key operation (KeyGate) decides: authorization (RBAC data action or access
// policy), key/version exists and is not deleted, enabled, nbf/exp on the emulator clock, op
// in key_ops; the algorithm is then checked against the key type by the crypto itself.
// Thread-safety: all methods safe to call concurrently. Key records sit under one
// shared_mutex; crypto runs on immutable snapshots outside every lock.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "emulator/arm/rbac_engine.h"
#include "emulator/arm/resource_manager.h"
#include "emulator/common/audit_log.h"
#include "emulator/common/clock.h"
#include "emulator/common/status.h"
#include "emulator/keyvault/key_vault_operations.h"
#include "emulator/keyvault/key_version.h"
#include "emulator/keyvault/vault_throttle.h"

namespace crosskey::keyvault {

// Where a call came from, for its AuditEvent: the HTTP pipeline fills the request's fields, an
// emulated platform its own. `audited` is set once the service has written the record, so the
// pipeline writes one only for a request that never reached the service.
struct KvRequestTrace {
  std::string request_id;
  std::string request_uri;
  std::string correlation_id;  // the bearer token's uti
  std::string platform;        // an emulated consumer's kind (storage, cosmosdb, ...)
  std::string resource_id;     // that consumer's resource id
  mutable bool audited = false;
};

// The authenticated caller of a data-plane request (from a validated token). An empty
// object_id is the emulator itself (fixture loading): it is never authorized by RBAC because
// the HTTP layer only builds callers from validated tokens, which always carry an oid.
struct KvCaller {
  std::string tenant_id;
  std::string object_id;
  std::string app_id;
  std::string issuer;
  bool system() const { return object_id.empty(); }
  // Filled by the service: the role assignment id or access policy that allowed the call
  // (the audit log reports it).
  mutable std::string authorized_by;
  const KvRequestTrace* trace = nullptr;  // optional; outlives the call
};

struct CreateKeyParams {
  std::string kty;  // RSA, RSA-HSM, EC, EC-HSM, oct, oct-HSM
  int key_size = 0;
  unsigned long public_exponent = 65537;
  std::string crv;
  std::vector<std::string> key_ops;  // empty: the defaults for the type
  KeyAttributes attributes;
  bool has_enabled = false;
  nlohmann::json tags = nlohmann::json::object();
};

struct KeyUpdate {
  std::optional<bool> enabled;
  std::optional<int64_t> not_before;
  std::optional<int64_t> expires;
  std::optional<std::vector<std::string>> key_ops;
  std::optional<nlohmann::json> tags;
};

struct DeletedKeyInfo {
  KeyVersionSnapshot latest;
  int64_t deleted_date = 0;
  int64_t scheduled_purge_date = 0;
};

struct CryptoResult {
  KeyVersionSnapshot key;
  crypto::CipherResult output;
};

class KeyVaultService {
 public:
  KeyVaultService(arm::ResourceManager* arm, arm::RbacEngine* rbac, const Clock* clock)
      : arm_(arm), rbac_(rbac), clock_(clock) {}
  // Every operation below writes Key Vault's AuditEvent record here once it has a vault
  // (a call to a vault that does not exist is not logged, as no vault's log could hold it).
  void set_audit_log(AuditLog* audit) { audit_ = audit; }
  // Writes one AuditEvent (httpStatusCode: the error's, else op.success_status) and marks the
  // caller's trace audited. The operations call it; the HTTP pipeline calls it for a request
  // that failed before reaching one (a malformed body, an unknown path).
  void RecordAudit(const KeyOperation& op, const std::string& vault, const KvCaller& caller, const std::string& key,
                   const Error* error, double ms) const;

  // Every method takes the vault name (from the host) and the caller. Common errors:
  // VaultNotFound, ForbiddenByRbac / ForbiddenByPolicy, KeyNotFound, BadParameter.
  StatusOr<KeyVersionSnapshot> CreateKey(const std::string& vault, const KvCaller& caller, const std::string& name,
                                         const CreateKeyParams& params);
  StatusOr<KeyVersionSnapshot> ImportKey(const std::string& vault, const KvCaller& caller, const std::string& name,
                                         const nlohmann::json& jwk, const KeyAttributes& attributes, bool has_enabled,
                                         const nlohmann::json& tags);
  // version empty: the latest.
  StatusOr<KeyVersionSnapshot> GetKey(const std::string& vault, const KvCaller& caller, const std::string& name,
                                      const std::string& version);
  StatusOr<std::vector<KeyVersionSnapshot>> ListKeys(const std::string& vault, const KvCaller& caller);
  StatusOr<std::vector<KeyVersionSnapshot>> ListVersions(const std::string& vault, const KvCaller& caller,
                                                         const std::string& name);
  StatusOr<KeyVersionSnapshot> UpdateKey(const std::string& vault, const KvCaller& caller, const std::string& name,
                                         const std::string& version, const KeyUpdate& update);
  StatusOr<DeletedKeyInfo> DeleteKey(const std::string& vault, const KvCaller& caller, const std::string& name);
  StatusOr<DeletedKeyInfo> GetDeletedKey(const std::string& vault, const KvCaller& caller, const std::string& name);
  StatusOr<std::vector<DeletedKeyInfo>> ListDeletedKeys(const std::string& vault, const KvCaller& caller);
  StatusOr<KeyVersionSnapshot> RecoverDeletedKey(const std::string& vault, const KvCaller& caller,
                                                 const std::string& name);
  Status PurgeDeletedKey(const std::string& vault, const KvCaller& caller, const std::string& name);

  // Crypto. op: "wrapKey", "unwrapKey", "encrypt", "decrypt". Errors additionally:
  // KeyDisabled, KeyExpired, KeyNotYetValid, KeyOperationForbidden.
  StatusOr<CryptoResult> Crypt(const std::string& vault, const KvCaller& caller, const std::string& name,
                               const std::string& version, const std::string& op, const std::string& alg,
                               const std::string& value, const crypto::SymmetricParams& params);
  StatusOr<CryptoResult> Sign(const std::string& vault, const KvCaller& caller, const std::string& name,
                              const std::string& version, const std::string& alg, const std::string& digest);
  StatusOr<std::pair<KeyVersionSnapshot, bool>> Verify(const std::string& vault, const KvCaller& caller,
                                                       const std::string& name, const std::string& version,
                                                       const std::string& alg, const std::string& digest,
                                                       const std::string& signature);

  // Rotation (key_vault_rotation.cc). A new version with the latest version's type, size, curve
  // and key_ops; exp set from the policy's expiryTime when it has one.
  StatusOr<KeyVersionSnapshot> RotateKey(const std::string& vault, const KvCaller& caller, const std::string& name);
  // The key's rotation policy JSON (Key Vault's default when none was set). Errors as GetKey.
  StatusOr<nlohmann::json> GetRotationPolicy(const std::string& vault, const KvCaller& caller, const std::string& name);
  // Validates and stores a policy ({lifetimeActions:[{trigger:{timeAfterCreate|timeBeforeExpiry},
  // action:{type:Rotate|Notify}}], attributes:{expiryTime}}). Errors: BadParameter.
  StatusOr<nlohmann::json> SetRotationPolicy(const std::string& vault, const KvCaller& caller, const std::string& name,
                                             const nlohmann::json& policy);
  // Applies due Rotate actions of every key's policy on the emulator clock; returns how many
  // versions it created. Also run lazily before each key lookup.
  int ApplyDueRotations();

  // Backup/restore (key_vault_backup.cc): an AES-256-GCM sealed blob, readable only by an
  // emulator holding the same backup key. Errors: KeyNotFound, BadParameter (bad blob),
  // Conflict (name exists).
  StatusOr<std::string> BackupKey(const std::string& vault, const KvCaller& caller, const std::string& name);
  StatusOr<KeyVersionSnapshot> RestoreKey(const std::string& vault, const KvCaller& caller, const std::string& blob);
  void set_backup_key(std::string key) { backup_key_ = std::move(key); }

  // Off by default; configured through the control API.
  mutable VaultThrottle throttle;

  // Recovery level string as Key Vault reports it for this vault.
  static std::string RecoveryLevel(const arm::VaultInfo& vault);

  // Every vault's keys with their versions and private material, deleted keys, rotation
  // policies and the backup key (key_vault_state.cc). Import expects an empty service.
  // A purged vault's keys are gone for good (ResourceManager's vault-purged hook).
  void ForgetVault(const std::string& instance_id);
  nlohmann::json ExportState() const;
  // ExportState()'s document as JSON text, appended to *out; each key version's part is made
  // once and kept (StateTextCache), so the durable store's export after every change does not
  // serialize every key again.
  void AppendStateText(std::string* out) const;
  Status ImportState(const nlohmann::json& state);

 private:
  struct KeyRecord {
    std::vector<KeyVersionSnapshot> versions;  // creation order; back() is the latest
    std::optional<DeletedKeyInfo> deleted;
    nlohmann::json rotation_policy;  // null: Key Vault's default
    int64_t policy_updated = 0;
  };
  struct VaultKeys {
    std::map<std::string, KeyRecord> keys;  // key: lower-case name
  };

  // The operations above before their AuditEvent (key_vault_audit.cc wraps each).
  StatusOr<KeyVersionSnapshot> CreateKeyUnaudited(const std::string& vault, const KvCaller& caller,
                                                  const std::string& name, const CreateKeyParams& params);
  StatusOr<KeyVersionSnapshot> ImportKeyUnaudited(const std::string& vault, const KvCaller& caller,
                                                  const std::string& name, const nlohmann::json& jwk,
                                                  const KeyAttributes& attributes, bool has_enabled,
                                                  const nlohmann::json& tags);
  StatusOr<KeyVersionSnapshot> GetKeyUnaudited(const std::string& vault, const KvCaller& caller,
                                               const std::string& name, const std::string& version);
  StatusOr<std::vector<KeyVersionSnapshot>> ListKeysUnaudited(const std::string& vault, const KvCaller& caller);
  StatusOr<std::vector<KeyVersionSnapshot>> ListVersionsUnaudited(const std::string& vault, const KvCaller& caller,
                                                                  const std::string& name);
  StatusOr<KeyVersionSnapshot> UpdateKeyUnaudited(const std::string& vault, const KvCaller& caller,
                                                  const std::string& name, const std::string& version,
                                                  const KeyUpdate& update);
  StatusOr<DeletedKeyInfo> DeleteKeyUnaudited(const std::string& vault, const KvCaller& caller,
                                              const std::string& name);
  StatusOr<DeletedKeyInfo> GetDeletedKeyUnaudited(const std::string& vault, const KvCaller& caller,
                                                  const std::string& name);
  StatusOr<std::vector<DeletedKeyInfo>> ListDeletedKeysUnaudited(const std::string& vault, const KvCaller& caller);
  StatusOr<KeyVersionSnapshot> RecoverDeletedKeyUnaudited(const std::string& vault, const KvCaller& caller,
                                                          const std::string& name);
  Status PurgeDeletedKeyUnaudited(const std::string& vault, const KvCaller& caller, const std::string& name);
  StatusOr<CryptoResult> CryptUnaudited(const std::string& vault, const KvCaller& caller, const std::string& name,
                                        const std::string& version, const std::string& op, const std::string& alg,
                                        const std::string& value, const crypto::SymmetricParams& params);
  StatusOr<CryptoResult> SignUnaudited(const std::string& vault, const KvCaller& caller, const std::string& name,
                                       const std::string& version, const std::string& alg, const std::string& digest);
  StatusOr<std::pair<KeyVersionSnapshot, bool>> VerifyUnaudited(const std::string& vault, const KvCaller& caller,
                                                                const std::string& name, const std::string& version,
                                                                const std::string& alg, const std::string& digest,
                                                                const std::string& signature);
  StatusOr<KeyVersionSnapshot> RotateKeyUnaudited(const std::string& vault, const KvCaller& caller,
                                                  const std::string& name);
  StatusOr<nlohmann::json> GetRotationPolicyUnaudited(const std::string& vault, const KvCaller& caller,
                                                      const std::string& name);
  StatusOr<nlohmann::json> SetRotationPolicyUnaudited(const std::string& vault, const KvCaller& caller,
                                                      const std::string& name, const nlohmann::json& policy);
  StatusOr<std::string> BackupKeyUnaudited(const std::string& vault, const KvCaller& caller, const std::string& name);
  StatusOr<KeyVersionSnapshot> RestoreKeyUnaudited(const std::string& vault, const KvCaller& caller,
                                                   const std::string& blob);
  // Runs `body` and writes its AuditEvent (key_vault_audit.cc).
  template <typename Body>
  auto Audited(const KeyOperation& op, const std::string& vault, const KvCaller& caller, const std::string& key,
               Body&& body) const -> decltype(body());
  StatusOr<std::shared_ptr<const arm::VaultInfo>> Vault(const std::string& vault) const;
  Status Authorize(const arm::VaultInfo& vault, const KvCaller& caller, const std::string& data_action,
                   const std::string& policy_permission, const std::string& key_name) const;
  // The gate before every key operation.
  StatusOr<KeyVersionSnapshot> KeyGate(const arm::VaultInfo& vault, const KvCaller& caller, const std::string& name,
                                       const std::string& version, const std::string& op) const;
  StatusOr<KeyVersionSnapshot> AddVersion(const arm::VaultInfo& vault, const std::string& name,
                                          std::shared_ptr<KeyVersion> version);

  // Creates the next version of `record` (caller holds mu_ exclusively).
  KeyVersionSnapshot RotateLocked(KeyRecord& record, int64_t now);
  // Rotates when the record's policy says it is due (caller holds mu_ exclusively).
  int ApplyPolicyLocked(KeyRecord& record, int64_t now);

  arm::ResourceManager* arm_;
  std::string backup_key_ = std::string(32, '\0');
  // Earliest time any policy's Rotate action falls due; one atomic load on the hot path.
  std::atomic<int64_t> next_rotation_due_{INT64_MAX};
  // ExportState()'s document as text; `keep`: each version's part from its StateTextCache.
  void WriteStateText(std::string* out, bool keep) const;
  void MaybeRotate() { MaybeRotate(clock_->Now()); }
  void MaybeRotate(int64_t now) {
    if (now >= next_rotation_due_.load(std::memory_order_relaxed)) ApplyDueRotations();
  }
  arm::RbacEngine* rbac_;
  AuditLog* audit_ = nullptr;
  const Clock* clock_;
  mutable std::shared_mutex mu_;
  std::map<std::string, VaultKeys> vaults_;  // key: vault instance id
};

}  // namespace crosskey::keyvault
