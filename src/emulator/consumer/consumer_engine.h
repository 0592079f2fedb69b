#pragma once
// The emulated platform services of phase 3 (Storage accounts, Cosmos DB accounts, disk
// encryption sets + disks, SQL servers + databases) that encrypt a provider-tenant resource
// with a key in the customer's tenant. Each one reaches the key through the same core paths a
// real client uses: a managed-identity token for its UAMI (audience api://AzureADTokenExchange),
// exchanged at the key's tenant for the federated client id, validated like any bearer, then
// GetKey / wrapKey / unwrapKey through the Key Vault gate (RBAC, key state). The exchanged token
// is cached until it expires on the emulator clock, as Azure services do, so revoking the SP,
// the FIC or the UAMI bites only after that.
//
// Health is re-evaluated lazily on the emulator clock: on ARM GET, on data access and on the
// control calls, a check (unwrap the wrapped DEK; versionless configurations pick up the latest
// key version and re-wrap) runs when now >= last check + the kind's interval. A failing check
// makes the resource inaccessible; the first passing check afterwards makes it healthy again.
// Data is held AES-256-GCM encrypted under the DEK.
// Thread-safety: every public method is safe to call concurrently (one mutex; the services it
// calls lock themselves and never call back into the engine).
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/arm/resource_manager.h"
#include "emulator/common/audit_log.h"
#include "emulator/common/clock.h"
#include "emulator/common/status.h"
#include "emulator/consumer/blob_container.h"
#include "emulator/keyvault/key_vault_service.h"
#include "emulator/token/token_service.h"
#include "emulator/token/token_validator.h"

namespace crosskey::consumer {

using Json = nlohmann::json;

enum class Kind { kStorage, kCosmos, kDiskEncryptionSet, kDisk, kSqlServer, kSqlDatabase, kSqlProtector, kSqlKey };

// How often each kind re-validates its key (seconds on the emulator clock).
struct KindSettings {
  int64_t check_interval = 3600;  // unwrap the DEK with the current access
  int64_t version_interval = 0;   // versionless: pick up a new key version (0: at every check)
  // Inaccessible longer than this, a resource no longer heals by itself once its key is back: it
  // needs a revalidation (SQL: 1800 s, "Inaccessible TDE protector"). 0: always heals.
  int64_t heal_window = 0;
};

// A key reference parsed from https://{vault}.vault.{domain}[:port]/keys/{name}[/{version}].
struct KeyRef {
  std::string vault;
  std::string name;
  std::string version;  // empty: versionless (follow the latest)
};
// nullopt when `url` is not a key URL of this emulator's shape.
std::optional<KeyRef> ParseKeyUrl(const std::string& url);
// `stored` with an ARM PATCH body merged in as the consumer providers merge it (consumer_patch.cc).
Json MergeResourcePatch(const Json& stored, const Json& patch);

class ConsumerEngine : public arm::ResourceExtension {
 public:
  ConsumerEngine(const Clock* clock, const token::TokenService* tokens, const token::TokenValidator* validator,
                 arm::ResourceManager* resources, keyvault::KeyVaultService* keyvault, AuditLog* audit,
                 std::string domain, std::function<int()> https_port);

  // arm::ResourceExtension. Errors: the per-service factories in consumer/errors.h.
  bool Serves(const std::string& type) const override;
  StatusOr<arm::PutResult> Put(const arm::ParsedId& id, const Json& body) override;
  // PATCH (consumer_patch.cc): the stored resource with `patch` merged in, then applied as a PUT
  // (the key chain is checked again, the DEK re-wrapped under the new configuration).
  StatusOr<Json> Patch(const arm::ParsedId& id, const Json& patch) override;
  // POST {id}/{action}: the SQL protector's revalidate (sql_tde.cc). Errors: NotImplemented-free:
  // the ARM layer routes only the actions Serves lists.
  StatusOr<Json> Action(const arm::ParsedId& id, const std::string& action) override;
  // Re-checks the server's key now; the TDE error (RevalidationFailed) when it still cannot be used.
  StatusOr<Json> RevalidateProtector(const arm::ParsedId& id);
  StatusOr<Json> Get(const arm::ParsedId& id) override;
  Status Delete(const arm::ParsedId& id) override;
  std::vector<Json> List(const std::string& prefix_lower, const std::string& type) override;
  void DeleteUnder(const std::string& prefix_lower) override;

  // Data plane (/_emulator/data/{kind}/{ref}): kind is storage, cosmos, disks or sql; ref a
  // resource name or ARM id. Errors: ResourceNotFound, DataItemNotFound, the service's
  // inaccessible-key error.
  Status WriteData(const std::string& kind, const std::string& ref, const std::string& item, const std::string& bytes);
  StatusOr<std::string> ReadData(const std::string& kind, const std::string& ref, const std::string& item);

  // Blob data plane (blob_store.h): the storage account named `name` (case-insensitive).
  struct StorageAccountRef {
    std::string id;  // canonical ARM id
    std::string name;
  };
  std::optional<StorageAccountRef> FindStorageAccount(const std::string& name);
  std::vector<std::string> StorageAccountNames() const;  // for /_emulator/hosts
  // Whether a Blob operation needs the account's key. Azure lists the operations that do (blob
  // content, blob metadata and properties, List Blobs with include=metadata); all others proceed
  // while the key is revoked (learn.microsoft.com/azure/storage/common/customer-managed-keys-overview,
  // "Revoke access").
  enum class BlobKeyUse { kNeedsKey, kProceedsWithoutKey };
  // Runs `fn` on the account's containers under the engine lock: a due health check runs first,
  // and for an operation that needs the key an inaccessible account answers its inaccessible-key
  // error (KeyVaultEncryptionKeyNotFound / KeyVaultAccessTokenCannotBeAcquired) without calling
  // fn; otherwise fn runs (its cipher must then not be used). fn must not call back into the
  // engine. Errors: blob ResourceNotFound, those, fn's own.
  using BlobContainersFn = std::function<Status(BlobContainers&, const DekCipher&)>;
  Status WithBlobContainers(const std::string& account_id, BlobKeyUse use, const BlobContainersFn& fn);

  // Control API: every consumer's state (evaluating due checks first; `force` runs a check now
  // on each) with the chain it depends on (`chain`: vault, key, identity, federated client id;
  // children name their `ownerId`), and the per-kind intervals.
  Json States(bool force);
  Json Settings() const;
  // {"storage": {"checkIntervalSeconds": N, "versionCheckIntervalSeconds": N}, ...}.
  // Errors: InvalidProperty.
  StatusOr<Json> UpdateSettings(const Json& body);

  // State document part (consumer_state.cc): records, data ciphertexts, wrapped DEKs, health and
  // settings; cached tokens are dropped. A customer-key DEK is never exported: ImportState
  // (called after the Key Vault, token and RBAC cores are imported) unwraps it again through the
  // platform path. Errors: InvalidState.
  Json ExportState() const;
  Status ImportState(const Json& state);

 private:
  struct Blob {
    std::string iv, tag, value;
  };
  struct Record {
    Kind kind = Kind::kStorage;
    std::string id;    // canonical
    std::string type;  // canonical type
    std::string name;
    std::string group;
    Json body;           // the resource as last PUT (normalized), without computed fields
    std::string parent;  // lower id of the DES (disks) or server (databases, protector)
    // Customer-managed key configuration.
    bool cmk = false;
    KeyRef key;
    std::string identity_id, identity_client_id, identity_principal_id, federated_client_id;
    // Runtime.
    std::string dek, wrapped_dek, key_version;
    int64_t last_rotation = 0, created = 0;
    std::string token;
    std::string token_uti;  // the cached token's uti: the correlationId of its audit records
    int64_t token_expires = 0;
    int64_t last_check = 0, last_version_check = 0;
    bool healthy = true;
    int64_t state_since = 0;
    bool revalidation_required = false;  // past the heal window: stays inaccessible until revalidated
    Error last_error;
    std::map<std::string, Blob> data;
    BlobContainers containers;  // storage accounts: the Blob data plane
  };

  static std::string KindName(Kind kind);
  const KindSettings& SettingsFor(Kind kind) const;
  Record* FindLocked(const std::string& id_lower);
  Record* FindByRefLocked(Kind kind, const std::string& ref);
  StatusOr<std::pair<Record*, Record*>> ReachableLocked(const std::string& kind, const std::string& ref);
  Record* OwnerLocked(Record* r);  // the record holding the key (itself, its DES or server)

  StatusOr<keyvault::KvCaller> CallerLocked(Record& r, int64_t now);
  // The platform's own calls in the audit log, as the planes record a client's: its sign-ins
  // (token exchange) and its Key Vault operations, tagged with the consumer's resource id.
  void AuditSignIn(const Record& r, const std::string& tenant_id, const StatusOr<token::TokenResponse>& result);
  static keyvault::KvRequestTrace TraceOf(const Record& r);
  // GetKey and Crypt through the gate, audited.
  StatusOr<keyvault::KeyVersionSnapshot> GetKeyLocked(const Record& r, const keyvault::KvCaller& caller);
  StatusOr<std::string> CryptLocked(const Record& r, const keyvault::KvCaller& caller, const std::string& version,
                                    const char* operation, const std::string& input);
  // First wrap (PUT): fresh or kept DEK, wrapped under the configured key.
  Status WrapLocked(Record& r, int64_t now);
  Status CheckLocked(Record& r, int64_t now);
  // Runs the health check when due (or `force`d). A passing check heals the resource unless it
  // has been inaccessible past its kind's heal window; `revalidate` (an operator's revalidation)
  // heals it regardless.
  void EvaluateLocked(Record& r, bool force, bool revalidate = false);
  Error InaccessibleError(const Record& data_record, const Record& owner) const;
  std::string StateName(const Record& r) const;
  Json StatusJson(const Record& r) const;
  Json RenderLocked(Record& r);
  std::string KeyUrl(const KeyRef& key, const std::string& version) const;

  StatusOr<arm::PutResult> PutLocked(const arm::ParsedId& id, const Json& body);
  static Record NewRecord(Kind kind, const char* type, const arm::ParsedId& id, const Json& body,
                          const Record* existing);
  StatusOr<arm::PutResult> PutStorage(const arm::ParsedId& id, const Json& body, Record* existing);
  StatusOr<arm::PutResult> PutCosmos(const arm::ParsedId& id, const Json& body, Record* existing);
  StatusOr<arm::PutResult> PutDes(const arm::ParsedId& id, const Json& body, Record* existing);
  StatusOr<arm::PutResult> PutDisk(const arm::ParsedId& id, const Json& body, Record* existing);
  StatusOr<arm::PutResult> PutSqlServer(const arm::ParsedId& id, const Json& body, Record* existing);
  StatusOr<arm::PutResult> PutSqlChild(const arm::ParsedId& id, const Json& body, Record* existing, Kind kind);
  // SQL TDE (sql_tde.cc): the built-in key and protector of a server, server keys, the protector.
  static std::string ServerKeyName(const KeyRef& key, const std::string& version);
  void EnsureSqlTdeLocked(const Record& server);
  Status CheckServerKeyLocked(const Record& server, const KeyRef& key);
  StatusOr<arm::PutResult> PutSqlKey(const arm::ParsedId& id, const Json& body, Record* existing);
  StatusOr<arm::PutResult> PutSqlProtector(const arm::ParsedId& id, const Json& body, Record* existing);
  void RenderSqlTde(const Record& r, const Record* server, Json& b) const;
  // Resolves the UAMI (must be listed in identity.userAssignedIdentities) into r.
  Status ResolveIdentity(Record& r, const Json& body, const std::string& identity_id);
  StatusOr<arm::PutResult> CommitLocked(Record candidate, Record* existing, Error (*refusal)(const std::string&));

  const Clock* clock_;
  const token::TokenService* tokens_;
  const token::TokenValidator* validator_;
  arm::ResourceManager* resources_;
  keyvault::KeyVaultService* keyvault_;
  AuditLog* audit_;
  std::string domain_;
  std::function<int()> https_port_;
  mutable std::mutex mu_;
  std::map<Kind, KindSettings> settings_;
  std::map<std::string, Record> records_;  // key: lower canonical id
};

}  // namespace crosskey::consumer
