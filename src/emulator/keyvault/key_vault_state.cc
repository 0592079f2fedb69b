// Key Vault state export/import: every key version with its material, for snapshots and
// persistence. Private material leaves the process only through these documents.
#include <mutex>

#include "emulator/common/text.h"
#include "emulator/crypto/encoding.h"
#include "emulator/keyvault/errors.h"
#include "emulator/keyvault/key_vault_service.h"

namespace crosskey::keyvault {
namespace {
using nlohmann::json;

// Built member by member: a braced list would copy every nested value (nlohmann copies out of an
// initializer_list), and the durable store exports the whole state after every change.
json VersionJson(const KeyVersion& v) {
  const auto& a = v.attributes;
  json out = json::object();
  out["vault"] = v.vault;
  out["name"] = v.name;
  out["version"] = v.version;
  out["kty"] = v.kty;
  out["keyOps"] = v.key_ops;
  out["tags"] = v.tags;
  out["jwk"] = v.material->PrivateJwk();
  out["attributes"] = {{"enabled", a.enabled}, {"nbf", a.not_before}, {"exp", a.expires}, {"created", a.created},
                       {"updated", a.updated}, {"exportable", a.exportable}};
  return out;
}

StatusOr<KeyVersionSnapshot> VersionFrom(const json& j) {
  auto v = std::make_shared<KeyVersion>();
  v->vault = j.at("vault");
  v->name = j.at("name");
  v->version = j.at("version");
  v->kty = j.at("kty");
  v->key_ops = j.at("keyOps").get<std::vector<std::string>>();
  v->tags = j.at("tags");
  const json& a = j.at("attributes");
  v->attributes = {a.at("enabled"), a.at("nbf"), a.at("exp"), a.at("created"), a.at("updated"), a.at("exportable")};
  std::string error;
  v->material = crypto::KeyMaterial::FromJwk(j.at("jwk"), &error);
  if (!v->material) return errors::BadParameter("state: unreadable key material: " + error);
  return KeyVersionSnapshot(v);
}
}  // namespace

// The document is written in one place, as text (WriteStateText); the JSON value is read back
// from it. Snapshots and GET /_emulator/state ask for it, not the hot path; the durable store
// takes the text (AppendStateText) with each version's part kept.
json KeyVaultService::ExportState() const {
  std::string text;
  WriteStateText(&text, false);
  return json::parse(text);
}

void KeyVaultService::AppendStateText(std::string* out) const { WriteStateText(out, true); }

// Members in nlohmann's (sorted) order. With `keep`, each version's object comes from its
// StateTextCache (made once); without, it is made afresh, so state_text_test.cc's comparison of
// the two catches a kept text that went stale.
void KeyVaultService::WriteStateText(std::string* out, bool keep) const {
  std::shared_lock lock(mu_);
  *out += "{\"backupKey\":";
  *out += json(crypto::Base64UrlEncode(backup_key_)).dump();
  *out += ",\"vaults\":[";
  bool first_vault = true;
  for (const auto& [instance, vault] : vaults_) {
    if (!first_vault) *out += ',';
    first_vault = false;
    *out += "{\"instanceId\":";
    *out += json(instance).dump();
    *out += ",\"keys\":[";
    bool first_key = true;
    for (const auto& [_, record] : vault.keys) {
      if (!first_key) *out += ',';
      first_key = false;
      *out += '{';
      if (record.deleted) {
        *out += "\"deleted\":";
        *out += json({{"date", record.deleted->deleted_date}, {"purge", record.deleted->scheduled_purge_date}}).dump();
        *out += ',';
      }
      *out += "\"policyUpdated\":";
      *out += std::to_string(record.policy_updated);
      *out += ",\"rotationPolicy\":";
      *out += record.rotation_policy.dump();
      *out += ",\"versions\":[";
      for (size_t i = 0; i < record.versions.size(); ++i) {
        const KeyVersion& v = *record.versions[i];
        if (i) *out += ',';
        *out += keep ? v.state_text.Get([&v] { return VersionJson(v).dump(); }) : VersionJson(v).dump();
      }
      *out += "]}";
    }
    *out += "]}";
  }
  *out += "]}";
}

Status KeyVaultService::ImportState(const json& state) {
  try {
    std::map<std::string, VaultKeys> loaded;
    for (const auto& v : state.at("vaults")) {
      VaultKeys vault;
      for (const auto& k : v.at("keys")) {
        KeyRecord record;
        for (const auto& ver : k.at("versions")) {
          CK_ASSIGN_OR_RETURN(auto snapshot, VersionFrom(ver));
          record.versions.push_back(snapshot);
        }
        if (record.versions.empty()) continue;
        record.rotation_policy = k.at("rotationPolicy");
        record.policy_updated = k.at("policyUpdated");
        if (k.contains("deleted")) {
          record.deleted = DeletedKeyInfo{record.versions.back(), k["deleted"].at("date"), k["deleted"].at("purge")};
        }
        vault.keys[ToLower(record.versions.front()->name)] = record;
      }
      loaded[v.at("instanceId")] = std::move(vault);
    }
    auto backup = crypto::Base64UrlDecode(state.at("backupKey").get<std::string>());
    if (!backup || backup->size() != 32) return errors::BadParameter("state: unreadable backup key");
    {
      std::unique_lock lock(mu_);
      vaults_ = std::move(loaded);
      backup_key_ = *backup;
    }
    next_rotation_due_.store(INT64_MIN);  // recompute on the next access
    return Status::Ok();
  } catch (const std::exception& e) {
    return errors::BadParameter(std::string("state: unreadable keys: ") + e.what());
  }
}

void KeyVaultService::ForgetVault(const std::string& instance_id) {
  std::unique_lock lock(mu_);
  vaults_.erase(instance_id);
}

}  // namespace crosskey::keyvault
