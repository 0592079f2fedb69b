#pragma once
// One authenticated ARM request as a route handler sees it, the handler type, the route table
// and the helpers the handlers share. Thread-safety: ArmCall is a view over the request being
// served; the rest are free functions.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/cloud/cloud.h"
#include "emulator/common/http/route_table.h"
#include "emulator/common/http_types.h"

namespace crosskey::arm::http {

struct ArmCall {
  Cloud& cloud;
  const HttpRequest& request;
  const wire::PathParams& params;
  const ArmCaller& caller;
  const nlohmann::json& body;
  const std::string& path;  // repeated and trailing slashes removed

  const std::string& Param(std::string_view name) const { return params.Get(name); }
  ResourceManager& rm() const { return cloud.resources; }
};

using ArmHandler = StatusOr<HttpResponse> (*)(const ArmCall&);
// Operation ids may name path parameters ("{namespace}/{type}/read") and {resourceType}, the
// type of the addressed resource; ExpandArmOperation fills them in.
const wire::RouteTable<ArmHandler>& ArmRouteTable();
std::string ExpandArmOperation(const std::string& operation, const wire::PathParams& params, const std::string& path);

// A write accepted as a long-running operation of `shape` (operation_handlers.cc): `body` is the
// resource as written (null for a delete), `failure` the provider's error the operation ends with.
struct LroShape;
HttpResponse AcceptOperation(const ArmCall& call, const LroShape& shape, const std::string& resource_id,
                             const nlohmann::json& body, bool created, const std::optional<Error>& failure);
// Retry-After with the seconds `op` has left on the emulator clock, or Retry-After-Ms: 10 once
// none are left (the SDK pollers read Retry-After: 0 as absent and wait 30 s).
void AddRetryAfter(const ArmCall& call, const AsyncOperation& op, HttpResponse* response);
// The provisioningState of a resource with an operation still in progress.
std::optional<std::string> PendingState(const ArmCall& call, const std::string& resource_id);

// {"value": items}.
HttpResponse Value(const std::vector<nlohmann::json>& items);
// The value of `field eq '...'` in an OData $filter, "" when absent.
std::string FilterValue(const std::string& filter, const char* field);

// ---- handlers
StatusOr<HttpResponse> ListTenants(const ArmCall& call);
StatusOr<HttpResponse> ListSubscriptions(const ArmCall& call);
StatusOr<HttpResponse> GetSubscription(const ArmCall& call);
StatusOr<HttpResponse> GetProvider(const ArmCall& call);
StatusOr<HttpResponse> ListResources(const ArmCall& call);
StatusOr<HttpResponse> ListResourceGroups(const ArmCall& call);
StatusOr<HttpResponse> ListBySubscription(const ArmCall& call);
StatusOr<HttpResponse> ListByResourceGroup(const ArmCall& call);
StatusOr<HttpResponse> ListChildren(const ArmCall& call);
StatusOr<HttpResponse> PutResource(const ArmCall& call);
StatusOr<HttpResponse> PatchResource(const ArmCall& call);
StatusOr<HttpResponse> GetResource(const ArmCall& call);
StatusOr<HttpResponse> HeadResource(const ArmCall& call);
StatusOr<HttpResponse> DeleteResource(const ArmCall& call);
StatusOr<HttpResponse> ListDeletedVaults(const ArmCall& call);
StatusOr<HttpResponse> GetDeletedVault(const ArmCall& call);
StatusOr<HttpResponse> PurgeDeletedVault(const ArmCall& call);
StatusOr<HttpResponse> GetOperation(const ArmCall& call);
StatusOr<HttpResponse> RevalidateProtector(const ArmCall& call);
StatusOr<HttpResponse> PutDeployment(const ArmCall& call);
StatusOr<HttpResponse> GetDeployment(const ArmCall& call);
StatusOr<HttpResponse> HeadDeployment(const ArmCall& call);
StatusOr<HttpResponse> DeleteDeployment(const ArmCall& call);
StatusOr<HttpResponse> ListDeployments(const ArmCall& call);
StatusOr<HttpResponse> ValidateDeployment(const ArmCall& call);
StatusOr<HttpResponse> GetDeploymentStatus(const ArmCall& call);
StatusOr<HttpResponse> ListDeploymentOperations(const ArmCall& call);
StatusOr<HttpResponse> GetDeploymentOperation(const ArmCall& call);
StatusOr<HttpResponse> ListRoleDefinitions(const ArmCall& call);
StatusOr<HttpResponse> GetRoleDefinition(const ArmCall& call);
StatusOr<HttpResponse> ListRoleAssignments(const ArmCall& call);
StatusOr<HttpResponse> PutRoleAssignment(const ArmCall& call);
StatusOr<HttpResponse> GetRoleAssignment(const ArmCall& call);
StatusOr<HttpResponse> DeleteRoleAssignment(const ArmCall& call);

}  // namespace crosskey::arm::http
