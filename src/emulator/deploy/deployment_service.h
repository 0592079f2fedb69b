#pragma once
// Template deployments at resource-group scope (Microsoft.Resources/deployments): a deployment
// is validated (PrepareTemplate), then each resource is written in dependency order through the
// same ResourceManager calls as a direct PUT — so the consumers check their key chain, RBAC
// applies to the deploying principal, and a refused resource fails the deployment with
// DeploymentFailed naming it (its dependents are not attempted). The deployment and its
// operations stay readable afterwards (and in the state document); at most 800 deployments are kept per resource group,
// the oldest dropped first, as ARM does.
// (learn.microsoft.com/rest/api/resources/deployments; docs/arm-operations.md)
// Thread-safety: all methods safe to call concurrently (one mutex; a deployment runs without it,
// and one name runs at most once at a time).
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/arm/resource_manager.h"
#include "emulator/common/clock.h"
#include "emulator/common/status.h"

namespace crosskey::deploy {

using Json = nlohmann::json;

struct DeploymentOutcome {
  Json deployment;             // as GET returns it (provisioningState Succeeded or Failed)
  bool created = false;        // no deployment of that name existed
  std::optional<Error> error;  // DeploymentFailed when a resource was refused
};

class DeploymentService {
 public:
  DeploymentService(arm::ResourceManager* resources, const Clock* clock) : resources_(resources), clock_(clock) {}

  // PUT {group}/providers/Microsoft.Resources/deployments/{name} with {properties: {template,
  // parameters, mode}}. Errors (nothing written): InvalidRequestContent, InvalidTemplate,
  // NotImplemented (templateLink, parametersLink, Complete mode, Key Vault references),
  // DeploymentActive, and CheckResourceCall's. A refused resource is the outcome's error.
  StatusOr<DeploymentOutcome> CreateOrUpdate(const arm::ArmCaller& caller, const std::string& deployment_id,
                                             const Json& body);
  // POST .../validate: the deployment as it would be, with validatedResources; nothing is
  // written. Errors as CreateOrUpdate's.
  StatusOr<Json> Validate(const arm::ArmCaller& caller, const std::string& deployment_id, const Json& body);
  // Errors: DeploymentNotFound, CheckResourceCall's.
  StatusOr<Json> Get(const arm::ArmCaller& caller, const std::string& deployment_id) const;
  StatusOr<std::vector<Json>> List(const arm::ArmCaller& caller, const std::string& group_id) const;
  StatusOr<std::vector<Json>> ListOperations(const arm::ArmCaller& caller, const std::string& deployment_id) const;
  StatusOr<Json> GetOperation(const arm::ArmCaller& caller, const std::string& deployment_id,
                              const std::string& operation_id) const;
  // Removes the deployment from the history (its resources stay). Errors: DeploymentNotFound.
  Status Delete(const arm::ArmCaller& caller, const std::string& deployment_id);

  // The deployment history for the state document: [{deployment, operations}], oldest first.
  Json ExportState() const;
  // Into an empty service. Errors: InvalidState.
  Status ImportState(const Json& state);

 private:
  struct Record {
    Json deployment;
    std::vector<Json> operations;
    int64_t sequence = 0;
  };
  struct Request;  // a parsed deployment body (deployment_service.cc)

  StatusOr<Request> Parse(const arm::ArmCaller& caller, const std::string& deployment_id, const Json& body,
                          const std::string& action) const;
  void Store(const std::string& key, Record record);

  static constexpr size_t kMaxPerGroup = 800;
  arm::ResourceManager* resources_;
  const Clock* clock_;
  mutable std::mutex mu_;
  std::map<std::string, Record> records_;  // key: lower-case deployment id
  std::set<std::string> running_;          // lower-case ids of deployments being applied
  int64_t sequence_ = 0;
};

}  // namespace crosskey::deploy
