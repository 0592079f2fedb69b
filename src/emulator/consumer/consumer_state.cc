// ConsumerEngine's part of the whole-cloud state document (see cloud/cloud_state.cc).
//
// What is kept: every record (ARM body as last PUT, key configuration, identity, health,
// timestamps), the data items and Blob containers (contents as AES-256-GCM ciphertexts), the
// per-kind settings, and for a customer-managed key the DEK only in its wrapped form with the
// key version it was wrapped under. On import the DEK is unwrapped again through the platform
// path (managed-identity token, exchange at the key's tenant, Key Vault unwrapKey), so the
// imported Key Vault, token and RBAC state decides whether it comes back. Cached exchanged
// tokens are not kept.
// Records without a customer key (platform-managed: Microsoft.Storage keys, SQL ServiceManaged)
// have nothing to unwrap with, so their platform DEK is kept as is.
#include "emulator/consumer/consumer_engine.h"

#include "emulator/common/text.h"
#include "emulator/consumer/errors.h"
#include "emulator/crypto/encoding.h"

namespace crosskey::consumer {
namespace {
constexpr const char* kWrapAlg = "RSA-OAEP-256";

std::string B64(const std::string& bytes) { return crypto::Base64Encode(bytes); }
std::string UnB64(const Json& j, const char* key) {
  if (!j.contains(key)) return "";
  auto out = crypto::Base64Decode(j.at(key).get<std::string>());
  if (!out) throw std::runtime_error(std::string("field '") + key + "' is not base64");
  return *out;
}

// The error a record last reported, so an imported resource stays as broken as it was.
Error LastErrorFrom(const Json& err) {
  Error e;
  e.http_status = err.value("httpStatus", 500);
  e.code = err.value("code", "");
  e.message = err.value("message", "");
  e.inner_code = err.value("innerCode", "");
  e.aadsts = err.value("aadsts", std::vector<int>{});
  return e;
}

// Everything of an exported record but its kind. A template only because ConsumerEngine::Record
// is private: ImportState instantiates it. Throws on a missing or mistyped required field.
template <typename RecordT>
Status ReadRecordFields(const Json& j, RecordT* r) {
  r->id = j.at("id").get<std::string>();
  r->type = j.at("type").get<std::string>();
  r->name = j.at("name").get<std::string>();
  r->group = j.value("group", "");
  r->body = j.at("body");
  r->parent = j.value("parent", "");
  r->cmk = j.value("cmk", false);
  const Json key = j.value("key", Json::object());
  r->key = KeyRef{key.value("vault", ""), key.value("name", ""), key.value("version", "")};
  r->identity_id = j.value("identityId", "");
  r->identity_client_id = j.value("identityClientId", "");
  r->identity_principal_id = j.value("identityPrincipalId", "");
  r->federated_client_id = j.value("federatedClientId", "");
  r->key_version = j.value("keyVersion", "");
  r->last_rotation = j.value("lastRotation", int64_t{0});
  r->created = j.value("created", int64_t{0});
  r->last_check = j.value("lastCheck", int64_t{0});
  r->last_version_check = j.value("lastVersionCheck", int64_t{0});
  r->healthy = j.value("healthy", true);
  r->state_since = j.value("stateSince", int64_t{0});
  r->revalidation_required = j.value("revalidationRequired", false);
  r->last_error = LastErrorFrom(j.value("lastError", Json::object()));
  const Json data = j.value("data", Json::object());
  for (const auto& [item, b] : data.items()) {
    r->data[item] = {UnB64(b, "iv"), UnB64(b, "tag"), UnB64(b, "value")};
  }
  r->containers = ImportContainers(j.value("containers", Json::object()));
  if (r->cmk) {
    r->wrapped_dek = UnB64(j, "wrappedDek");
    if (r->wrapped_dek.empty() || r->key_version.empty())
      return errors::InvalidState(r->id + ": customer key without wrapped DEK");
  } else {
    r->dek = UnB64(j, "platformDek");
  }
  return Status::Ok();
}
}  // namespace

Json ConsumerEngine::ExportState() const {
  std::lock_guard lock(mu_);
  Json records = Json::array();
  for (const auto& [key, r] : records_) {
    Json data = Json::object();
    for (const auto& [item, b] : r.data) data[item] = {{"iv", B64(b.iv)}, {"tag", B64(b.tag)}, {"value", B64(b.value)}};
    Json err = {{"httpStatus", r.last_error.http_status},
                {"code", r.last_error.code},
                {"message", r.last_error.message},
                {"innerCode", r.last_error.inner_code},
                {"aadsts", r.last_error.aadsts}};
    Json j = {{"kind", KindName(r.kind)},
              {"id", r.id},
              {"type", r.type},
              {"name", r.name},
              {"group", r.group},
              {"body", r.body},
              {"parent", r.parent},
              {"cmk", r.cmk},
              {"key", {{"vault", r.key.vault}, {"name", r.key.name}, {"version", r.key.version}}},
              {"identityId", r.identity_id},
              {"identityClientId", r.identity_client_id},
              {"identityPrincipalId", r.identity_principal_id},
              {"federatedClientId", r.federated_client_id},
              {"keyVersion", r.key_version},
              {"lastRotation", r.last_rotation},
              {"created", r.created},
              {"lastCheck", r.last_check},
              {"lastVersionCheck", r.last_version_check},
              {"healthy", r.healthy},
              {"stateSince", r.state_since},
              {"revalidationRequired", r.revalidation_required},
              {"lastError", err},
              {"data", data},
              {"containers", ExportContainers(r.containers)}};
    if (r.cmk) {
      j["wrappedDek"] = B64(r.wrapped_dek);
    } else if (!r.dek.empty()) {
      j["platformDek"] = B64(r.dek);  // platform-managed: no customer key to wrap it with
    }
    records.push_back(std::move(j));
  }
  Json settings = Json::object();
  for (const auto& [kind, s] : settings_) {
    settings[KindName(kind)] = {{"checkIntervalSeconds", s.check_interval},
                                {"versionCheckIntervalSeconds", s.version_interval},
                                {"autoHealWindowSeconds", s.heal_window}};
  }
  return {{"records", records}, {"settings", settings}};
}

Status ConsumerEngine::ImportState(const Json& state) {
  if (!state.is_object()) return errors::InvalidState("not an object");
  constexpr Kind kKinds[] = {Kind::kStorage,   Kind::kCosmos,      Kind::kDiskEncryptionSet, Kind::kDisk,
                             Kind::kSqlServer, Kind::kSqlDatabase, Kind::kSqlProtector,      Kind::kSqlKey};
  auto kind_of = [&](const std::string& name) -> std::optional<Kind> {
    for (Kind k : kKinds) {
      if (KindName(k) == name) return k;
    }
    return std::nullopt;
  };
  std::map<Kind, KindSettings> settings = settings_;
  std::map<std::string, Record> records;
  try {
    const Json settings_doc = state.value("settings", Json::object());
    for (const auto& [name, v] : settings_doc.items()) {
      auto k = kind_of(name);
      if (!k) return errors::InvalidState("unknown settings kind '" + name + "'");
      settings[*k] = {v.at("checkIntervalSeconds").get<int64_t>(), v.at("versionCheckIntervalSeconds").get<int64_t>(),
                      v.value("autoHealWindowSeconds", settings[*k].heal_window)};
    }
    const Json records_doc = state.value("records", Json::array());
    for (const auto& j : records_doc) {
      Record r;
      auto k = kind_of(j.at("kind").get<std::string>());
      if (!k) return errors::InvalidState("unknown record kind " + j.at("kind").dump());
      r.kind = *k;
      CK_RETURN_IF_ERROR(ReadRecordFields(j, &r));
      std::string lower = ToLower(r.id);
      records[lower] = std::move(r);
    }
  } catch (const std::exception& e) {
    return errors::InvalidState(std::string("unreadable record: ") + e.what());
  }

  std::lock_guard lock(mu_);
  settings_ = std::move(settings);
  records_ = std::move(records);
  // Recover each customer-key DEK the way the service would after a restart: exchange a token
  // and unwrap with the version it was wrapped under. Health and timestamps stay as exported
  // (the next due check re-evaluates them). A DEK that cannot be unwrapped now leaves the
  // resource inaccessible, with the reason, instead of usable with no key.
  int64_t now = clock_->Now();
  for (auto& [key, r] : records_) {
    if (!r.cmk) continue;
    auto caller = CallerLocked(r, now);
    Status st = Status::Ok();
    if (caller.ok()) {
      auto unwrapped =
          keyvault_->Crypt(r.key.vault, *caller, r.key.name, r.key_version, "unwrapKey", kWrapAlg, r.wrapped_dek, {});
      if (unwrapped.ok()) {
        r.dek = unwrapped->output.value;
      } else {
        st = unwrapped.error();
      }
    } else {
      st = caller.error();
    }
    r.token.clear();  // cached platform tokens are not part of the state: the next check re-exchanges
    r.token_expires = 0;
    if (!st.ok()) {
      if (r.healthy) r.state_since = now;
      r.healthy = false;
      r.last_error = st.error();
    }
  }
  return Status::Ok();
}

}  // namespace crosskey::consumer
