// ARM and RBAC state export/import for snapshots and persistence.
#include <mutex>

#include "emulator/arm/errors.h"
#include "emulator/arm/rbac_engine.h"
#include "emulator/arm/resource_manager.h"
#include "emulator/common/text.h"

namespace crosskey::arm {
namespace {
Json AssignmentJson(const RoleAssignment& a) {
  return {{"id", a.id},
          {"name", a.name},
          {"scope", a.scope},
          {"tenantId", a.tenant_id},
          {"role", a.role_definition_guid},
          {"principalId", a.principal_id},
          {"principalType", a.principal_type},
          {"description", a.description},
          {"createdOn", a.created_on},
          {"createdBy", a.created_by},
          {"effectiveFrom", a.effective_from}};
}
RoleAssignment AssignmentFrom(const Json& j) {
  RoleAssignment a{j.at("id"),          j.at("name"),          j.at("scope"),       j.at("tenantId"),  j.at("role"),
                   j.at("principalId"), j.at("principalType"), j.at("description"), j.at("createdOn"), j.at("createdBy")};
  a.effective_from = j.value("effectiveFrom", int64_t{0});  // absent in older documents
  return a;
}
Error StateError(const std::string& what) { return errors::BadRequest("state: " + what); }
}  // namespace

Json RbacEngine::ExportState() const {
  std::shared_lock lock(mu_);
  Json assignments = Json::array(), removed = Json::array();
  for (const auto& a : assignments_) assignments.push_back(AssignmentJson(a));
  for (const auto& r : removed_)
    removed.push_back({{"assignment", AssignmentJson(r.assignment)}, {"until", r.effective_until}});
  return {{"assignments", assignments}, {"propagating", removed}};
}

Status RbacEngine::ImportState(const Json& state) {
  try {
    std::vector<RoleAssignment> assignments;
    std::vector<Removed> removed;
    for (const auto& a : state.at("assignments")) assignments.push_back(AssignmentFrom(a));
    for (const auto& r : state.at("propagating"))
      removed.push_back({AssignmentFrom(r.at("assignment")), r.at("until")});
    std::unique_lock lock(mu_);
    assignments_ = std::move(assignments);
    removed_ = std::move(removed);
    Changed();
    return Status::Ok();
  } catch (const std::exception& e) {
    return StateError(std::string("role assignments: ") + e.what());
  }
}

Json ResourceManager::ExportState() const {
  std::shared_lock lock(mu_);
  Json subs = Json::array(), resources = Json::array(), deleted = Json::array();
  for (const auto& [_, s] : subscriptions_) {
    subs.push_back({{"subscriptionId", s.subscription_id}, {"tenantId", s.tenant_id}, {"displayName", s.display_name}});
  }
  for (const auto& [_, r] : resources_) resources.push_back({{"id", r.id}, {"type", r.type}, {"body", r.body}});
  for (const auto& [_, d] : deleted_vaults_) {
    deleted.push_back({{"body", d.body},
                       {"instanceId", d.info->instance_id},
                       {"deletionDate", d.deletion_date},
                       {"scheduledPurge", d.scheduled_purge}});
  }
  return {{"subscriptions", subs}, {"resources", resources}, {"deletedVaults", deleted}};
}

Status ResourceManager::ImportState(const Json& state) {
  try {
    std::unique_lock lock(mu_);
    for (const auto& s : state.at("subscriptions")) {
      Subscription sub{s.at("subscriptionId"), s.at("tenantId"), s.at("displayName")};
      subscriptions_[ToLower(sub.subscription_id)] = sub;
    }
    for (const auto& r : state.at("resources")) {
      Resource res{r.at("id"), r.at("type"), r.at("body")};
      resources_[ToLower(res.id)] = res;
      if (res.type == "Microsoft.KeyVault/vaults") {
        PublishVault(res.body, res.body["properties"].value("_instance", std::string()));
      }
    }
    for (const auto& d : state.at("deletedVaults")) {
      DeletedVault dv;
      dv.body = d.at("body");
      dv.deletion_date = d.at("deletionDate");
      dv.scheduled_purge = d.at("scheduledPurge");
      // Rebuild the vault facts from the vault body kept inside the deleted record.
      Json vault = dv.body["properties"].value("_vault", Json::object());
      PublishVault(vault, d.at("instanceId"));
      auto name = ToLower(vault.value("name", ""));
      dv.info = vaults_[name];
      vaults_.erase(name);
      deleted_vaults_[name] = dv;
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return StateError(std::string("resources: ") + e.what());
  }
}

}  // namespace crosskey::arm
