#include "emulator/arm/resource_manager.h"

#include <mutex>
#include <regex>

#include "emulator/arm/errors.h"
#include "emulator/arm/resource_id.h"
#include "emulator/arm/role_definition.h"
#include "emulator/common/tag_rules.h"
#include "emulator/common/text.h"

namespace crosskey::arm {
namespace {
constexpr const char* kIdentityType = "Microsoft.ManagedIdentity/userAssignedIdentities";
constexpr const char* kIdentityFicType =
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials";
constexpr const char* kVaultType = "Microsoft.KeyVault/vaults";
constexpr const char* kGroupType = "Microsoft.Resources/resourceGroups";

std::string Lower(const std::string& s) { return ToLower(s); }

// The RBAC operation prefix of a resource type (groups are "subscriptions/resourceGroups").
std::string ActionPrefix(const std::string& type) {
  return type == kGroupType ? "Microsoft.Resources/subscriptions/resourceGroups" : type;
}

Json Tags(const Json& body) {
  return body.contains("tags") && body["tags"].is_object() ? body["tags"] : Json::object();
}

std::string Location(const Json& body, const std::string& fallback) {
  if (body.contains("location") && body["location"].is_string()) return body["location"].get<std::string>();
  return fallback;
}

bool IsObject(const Json& j, const char* key) { return j.contains(key) && j[key].is_object(); }

template <typename T>
T Prop(const Json& props, const char* key, T fallback) {
  if (!props.contains(key) || props[key].is_null()) return fallback;
  try {
    return props[key].get<T>();
  } catch (const std::exception&) {
    return fallback;
  }
}

std::string RoleGuidFromId(const std::string& role_definition_id) {
  auto parts = Split(TrimSlashes(role_definition_id), '/');
  return parts.empty() ? "" : ToLower(parts.back());
}
}  // namespace

Status ResourceManager::AddSubscription(const Subscription& subscription) {
  if (!directory_->FindTenant(subscription.tenant_id)) {
    return errors::BadRequest("Tenant '" + subscription.tenant_id + "' does not exist.");
  }
  std::unique_lock lock(mu_);
  auto key = Lower(subscription.subscription_id);
  if (subscriptions_.count(key)) return errors::BadRequest("Subscription exists already.");
  Subscription s = subscription;
  s.subscription_id = key;
  s.tenant_id = Lower(s.tenant_id);
  subscriptions_[key] = s;
  return Status::Ok();
}

std::optional<Subscription> ResourceManager::FindSubscription(const std::string& subscription_id) const {
  std::shared_lock lock(mu_);
  auto it = subscriptions_.find(Lower(subscription_id));
  if (it == subscriptions_.end()) return std::nullopt;
  return it->second;
}

Json ResourceManager::SubscriptionJson(const Subscription& s) const {
  return {
      {"id", "/subscriptions/" + s.subscription_id},
      {"authorizationSource", "RoleBased"},
      {"managedByTenants", Json::array()},
      {"subscriptionId", s.subscription_id},
      {"tenantId", s.tenant_id},
      {"displayName", s.display_name},
      {"state", "Enabled"},
      {"subscriptionPolicies",
       {{"locationPlacementId", "Public_2014-09-01"}, {"quotaId", "PayAsYouGo_2014-09-01"}, {"spendingLimit", "Off"}}}};
}

std::vector<Subscription> ResourceManager::ListSubscriptions(const ArmCaller& caller) const {
  std::vector<Subscription> candidates;
  {
    std::shared_lock lock(mu_);
    for (const auto& [_, s] : subscriptions_) {
      if (caller.system() || s.tenant_id == Lower(caller.tenant_id)) candidates.push_back(s);
    }
  }
  std::vector<Subscription> out;
  for (const auto& s : candidates) {
    // A principal sees a subscription when it holds any role at or below it, as in Azure.
    if (caller.system() || !rbac_->List("/subscriptions/" + s.subscription_id, caller.object_id, true).empty()) {
      out.push_back(s);
    }
  }
  return out;
}

StatusOr<Subscription> ResourceManager::GetSubscription(const ArmCaller& caller,
                                                        const std::string& subscription_id) const {
  auto s = FindSubscription(subscription_id);
  if (!s) return errors::SubscriptionNotFound(subscription_id);
  CK_RETURN_IF_ERROR(Authorize(caller, s->subscription_id, "Microsoft.Resources/subscriptions/read",
                               "/subscriptions/" + s->subscription_id));
  return *s;
}

std::string ResourceManager::TenantOfScope(const std::string& scope) const {
  auto parts = Split(TrimSlashes(scope), '/');
  if (parts.size() < 2 || !EqualsIgnoreCase(parts[0], "subscriptions")) return "";
  auto s = FindSubscription(parts[1]);
  return s ? s->tenant_id : "";
}

Status ResourceManager::Authorize(const ArmCaller& caller, const std::string& subscription_id,
                                  const std::string& action, const std::string& scope) const {
  if (caller.system()) return Status::Ok();
  auto s = FindSubscription(subscription_id);
  if (!s) return errors::SubscriptionNotFound(subscription_id);
  if (Lower(caller.tenant_id) != s->tenant_id) return errors::WrongTokenTenant(caller.tenant_id, s->tenant_id);
  if (!rbac_->Decide(caller.object_id, action, scope, false).allowed) {
    return errors::AuthorizationFailed(caller.display.empty() ? caller.object_id : caller.display, caller.object_id,
                                       action, scope);
  }
  return Status::Ok();
}

// What every call handed to the extension needs first: the subscription, the caller's RBAC
// action on the resource, and its resource group.
Status ResourceManager::CheckResourceCall(const ArmCaller& caller, const ParsedId& pid,
                                           const std::string& action) const {
  if (!FindSubscription(pid.subscription_id)) return errors::SubscriptionNotFound(pid.subscription_id);
  CK_RETURN_IF_ERROR(Authorize(caller, pid.subscription_id, action, pid.Canonical()));
  std::shared_lock lock(mu_);
  if (!resources_.count(Lower(pid.GroupId()))) return errors::ResourceGroupNotFound(pid.resource_group);
  return Status::Ok();
}

namespace {
// ARM's tag rules for every resource type: an object of at most 50 string values, names of at
// most 512 characters and values of at most 256 (null clears them).
Status CheckTags(const Json& body) {
  if (!body.is_object() || !body.contains("tags") || body["tags"].is_null()) return Status::Ok();
  std::string problem = TagProblem(body["tags"], {50, 512, 256});
  if (!problem.empty()) return errors::InvalidTag(problem);
  return Status::Ok();
}
}  // namespace

StatusOr<PutResult> ResourceManager::Put(const ArmCaller& caller, const std::string& id, const Json& body) {
  auto pid = ParseResourceId(id);
  if (!pid || pid->resource_group.empty()) return errors::NotImplemented("PUT", id);
  if (!body.is_object()) return errors::InvalidRequestContent("the body must be a JSON object");
  CK_RETURN_IF_ERROR(CheckTags(body));
  std::string type = pid->Type();
  if (extension_ && extension_->Serves(type)) {
    CK_RETURN_IF_ERROR(CheckResourceCall(caller, *pid, type + "/write"));
    return extension_->Put(*pid, body);
  }
  if (type != kGroupType && type != kIdentityType && type != kIdentityFicType && type != kVaultType) {
    return errors::NotImplemented("PUT", id);
  }
  if (!FindSubscription(pid->subscription_id)) return errors::SubscriptionNotFound(pid->subscription_id);
  CK_RETURN_IF_ERROR(Authorize(caller, pid->subscription_id, ActionPrefix(type) + "/write", pid->Canonical()));
  std::unique_lock lock(mu_);
  return PutLocked(caller, *pid, body);
}

StatusOr<PutResult> ResourceManager::PutLocked(const ArmCaller& caller, const ParsedId& pid, const Json& body) {
  (void)caller;
  std::string type = pid.Type();
  std::string key = Lower(pid.Canonical());
  auto existing_it = resources_.find(key);
  const Resource* existing = existing_it == resources_.end() ? nullptr : &existing_it->second;
  Resource r;
  r.type = type;
  if (type == kGroupType) {
    static const std::regex kGroupName(R"(^[-\w\._\(\)]{1,90}$)");
    if (!std::regex_match(pid.resource_group, kGroupName) || pid.resource_group.back() == '.') {
      return errors::InvalidResourceName(pid.resource_group, R"(^[-\w\._\(\)]+$)");
    }
    if (!body.contains("location") || !body["location"].is_string()) return errors::MissingProperty("location");
    std::string canonical = existing ? existing->id : pid.Canonical();
    r.id = canonical;
    r.body = {{"id", canonical},
              {"name", existing ? existing->body["name"].get<std::string>() : pid.resource_group},
              {"type", "Microsoft.Resources/resourceGroups"},
              {"location", body["location"]},
              {"tags", Tags(body)},
              {"properties", {{"provisioningState", "Succeeded"}}}};
  } else {
    auto group = resources_.find(Lower(pid.GroupId()));
    if (group == resources_.end()) return errors::ResourceGroupNotFound(pid.resource_group);
    // Echo the group's canonical case in child ids.
    ParsedId canonical = pid;
    canonical.resource_group = group->second.body["name"].get<std::string>();
    if (existing) {
      r.id = existing->id;
    } else {
      r.id = canonical.Canonical();
    }
    StatusOr<Json> built = Json();
    if (type == kIdentityType) {
      built = BuildIdentity(canonical, body, existing);
    } else if (type == kIdentityFicType) {
      if (!resources_.count(Lower(pid.Parent()))) {
        return errors::ResourceNotFound(std::string(kIdentityType) + "/" + pid.segments[0].second, pid.resource_group);
      }
      built = BuildIdentityFic(canonical, body);
    } else {
      built = BuildVault(canonical, body, existing);
    }
    if (!built.ok()) return built.error();
    r.body = std::move(built).value();
    r.body["id"] = r.id;
  }
  bool created = existing == nullptr;
  resources_[key] = r;
  if (type == kVaultType) PublishVault(r.body, r.body.value("/properties/_instance"_json_pointer, std::string()));
  PutResult result{r.body, created};
  if (result.body.contains("properties")) result.body["properties"].erase("_instance");
  return result;
}

StatusOr<Json> ResourceManager::BuildIdentity(const ParsedId& pid, const Json& body, const Resource* existing) {
  std::string tenant = subscriptions_[pid.subscription_id].tenant_id;
  std::string principal_id, client_id;
  if (existing) {
    principal_id = existing->body["properties"]["principalId"];
    client_id = existing->body["properties"]["clientId"];
  } else {
    auto sp = directory_->CreateManagedIdentityPrincipal(tenant, pid.Name(), pid.Canonical());
    if (!sp.ok()) return sp.error();
    principal_id = sp->object_id;
    client_id = sp->app_id;
  }
  return Json{
      {"name", pid.Name()},
      {"type", kIdentityType},
      {"location", Location(body, existing ? existing->body.value("location", "") : "")},
      {"tags", Tags(body)},
      {"properties",
       {{"tenantId", tenant}, {"principalId", principal_id}, {"clientId", client_id}, {"isolationScope", "None"}}}};
}

std::optional<std::vector<graph::FederatedCredential>> ResourceManager::IdentityFederatedCredentials(
    const std::string& tenant_id, const std::string& client_id) const {
  std::shared_lock lock(mu_);
  const Resource* identity = nullptr;
  for (const auto& [key, r] : resources_) {
    if (r.type == kIdentityType && EqualsIgnoreCase(r.body["properties"].value("clientId", ""), client_id) &&
        EqualsIgnoreCase(r.body["properties"].value("tenantId", ""), tenant_id)) {
      identity = &r;
    }
  }
  if (!identity) return std::nullopt;
  std::vector<graph::FederatedCredential> out;
  std::string prefix = Lower(identity->id) + "/federatedidentitycredentials/";
  for (auto it = resources_.lower_bound(prefix);
       it != resources_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    const Json& p = it->second.body["properties"];
    graph::FederatedCredential f;
    f.name = it->second.body.value("name", "");
    f.issuer = p.value("issuer", "");
    f.subject = p.value("subject", "");
    f.audiences = p.value("audiences", std::vector<std::string>{});
    out.push_back(f);
  }
  return out;
}

StatusOr<Json> ResourceManager::BuildIdentityFic(const ParsedId& pid, const Json& body) {
  if (!IsObject(body, "properties")) return errors::MissingProperty("properties");
  const Json& p = body["properties"];
  std::string issuer = Prop<std::string>(p, "issuer", "");
  std::string subject = Prop<std::string>(p, "subject", "");
  if (issuer.empty()) return errors::MissingProperty("properties.issuer");
  if (subject.empty()) return errors::MissingProperty("properties.subject");
  if (!p.contains("audiences") || !p["audiences"].is_array() || p["audiences"].size() != 1) {
    return errors::BadRequest("The property 'audiences' must contain exactly one audience.");
  }
  return Json{{"name", pid.Name()},
              {"type", kIdentityFicType},
              {"properties", {{"issuer", issuer}, {"subject", subject}, {"audiences", p["audiences"]}}}};
}

StatusOr<Json> ResourceManager::BuildVault(const ParsedId& pid, const Json& body, const Resource* existing) {
  static const std::regex kVaultName(R"(^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$)");
  std::string name = pid.Name();
  if (!std::regex_match(name, kVaultName)) {
    return errors::InvalidResourceName(name, "^[a-zA-Z0-9-]{3,24}$");
  }
  if (!IsObject(body, "properties")) return errors::MissingProperty("properties");
  const Json& p = body["properties"];
  std::string create_mode = Prop<std::string>(p, "createMode", "default");
  std::string instance_id;
  auto live = vaults_.find(Lower(name));
  if (live != vaults_.end() && !EqualsIgnoreCase(live->second->id, pid.Canonical())) {
    return errors::VaultAlreadyExists(name);
  }
  if (existing) instance_id = existing->body["properties"].value("_instance", "");
  auto deleted = deleted_vaults_.find(Lower(name));
  if (!existing && deleted != deleted_vaults_.end()) {
    if (!EqualsIgnoreCase(create_mode, "recover")) {
      return deleted->second.info->subscription_id == pid.subscription_id ? errors::VaultDeletedExists()
                                                                          : errors::VaultAlreadyExists(name);
    }
    // Only the owning subscription may recover: anyone else would take the vault and its keys.
    if (deleted->second.info->subscription_id != pid.subscription_id) return errors::VaultAlreadyExists(name);
    instance_id = deleted->second.info->instance_id;
    Json recovered = deleted->second.body["properties"].value("_vault", Json::object());
    deleted_vaults_.erase(deleted);
    recovered["id"] = pid.Canonical();
    return recovered;
  }
  // createMode recover needs a soft-deleted vault of that name (a live one is just updated).
  if (!existing && EqualsIgnoreCase(create_mode, "recover")) return errors::SoftDeletedVaultDoesNotExist();
  if (instance_id.empty()) instance_id = NewGuid();
  if (!p.contains("tenantId") || !p["tenantId"].is_string()) return errors::MissingProperty("properties.tenantId");
  if (!IsObject(p, "sku")) return errors::MissingProperty("properties.sku");
  std::string tenant = Lower(p["tenantId"].get<std::string>());
  if (!IsGuid(tenant)) return errors::BadRequest("The property 'tenantId' must be a GUID.");
  bool old_purge = existing && existing->body["properties"].value("enablePurgeProtection", false);
  bool purge = Prop<bool>(p, "enablePurgeProtection", old_purge);
  if (old_purge && !purge) return errors::PurgeProtectionIrreversible();
  int retention = Prop<int>(p, "softDeleteRetentionInDays", 90);
  if (retention < 7 || retention > 90) {
    return errors::BadRequest("The property 'softDeleteRetentionInDays' must be between 7 and 90.");
  }
  Json access_policies =
      p.contains("accessPolicies") && p["accessPolicies"].is_array() ? p["accessPolicies"] : Json::array();
  Json props = {{"sku", p["sku"]},
                {"tenantId", tenant},
                {"accessPolicies", access_policies},
                {"enabledForDeployment", Prop<bool>(p, "enabledForDeployment", false)},
                {"enabledForDiskEncryption", Prop<bool>(p, "enabledForDiskEncryption", false)},
                {"enabledForTemplateDeployment", Prop<bool>(p, "enabledForTemplateDeployment", false)},
                {"enableSoftDelete", Prop<bool>(p, "enableSoftDelete", true)},
                {"softDeleteRetentionInDays", retention},
                {"enableRbacAuthorization", Prop<bool>(p, "enableRbacAuthorization", false)},
                {"vaultUri", vault_uri_(name)},
                {"provisioningState", "Succeeded"},
                {"publicNetworkAccess", Prop<std::string>(p, "publicNetworkAccess", "Enabled")},
                {"_instance", instance_id}};
  if (purge) props["enablePurgeProtection"] = true;
  if (IsObject(p, "networkAcls")) props["networkAcls"] = p["networkAcls"];
  return Json{{"name", name},
              {"type", kVaultType},
              {"location", Location(body, existing ? existing->body.value("location", "") : "")},
              {"tags", Tags(body)},
              {"properties", props}};
}

void ResourceManager::PublishVault(const Json& body, const std::string& instance_id) {
  auto info = std::make_shared<VaultInfo>();
  const Json& p = body["properties"];
  auto pid = ParseResourceId(body["id"].get<std::string>());
  info->name = body["name"];
  info->id = body["id"];
  info->instance_id = instance_id;
  info->tenant_id = p["tenantId"];
  info->subscription_id = pid ? pid->subscription_id : "";
  info->location = body.value("location", "");
  info->rbac = p.value("enableRbacAuthorization", false);
  info->soft_delete = p.value("enableSoftDelete", true);
  info->purge_protection = p.value("enablePurgeProtection", false);
  info->retention_days = p.value("softDeleteRetentionInDays", 90);
  info->access_policies = p.value("accessPolicies", Json::array());
  vaults_[Lower(info->name)] = info;
}

StatusOr<Json> ResourceManager::Patch(const ArmCaller& caller, const std::string& id, const Json& patch) {
  auto pid = ParseResourceId(id);
  if (!pid || pid->resource_group.empty()) return errors::NotImplemented("PATCH", id);
  if (!patch.is_object()) return errors::InvalidRequestContent("the body must be a JSON object");
  CK_RETURN_IF_ERROR(CheckTags(patch));
  const std::string type = pid->Type();
  if (extension_ && extension_->Serves(type)) {
    CK_RETURN_IF_ERROR(CheckResourceCall(caller, *pid, type + "/write"));
    return extension_->Patch(*pid, patch);
  }
  if (type != kVaultType) return errors::NotImplemented("PATCH", id);
  if (!FindSubscription(pid->subscription_id)) return errors::SubscriptionNotFound(pid->subscription_id);
  CK_RETURN_IF_ERROR(Authorize(caller, pid->subscription_id, std::string(kVaultType) + "/write", pid->Canonical()));
  std::unique_lock lock(mu_);
  auto it = resources_.find(Lower(pid->Canonical()));
  if (it == resources_.end())
    return errors::ResourceNotFound(std::string(kVaultType) + "/" + pid->Name(), pid->resource_group);
  Json merged = it->second.body;
  if (patch.contains("tags")) merged["tags"] = patch["tags"];
  if (IsObject(patch, "properties")) {
    for (auto& [k, v] : patch["properties"].items()) merged["properties"][k] = v;
  }
  merged["properties"].erase("vaultUri");
  merged["properties"].erase("provisioningState");
  auto result = PutLocked(caller, *pid, merged);
  if (!result.ok()) return result.error();
  return result->body;
}

StatusOr<Json> ResourceManager::Action(const ArmCaller& caller, const std::string& id, const std::string& action) {
  auto pid = ParseResourceId(id);
  if (!pid || pid->resource_group.empty() || !extension_ || !extension_->Serves(pid->Type())) {
    return errors::NotImplemented("POST", id + "/" + action);
  }
  CK_RETURN_IF_ERROR(CheckResourceCall(caller, *pid, pid->Type() + "/" + action + "/action"));
  return extension_->Action(*pid, action);
}

StatusOr<Json> ResourceManager::Get(const ArmCaller& caller, const std::string& id) const {
  auto pid = ParseResourceId(id);
  if (!pid || pid->resource_group.empty()) return errors::NotImplemented("GET", id);
  std::string type = pid->Type();
  if (!FindSubscription(pid->subscription_id)) return errors::SubscriptionNotFound(pid->subscription_id);
  CK_RETURN_IF_ERROR(Authorize(caller, pid->subscription_id, ActionPrefix(type) + "/read", pid->Canonical()));
  if (extension_ && extension_->Serves(type)) {
    {
      std::shared_lock lock(mu_);
      if (!resources_.count(Lower(pid->GroupId()))) return errors::ResourceGroupNotFound(pid->resource_group);
    }
    return extension_->Get(*pid);
  }
  std::shared_lock lock(mu_);
  if (type != kGroupType && !resources_.count(Lower(pid->GroupId()))) {
    return errors::ResourceGroupNotFound(pid->resource_group);
  }
  auto it = resources_.find(Lower(pid->Canonical()));
  if (it == resources_.end()) {
    if (type == kGroupType) return errors::ResourceGroupNotFound(pid->resource_group);
    if (type != kIdentityType && type != kVaultType && type != kIdentityFicType)
      return errors::NotImplemented("GET", id);
    return errors::ResourceNotFound(type + "/" + pid->Name(), pid->resource_group);
  }
  Json body = it->second.body;
  if (body.contains("properties")) body["properties"].erase("_instance");
  return body;
}

void ResourceManager::DeleteLocked(const Resource& resource) {
  if (resource.type == kIdentityType) {
    std::string tenant = resource.body["properties"].value("tenantId", "");
    (void)directory_->DeleteServicePrincipal(tenant, resource.body["properties"].value("principalId", ""));
  }
  if (resource.type == kVaultType) {
    auto live = vaults_.find(Lower(resource.body["name"].get<std::string>()));
    if (live != vaults_.end()) {
      auto info = live->second;
      vaults_.erase(live);
      if (info->soft_delete) {
        int64_t now = clock_->Now();
        DeletedVault d;
        d.info = info;
        d.deletion_date = now;
        d.scheduled_purge = now + int64_t{info->retention_days} * 86400;
        Json vault_body = resource.body;
        d.body = {{"id", "/subscriptions/" + info->subscription_id + "/providers/Microsoft.KeyVault/locations/" +
                             info->location + "/deletedVaults/" + info->name},
                  {"name", info->name},
                  {"type", "Microsoft.KeyVault/deletedVaults"},
                  {"properties",
                   {{"vaultId", info->id},
                    {"location", info->location},
                    {"deletionDate", IsoTime(now)},
                    {"scheduledPurgeDate", IsoTime(d.scheduled_purge)},
                    {"tags", resource.body.value("tags", Json::object())},
                    {"purgeProtectionEnabled", info->purge_protection},
                    {"_vault", vault_body}}}};
        deleted_vaults_[Lower(info->name)] = d;
      }
    }
  }
  rbac_->RemoveUnder(resource.id);
  resources_.erase(Lower(resource.id));
}

Status ResourceManager::Delete(const ArmCaller& caller, const std::string& id) {
  auto pid = ParseResourceId(id);
  if (!pid || pid->resource_group.empty()) return errors::NotImplemented("DELETE", id);
  std::string type = pid->Type();
  if (extension_ && extension_->Serves(type)) {
    if (!FindSubscription(pid->subscription_id)) return errors::SubscriptionNotFound(pid->subscription_id);
    CK_RETURN_IF_ERROR(Authorize(caller, pid->subscription_id, type + "/delete", pid->Canonical()));
    CK_RETURN_IF_ERROR(extension_->Delete(*pid));
    rbac_->RemoveUnder(pid->Canonical());  // a deleted resource takes its role assignments
    return Status::Ok();
  }
  if (type != kGroupType && type != kIdentityType && type != kVaultType && type != kIdentityFicType) {
    return errors::NotImplemented("DELETE", id);
  }
  if (!FindSubscription(pid->subscription_id)) return errors::SubscriptionNotFound(pid->subscription_id);
  CK_RETURN_IF_ERROR(Authorize(caller, pid->subscription_id, ActionPrefix(type) + "/delete", pid->Canonical()));
  std::unique_lock lock(mu_);
  auto it = resources_.find(Lower(pid->Canonical()));
  if (it == resources_.end()) {
    if (type == kGroupType) return errors::ResourceGroupNotFound(pid->resource_group);
    return errors::ResourceNotFound(type + "/" + pid->Name(), pid->resource_group);
  }
  std::string prefix = Lower(it->second.id) + "/";
  std::vector<Resource> doomed;
  for (const auto& [key, r] : resources_) {
    if (key.compare(0, prefix.size(), prefix) == 0) doomed.push_back(r);
  }
  doomed.push_back(it->second);
  for (const auto& r : doomed) DeleteLocked(r);
  lock.unlock();
  // Resources served by the extension (the emulated consumers) go with their group, as ARM
  // deletes every resource in a group it deletes.
  if (type == kGroupType && extension_) extension_->DeleteUnder(prefix);
  return Status::Ok();
}

StatusOr<std::vector<Json>> ResourceManager::List(const ArmCaller& caller, const std::string& parent_id,
                                                  const std::string& type) const {
  auto pid = ParseResourceId(parent_id);
  if (!pid) return errors::NotImplemented("GET", parent_id);
  if (!FindSubscription(pid->subscription_id)) return errors::SubscriptionNotFound(pid->subscription_id);
  std::string wanted = EqualsIgnoreCase(type, "resourcegroups") ? kGroupType : type;
  CK_RETURN_IF_ERROR(Authorize(caller, pid->subscription_id, ActionPrefix(wanted) + "/read", pid->Canonical()));
  if (extension_ && extension_->Serves(wanted)) return extension_->List(Lower(pid->Canonical()) + "/", wanted);
  std::shared_lock lock(mu_);
  if (!pid->resource_group.empty() && !resources_.count(Lower(pid->GroupId()))) {
    return errors::ResourceGroupNotFound(pid->resource_group);
  }
  std::string prefix = Lower(pid->Canonical()) + "/";
  std::vector<Json> out;
  for (const auto& [key, r] : resources_) {
    if (EqualsIgnoreCase(r.type, wanted) && key.compare(0, prefix.size(), prefix) == 0) {
      Json body = r.body;
      if (body.contains("properties")) body["properties"].erase("_instance");
      out.push_back(body);
    }
  }
  return out;
}

StatusOr<std::vector<Json>> ResourceManager::ListResources(const ArmCaller& caller, const std::string& subscription_id,
                                                           const std::string& resource_type) const {
  if (!FindSubscription(subscription_id)) return errors::SubscriptionNotFound(subscription_id);
  CK_RETURN_IF_ERROR(Authorize(caller, subscription_id, "Microsoft.Resources/subscriptions/resources/read",
                               "/subscriptions/" + Lower(subscription_id)));
  std::shared_lock lock(mu_);
  std::string prefix = "/subscriptions/" + Lower(subscription_id) + "/";
  std::vector<Json> out;
  for (const auto& [key, r] : resources_) {
    if (r.type == kGroupType || key.compare(0, prefix.size(), prefix) != 0) continue;
    if (!resource_type.empty() && !EqualsIgnoreCase(r.type, resource_type)) continue;
    out.push_back({{"id", r.id},
                   {"name", r.body.value("name", "")},
                   {"type", r.type},
                   {"location", r.body.value("location", "")},
                   {"tags", r.body.value("tags", Json::object())}});
  }
  return out;
}

StatusOr<std::vector<Json>> ResourceManager::ListDeletedVaults(const ArmCaller& caller,
                                                               const std::string& subscription_id) const {
  CK_RETURN_IF_ERROR(Authorize(caller, subscription_id, "Microsoft.KeyVault/deletedVaults/read",
                               "/subscriptions/" + Lower(subscription_id)));
  std::shared_lock lock(mu_);
  std::vector<Json> out;
  for (const auto& [_, d] : deleted_vaults_) {
    if (d.info->subscription_id != Lower(subscription_id)) continue;
    Json body = d.body;
    body["properties"].erase("_vault");
    out.push_back(body);
  }
  return out;
}

StatusOr<Json> ResourceManager::GetDeletedVault(const ArmCaller& caller, const std::string& subscription_id,
                                                const std::string& name) const {
  CK_RETURN_IF_ERROR(Authorize(caller, subscription_id, "Microsoft.KeyVault/deletedVaults/read",
                               "/subscriptions/" + Lower(subscription_id)));
  std::shared_lock lock(mu_);
  auto it = deleted_vaults_.find(Lower(name));
  if (it == deleted_vaults_.end() || it->second.info->subscription_id != Lower(subscription_id)) {
    return errors::ResourceNotFound("Microsoft.KeyVault/deletedVaults/" + name, "");
  }
  Json body = it->second.body;
  body["properties"].erase("_vault");
  return body;
}

Status ResourceManager::PurgeDeletedVault(const ArmCaller& caller, const std::string& subscription_id,
                                          const std::string& name) {
  CK_RETURN_IF_ERROR(Authorize(caller, subscription_id, "Microsoft.KeyVault/locations/deletedVaults/purge/action",
                               "/subscriptions/" + Lower(subscription_id)));
  std::unique_lock lock(mu_);
  auto it = deleted_vaults_.find(Lower(name));
  if (it == deleted_vaults_.end() || it->second.info->subscription_id != Lower(subscription_id)) {
    return errors::ResourceNotFound("Microsoft.KeyVault/deletedVaults/" + name, "");
  }
  if (it->second.info->purge_protection && clock_->Now() < it->second.scheduled_purge) {
    return errors::DeletedVaultPurgeNotAllowed();
  }
  std::string instance = it->second.info->instance_id;
  deleted_vaults_.erase(it);
  lock.unlock();
  if (vault_purged_) vault_purged_(instance);
  return Status::Ok();
}

Json ResourceManager::RoleDefinitionJson(const RoleDefinition& role, const std::string& scope) const {
  auto parts = Split(TrimSlashes(scope), '/');
  std::string prefix = parts.size() >= 2 && EqualsIgnoreCase(parts[0], "subscriptions")
                           ? "/subscriptions/" + Lower(parts[1])
                           : std::string();
  return {{"id", prefix + "/providers/Microsoft.Authorization/roleDefinitions/" + role.guid},
          {"name", role.guid},
          {"type", "Microsoft.Authorization/roleDefinitions"},
          {"properties",
           {{"roleName", role.role_name},
            {"type", "BuiltInRole"},
            {"description", role.description},
            {"assignableScopes", {"/"}},
            {"permissions",
             {{{"actions", role.actions},
               {"notActions", role.not_actions},
               {"dataActions", role.data_actions},
               {"notDataActions", role.not_data_actions}}}},
            {"createdOn", "2015-02-02T21:55:09.8806423Z"},
            {"updatedOn", "2024-01-01T00:00:00.0000000Z"}}}};
}

StatusOr<std::vector<Json>> ResourceManager::ListRoleDefinitions(const ArmCaller& caller, const std::string& scope,
                                                                 const std::string& role_name) const {
  (void)caller;  // built-in definitions are readable by every authenticated principal
  std::vector<Json> out;
  for (const auto& role : BuiltInRoleDefinitions()) {
    if (role_name.empty() || EqualsIgnoreCase(role.role_name, role_name))
      out.push_back(RoleDefinitionJson(role, scope));
  }
  return out;
}

StatusOr<Json> ResourceManager::GetRoleDefinition(const ArmCaller& caller, const std::string& scope,
                                                  const std::string& guid) const {
  (void)caller;
  const RoleDefinition* role = FindBuiltInRoleByGuid(guid);
  if (!role) return errors::RoleDefinitionDoesNotExist(guid);
  return RoleDefinitionJson(*role, scope);
}

Json ResourceManager::RoleAssignmentJson(const RoleAssignment& a) const {
  auto s = Split(TrimSlashes(a.scope), '/');
  std::string sub = s.size() >= 2 ? Lower(s[1]) : "";
  return {{"id", a.id},
          {"name", a.name},
          {"type", "Microsoft.Authorization/roleAssignments"},
          {"properties",
           {{"roleDefinitionId",
             "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/" + a.role_definition_guid},
            {"principalId", a.principal_id},
            {"principalType", a.principal_type},
            {"scope", a.scope},
            {"condition", nullptr},
            {"conditionVersion", nullptr},
            {"description", a.description.empty() ? Json(nullptr) : Json(a.description)},
            {"createdOn", IsoTime(a.created_on)},
            {"updatedOn", IsoTime(a.created_on)},
            {"createdBy", a.created_by.empty() ? Json(nullptr) : Json(a.created_by)},
            {"updatedBy", a.created_by.empty() ? Json(nullptr) : Json(a.created_by)},
            {"delegatedManagedIdentityResourceId", nullptr}}}};
}

StatusOr<PutResult> ResourceManager::PutRoleAssignment(const ArmCaller& caller, const std::string& scope_in,
                                                       const std::string& name, const Json& body) {
  if (!IsGuid(name)) return errors::InvalidRoleAssignmentId(name);
  auto scope_id = ParseResourceId(scope_in);
  if (!scope_id) return errors::NotImplemented("PUT", scope_in + "/providers/Microsoft.Authorization/roleAssignments");
  if (!FindSubscription(scope_id->subscription_id)) return errors::SubscriptionNotFound(scope_id->subscription_id);
  if (!body.is_object() || !IsObject(body, "properties")) return errors::MissingProperty("properties");
  const Json& p = body["properties"];
  std::string role_id = Prop<std::string>(p, "roleDefinitionId", "");
  std::string principal = Lower(Prop<std::string>(p, "principalId", ""));
  if (role_id.empty()) return errors::MissingProperty("properties.roleDefinitionId");
  if (principal.empty()) return errors::MissingProperty("properties.principalId");
  CK_RETURN_IF_ERROR(Authorize(caller, scope_id->subscription_id, "Microsoft.Authorization/roleAssignments/write",
                               scope_id->Canonical()));
  std::string scope;
  std::optional<ParsedId> extension_top;  // a resource served by the extension, checked unlocked below
  {
    std::shared_lock lock(mu_);
    // The scope must exist: its group, and its top-level resource (children such as
    // /keys/{name} need not exist in ARM).
    scope = scope_id->Canonical();
    if (!scope_id->resource_group.empty()) {
      auto group = resources_.find(Lower(scope_id->GroupId()));
      if (group == resources_.end()) return errors::ResourceGroupNotFound(scope_id->resource_group);
      ParsedId top = *scope_id;
      top.resource_group = group->second.body["name"];
      if (!top.segments.empty()) {
        top.segments.resize(1);
        auto res = resources_.find(Lower(top.Canonical()));
        ParsedId full = *scope_id;
        full.resource_group = top.resource_group;
        if (res != resources_.end()) {
          full.segments[0].second = res->second.body.value("name", full.segments[0].second);
        } else if (extension_ && extension_->Serves(top.Type())) {
          extension_top = top;  // e.g. a storage account (Storage Blob Data roles)
        } else {
          return errors::ResourceNotFound(top.Type() + "/" + top.Name(), top.resource_group);
        }
        scope = full.Canonical();
      } else {
        scope = top.Canonical();
      }
    }
  }
  if (extension_top && !extension_->Get(*extension_top).ok()) {
    return errors::ResourceNotFound(extension_top->Type() + "/" + extension_top->Name(), extension_top->resource_group);
  }
  std::string guid = RoleGuidFromId(role_id);
  const RoleDefinition* role = FindBuiltInRoleByGuid(guid);
  if (!role) return errors::RoleDefinitionDoesNotExist(guid);
  std::string tenant = TenantOfScope(scope);
  if (!directory_->PrincipalExists(tenant, principal)) return errors::PrincipalNotFound(principal, tenant);
  std::string type = Prop<std::string>(p, "principalType", "");
  if (type.empty()) type = directory_->FindUser(tenant, principal) ? "User" : "ServicePrincipal";
  RoleAssignment a;
  a.name = Lower(name);
  a.scope = scope;
  a.id = scope + "/providers/Microsoft.Authorization/roleAssignments/" + a.name;
  a.tenant_id = tenant;
  a.role_definition_guid = role->guid;
  a.principal_id = principal;
  a.principal_type = type;
  a.description = Prop<std::string>(p, "description", "");
  a.created_on = clock_->Now();
  a.created_by = caller.object_id;
  bool existed = rbac_->Find(a.id).has_value();
  CK_ASSIGN_OR_RETURN(auto stored, rbac_->Add(a));
  return PutResult{RoleAssignmentJson(stored), !existed};
}

StatusOr<Json> ResourceManager::GetRoleAssignment(const ArmCaller& caller, const std::string& scope,
                                                  const std::string& name) const {
  auto scope_id = ParseResourceId(scope);
  if (!scope_id) return errors::NotImplemented("GET", scope);
  CK_RETURN_IF_ERROR(Authorize(caller, scope_id->subscription_id, "Microsoft.Authorization/roleAssignments/read",
                               scope_id->Canonical()));
  auto a = rbac_->Find(scope_id->Canonical() + "/providers/Microsoft.Authorization/roleAssignments/" + name);
  if (!a) return errors::RoleAssignmentNotFound(name);
  return RoleAssignmentJson(*a);
}

StatusOr<Json> ResourceManager::DeleteRoleAssignment(const ArmCaller& caller, const std::string& scope,
                                                     const std::string& name) {
  auto scope_id = ParseResourceId(scope);
  if (!scope_id) return errors::NotImplemented("DELETE", scope);
  CK_RETURN_IF_ERROR(Authorize(caller, scope_id->subscription_id, "Microsoft.Authorization/roleAssignments/delete",
                               scope_id->Canonical()));
  CK_ASSIGN_OR_RETURN(auto removed, rbac_->Remove(scope_id->Canonical() +
                                                  "/providers/Microsoft.Authorization/roleAssignments/" + name));
  return RoleAssignmentJson(removed);
}

StatusOr<std::vector<Json>> ResourceManager::ListRoleAssignments(const ArmCaller& caller, const std::string& scope,
                                                                 const std::string& principal_id, bool at_scope) const {
  auto scope_id = ParseResourceId(scope);
  if (!scope_id) return errors::NotImplemented("GET", scope);
  CK_RETURN_IF_ERROR(Authorize(caller, scope_id->subscription_id, "Microsoft.Authorization/roleAssignments/read",
                               scope_id->Canonical()));
  std::vector<Json> out;
  for (const auto& a : rbac_->List(scope_id->Canonical(), principal_id, !at_scope))
    out.push_back(RoleAssignmentJson(a));
  return out;
}

std::shared_ptr<const VaultInfo> ResourceManager::FindVault(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = vaults_.find(Lower(name));
  return it == vaults_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const VaultInfo>> ResourceManager::ListVaultInfos() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const VaultInfo>> out;
  for (const auto& [_, v] : vaults_) out.push_back(v);
  return out;
}

}  // namespace crosskey::arm
