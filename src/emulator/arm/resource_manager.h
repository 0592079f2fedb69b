#pragma once
// The ARM control-plane core: subscriptions, resource groups, user-assigned identities (with
// their service principals and federated credentials), key vaults (with soft delete), role
// definitions and role assignments. Every call is authorized here (token tenant owns the
// subscription; RBAC action at the scope), so in-process users get the same checks as HTTP.
// Bodies are ARM JSON as Azure returns it, ids in canonical case.
// Thread-safety: all methods safe to call concurrently (one shared_mutex for resources; the
// RBAC engine and directory lock themselves).
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/arm/rbac_engine.h"
#include "emulator/arm/resource_id.h"
#include "emulator/arm/role_definition.h"
#include "emulator/common/clock.h"
#include "emulator/common/status.h"
#include "emulator/graph/directory.h"

namespace crosskey::arm {

using Json = nlohmann::json;

struct Subscription {
  std::string subscription_id;
  std::string tenant_id;
  std::string display_name;
};

// Who calls ARM (from a validated token). Empty object_id means the emulator itself
// (fixtures, control API): no authorization.
struct ArmCaller {
  std::string tenant_id;
  std::string object_id;
  std::string display;  // UPN for users, object id for apps (AuthorizationFailed names it)
  bool system() const { return object_id.empty(); }
};

// The vault facts the Key Vault data plane needs, immutable once published.
struct VaultInfo {
  std::string name;         // as created
  std::string id;           // canonical ARM id
  std::string instance_id;  // changes when a purged name is created again
  std::string tenant_id;
  std::string subscription_id;
  std::string location;
  bool rbac = false;
  bool soft_delete = true;
  bool purge_protection = false;
  int retention_days = 90;
  Json access_policies = Json::array();
};

struct PutResult {
  Json body;
  bool created = false;
};

// Resource types served by another core (the emulated CMK consumers of phase 3, see
// consumer/). The ResourceManager authorizes the call and checks the resource group, then hands
// over without holding its lock (the extension calls back into tokens, Key Vault and Get).
class ResourceExtension {
 public:
  virtual ~ResourceExtension() = default;
  virtual bool Serves(const std::string& type) const = 0;
  virtual StatusOr<PutResult> Put(const ParsedId& id, const Json& body) = 0;
  // The resource with `patch` merged in (Azure's PATCH); returns it as GET would.
  virtual StatusOr<Json> Patch(const ParsedId& id, const Json& patch) = 0;
  virtual StatusOr<Json> Get(const ParsedId& id) = 0;
  virtual Status Delete(const ParsedId& id) = 0;
  // POST {id}/{action} (e.g. a SQL protector's revalidate); returns the resource afterwards.
  virtual StatusOr<Json> Action(const ParsedId& id, const std::string& action) = 0;
  // Resources of `type` whose lower-case id starts with `prefix_lower`.
  virtual std::vector<Json> List(const std::string& prefix_lower, const std::string& type) = 0;
  // A resource group was deleted: drop every resource whose lower-case id starts with
  // `prefix_lower` (the group's id + "/"). Called without the manager's lock held.
  virtual void DeleteUnder(const std::string& prefix_lower) = 0;
};

class ResourceManager {
 public:
  // vault_uri(name) gives the data-plane base URL ending in '/'.
  ResourceManager(graph::Directory* directory, RbacEngine* rbac, const Clock* clock,
                  std::function<std::string(const std::string&)> vault_uri)
      : directory_(directory), rbac_(rbac), clock_(clock), vault_uri_(std::move(vault_uri)) {}

  // Subscriptions (created by fixtures). Errors: BadRequest (duplicate), PrincipalNotFound (tenant).
  Status AddSubscription(const Subscription& subscription);
  std::vector<Subscription> ListSubscriptions(const ArmCaller& caller) const;
  StatusOr<Subscription> GetSubscription(const ArmCaller& caller, const std::string& subscription_id) const;
  std::optional<Subscription> FindSubscription(const std::string& subscription_id) const;
  Json SubscriptionJson(const Subscription& s) const;

  // Generic resource operations on a full ARM id (resource groups, identities, identity FICs,
  // vaults). Errors: SubscriptionNotFound, ResourceGroupNotFound, ResourceNotFound,
  // InvalidResourceName, InvalidRequestContent, AuthorizationFailed, WrongTokenTenant,
  // VaultAlreadyExists, VaultDeletedExists, PurgeProtectionIrreversible, NotImplemented.
  StatusOr<PutResult> Put(const ArmCaller& caller, const std::string& id, const Json& body);
  StatusOr<Json> Patch(const ArmCaller& caller, const std::string& id, const Json& body);
  StatusOr<Json> Get(const ArmCaller& caller, const std::string& id) const;
  Status Delete(const ArmCaller& caller, const std::string& id);
  // A provider action on an extension's resource, authorized as {type}/{action}/action.
  // Errors: NotImplemented for other types, the extension's own.
  StatusOr<Json> Action(const ArmCaller& caller, const std::string& id, const std::string& action);
  // Lists children of `parent_id` of a type: e.g. (/subscriptions/s, "resourcegroups") or
  // (/subscriptions/s/resourceGroups/g, "Microsoft.KeyVault/vaults").
  StatusOr<std::vector<Json>> List(const ArmCaller& caller, const std::string& parent_id,
                                   const std::string& type) const;
  // GET /subscriptions/{s}/resources with an optional resourceType filter.
  StatusOr<std::vector<Json>> ListResources(const ArmCaller& caller, const std::string& subscription_id,
                                            const std::string& resource_type) const;

  // Soft-deleted vaults. Errors: ResourceNotFound, AuthorizationFailed.
  StatusOr<std::vector<Json>> ListDeletedVaults(const ArmCaller& caller, const std::string& subscription_id) const;
  StatusOr<Json> GetDeletedVault(const ArmCaller& caller, const std::string& subscription_id,
                                 const std::string& name) const;
  Status PurgeDeletedVault(const ArmCaller& caller, const std::string& subscription_id, const std::string& name);

  // Role definitions: built-ins, listed at any scope, optionally filtered by roleName.
  StatusOr<std::vector<Json>> ListRoleDefinitions(const ArmCaller& caller, const std::string& scope,
                                                  const std::string& role_name) const;
  StatusOr<Json> GetRoleDefinition(const ArmCaller& caller, const std::string& scope, const std::string& guid) const;

  // Role assignments. Errors: InvalidRoleAssignmentId, RoleDefinitionDoesNotExist,
  // PrincipalNotFound, RoleAssignmentExists, RoleAssignmentNotFound, AuthorizationFailed.
  StatusOr<PutResult> PutRoleAssignment(const ArmCaller& caller, const std::string& scope, const std::string& name,
                                        const Json& body);
  StatusOr<Json> GetRoleAssignment(const ArmCaller& caller, const std::string& scope, const std::string& name) const;
  StatusOr<Json> DeleteRoleAssignment(const ArmCaller& caller, const std::string& scope, const std::string& name);
  StatusOr<std::vector<Json>> ListRoleAssignments(const ArmCaller& caller, const std::string& scope,
                                                  const std::string& principal_id, bool at_scope) const;

  // What a call on a resource needs first (also for template deployments): the subscription,
  // the caller's RBAC `action` on the resource, and its resource group. Errors:
  // SubscriptionNotFound, WrongTokenTenant, AuthorizationFailed, ResourceGroupNotFound.
  Status CheckResourceCall(const ArmCaller& caller, const ParsedId& pid, const std::string& action) const;

  // Serve more resource types through `extension` (not owned; set once at composition).
  void set_extension(ResourceExtension* extension) { extension_ = extension; }
  // Called (without the manager's lock) with a vault's instance id once it is purged, so the
  // Key Vault core can drop that vault's keys for good. Set once at composition.
  void set_vault_purged_hook(std::function<void(const std::string&)> hook) { vault_purged_ = std::move(hook); }

  // For the Key Vault data plane: the live vault with this name (case-insensitive).
  std::shared_ptr<const VaultInfo> FindVault(const std::string& name) const;
  // The federated identity credentials of the user-assigned identity with this client id in
  // `tenant_id` (its federatedIdentityCredentials children); nullopt when no such identity.
  std::optional<std::vector<graph::FederatedCredential>> IdentityFederatedCredentials(const std::string& tenant_id,
                                                                                      const std::string& client_id) const;
  std::vector<std::shared_ptr<const VaultInfo>> ListVaultInfos() const;
  // The tenant owning a scope (its subscription's tenant); empty when unknown.
  std::string TenantOfScope(const std::string& scope) const;

  // Subscriptions, resources, live and deleted vaults (arm_state.cc). Import expects an
  // empty manager; role assignments travel with the RBAC engine.
  Json ExportState() const;
  Status ImportState(const Json& state);

 private:
  struct Resource {
    std::string id;    // canonical
    std::string type;  // canonical "Microsoft.KeyVault/vaults"
    Json body;
  };
  struct DeletedVault {
    Json body;
    std::shared_ptr<const VaultInfo> info;
    int64_t deletion_date = 0;
    int64_t scheduled_purge = 0;
  };

  Status Authorize(const ArmCaller& caller, const std::string& subscription_id, const std::string& action,
                   const std::string& scope) const;
  StatusOr<PutResult> PutLocked(const ArmCaller& caller, const ParsedId& pid, const Json& body);
  StatusOr<Json> BuildIdentity(const ParsedId& pid, const Json& body, const Resource* existing);
  StatusOr<Json> BuildVault(const ParsedId& pid, const Json& body, const Resource* existing);
  StatusOr<Json> BuildIdentityFic(const ParsedId& pid, const Json& body);
  void PublishVault(const Json& body, const std::string& instance_id);
  void DeleteLocked(const Resource& resource);
  Json RoleDefinitionJson(const RoleDefinition& role, const std::string& scope) const;
  Json RoleAssignmentJson(const RoleAssignment& a) const;

  graph::Directory* directory_;
  RbacEngine* rbac_;
  const Clock* clock_;
  std::function<std::string(const std::string&)> vault_uri_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Subscription> subscriptions_;  // key: lower id
  std::map<std::string, Resource> resources_;          // key: lower canonical id
  std::map<std::string, std::shared_ptr<const VaultInfo>> vaults_;  // key: lower name
  std::map<std::string, DeletedVault> deleted_vaults_;              // key: lower name
  ResourceExtension* extension_ = nullptr;
  std::function<void(const std::string&)> vault_purged_;
};

}  // namespace crosskey::arm
