// SQL transparent data encryption as Azure models it
// (learn.microsoft.com/azure/azure-sql/database/transparent-data-encryption-byok-overview,
// REST: Microsoft.Sql servers/keys and servers/encryptionProtector):
// - every server has the built-in server key "ServiceManaged" and the protector "current"
//   (ServiceManaged by default; AzureKeyVault when the server was created with keyId, whose key
//   becomes the server key {vault}_{key}_{version});
// - PUT servers/{s}/keys/{vault}_{key}_{version} {serverKeyType: AzureKeyVault, uri} adds a key,
//   checked through the server's identity (get, wrapKey, unwrapKey) as Azure checks it;
// - PUT encryptionProtector/current {serverKeyType, serverKeyName, autoRotationEnabled} switches
//   the protector to an existing server key (ServerKeyNotFound otherwise), re-wrapping the data
//   key through the chain; revalidate re-checks the key now.
#include "emulator/common/text.h"
#include "emulator/consumer/consumer_engine.h"
#include "emulator/consumer/consumer_json.h"
#include "emulator/consumer/errors.h"
#include "emulator/crypto/encoding.h"

namespace crosskey::consumer {
namespace {
using namespace json_util;  // NOLINT(build/namespaces): the engine's own helpers
constexpr const char* kServiceManaged = "ServiceManaged";
constexpr const char* kAzureKeyVault = "AzureKeyVault";
}  // namespace

std::string ConsumerEngine::ServerKeyName(const KeyRef& key, const std::string& version) {
  return key.vault + "_" + key.name + "_" + version;
}

void ConsumerEngine::EnsureSqlTdeLocked(const Record& server) {
  const std::string base = server.id + "/";
  auto add = [&](const std::string& suffix, Kind kind, const char* type, Json body) {
    std::string id = base + suffix;
    if (FindLocked(ToLower(id))) return;
    Record r;
    r.kind = kind;
    r.id = id;
    r.type = type;
    r.name = suffix.substr(suffix.rfind('/') + 1);
    r.group = server.group;
    r.body = std::move(body);
    r.parent = ToLower(server.id);
    r.created = clock_->Now();
    records_[ToLower(id)] = std::move(r);
  };
  add("keys/" + std::string(kServiceManaged), Kind::kSqlKey, kSqlKeyType,
      {{"properties", {{"serverKeyType", kServiceManaged}}}});
  add("encryptionProtector/current", Kind::kSqlProtector, kSqlProtectorType,
      {{"properties", {{"autoRotationEnabled", false}}}});
  if (server.cmk && !server.key_version.empty()) {
    add("keys/" + ServerKeyName(server.key, server.key_version), Kind::kSqlKey, kSqlKeyType,
        {{"properties", {{"serverKeyType", kAzureKeyVault}, {"uri", KeyUrl(server.key, server.key_version)}}}});
  }
}

// The server's identity must be able to read, wrap and unwrap the key, as Azure checks when a
// key is added to a server or made its protector.
Status ConsumerEngine::CheckServerKeyLocked(const Record& server, const KeyRef& key) {
  if (server.identity_id.empty() || server.federated_client_id.empty()) {
    return errors::InvalidProperty(
        "The server needs identity.userAssignedIdentities, primaryUserAssignedIdentityId and federatedClientId "
        "before an Azure Key Vault key can be added.");
  }
  Record probe = server;
  probe.key = key;
  probe.token.clear();  // a probe must not reuse (or replace) the server's cached token
  int64_t now = clock_->Now();
  auto caller = CallerLocked(probe, now);
  if (!caller.ok()) return errors::sql::TdeProtectorInaccessible(CauseText(caller.error()));
  auto got = GetKeyLocked(probe, *caller);
  if (!got.ok()) return errors::sql::TdeProtectorInaccessible(CauseText(got.error()));
  auto wrapped = CryptLocked(probe, *caller, key.version, "wrapKey", crypto::RandomBytes(32));
  if (!wrapped.ok()) return errors::sql::TdeProtectorInaccessible(CauseText(wrapped.error()));
  auto unwrapped = CryptLocked(probe, *caller, key.version, "unwrapKey", *wrapped);
  if (!unwrapped.ok()) return errors::sql::TdeProtectorInaccessible(CauseText(unwrapped.error()));
  return Status::Ok();
}

StatusOr<arm::PutResult> ConsumerEngine::PutSqlKey(const arm::ParsedId& id, const Json& body, Record* existing) {
  Record* server = FindLocked(ToLower(id.Parent()));
  if (!server) return errors::sql::ServerNotFound(id.segments.empty() ? "" : id.segments[0].second);
  const Json& p = Obj(body, "properties");
  if (!EqualsIgnoreCase(Str(p, "serverKeyType"), kAzureKeyVault)) {
    return errors::InvalidProperty("properties.serverKeyType must be AzureKeyVault (ServiceManaged is built in).");
  }
  auto key = ParseKeyUrl(Str(p, "uri"));
  if (!key || key->version.empty()) {
    return errors::InvalidProperty("properties.uri must be a versioned Azure Key Vault key URL.");
  }
  if (!EqualsIgnoreCase(id.Name(), ServerKeyName(*key, key->version))) {
    return errors::sql::InvalidServerKeyName(id.Name(), ServerKeyName(*key, key->version));
  }
  CK_RETURN_IF_ERROR(CheckServerKeyLocked(*server, *key));
  Record c = NewRecord(Kind::kSqlKey, kSqlKeyType, id, body, existing);
  c.body = {{"properties", {{"serverKeyType", kAzureKeyVault}, {"uri", Str(p, "uri")}}}};
  c.parent = ToLower(server->id);
  c.created = existing ? existing->created : clock_->Now();
  bool created = !existing;
  std::string lower = ToLower(c.id);
  records_[lower] = std::move(c);
  return arm::PutResult{RenderLocked(records_[lower]), created};
}

StatusOr<arm::PutResult> ConsumerEngine::PutSqlProtector(const arm::ParsedId& id, const Json& body, Record* existing) {
  Record* server = FindLocked(ToLower(id.Parent()));
  if (!server) return errors::sql::ServerNotFound(id.segments.empty() ? "" : id.segments[0].second);
  if (!EqualsIgnoreCase(id.Name(), "current")) return errors::InvalidProperty("The encryption protector is 'current'.");
  const Json& p = Obj(body, "properties");
  std::string type = Str(p, "serverKeyType");
  std::string key_name = Str(p, "serverKeyName");
  Record s = *server;
  if (EqualsIgnoreCase(type, kServiceManaged)) {
    s.cmk = false;
    s.body["properties"].erase("keyId");
  } else if (EqualsIgnoreCase(type, kAzureKeyVault)) {
    if (key_name.empty()) return errors::InvalidProperty("properties.serverKeyName is required for AzureKeyVault.");
    Record* key = FindLocked(ToLower(server->id + "/keys/" + key_name));
    if (!key || key->kind != Kind::kSqlKey || Str(Obj(key->body, "properties"), "uri").empty()) {
      return errors::sql::ServerKeyNotFound(key_name, server->name);
    }
    auto ref = ParseKeyUrl(Str(Obj(key->body, "properties"), "uri"));
    if (!ref) return errors::sql::ServerKeyNotFound(key_name, server->name);
    if (s.identity_id.empty() || s.federated_client_id.empty()) {
      return errors::InvalidProperty("Set primaryUserAssignedIdentityId and federatedClientId on the server first.");
    }
    s.cmk = true;
    s.key = *ref;
    s.key_version.clear();
    s.body["properties"]["keyId"] = KeyUrl(*ref, ref->version);
  } else {
    return errors::InvalidProperty("properties.serverKeyType must be ServiceManaged or AzureKeyVault.");
  }
  std::string server_id = ToLower(server->id);
  auto committed = CommitLocked(std::move(s), server, &errors::sql::TdeProtectorInaccessible);
  if (!committed.ok()) return committed.error();
  server = FindLocked(server_id);
  Record c = NewRecord(Kind::kSqlProtector, kSqlProtectorType, id, body, existing);
  c.body = {{"properties", {{"autoRotationEnabled", p.value("autoRotationEnabled", false)}}}};
  c.parent = server_id;
  c.created = existing ? existing->created : clock_->Now();
  bool created = !existing;
  std::string lower = ToLower(c.id);
  records_[lower] = std::move(c);
  return arm::PutResult{RenderLocked(records_[lower]), created};
}

void ConsumerEngine::RenderSqlTde(const Record& r, const Record* server, Json& b) const {
  Json& p = b["properties"];
  p.erase("crosskeyCmkStatus");
  if (r.kind == Kind::kSqlKey) {
    std::string type = Str(p, "serverKeyType");
    b["kind"] = EqualsIgnoreCase(type, kAzureKeyVault) ? "azurekeyvault" : "servicemanaged";
    p["creationDate"] = IsoTime(r.created);
    p["autoRotationEnabled"] = false;
    return;
  }
  if (!server) return;
  b["kind"] = server->cmk ? "azurekeyvault" : "servicemanaged";
  p["serverKeyType"] = server->cmk ? kAzureKeyVault : kServiceManaged;
  p["serverKeyName"] = server->cmk ? ServerKeyName(server->key, server->key_version) : kServiceManaged;
  if (server->cmk) p["uri"] = KeyUrl(server->key, server->key_version);
  p["crosskeyCmkStatus"] = StatusJson(*server);
}

StatusOr<Json> ConsumerEngine::Action(const arm::ParsedId& id, const std::string& action) {
  if (EqualsIgnoreCase(id.Type(), kSqlProtectorType) && EqualsIgnoreCase(action, "revalidate")) {
    return RevalidateProtector(id);
  }
  return errors::ActionNotSupported(id.Type(), action);
}

StatusOr<Json> ConsumerEngine::RevalidateProtector(const arm::ParsedId& id) {
  std::lock_guard lock(mu_);
  Record* server = FindLocked(ToLower(id.Parent()));
  if (!server) return errors::sql::ServerNotFound(id.segments.empty() ? "" : id.segments[0].second);
  if (server->cmk) {
    const bool was_required = server->revalidation_required;
    EvaluateLocked(*server, true, true);
    if (!server->healthy) return errors::sql::RevalidationFailed(CauseText(server->last_error));
    // Brought back after the auto-heal window: the databases' server-level settings are lost,
    // tags among them ("Inaccessible TDE protector").
    if (was_required) {
      for (auto& [key, r] : records_) {
        if (r.kind == Kind::kSqlDatabase && r.parent == ToLower(server->id)) r.body.erase("tags");
      }
    }
  }
  Record* protector = FindLocked(ToLower(id.Canonical()));
  if (!protector) return errors::ResourceNotFound(id.Type() + "/" + id.Name(), id.resource_group);
  return RenderLocked(*protector);
}

}  // namespace crosskey::consumer
