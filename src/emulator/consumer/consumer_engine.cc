#include "emulator/consumer/consumer_engine.h"

#include <optional>

#include "emulator/common/text.h"
#include "emulator/consumer/blob_errors.h"
#include "emulator/consumer/consumer_json.h"
#include "emulator/consumer/errors.h"
#include "emulator/crypto/encoding.h"
#include "emulator/crypto/key_material.h"
#include "emulator/keyvault/errors.h"
#include "emulator/token/sign_in_record.h"

namespace crosskey::consumer {
namespace {
using namespace json_util;  // NOLINT(build/namespaces): the engine's own helpers
constexpr const char* kExchangeAudience = "api://AzureADTokenExchange";
constexpr const char* kWrapAlg = "RSA-OAEP-256";

std::string NormLocation(std::string s) {
  std::string out;
  for (char c : ToLower(s))
    if (c != ' ') out += c;
  return out;
}
}  // namespace

std::optional<KeyRef> ParseKeyUrl(const std::string& url) {
  const std::string scheme = "https://";
  if (!StartsWithIgnoreCase(url, scheme)) return std::nullopt;
  std::string rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  if (slash == std::string::npos) return std::nullopt;
  std::string host = ToLower(rest.substr(0, slash));
  auto dot = host.find(".vault.");
  if (dot == std::string::npos || dot == 0) return std::nullopt;
  auto parts = Split(rest.substr(slash + 1), '/');
  std::vector<std::string> segs;
  for (auto& p : parts) segs.push_back(p);
  while (!segs.empty() && segs.back().empty()) segs.pop_back();
  if (segs.size() < 2 || segs.size() > 3 || !EqualsIgnoreCase(segs[0], "keys") || segs[1].empty()) return std::nullopt;
  KeyRef k{host.substr(0, dot), segs[1], segs.size() == 3 ? segs[2] : ""};
  return k;
}

ConsumerEngine::ConsumerEngine(const Clock* clock, const token::TokenService* tokens,
                               const token::TokenValidator* validator, arm::ResourceManager* resources,
                               keyvault::KeyVaultService* keyvault, AuditLog* audit, std::string domain,
                               std::function<int()> https_port)
    : clock_(clock),
      tokens_(tokens),
      validator_(validator),
      resources_(resources),
      keyvault_(keyvault),
      audit_(audit),
      domain_(std::move(domain)),
      https_port_(std::move(https_port)) {
  // Defaults (docs/rehearse.md): Storage checks for a new key version once a day (the seed:
  // "Azure Storage checks the key vault for a new key version daily"); every kind re-validates
  // access hourly, an emulator choice; Cosmos DB, disk encryption sets and SQL pick up new
  // versions at their next check.
  settings_[Kind::kStorage] = {3600, 86400};
  settings_[Kind::kCosmos] = {3600, 0};
  settings_[Kind::kDiskEncryptionSet] = {3600, 0};
  // SQL: databases go Inaccessible "in up to 10 minutes" and heal by themselves only when access
  // returns within 30 minutes (transparent-data-encryption-byok-overview, troubleshoot-tde).
  settings_[Kind::kSqlServer] = {600, 0, 1800};
}

std::string ConsumerEngine::KindName(Kind kind) {
  switch (kind) {
    case Kind::kStorage: return "storage";
    case Kind::kCosmos: return "cosmos";
    case Kind::kDiskEncryptionSet: return "diskEncryptionSet";
    case Kind::kDisk: return "disks";
    case Kind::kSqlServer: return "sqlServer";
    case Kind::kSqlDatabase: return "sql";
    case Kind::kSqlProtector: return "sqlEncryptionProtector";
    case Kind::kSqlKey: return "sqlServerKey";
  }
  return "";
}

const KindSettings& ConsumerEngine::SettingsFor(Kind kind) const {
  auto it = settings_.find(kind);
  return it == settings_.end() ? settings_.at(Kind::kStorage) : it->second;
}

bool ConsumerEngine::Serves(const std::string& type) const {
  for (const char* t :
       {kStorageType, kCosmosType, kDesType, kDiskType, kSqlType, kSqlDbType, kSqlProtectorType, kSqlKeyType}) {
    if (EqualsIgnoreCase(type, t)) return true;
  }
  return false;
}

ConsumerEngine::Record* ConsumerEngine::FindLocked(const std::string& id_lower) {
  auto it = records_.find(id_lower);
  return it == records_.end() ? nullptr : &it->second;
}

ConsumerEngine::Record* ConsumerEngine::FindByRefLocked(Kind kind, const std::string& ref) {
  std::string r = ToLower(ref);
  if (!r.empty() && r[0] != '/') {
    if (StartsWithIgnoreCase(r, "subscriptions/")) r = "/" + r;
  }
  if (auto* hit = FindLocked(r)) return hit->kind == kind ? hit : nullptr;
  for (auto& [key, rec] : records_) {
    if (rec.kind == kind && EqualsIgnoreCase(rec.name, ref)) return &rec;
  }
  return nullptr;
}

ConsumerEngine::Record* ConsumerEngine::OwnerLocked(Record* r) {
  if (!r) return nullptr;
  if (r->kind == Kind::kDisk || r->kind == Kind::kSqlDatabase || r->kind == Kind::kSqlProtector ||
      r->kind == Kind::kSqlKey) {
    return FindLocked(r->parent);
  }
  return r;
}

std::string ConsumerEngine::KeyUrl(const KeyRef& key, const std::string& version) const {
  int port = https_port_();
  std::string url = "https://" + key.vault + ".vault." + domain_ + (port == 443 ? "" : ":" + std::to_string(port)) +
                    "/keys/" + key.name;
  if (!version.empty()) url += "/" + version;
  return url;
}

// The platform's access to the key: the cached exchanged token while it has not expired on the
// emulator clock, else a fresh MI token exchanged at the vault's tenant (as ClientAssertion-
// Credential does), validated exactly as the Key Vault plane validates a bearer.
StatusOr<keyvault::KvCaller> ConsumerEngine::CallerLocked(Record& r, int64_t now) {
  auto vault = resources_->FindVault(r.key.vault);
  if (!vault) return keyvault::errors::VaultNotFound(r.key.vault + ".vault." + domain_);
  if (r.token.empty() || now >= r.token_expires) {
    r.token.clear();
    auto mi = tokens_->ManagedIdentityToken(r.identity_client_id, "", "", kExchangeAudience);
    if (!mi.ok()) {
      AuditSignIn(r, resources_->TenantOfScope(r.identity_id), mi);
      return mi.error();
    }
    token::TokenForm form = {{"grant_type", "client_credentials"},
                             {"client_id", r.federated_client_id},
                             {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                             {"client_assertion", mi->access_token},
                             {"scope", "https://vault.azure.net/.default"}};
    auto exchanged = tokens_->Token(vault->tenant_id, form, false);
    AuditSignIn(r, vault->tenant_id, exchanged);
    if (!exchanged.ok()) return exchanged.error();
    r.token = exchanged->access_token;
    r.token_uti = exchanged->claims.uti;
    r.token_expires = exchanged->expires_on;
  }
  auto v = validator_->Validate(r.token, token::Api::kKeyVault);
  if (!v.ok()) {
    r.token.clear();
    return keyvault::errors::InvalidToken(v.detail, "");
  }
  if (v.token.tenant_id != vault->tenant_id) {
    return keyvault::errors::InvalidIssuer(vault->tenant_id, v.token.issuer, "");
  }
  return keyvault::KvCaller{v.token.tenant_id, v.token.object_id, v.token.app_id, v.token.issuer, {}};
}

void ConsumerEngine::AuditSignIn(const Record& r, const std::string& tenant_id,
                                 const StatusOr<token::TokenResponse>& result) {
  token::RecordSignIn(audit_, {tenant_id, r.federated_client_id, "client_credentials", "", KindName(r.kind), r.id},
                      result);
}

// The platform's own trace: Key Vault's AuditEvent names the consumer that made the call.
keyvault::KvRequestTrace ConsumerEngine::TraceOf(const Record& r) {
  keyvault::KvRequestTrace trace;
  trace.correlation_id = r.token_uti;
  trace.platform = KindName(r.kind);
  trace.resource_id = r.id;
  return trace;
}

StatusOr<keyvault::KeyVersionSnapshot> ConsumerEngine::GetKeyLocked(const Record& r, const keyvault::KvCaller& caller) {
  auto trace = TraceOf(r);
  keyvault::KvCaller traced = caller;
  traced.trace = &trace;
  return keyvault_->GetKey(r.key.vault, traced, r.key.name, r.key.version);
}

StatusOr<std::string> ConsumerEngine::CryptLocked(const Record& r, const keyvault::KvCaller& caller,
                                                  const std::string& version, const char* operation,
                                                  const std::string& input) {
  auto trace = TraceOf(r);
  keyvault::KvCaller traced = caller;
  traced.trace = &trace;
  auto out = keyvault_->Crypt(r.key.vault, traced, r.key.name, version, operation, kWrapAlg, input, {});
  if (!out.ok()) return out.error();
  return out->output.value;
}

Status ConsumerEngine::WrapLocked(Record& r, int64_t now) {
  CK_ASSIGN_OR_RETURN(auto caller, CallerLocked(r, now));
  CK_ASSIGN_OR_RETURN(auto key, GetKeyLocked(r, caller));
  if (r.dek.empty()) r.dek = crypto::RandomBytes(32);
  CK_ASSIGN_OR_RETURN(auto wrapped, CryptLocked(r, caller, key->version, "wrapKey", r.dek));
  if (r.key_version != key->version) r.last_rotation = now;
  r.wrapped_dek = wrapped;
  r.key_version = key->version;
  r.last_check = now;
  r.last_version_check = now;
  r.healthy = true;
  r.state_since = now;
  r.last_error = Error();
  return Status::Ok();
}

// One health check: read the key (an expired or disabled key fails here or at unwrap), unwrap
// the DEK with the version it was wrapped under, and for versionless configurations re-wrap
// under a newer version when the version-check interval has passed.
Status ConsumerEngine::CheckLocked(Record& r, int64_t now) {
  CK_ASSIGN_OR_RETURN(auto caller, CallerLocked(r, now));
  CK_ASSIGN_OR_RETURN(auto key, GetKeyLocked(r, caller));
  if (!key->attributes.enabled) return keyvault::errors::KeyDisabled("get");
  if (key->attributes.expires != 0 && now >= key->attributes.expires) return keyvault::errors::KeyExpired("get");
  CK_ASSIGN_OR_RETURN(auto unwrapped, CryptLocked(r, caller, r.key_version, "unwrapKey", r.wrapped_dek));
  // A consumer restored while its key was out of reach holds no DEK yet: the first successful
  // unwrap gives it back.
  if (r.dek.empty()) {
    r.dek = unwrapped;
  } else if (unwrapped != r.dek) {
    return keyvault::errors::BadParameter("unwrapped DEK does not match");
  }
  const auto& s = SettingsFor(r.kind);
  if (r.key.version.empty() && key->version != r.key_version && now >= r.last_version_check + s.version_interval) {
    CK_ASSIGN_OR_RETURN(auto rewrapped, CryptLocked(r, caller, key->version, "wrapKey", r.dek));
    r.wrapped_dek = rewrapped;
    r.key_version = key->version;
    r.last_rotation = now;
  }
  if (r.key.version.empty() && now >= r.last_version_check + s.version_interval) r.last_version_check = now;
  return Status::Ok();
}

void ConsumerEngine::EvaluateLocked(Record& r, bool force, bool revalidate) {
  if (!r.cmk) return;
  int64_t now = clock_->Now();
  const KindSettings& s = SettingsFor(r.kind);
  if (!force && now < r.last_check + s.check_interval) return;
  r.last_check = now;
  auto st = CheckLocked(r, now);
  if (st.ok() && !r.healthy && !revalidate &&
      (r.revalidation_required || (s.heal_window > 0 && now - r.state_since > s.heal_window))) {
    r.revalidation_required = true;  // the key is back too late: an operator must revalidate
    return;
  }
  if (st.ok()) {
    r.revalidation_required = false;
    if (!r.healthy) r.state_since = now;
    r.healthy = true;
    r.last_error = Error();
  } else {
    if (r.healthy) r.state_since = now;
    r.healthy = false;
    r.last_error = st.error();
  }
}

std::string ConsumerEngine::StateName(const Record& r) const {
  if (r.healthy) return r.kind == Kind::kSqlDatabase ? "Online" : "Healthy";
  switch (r.kind) {
    case Kind::kCosmos: return "Revoked";
    default: return "Inaccessible";
  }
}

Json ConsumerEngine::StatusJson(const Record& r) const {
  Json j = {{"state", StateName(r)},
            {"customerManagedKey", r.cmk},
            {"since", IsoTime(r.state_since)},
            {"sinceEpoch", r.state_since}};
  if (r.cmk) {
    j["lastCheckEpoch"] = r.last_check;
    j["nextCheckEpoch"] = r.last_check + SettingsFor(r.kind).check_interval;
    j["currentVersionedKeyIdentifier"] = KeyUrl(r.key, r.key_version);
    j["tokenExpiresEpoch"] = r.token.empty() ? Json(nullptr) : Json(r.token_expires);
    if (r.revalidation_required) j["revalidationRequired"] = true;
    if (!r.healthy) {
      j["error"] = {{"code", r.last_error.code}, {"message", r.last_error.message}};
      if (!r.last_error.inner_code.empty()) j["error"]["innerCode"] = r.last_error.inner_code;
      if (r.kind == Kind::kCosmos) {
        auto sub = errors::cosmos::RevokedSubstatus(CauseText(r.last_error));
        j["substatus"] = sub.code;
        j["substatusName"] = sub.name;
      }
    }
  }
  return j;
}

Error ConsumerEngine::InaccessibleError(const Record& data_record, const Record& owner) const {
  std::string cause = CauseText(owner.last_error);
  switch (owner.kind) {
    case Kind::kStorage:
      return errors::ClassifyKeyFailure(cause) == errors::KeyFailure::kToken
                 ? errors::storage::KeyVaultAccessTokenCannotBeAcquired(cause)
                 : errors::storage::KeyVaultEncryptionKeyNotFound(cause);
    case Kind::kCosmos: return errors::cosmos::AccountRevoked(cause);
    case Kind::kDiskEncryptionSet: return errors::compute::DiskInaccessible(cause);
    default: return errors::sql::DatabaseInaccessible(data_record.name, cause);
  }
}

Json ConsumerEngine::RenderLocked(Record& r) {
  Record* owner = OwnerLocked(&r);
  if (owner) EvaluateLocked(*owner, false);
  Json b = r.body;
  b["id"] = r.id;
  b["name"] = r.name;
  b["type"] = r.type;
  Json& p = b["properties"];
  if (!p.is_object()) p = Json::object();
  p["provisioningState"] = "Succeeded";
  Json status = owner ? StatusJson(*owner) : Json::object();
  if (r.kind == Kind::kSqlDatabase && owner) {
    status["state"] = owner->healthy ? "Online" : "Inaccessible";
    p["status"] = status["state"];
  }
  p["crosskeyCmkStatus"] = status;
  if (b.contains("identity") && b["identity"].is_object() && b["identity"].contains("userAssignedIdentities")) {
    for (auto& [id, v] : b["identity"]["userAssignedIdentities"].items()) {
      auto got = resources_->Get(arm::ArmCaller{}, id);
      if (got.ok())
        v = {{"principalId", (*got)["properties"]["principalId"]}, {"clientId", (*got)["properties"]["clientId"]}};
    }
  }
  switch (r.kind) {
    case Kind::kStorage: {
      Json& enc = p["encryption"];
      enc["services"] = {
          {"blob", {{"enabled", true}, {"keyType", "Account"}, {"lastEnabledTime", IsoTime(r.created)}}},
          {"file", {{"enabled", true}, {"keyType", "Account"}, {"lastEnabledTime", IsoTime(r.created)}}}};
      if (r.cmk) {
        enc["keyvaultproperties"]["currentVersionedKeyIdentifier"] = KeyUrl(r.key, r.key_version);
        enc["keyvaultproperties"]["lastKeyRotationTimestamp"] = IsoTime(r.last_rotation);
      }
      int port = https_port_();
      p["primaryEndpoints"] = {
          {"blob", "https://" + r.name + ".blob." + domain_ + (port == 443 ? "" : ":" + std::to_string(port)) + "/"}};
      break;
    }
    case Kind::kCosmos:
      // customerManagedKeyStatus: the property the Cosmos DB troubleshooting guide points at.
      p["customerManagedKeyStatus"] =
          r.healthy ? "Access to the configured customer managed key confirmed."
                    : "Access to the configured customer managed key failed: " + CauseText(r.last_error);
      p["keyVaultKeyUriVersion"] = KeyUrl(r.key, r.key_version);
      p["documentEndpoint"] = "https://" + r.name + ".documents." + domain_ + "/";
      break;
    case Kind::kDiskEncryptionSet:
      p["activeKey"]["keyUrl"] = KeyUrl(r.key, r.key.version.empty() ? "" : r.key_version);
      p["lastKeyRotationTimestamp"] = IsoTime(r.last_rotation);
      p["currentVersionedKeyIdentifier"] = KeyUrl(r.key, r.key_version);
      break;
    case Kind::kSqlServer:
      p["state"] = "Ready";
      p["fullyQualifiedDomainName"] = r.name + ".database." + domain_;
      break;
    case Kind::kSqlProtector:
    case Kind::kSqlKey: RenderSqlTde(r, owner, b); break;
    default: break;
  }
  return b;
}

Status ConsumerEngine::ResolveIdentity(Record& r, const Json& body, const std::string& identity_id) {
  if (identity_id.empty())
    return errors::InvalidProperty("A user-assigned identity is required for the customer-managed key.");
  bool listed = false;
  const Json& uai = Obj(Obj(body, "identity"), "userAssignedIdentities");
  for (auto& [id, v] : uai.items()) {
    if (EqualsIgnoreCase(id, identity_id)) listed = true;
  }
  if (!listed) {
    return errors::InvalidProperty("The identity '" + identity_id +
                                   "' must be listed in identity.userAssignedIdentities (identity.type UserAssigned).");
  }
  auto got = resources_->Get(arm::ArmCaller{}, identity_id);
  if (!got.ok()) return errors::InvalidProperty("The user-assigned identity '" + identity_id + "' was not found.");
  r.identity_id = (*got)["id"];
  r.identity_client_id = (*got)["properties"]["clientId"];
  r.identity_principal_id = (*got)["properties"]["principalId"];
  return Status::Ok();
}

StatusOr<arm::PutResult> ConsumerEngine::CommitLocked(Record c, Record* existing,
                                                      Error (*refusal)(const std::string&)) {
  int64_t now = clock_->Now();
  if (existing && existing->cmk && existing->dek.empty()) {
    // Restored while its key was out of reach: the DEK must come back (through the old
    // configuration) before it can be re-wrapped, or the data written under it would be lost.
    auto st = CheckLocked(*existing, now);
    if (!st.ok()) return refusal(CauseText(st.error()));
  }
  if (existing) {
    c.dek = existing->dek;  // data written before stays readable under the new configuration
    c.data = existing->data;
    c.containers = existing->containers;
    c.created = existing->created;
    bool same = existing->cmk && c.cmk && EqualsIgnoreCase(existing->key.vault, c.key.vault) &&
                existing->key.name == c.key.name && existing->identity_id == c.identity_id &&
                existing->federated_client_id == c.federated_client_id;
    if (same) {
      c.token = existing->token;
      c.token_expires = existing->token_expires;
      c.key_version = existing->key_version;
      c.last_rotation = existing->last_rotation;
    }
  } else {
    c.created = now;
  }
  if (c.dek.empty()) c.dek = crypto::RandomBytes(32);
  if (c.cmk) {
    auto st = WrapLocked(c, now);
    if (!st.ok()) return refusal(CauseText(st.error()));
  } else {
    c.healthy = true;
    c.state_since = now;
  }
  bool created = existing == nullptr;
  std::string key = ToLower(c.id);
  records_[key] = std::move(c);
  return arm::PutResult{RenderLocked(records_[key]), created};
}

StatusOr<arm::PutResult> ConsumerEngine::Put(const arm::ParsedId& id, const Json& body) {
  std::lock_guard lock(mu_);
  return PutLocked(id, body);
}

StatusOr<arm::PutResult> ConsumerEngine::PutLocked(const arm::ParsedId& id, const Json& body) {
  std::string type = id.Type();
  Record* existing = FindLocked(ToLower(id.Canonical()));
  if (EqualsIgnoreCase(type, kStorageType)) return PutStorage(id, body, existing);
  if (EqualsIgnoreCase(type, kCosmosType)) return PutCosmos(id, body, existing);
  if (EqualsIgnoreCase(type, kDesType)) return PutDes(id, body, existing);
  if (EqualsIgnoreCase(type, kDiskType)) return PutDisk(id, body, existing);
  if (EqualsIgnoreCase(type, kSqlType)) return PutSqlServer(id, body, existing);
  if (EqualsIgnoreCase(type, kSqlDbType)) return PutSqlChild(id, body, existing, Kind::kSqlDatabase);
  if (EqualsIgnoreCase(type, kSqlKeyType)) return PutSqlKey(id, body, existing);
  return PutSqlProtector(id, body, existing);
}

namespace {
Json BaseBody(const Json& body, const std::string& location_fallback) {
  Json b = Json::object();
  b["location"] = Str(body, "location").empty() ? location_fallback : Str(body, "location");
  b["tags"] = Obj(body, "tags");
  for (const char* k : {"sku", "kind", "identity"}) {
    if (body.contains(k)) b[k] = body[k];
  }
  b["properties"] = Obj(body, "properties");
  return b;
}
}  // namespace

// The identity of a consumer record: an update keeps the stored id (and location when the body
// omits it); a create takes the canonical id of the request.
ConsumerEngine::Record ConsumerEngine::NewRecord(Kind kind, const char* type, const arm::ParsedId& id, const Json& body,
                                                 const Record* existing) {
  Record c;
  c.kind = kind;
  c.id = existing ? existing->id : id.Canonical();
  c.type = type;
  c.name = id.Name();
  c.group = id.resource_group;
  c.body = BaseBody(body, existing ? existing->body.value("location", "") : "");
  return c;
}

StatusOr<arm::PutResult> ConsumerEngine::PutStorage(const arm::ParsedId& id, const Json& body, Record* existing) {
  Record c = NewRecord(Kind::kStorage, kStorageType, id, body, existing);
  const Json& enc = Obj(Obj(body, "properties"), "encryption");
  std::string source = Str(enc, "keySource");
  if (source.empty()) source = "Microsoft.Storage";
  c.body["properties"]["encryption"]["keySource"] = source;
  if (EqualsIgnoreCase(source, "Microsoft.Keyvault")) {
    const Json& kvp = Obj(enc, "keyvaultproperties");
    std::string uri = Str(kvp, "keyvaulturi");
    std::string name = Str(kvp, "keyname");
    if (uri.empty() || name.empty()) {
      return errors::InvalidProperty("encryption.keyvaultproperties needs keyvaulturi and keyname.");
    }
    while (!uri.empty() && uri.back() == '/') uri.pop_back();
    auto key =
        ParseKeyUrl(uri + "/keys/" + name + (Str(kvp, "keyversion").empty() ? "" : "/" + Str(kvp, "keyversion")));
    if (!key) return errors::InvalidProperty("encryption.keyvaultproperties.keyvaulturi is not a Key Vault URI.");
    c.cmk = true;
    c.key = *key;
    const Json& ident = Obj(enc, "identity");
    c.federated_client_id = Str(ident, "federatedIdentityClientId");
    CK_RETURN_IF_ERROR(ResolveIdentity(c, body, Str(ident, "userAssignedIdentity")));
  }
  return CommitLocked(std::move(c), existing, &errors::storage::KeyVaultAuthenticationFailure);
}

StatusOr<arm::PutResult> ConsumerEngine::PutCosmos(const arm::ParsedId& id, const Json& body, Record* existing) {
  Record c = NewRecord(Kind::kCosmos, kCosmosType, id, body, existing);
  const Json& p = Obj(body, "properties");
  std::string uri = Str(p, "keyVaultKeyUri");
  if (!uri.empty()) {
    auto key = ParseKeyUrl(uri);
    if (!key || !key->version.empty() || uri.back() == '/') return errors::cosmos::InvalidKeyVaultKeyUri(uri);
    c.cmk = true;
    c.key = *key;
    // defaultIdentity "UserAssignedIdentity={id}&FederatedClientId={appId}" (the seed's form).
    std::string def = Str(p, "defaultIdentity");
    std::string identity, federated;
    for (const auto& part : Split(def, '&')) {
      auto eq = part.find('=');
      if (eq == std::string::npos) continue;
      std::string k = part.substr(0, eq), v = part.substr(eq + 1);
      if (EqualsIgnoreCase(k, "UserAssignedIdentity")) identity = v;
      if (EqualsIgnoreCase(k, "FederatedClientId")) federated = v;
    }
    if (identity.empty() || federated.empty()) {
      return errors::InvalidProperty(
          "defaultIdentity must be 'UserAssignedIdentity={identity id}&FederatedClientId={application id}' for a "
          "cross-tenant customer-managed key.");
    }
    c.federated_client_id = federated;
    CK_RETURN_IF_ERROR(ResolveIdentity(c, body, identity));
  }
  return CommitLocked(std::move(c), existing, &errors::cosmos::KeyVaultAccessFailed);
}

StatusOr<arm::PutResult> ConsumerEngine::PutDes(const arm::ParsedId& id, const Json& body, Record* existing) {
  Record c = NewRecord(Kind::kDiskEncryptionSet, kDesType, id, body, existing);
  const Json& p = Obj(body, "properties");
  std::string url = Str(Obj(p, "activeKey"), "keyUrl");
  auto key = ParseKeyUrl(url);
  if (!key) return errors::InvalidProperty("properties.activeKey.keyUrl must be a Key Vault key URL.");
  bool rotate = p.value("rotationToLatestKeyVersionEnabled", false);
  if (key->version.empty() && !rotate) {
    return errors::InvalidProperty(
        "properties.activeKey.keyUrl must name a key version unless "
        "rotationToLatestKeyVersionEnabled is true.");
  }
  if (rotate) key->version.clear();  // follow the latest version
  auto vault = resources_->FindVault(key->vault);
  if (vault && NormLocation(vault->location) != NormLocation(c.body.value("location", ""))) {
    return errors::compute::KeyVaultRegionMismatch(vault->location, c.body.value("location", ""));
  }
  c.cmk = true;
  c.key = *key;
  c.federated_client_id = Str(p, "federatedClientId");
  if (c.federated_client_id.empty()) return errors::InvalidProperty("properties.federatedClientId is required.");
  std::string identity;
  for (auto& [iid, v] : Obj(Obj(body, "identity"), "userAssignedIdentities").items()) identity = iid;
  CK_RETURN_IF_ERROR(ResolveIdentity(c, body, identity));
  if (Str(p, "encryptionType").empty()) c.body["properties"]["encryptionType"] = "EncryptionAtRestWithCustomerKey";
  return CommitLocked(std::move(c), existing, &errors::compute::KeyVaultAccessForbidden);
}

StatusOr<arm::PutResult> ConsumerEngine::PutDisk(const arm::ParsedId& id, const Json& body, Record* existing) {
  Record c = NewRecord(Kind::kDisk, kDiskType, id, body, existing);
  std::string des = Str(Obj(Obj(body, "properties"), "encryption"), "diskEncryptionSetId");
  Record* set = FindLocked(ToLower(des));
  if (des.empty() || !set || set->kind != Kind::kDiskEncryptionSet)
    return errors::compute::DiskEncryptionSetNotFound(des);
  EvaluateLocked(*set, false);
  if (!set->healthy) return errors::compute::DiskInaccessible(CauseText(set->last_error));
  c.parent = ToLower(set->id);
  c.body["properties"]["encryption"]["type"] = "EncryptionAtRestWithCustomerKey";
  c.body["properties"]["diskState"] = "Unattached";
  c.created = existing ? existing->created : clock_->Now();
  if (existing) c.data = existing->data;
  bool created = !existing;
  std::string key = ToLower(c.id);
  records_[key] = std::move(c);
  return arm::PutResult{RenderLocked(records_[key]), created};
}

StatusOr<arm::PutResult> ConsumerEngine::PutSqlServer(const arm::ParsedId& id, const Json& body, Record* existing) {
  Record c = NewRecord(Kind::kSqlServer, kSqlType, id, body, existing);
  c.body["properties"].erase("administratorLoginPassword");
  const Json& p = Obj(body, "properties");
  std::string key_id = Str(p, "keyId");
  if (!key_id.empty()) {
    auto key = ParseKeyUrl(key_id);
    if (!key) return errors::InvalidProperty("properties.keyId must be a Key Vault key URL.");
    c.cmk = true;
    c.key = *key;
    c.federated_client_id = Str(p, "federatedClientId");
    if (c.federated_client_id.empty()) return errors::InvalidProperty("properties.federatedClientId is required.");
    CK_RETURN_IF_ERROR(ResolveIdentity(c, body, Str(p, "primaryUserAssignedIdentityId")));
  } else if (!Str(p, "primaryUserAssignedIdentityId").empty()) {
    // A server may hold its identity before it uses a customer key (servers/keys, the protector).
    c.federated_client_id = Str(p, "federatedClientId");
    CK_RETURN_IF_ERROR(ResolveIdentity(c, body, Str(p, "primaryUserAssignedIdentityId")));
  }
  auto committed = CommitLocked(std::move(c), existing, &errors::sql::TdeProtectorInaccessible);
  if (committed.ok()) EnsureSqlTdeLocked(*FindLocked(ToLower(id.Canonical())));
  return committed;
}

StatusOr<arm::PutResult> ConsumerEngine::PutSqlChild(const arm::ParsedId& id, const Json& body, Record* existing,
                                                     Kind kind) {
  Record* server = FindLocked(ToLower(id.Parent()));
  if (!server) return errors::sql::ServerNotFound(id.segments.empty() ? "" : id.segments[0].second);
  Record c = NewRecord(kind, kSqlDbType, id, body, existing);
  c.body = BaseBody(body, server->body.value("location", ""));  // children take the server's region
  c.parent = ToLower(server->id);
  c.created = existing ? existing->created : clock_->Now();
  if (existing) c.data = existing->data;
  bool created = !existing;
  std::string key = ToLower(c.id);
  records_[key] = std::move(c);
  return arm::PutResult{RenderLocked(records_[key]), created};
}

StatusOr<Json> ConsumerEngine::Get(const arm::ParsedId& id) {
  std::lock_guard lock(mu_);
  Record* r = FindLocked(ToLower(id.Canonical()));
  if (!r) return errors::ResourceNotFound(id.Type() + "/" + id.Name(), id.resource_group);
  return RenderLocked(*r);
}

Status ConsumerEngine::Delete(const arm::ParsedId& id) {
  std::lock_guard lock(mu_);
  std::string key = ToLower(id.Canonical());
  auto found = records_.find(key);
  if (found == records_.end()) return errors::ResourceNotFound(id.Type() + "/" + id.Name(), id.resource_group);
  if (found->second.kind == Kind::kSqlKey) {
    const Record* server = FindLocked(found->second.parent);
    bool in_use = EqualsIgnoreCase(found->second.name, "ServiceManaged") ||
                  (server && server->cmk &&
                   EqualsIgnoreCase(found->second.name, ServerKeyName(server->key, server->key_version)));
    if (in_use) return errors::sql::ServerKeyInUse(found->second.name);
  }
  if (found->second.kind == Kind::kSqlProtector) {
    return errors::ActionNotSupported(id.Type(), "delete");  // every server keeps its protector
  }
  std::string prefix = key + "/";
  for (auto it = records_.begin(); it != records_.end();) {
    if (it->first == key || it->first.compare(0, prefix.size(), prefix) == 0) {
      it = records_.erase(it);
    } else {
      ++it;
    }
  }
  return Status::Ok();
}

void ConsumerEngine::DeleteUnder(const std::string& prefix_lower) {
  std::lock_guard lock(mu_);
  for (auto it = records_.begin(); it != records_.end();) {
    it = it->first.compare(0, prefix_lower.size(), prefix_lower) == 0 ? records_.erase(it) : std::next(it);
  }
}

std::vector<Json> ConsumerEngine::List(const std::string& prefix_lower, const std::string& type) {
  std::lock_guard lock(mu_);
  std::vector<Json> out;
  for (auto& [key, r] : records_) {
    if (EqualsIgnoreCase(r.type, type) && key.compare(0, prefix_lower.size(), prefix_lower) == 0) {
      out.push_back(RenderLocked(r));
    }
  }
  return out;
}

namespace {
std::optional<Kind> DataKind(const std::string& kind) {
  if (EqualsIgnoreCase(kind, "storage")) return Kind::kStorage;
  if (EqualsIgnoreCase(kind, "cosmos")) return Kind::kCosmos;
  if (EqualsIgnoreCase(kind, "disks")) return Kind::kDisk;
  if (EqualsIgnoreCase(kind, "sql")) return Kind::kSqlDatabase;
  return std::nullopt;
}
}  // namespace

// The data record `ref` of `kind` and the record holding its key, once a due check has run;
// errors while the key is out of reach (or its DEK not yet recovered).
StatusOr<std::pair<ConsumerEngine::Record*, ConsumerEngine::Record*>> ConsumerEngine::ReachableLocked(
    const std::string& kind, const std::string& ref) {
  auto k = DataKind(kind);
  Record* r = k ? FindByRefLocked(*k, ref) : nullptr;
  if (!r) return errors::ResourceNotFound(kind + "/" + ref, "");
  Record* owner = OwnerLocked(r);
  if (!owner) return errors::ResourceNotFound(kind + "/" + ref, r->group);
  EvaluateLocked(*owner, false);
  if (!owner->healthy || owner->dek.empty()) return InaccessibleError(*r, *owner);
  return std::make_pair(r, owner);
}

Status ConsumerEngine::WriteData(const std::string& kind, const std::string& ref, const std::string& item,
                                 const std::string& bytes) {
  std::lock_guard lock(mu_);
  CK_ASSIGN_OR_RETURN(auto reached, ReachableLocked(kind, ref));
  auto [r, owner] = reached;
  std::string error;
  auto sealed = crypto::KeyMaterial::FromOctBytes(owner->dek)->Encrypt("A256GCM", bytes, {}, &error);
  if (!sealed) return keyvault::errors::BadParameter(error);
  r->data[item] = Blob{sealed->iv, sealed->tag, sealed->value};
  return Status::Ok();
}

StatusOr<std::string> ConsumerEngine::ReadData(const std::string& kind, const std::string& ref,
                                               const std::string& item) {
  std::lock_guard lock(mu_);
  CK_ASSIGN_OR_RETURN(auto reached, ReachableLocked(kind, ref));
  auto [r, owner] = reached;
  auto it = r->data.find(item);
  if (it == r->data.end()) return errors::DataItemNotFound(item);
  std::string error;
  crypto::SymmetricParams params;
  params.iv = it->second.iv;
  params.tag = it->second.tag;
  auto plain = crypto::KeyMaterial::FromOctBytes(owner->dek)->Decrypt("A256GCM", it->second.value, params, &error);
  if (!plain) return keyvault::errors::BadParameter(error);
  return *plain;
}

std::optional<ConsumerEngine::StorageAccountRef> ConsumerEngine::FindStorageAccount(const std::string& name) {
  std::lock_guard lock(mu_);
  for (const auto& [key, r] : records_) {
    if (r.kind == Kind::kStorage && EqualsIgnoreCase(r.name, name)) return StorageAccountRef{r.id, r.name};
  }
  return std::nullopt;
}

std::vector<std::string> ConsumerEngine::StorageAccountNames() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [key, r] : records_) {
    if (r.kind == Kind::kStorage) out.push_back(r.name);
  }
  return out;
}

Status ConsumerEngine::WithBlobContainers(const std::string& account_id, BlobKeyUse use,
                                          const BlobContainersFn& fn) {
  std::lock_guard lock(mu_);
  Record* r = FindLocked(ToLower(account_id));
  if (!r || r->kind != Kind::kStorage) return errors::blob::ResourceNotFound();
  EvaluateLocked(*r, false);
  const bool usable = r->healthy && !r->dek.empty();
  if (!usable && use == BlobKeyUse::kNeedsKey) return InaccessibleError(*r, *r);  // as ReachableLocked
  if (!usable) return fn(r->containers, DekCipher(""));
  return fn(r->containers, DekCipher(r->dek));
}

Json ConsumerEngine::States(bool force) {
  std::lock_guard lock(mu_);
  Json out = Json::array();
  for (auto& [key, r] : records_) {
    if (r.cmk || r.kind == Kind::kStorage || r.kind == Kind::kCosmos || r.kind == Kind::kSqlServer ||
        r.kind == Kind::kDiskEncryptionSet) {
      EvaluateLocked(r, force);
    }
  }
  for (auto& [key, r] : records_) {
    // A server's keys and TDE protector are its configuration, not consumers of their own.
    if (r.kind == Kind::kSqlKey || r.kind == Kind::kSqlProtector) continue;
    Record* owner = OwnerLocked(&r);
    Json s = owner ? StatusJson(*owner) : Json::object();
    if (r.kind == Kind::kSqlDatabase && owner) s["state"] = owner->healthy ? "Online" : "Inaccessible";
    s["id"] = r.id;
    s["name"] = r.name;
    s["kind"] = KindName(r.kind);
    if (owner && owner != &r) s["ownerId"] = owner->id;
    if (owner && owner->cmk) {
      auto vault = resources_->FindVault(owner->key.vault);
      s["chain"] = {{"vault", owner->key.vault},
                    {"vaultId", vault ? vault->id : ""},
                    {"vaultTenantId", vault ? vault->tenant_id : ""},
                    {"tenantId", resources_->TenantOfScope(owner->id)},
                    {"keyName", owner->key.name},
                    {"keyVersion", owner->key.version},
                    {"identityId", owner->identity_id},
                    {"identityClientId", owner->identity_client_id},
                    {"identityPrincipalId", owner->identity_principal_id},
                    {"federatedClientId", owner->federated_client_id}};
    }
    out.push_back(s);
  }
  return {{"now", clock_->Now()}, {"value", out}, {"settings", Settings()}};
}

Json ConsumerEngine::Settings() const {
  Json j = Json::object();
  for (auto& [kind, s] : settings_) {
    j[KindName(kind)] = {{"checkIntervalSeconds", s.check_interval},
                         {"versionCheckIntervalSeconds", s.version_interval},
                         {"autoHealWindowSeconds", s.heal_window}};
  }
  return j;
}

StatusOr<Json> ConsumerEngine::UpdateSettings(const Json& body) {
  std::lock_guard lock(mu_);
  if (!body.is_object()) return errors::InvalidProperty("settings must be a JSON object");
  std::map<Kind, KindSettings> next = settings_;
  for (auto& [name, v] : body.items()) {
    std::optional<Kind> kind;
    for (Kind k : {Kind::kStorage, Kind::kCosmos, Kind::kDiskEncryptionSet, Kind::kSqlServer}) {
      if (EqualsIgnoreCase(KindName(k), name)) kind = k;
    }
    if (!kind || !v.is_object()) return errors::InvalidProperty("unknown consumer kind '" + name + "'");
    for (auto& [field, n] : v.items()) {
      if (!n.is_number_integer() || n.get<int64_t>() < 0)
        return errors::InvalidProperty(field + " must be a non-negative integer");
      if (field == "checkIntervalSeconds")
        next[*kind].check_interval = n.get<int64_t>();
      else if (field == "versionCheckIntervalSeconds")
        next[*kind].version_interval = n.get<int64_t>();
      else if (field == "autoHealWindowSeconds")
        next[*kind].heal_window = n.get<int64_t>();
      else
        return errors::InvalidProperty("unknown setting '" + field + "'");
    }
  }
  settings_ = next;
  return Settings();
}

}  // namespace crosskey::consumer
