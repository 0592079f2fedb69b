#include "emulator/keyvault/key_vault_service.h"

#include <algorithm>
#include <mutex>

#include "emulator/common/tag_rules.h"
#include "emulator/common/text.h"
#include "emulator/keyvault/errors.h"

namespace crosskey::keyvault {
namespace {

struct OpInfo {
  const char* op;
  const char* data_action;  // RBAC data action
  const char* permission;   // access-policy key permission
};

// Data actions as the built-in Key Vault roles name them; access-policy permissions as the
// ARM accessPolicies schema names them.
constexpr OpInfo kOps[] = {
    {"create", "Microsoft.KeyVault/vaults/keys/create/action", "create"},
    {"import", "Microsoft.KeyVault/vaults/keys/import/action", "import"},
    {"get", "Microsoft.KeyVault/vaults/keys/read", "get"},
    {"list", "Microsoft.KeyVault/vaults/keys/read", "list"},
    {"update", "Microsoft.KeyVault/vaults/keys/update/action", "update"},
    {"delete", "Microsoft.KeyVault/vaults/keys/delete", "delete"},
    // Azure's operation list has no separate deleted-key read action: keys/read covers it.
    {"getdeleted", "Microsoft.KeyVault/vaults/keys/read", "get"},
    {"listdeleted", "Microsoft.KeyVault/vaults/keys/read", "list"},
    {"recover", "Microsoft.KeyVault/vaults/keys/recover/action", "recover"},
    {"purge", "Microsoft.KeyVault/vaults/keys/purge/action", "purge"},
    {"wrapKey", "Microsoft.KeyVault/vaults/keys/wrap/action", "wrapKey"},
    {"unwrapKey", "Microsoft.KeyVault/vaults/keys/unwrap/action", "unwrapKey"},
    {"encrypt", "Microsoft.KeyVault/vaults/keys/encrypt/action", "encrypt"},
    {"decrypt", "Microsoft.KeyVault/vaults/keys/decrypt/action", "decrypt"},
    {"sign", "Microsoft.KeyVault/vaults/keys/sign/action", "sign"},
    {"verify", "Microsoft.KeyVault/vaults/keys/verify/action", "verify"},
    {"rotate", "Microsoft.KeyVault/vaults/keys/rotate/action", "rotate"},
    {"backup", "Microsoft.KeyVault/vaults/keys/backup/action", "backup"},
    {"restore", "Microsoft.KeyVault/vaults/keys/restore/action", "restore"},
    {"getrotationpolicy", "Microsoft.KeyVault/vaults/keyrotationpolicies/read", "getrotationpolicy"},
    {"setrotationpolicy", "Microsoft.KeyVault/vaults/keyrotationpolicies/write", "setrotationpolicy"},
};

const OpInfo& Op(const std::string& op) {
  for (const auto& o : kOps) {
    if (op == o.op) return o;
  }
  return kOps[2];
}

bool IsCryptoOp(const std::string& op) {
  return op == "wrapKey" || op == "unwrapKey" || op == "encrypt" || op == "decrypt" || op == "sign" || op == "verify";
}
// Key Vault documents exp as the time after which a key must not be used to protect NEW
// data: encrypt, wrapKey and sign are refused; decrypt, unwrapKey and verify keep working.
bool ProtectsNewData(const std::string& op) { return op == "wrapKey" || op == "encrypt" || op == "sign"; }

std::vector<std::string> DefaultKeyOps(crypto::KeyType type) {
  switch (type) {
    case crypto::KeyType::kRsa:
      return {"encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"};
    case crypto::KeyType::kEc:
      return {"sign", "verify"};
    case crypto::KeyType::kOct:
      return {"encrypt", "decrypt", "wrapKey", "unwrapKey"};
  }
  return {};
}

Status ValidateKeyOps(const std::vector<std::string>& ops) {
  static const char* kKnown[] = {"encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey", "import", "export"};
  for (const auto& op : ops) {
    if (std::none_of(std::begin(kKnown), std::end(kKnown), [&](const char* k) { return op == k; })) {
      return errors::BadParameter("Invalid key_ops value '" + op + "'.");
    }
  }
  return Status::Ok();
}

std::string CallerText(const KvCaller& c) {
  return "appid=" + c.app_id + ";oid=" + c.object_id + ";iss=" + c.issuer;
}

std::string BaseKty(const std::string& kty) {
  auto dash = kty.find("-HSM");
  return dash == std::string::npos ? kty : kty.substr(0, dash);
}
}  // namespace

std::string KeyVaultService::RecoveryLevel(const arm::VaultInfo& vault) {
  if (!vault.soft_delete) return "Purgeable";
  return vault.purge_protection ? "Recoverable" : "Recoverable+Purgeable";
}

StatusOr<std::shared_ptr<const arm::VaultInfo>> KeyVaultService::Vault(const std::string& vault) const {
  auto info = arm_->FindVault(vault);
  if (!info) return errors::VaultNotFound(vault);
  return info;
}

Status KeyVaultService::Authorize(const arm::VaultInfo& vault, const KvCaller& caller, const std::string& op,
                                  const std::string& /*unused*/, const std::string& key_name) const {
  if (caller.system()) {
    caller.authorized_by = "emulator";
    return Status::Ok();
  }
  const OpInfo& info = Op(op);
  std::string_view action = info.data_action;
  if (vault.rbac) {
    // RBAC scope matching folds case itself; only the error message shows the lower-cased form.
    std::string resource = key_name.empty() ? vault.id : vault.id + "/keys/" + key_name;
    auto decision = rbac_->Decide(caller.object_id, action, resource, true);
    if (decision.allowed) {
      caller.authorized_by = decision.assignment_id;
      return Status::Ok();
    }
    return errors::ForbiddenByRbac(CallerText(caller), std::string(action), ToLower(resource), vault.name, vault.location);
  }
  for (const auto& policy : vault.access_policies) {
    if (!policy.is_object()) continue;
    if (!EqualsIgnoreCase(policy.value("objectId", ""), caller.object_id)) continue;
    if (!EqualsIgnoreCase(policy.value("tenantId", vault.tenant_id), vault.tenant_id)) continue;
    auto keys = policy.value("/permissions/keys"_json_pointer, nlohmann::json::array());
    for (const auto& p : keys) {
      if (p.is_string() && (EqualsIgnoreCase(p.get<std::string>(), info.permission) ||
                            EqualsIgnoreCase(p.get<std::string>(), "all"))) {
        caller.authorized_by = "accessPolicy:" + ToLower(caller.object_id);
        return Status::Ok();
      }
    }
  }
  return errors::ForbiddenByPolicy(info.permission, CallerText(caller), vault.name, vault.location);
}

StatusOr<KeyVersionSnapshot> KeyVaultService::KeyGate(const arm::VaultInfo& vault, const KvCaller& caller,
                                                      const std::string& name, const std::string& version,
                                                      const std::string& op) const {
  // Authorization comes first, as in Azure: a caller without access learns nothing about
  // which keys exist.
  CK_RETURN_IF_ERROR(Authorize(vault, caller, op, "", name));
  int64_t now = clock_->Now();
  const_cast<KeyVaultService*>(this)->MaybeRotate(now);
  KeyVersionSnapshot key;
  {
    std::shared_lock lock(mu_);
    auto v = vaults_.find(vault.instance_id);
    if (v == vaults_.end()) return errors::KeyNotFound(name);
    auto k = v->second.keys.find(ToLower(name));
    if (k == v->second.keys.end() || k->second.deleted || k->second.versions.empty()) return errors::KeyNotFound(name);
    if (version.empty()) {
      key = k->second.versions.back();
    } else {
      for (const auto& kv : k->second.versions) {
        if (EqualsIgnoreCase(kv->version, version)) key = kv;
      }
      if (!key) return errors::KeyNotFound(name + "/" + version);
    }
  }
  CK_RETURN_IF_ERROR(
      throttle.Admit(vault.instance_id, VaultThrottle::Cost(key.get(), key->kty, key->material->bits(), false)));
  if (!IsCryptoOp(op)) return key;
  if (!key->attributes.enabled) return errors::KeyDisabled(op);
  // Outside the nbf/exp window only the operations that protect new data are refused: decrypt,
  // unwrapKey and verify keep working (learn.microsoft.com/azure/key-vault/keys/about-keys-details,
  // "Date-time controlled operations").
  if (ProtectsNewData(op)) {
    if (key->attributes.not_before && now < key->attributes.not_before) return errors::KeyNotYetValid(op);
    if (key->attributes.expires && now >= key->attributes.expires) return errors::KeyExpired(op);
  }
  if (std::find(key->key_ops.begin(), key->key_ops.end(), op) == key->key_ops.end()) {
    return errors::KeyOperationForbidden(op);
  }
  return key;
}

StatusOr<KeyVersionSnapshot> KeyVaultService::AddVersion(const arm::VaultInfo& vault, const std::string& name,
                                                         std::shared_ptr<KeyVersion> version) {
  std::unique_lock lock(mu_);
  auto& record = vaults_[vault.instance_id].keys[ToLower(name)];
  if (record.deleted) return errors::KeyInDeletedState(name);
  if (!record.versions.empty()) version->name = record.versions.front()->name;  // keep the first spelling
  KeyVersionSnapshot snapshot = std::move(version);
  record.versions.push_back(snapshot);
  return snapshot;
}

namespace {
// Key Vault object names: ^[0-9a-zA-Z-]{1,127}$ (learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates,
// "Object identifiers").
Status CheckKeyName(const std::string& name) {
  bool valid = !name.empty() && name.size() <= 127 &&
               std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
  if (!valid) return errors::BadParameter("The request URI contains an invalid name: " + name);
  return Status::Ok();
}
// Tags: an object of at most 15 string values of at most 256 characters, names of at most 512
// (learn.microsoft.com/azure/key-vault/general/service-limits).
Status CheckTags(const nlohmann::json& tags) {
  std::string problem = TagProblem(tags, {15, 512, 256});
  if (!problem.empty()) return errors::BadParameter("The key's tags are not valid: " + problem + ".");
  return Status::Ok();
}
}  // namespace

StatusOr<KeyVersionSnapshot> KeyVaultService::CreateKeyUnaudited(const std::string& vault_name, const KvCaller& caller,
                                                        const std::string& name, const CreateKeyParams& params) {
  CK_RETURN_IF_ERROR(CheckKeyName(name));
  if (!params.tags.is_null()) CK_RETURN_IF_ERROR(CheckTags(params.tags));
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_RETURN_IF_ERROR(Authorize(*vault, caller, "create", "", name));
  CK_RETURN_IF_ERROR(throttle.Admit(vault->instance_id, VaultThrottle::Cost(nullptr, params.kty, 0, true)));
  std::string base = BaseKty(params.kty);
  if (params.kty != base && params.kty != base + "-HSM") return errors::BadParameter("Invalid kty '" + params.kty + "'.");
  std::shared_ptr<const crypto::KeyMaterial> material;
  if (base == "RSA") {
    int size = params.key_size ? params.key_size : 2048;
    if (size != 2048 && size != 3072 && size != 4096) {
      return errors::BadParameter("The key size " + std::to_string(size) + " is not supported; use 2048, 3072 or 4096.");
    }
    if (params.public_exponent < 3 || params.public_exponent % 2 == 0) {
      return errors::BadParameter("Invalid public_exponent.");
    }
    material = crypto::KeyMaterial::GenerateRsa(size, params.public_exponent);
  } else if (base == "EC") {
    std::string crv = params.crv.empty() ? "P-256" : params.crv;
    material = crypto::KeyMaterial::GenerateEc(crv);
    if (!material) return errors::BadParameter("The curve '" + crv + "' is not supported.");
  } else if (base == "oct") {
    int size = params.key_size ? params.key_size : 256;
    material = crypto::KeyMaterial::GenerateOct(size);
    if (!material) return errors::BadParameter("The key size " + std::to_string(size) + " is not supported for oct keys.");
  } else {
    return errors::BadParameter("Invalid kty '" + params.kty + "'.");
  }
  if (!material) return errors::BadParameter("Key generation failed for the given parameters.");
  CK_RETURN_IF_ERROR(ValidateKeyOps(params.key_ops));
  auto v = std::make_shared<KeyVersion>();
  v->vault = vault->name;
  v->name = name;
  v->version = RandomHex(16);
  v->kty = params.kty;
  v->key_ops = params.key_ops.empty() ? DefaultKeyOps(material->type()) : params.key_ops;
  v->attributes = params.attributes;
  if (!params.has_enabled) v->attributes.enabled = true;
  v->attributes.created = v->attributes.updated = clock_->Now();
  v->tags = params.tags;
  v->material = material;
  return AddVersion(*vault, name, v);
}

StatusOr<KeyVersionSnapshot> KeyVaultService::ImportKeyUnaudited(const std::string& vault_name, const KvCaller& caller,
                                                        const std::string& name, const nlohmann::json& jwk,
                                                        const KeyAttributes& attributes, bool has_enabled,
                                                        const nlohmann::json& tags) {
  CK_RETURN_IF_ERROR(CheckKeyName(name));
  if (!tags.is_null()) CK_RETURN_IF_ERROR(CheckTags(tags));
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_RETURN_IF_ERROR(Authorize(*vault, caller, "import", "", name));
  std::string error;
  auto material = crypto::KeyMaterial::FromJwk(jwk, &error);
  if (!material) return errors::BadParameter("The key is not a valid JWK: " + error);
  if (!material->has_private()) return errors::BadParameter("An imported key must contain its private part.");
  std::vector<std::string> ops;
  if (jwk.contains("key_ops") && jwk["key_ops"].is_array()) {
    for (const auto& o : jwk["key_ops"]) {
      if (o.is_string()) ops.push_back(o.get<std::string>());
    }
  }
  CK_RETURN_IF_ERROR(ValidateKeyOps(ops));
  auto v = std::make_shared<KeyVersion>();
  v->vault = vault->name;
  v->name = name;
  v->version = RandomHex(16);
  v->kty = jwk.value("kty", "");
  v->key_ops = ops.empty() ? DefaultKeyOps(material->type()) : ops;
  v->attributes = attributes;
  if (!has_enabled) v->attributes.enabled = true;
  v->attributes.created = v->attributes.updated = clock_->Now();
  v->tags = tags;
  v->material = material;
  return AddVersion(*vault, name, v);
}

StatusOr<KeyVersionSnapshot> KeyVaultService::GetKeyUnaudited(const std::string& vault_name, const KvCaller& caller,
                                                     const std::string& name, const std::string& version) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  return KeyGate(*vault, caller, name, version, "get");
}

StatusOr<std::vector<KeyVersionSnapshot>> KeyVaultService::ListKeysUnaudited(const std::string& vault_name,
                                                                    const KvCaller& caller) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_RETURN_IF_ERROR(Authorize(*vault, caller, "list", "", ""));
  CK_RETURN_IF_ERROR(throttle.Admit(vault->instance_id, VaultThrottle::Cost(nullptr, "", 0, false)));
  MaybeRotate();
  std::shared_lock lock(mu_);
  std::vector<KeyVersionSnapshot> out;
  auto v = vaults_.find(vault->instance_id);
  if (v == vaults_.end()) return out;
  for (const auto& [_, record] : v->second.keys) {
    if (!record.deleted && !record.versions.empty()) out.push_back(record.versions.back());
  }
  return out;
}

StatusOr<std::vector<KeyVersionSnapshot>> KeyVaultService::ListVersionsUnaudited(const std::string& vault_name,
                                                                        const KvCaller& caller,
                                                                        const std::string& name) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_RETURN_IF_ERROR(Authorize(*vault, caller, "list", "", name));
  MaybeRotate();
  std::shared_lock lock(mu_);
  auto v = vaults_.find(vault->instance_id);
  if (v == vaults_.end()) return errors::KeyNotFound(name);
  auto k = v->second.keys.find(ToLower(name));
  if (k == v->second.keys.end() || k->second.deleted) return errors::KeyNotFound(name);
  return k->second.versions;
}

StatusOr<KeyVersionSnapshot> KeyVaultService::UpdateKeyUnaudited(const std::string& vault_name, const KvCaller& caller,
                                                        const std::string& name, const std::string& version,
                                                        const KeyUpdate& update) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_RETURN_IF_ERROR(Authorize(*vault, caller, "update", "", name));
  if (update.key_ops) CK_RETURN_IF_ERROR(ValidateKeyOps(*update.key_ops));
  if (update.tags) CK_RETURN_IF_ERROR(CheckTags(*update.tags));
  std::unique_lock lock(mu_);
  auto v = vaults_.find(vault->instance_id);
  if (v == vaults_.end()) return errors::KeyNotFound(name);
  auto k = v->second.keys.find(ToLower(name));
  if (k == v->second.keys.end() || k->second.deleted || k->second.versions.empty()) return errors::KeyNotFound(name);
  for (auto& slot : k->second.versions) {
    if (!version.empty() && !EqualsIgnoreCase(slot->version, version)) continue;
    if (version.empty() && slot != k->second.versions.back()) continue;
    auto next = std::make_shared<KeyVersion>(*slot);
    if (update.enabled) next->attributes.enabled = *update.enabled;
    if (update.not_before) next->attributes.not_before = *update.not_before;
    if (update.expires) next->attributes.expires = *update.expires;
    if (update.key_ops) next->key_ops = *update.key_ops;
    if (update.tags) next->tags = *update.tags;
    next->attributes.updated = clock_->Now();
    slot = next;  // readers holding the old snapshot finish with it; new requests see this one
    return slot;
  }
  return errors::KeyNotFound(name + "/" + version);
}

StatusOr<DeletedKeyInfo> KeyVaultService::DeleteKeyUnaudited(const std::string& vault_name, const KvCaller& caller,
                                                    const std::string& name) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_RETURN_IF_ERROR(Authorize(*vault, caller, "delete", "", name));
  std::unique_lock lock(mu_);
  auto v = vaults_.find(vault->instance_id);
  if (v == vaults_.end()) return errors::KeyNotFound(name);
  auto k = v->second.keys.find(ToLower(name));
  if (k == v->second.keys.end() || k->second.deleted || k->second.versions.empty()) return errors::KeyNotFound(name);
  DeletedKeyInfo info;
  info.latest = k->second.versions.back();
  info.deleted_date = clock_->Now();
  info.scheduled_purge_date = info.deleted_date + int64_t{vault->retention_days} * 86400;
  if (vault->soft_delete) {
    k->second.deleted = info;
  } else {
    v->second.keys.erase(k);
  }
  return info;
}

StatusOr<DeletedKeyInfo> KeyVaultService::GetDeletedKeyUnaudited(const std::string& vault_name, const KvCaller& caller,
                                                        const std::string& name) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_RETURN_IF_ERROR(Authorize(*vault, caller, "getdeleted", "", name));
  std::shared_lock lock(mu_);
  auto v = vaults_.find(vault->instance_id);
  if (v != vaults_.end()) {
    auto k = v->second.keys.find(ToLower(name));
    if (k != v->second.keys.end() && k->second.deleted) return *k->second.deleted;
  }
  return errors::DeletedKeyNotFound(name);
}

StatusOr<std::vector<DeletedKeyInfo>> KeyVaultService::ListDeletedKeysUnaudited(const std::string& vault_name,
                                                                       const KvCaller& caller) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_RETURN_IF_ERROR(Authorize(*vault, caller, "listdeleted", "", ""));
  std::shared_lock lock(mu_);
  std::vector<DeletedKeyInfo> out;
  auto v = vaults_.find(vault->instance_id);
  if (v == vaults_.end()) return out;
  for (const auto& [_, record] : v->second.keys) {
    if (record.deleted) out.push_back(*record.deleted);
  }
  return out;
}

StatusOr<KeyVersionSnapshot> KeyVaultService::RecoverDeletedKeyUnaudited(const std::string& vault_name, const KvCaller& caller,
                                                                const std::string& name) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_RETURN_IF_ERROR(Authorize(*vault, caller, "recover", "", name));
  std::unique_lock lock(mu_);
  auto v = vaults_.find(vault->instance_id);
  if (v != vaults_.end()) {
    auto k = v->second.keys.find(ToLower(name));
    if (k != v->second.keys.end() && k->second.deleted) {
      k->second.deleted.reset();
      return k->second.versions.back();
    }
  }
  return errors::DeletedKeyNotFound(name);
}

Status KeyVaultService::PurgeDeletedKeyUnaudited(const std::string& vault_name, const KvCaller& caller,
                                        const std::string& name) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_RETURN_IF_ERROR(Authorize(*vault, caller, "purge", "", name));
  std::unique_lock lock(mu_);
  auto v = vaults_.find(vault->instance_id);
  if (v != vaults_.end()) {
    auto k = v->second.keys.find(ToLower(name));
    if (k != v->second.keys.end() && k->second.deleted) {
      if (vault->purge_protection && clock_->Now() < k->second.deleted->scheduled_purge_date) {
        return errors::PurgeProtected(vault->name, vault->location);
      }
      v->second.keys.erase(k);
      return Status::Ok();
    }
  }
  return errors::DeletedKeyNotFound(name);
}

StatusOr<CryptoResult> KeyVaultService::CryptUnaudited(const std::string& vault_name, const KvCaller& caller,
                                              const std::string& name, const std::string& version,
                                              const std::string& op, const std::string& alg, const std::string& value,
                                              const crypto::SymmetricParams& params) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_ASSIGN_OR_RETURN(auto key, KeyGate(*vault, caller, name, version, op));
  // Crypto on the immutable snapshot, outside every lock.
  std::string error;
  CryptoResult result{key, {}};
  if (op == "wrapKey" || op == "unwrapKey") {
    auto out = op == "wrapKey" ? key->material->WrapKey(alg, value, &error) : key->material->UnwrapKey(alg, value, &error);
    if (!out) return errors::BadParameter(error);
    result.output.value = std::move(*out);
  } else if (op == "encrypt") {
    auto out = key->material->Encrypt(alg, value, params, &error);
    if (!out) return errors::BadParameter(error);
    result.output = std::move(*out);
  } else {
    auto out = key->material->Decrypt(alg, value, params, &error);
    if (!out) return errors::BadParameter(error);
    result.output.value = std::move(*out);
  }
  return result;
}

StatusOr<CryptoResult> KeyVaultService::SignUnaudited(const std::string& vault_name, const KvCaller& caller,
                                             const std::string& name, const std::string& version,
                                             const std::string& alg, const std::string& digest) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_ASSIGN_OR_RETURN(auto key, KeyGate(*vault, caller, name, version, "sign"));
  std::string error;
  auto out = key->material->SignDigest(alg, digest, &error);
  if (!out) return errors::BadParameter(error);
  return CryptoResult{key, {*out, "", ""}};
}

StatusOr<std::pair<KeyVersionSnapshot, bool>> KeyVaultService::VerifyUnaudited(const std::string& vault_name,
                                                                      const KvCaller& caller, const std::string& name,
                                                                      const std::string& version,
                                                                      const std::string& alg,
                                                                      const std::string& digest,
                                                                      const std::string& signature) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_ASSIGN_OR_RETURN(auto key, KeyGate(*vault, caller, name, version, "verify"));
  std::string error;
  auto out = key->material->VerifyDigest(alg, digest, signature, &error);
  if (!out) return errors::BadParameter(error);
  return std::make_pair(key, *out);
}

}  // namespace crosskey::keyvault
