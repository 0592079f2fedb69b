// Key backup and restore: every version (with its private material) sealed with AES-256-GCM
// under the emulator's backup key, so a blob is opaque outside an emulator holding that key.
#include <mutex>

#include "emulator/common/bounded_json.h"
#include "emulator/common/text.h"
#include "emulator/crypto/encoding.h"
#include "emulator/keyvault/errors.h"
#include "emulator/keyvault/key_vault_service.h"

namespace crosskey::keyvault {
namespace {
using nlohmann::json;
constexpr const char* kMagic = "CKB1";
constexpr const char* kAad = "crosskey-key-backup-v1";
}  // namespace

StatusOr<std::string> KeyVaultService::BackupKeyUnaudited(const std::string& vault_name, const KvCaller& caller,
                                                 const std::string& name) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_RETURN_IF_ERROR(Authorize(*vault, caller, "backup", "", name));
  json doc;
  {
    std::shared_lock lock(mu_);
    auto v = vaults_.find(vault->instance_id);
    if (v == vaults_.end()) return errors::KeyNotFound(name);
    auto k = v->second.keys.find(ToLower(name));
    if (k == v->second.keys.end() || k->second.deleted || k->second.versions.empty()) return errors::KeyNotFound(name);
    doc["name"] = k->second.versions.front()->name;
    doc["policy"] = k->second.rotation_policy;
    for (const auto& ver : k->second.versions) {
      const auto& a = ver->attributes;
      doc["versions"].push_back({{"version", ver->version}, {"kty", ver->kty}, {"key_ops", ver->key_ops},
                                 {"tags", ver->tags}, {"jwk", ver->material->PrivateJwk()},
                                 {"attributes", {{"enabled", a.enabled}, {"nbf", a.not_before}, {"exp", a.expires},
                                                 {"created", a.created}, {"updated", a.updated},
                                                 {"exportable", a.exportable}}}});
    }
  }
  std::string error;
  auto sealer = crypto::KeyMaterial::FromOctBytes(backup_key_);
  crypto::SymmetricParams params;
  params.aad = kAad;
  auto sealed = sealer->Encrypt("A256GCM", doc.dump(), params, &error);
  if (!sealed) return errors::BadParameter("backup sealing failed: " + error);
  return crypto::Base64UrlEncode(std::string(kMagic) + sealed->iv + sealed->tag + sealed->value);
}

StatusOr<KeyVersionSnapshot> KeyVaultService::RestoreKeyUnaudited(const std::string& vault_name, const KvCaller& caller,
                                                         const std::string& blob) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  auto raw = crypto::Base64UrlDecode(blob);
  if (!raw || raw->size() < 4 + 12 + 16 || raw->compare(0, 4, kMagic) != 0) {
    return errors::InvalidBackup("not a crosskey key backup");
  }
  crypto::SymmetricParams params;
  params.aad = kAad;
  params.iv = raw->substr(4, 12);
  params.tag = raw->substr(16, 16);
  std::string error;
  auto plain = crypto::KeyMaterial::FromOctBytes(backup_key_)->Decrypt("A256GCM", raw->substr(32), params, &error);
  if (!plain) return errors::InvalidBackup("integrity check failed (made by another emulator, or altered)");
  std::string parse_error;
  auto parsed = ParseBoundedJson(*plain, &parse_error, kDocumentLimits);
  if (!parsed || !parsed->contains("versions")) return errors::InvalidBackup("unreadable content");
  json doc = std::move(*parsed);
  std::string name = doc.value("name", "");
  CK_RETURN_IF_ERROR(Authorize(*vault, caller, "restore", "", name));
  std::vector<KeyVersionSnapshot> versions;
  for (const auto& v : doc["versions"]) {
    auto kv = std::make_shared<KeyVersion>();
    kv->vault = vault->name;
    kv->name = name;
    kv->version = v.value("version", "");
    kv->kty = v.value("kty", "");
    kv->key_ops = v.value("key_ops", std::vector<std::string>{});
    kv->tags = v.value("tags", json::object());
    const json& a = v["attributes"];
    kv->attributes = {a.value("enabled", true), a.value("nbf", int64_t{0}), a.value("exp", int64_t{0}),
                      a.value("created", int64_t{0}), a.value("updated", int64_t{0}), a.value("exportable", false)};
    kv->material = crypto::KeyMaterial::FromJwk(v["jwk"], &error);
    if (!kv->material) return errors::InvalidBackup(error);
    versions.push_back(kv);
  }
  if (versions.empty()) return errors::InvalidBackup("no versions");
  std::unique_lock lock(mu_);
  auto& keys = vaults_[vault->instance_id].keys;
  auto existing = keys.find(ToLower(name));
  if (existing != keys.end()) {
    return existing->second.deleted ? errors::KeyInDeletedState(name) : errors::KeyAlreadyExists(name);
  }
  KeyRecord record;
  record.versions = versions;
  record.rotation_policy = doc.value("policy", json());
  keys[ToLower(name)] = record;
  return versions.back();
}

}  // namespace crosskey::keyvault
