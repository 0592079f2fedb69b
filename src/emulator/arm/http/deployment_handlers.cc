// Template deployments on the wire (deploy/deployment_service.h): PUT answers 201 (new) or 200
// with the deployment "Accepted" and Azure-AsyncOperation pointing at
// .../deployments/{name}/operationStatuses/{id} ({"status": Running | Succeeded | Failed,
// "error": DeploymentFailed}); the pollers then GET the deployment. validate answers 200 or 400
// with the error (azure-mgmt-resource accepts [200, 202, 400]); DELETE removes the history
// entry (204); the operations are served with and without /providers/Microsoft.Resources, as
// the SDKs address them (docs/arm-operations.md).
#include "emulator/arm/errors.h"
#include "emulator/arm/http/arm_call.h"
#include "emulator/arm/http/arm_error_mapper.h"
#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"

namespace crosskey::arm::http {
namespace {

std::string DeploymentId(const ArmCall& call) {
  return "/subscriptions/" + call.Param("subscription") + "/resourceGroups/" + call.Param("group") +
         "/providers/Microsoft.Resources/deployments/" + call.Param("name");
}

std::string StatusUrl(const ArmCall& call, const AsyncOperation& op) {
  return "https://" + call.request.Authority() + "/subscriptions/" + call.Param("subscription") + "/resourcegroups/" +
         call.Param("group") + "/providers/Microsoft.Resources/deployments/" + call.Param("name") +
         "/operationStatuses/" + op.id + "?api-version=" + call.request.Query("api-version");
}

nlohmann::json WithState(nlohmann::json deployment, const std::string& state) {
  deployment["properties"]["provisioningState"] = state;
  return deployment;
}

}  // namespace

StatusOr<HttpResponse> PutDeployment(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(auto outcome, call.cloud.deployments.CreateOrUpdate(call.caller, DeploymentId(call), call.body));
  AsyncOperation op;
  op.resource_id = outcome.deployment.value("id", DeploymentId(call));
  op.verb = "PUT";
  op.status_kind = "operationStatuses";
  op.location = "global";
  op.pending_state = "Running";
  op.error = outcome.error;
  op = call.cloud.operations.Start(op);
  HttpResponse response = wire::Json(outcome.created ? 201 : 200, WithState(outcome.deployment, "Accepted"));
  response.headers.emplace_back("Azure-AsyncOperation", StatusUrl(call, op));
  AddRetryAfter(call, op, &response);
  return response;
}

StatusOr<HttpResponse> GetDeployment(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(auto deployment, call.cloud.deployments.Get(call.caller, DeploymentId(call)));
  if (auto pending = PendingState(call, deployment.value("id", ""))) deployment = WithState(deployment, *pending);
  return wire::Json(200, deployment);
}

StatusOr<HttpResponse> HeadDeployment(const ArmCall& call) {
  auto got = call.cloud.deployments.Get(call.caller, DeploymentId(call));
  return wire::Text(got.ok() ? 204 : got.error().http_status, "text/plain", "");
}

StatusOr<HttpResponse> DeleteDeployment(const ArmCall& call) {
  CK_RETURN_IF_ERROR(call.cloud.deployments.Delete(call.caller, DeploymentId(call)));
  return wire::Text(204, "text/plain", "");
}

StatusOr<HttpResponse> ListDeployments(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(auto items,
                      call.cloud.deployments.List(call.caller, "/subscriptions/" + call.Param("subscription") +
                                                                   "/resourceGroups/" + call.Param("group")));
  return Value(items);
}

StatusOr<HttpResponse> ValidateDeployment(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(auto result, call.cloud.deployments.Validate(call.caller, DeploymentId(call), call.body));
  return wire::Json(200, result);
}

// GET .../deployments/{name}/operationStatuses/{operation}
StatusOr<HttpResponse> GetDeploymentStatus(const ArmCall& call) {
  CK_RETURN_IF_ERROR(call.cloud.deployments.Get(call.caller, DeploymentId(call)));
  auto op = call.cloud.operations.Find(call.Param("operation"));
  if (!op || !EqualsIgnoreCase(op->status_kind, "operationStatuses") ||
      !EqualsIgnoreCase(op->resource_id, DeploymentId(call))) {
    return errors::OperationNotFound(call.Param("operation"));
  }
  const OperationStatus status = call.cloud.operations.StatusOf(*op);
  nlohmann::json doc = {{"status", status == OperationStatus::kInProgress  ? "Running"
                                   : status == OperationStatus::kSucceeded ? "Succeeded"
                                                                           : "Failed"}};
  if (status == OperationStatus::kFailed) doc["error"] = ArmErrorJson(*op->error);
  HttpResponse response = wire::Json(200, doc);
  if (status == OperationStatus::kInProgress) AddRetryAfter(call, *op, &response);
  return response;
}

StatusOr<HttpResponse> ListDeploymentOperations(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(auto items, call.cloud.deployments.ListOperations(call.caller, DeploymentId(call)));
  return Value(items);
}

StatusOr<HttpResponse> GetDeploymentOperation(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(auto op,
                      call.cloud.deployments.GetOperation(call.caller, DeploymentId(call), call.Param("operation")));
  return wire::Json(200, op);
}

}  // namespace crosskey::arm::http
