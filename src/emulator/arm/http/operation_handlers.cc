// Long-running operations on the wire: a write to an asynchronous provider is accepted with
// the provider's initial status and headers (lro_shapes.h), and its operation is served at
// /subscriptions/{s}/providers/{ns}/locations/{location}/{kind}/{id}: the status document
// ({"status": "InProgress" | "Succeeded" | "Failed", "error": ...}) for Azure-AsyncOperation,
// and for Location 202 while in progress, then the resource (PUT/PATCH), 204 (DELETE) or the
// provider's error. Retry-After gives the seconds left on the emulator clock; while nothing is
// left, Retry-After-Ms: 10 lets the SDK pollers (which fall back to 30 s without a positive
// value) poll again at once.
#include "emulator/arm/errors.h"
#include "emulator/arm/http/arm_call.h"
#include "emulator/arm/http/arm_error_mapper.h"
#include "emulator/arm/http/lro_shapes.h"
#include "emulator/arm/resource_id.h"
#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"

namespace crosskey::arm::http {
namespace {

std::string OperationUrl(const ArmCall& call, const AsyncOperation& op, const LroShape& shape, const char* kind,
                         bool monitor) {
  auto pid = ParseResourceId(op.resource_id);
  std::string url = "https://" + call.request.Authority() + "/subscriptions/" + (pid ? pid->subscription_id : "") +
                    (shape.group_scoped && pid ? "/resourceGroups/" + pid->resource_group : "") + "/providers/" +
                    (pid ? pid->provider : "") + "/locations/" + op.location + "/" + kind + "/" + op.id +
                    "?api-version=" + call.request.Query("api-version");
  if (monitor) url += "&monitor=true";
  return url;
}

std::string LocationOf(const nlohmann::json& body) {
  if (body.is_object() && body.contains("location") && body["location"].is_string()) {
    return ToLower(body["location"].get<std::string>());
  }
  return "";
}

// The region an operation is addressed in: the written body's, else that of the top-level
// resource it belongs to (a SQL server key has no location of its own), else "global".
std::string OperationLocation(const ArmCall& call, const std::string& resource_id, const nlohmann::json& body) {
  std::string location = LocationOf(body);
  if (location.empty()) location = LocationOf(call.body);
  auto pid = ParseResourceId(resource_id);
  if (location.empty() && pid && !pid->segments.empty()) {
    std::string top = pid->GroupId() + "/providers/" + pid->provider + "/" + pid->segments[0].first + "/" +
                      pid->segments[0].second;
    auto got = call.rm().Get(ArmCaller{}, top);
    if (got.ok()) location = LocationOf(*got);
  }
  return location.empty() ? "global" : location;
}

const char* StatusName(OperationStatus status) {
  switch (status) {
    case OperationStatus::kInProgress: return "InProgress";
    case OperationStatus::kSucceeded: return "Succeeded";
    case OperationStatus::kFailed: return "Failed";
  }
  return "InProgress";
}

}  // namespace

void AddRetryAfter(const ArmCall& call, const AsyncOperation& op, HttpResponse* response) {
  int64_t left = call.cloud.operations.Remaining(op);
  if (left > 0) {
    response->headers.emplace_back("Retry-After", std::to_string(left));
  } else {
    response->headers.emplace_back("Retry-After-Ms", "10");
  }
}


HttpResponse AcceptOperation(const ArmCall& call, const LroShape& shape, const std::string& resource_id,
                             const nlohmann::json& body, bool created, const std::optional<Error>& failure) {
  AsyncOperation op;
  op.resource_id = resource_id;
  op.verb = shape.verb;
  op.status_kind = shape.status_kind;
  op.result_kind = shape.result_kind;
  op.location = OperationLocation(call, resource_id, body);
  op.pending_state = std::string(shape.verb) == "DELETE" ? "Deleting" : (created ? "Creating" : "Updating");
  op.error = failure;
  op = call.cloud.operations.Start(op);
  HttpResponse response;
  if (op.verb == "DELETE" || (shape.initial_status == 202 && !shape.body_on_202)) {
    response = wire::Text(202, "application/json", "");
  } else {
    nlohmann::json pending = body.is_object() ? body : nlohmann::json{{"id", resource_id}};
    pending["properties"]["provisioningState"] = op.pending_state;
    response = wire::Json(shape.initial_status, pending);
  }
  if (*shape.status_kind)
    response.headers.emplace_back("Azure-AsyncOperation", OperationUrl(call, op, shape, shape.status_kind, false));
  if (*shape.result_kind) {
    response.headers.emplace_back("Location", OperationUrl(call, op, shape, shape.result_kind, shape.result_monitor));
  }
  AddRetryAfter(call, op, &response);
  return response;
}

std::optional<std::string> PendingState(const ArmCall& call, const std::string& resource_id) {
  return call.cloud.operations.PendingState(resource_id);
}

// GET /subscriptions/{s}[/resourceGroups/{g}]/providers/{ns}/locations/{location}/{kind}/{operation}
StatusOr<HttpResponse> GetOperation(const ArmCall& call) {
  CK_RETURN_IF_ERROR(call.rm().GetSubscription(call.caller, call.Param("subscription")));
  auto op = call.cloud.operations.Find(call.Param("operation"));
  const std::string& kind = call.Param("kind");
  auto pid = op ? ParseResourceId(op->resource_id) : std::nullopt;
  if (!op || !pid || !EqualsIgnoreCase(pid->subscription_id, call.Param("subscription")) ||
      !EqualsIgnoreCase(pid->provider, call.Param("namespace")) ||
      (!call.Param("group").empty() && !EqualsIgnoreCase(pid->resource_group, call.Param("group"))) ||
      (!EqualsIgnoreCase(kind, op->status_kind) && !EqualsIgnoreCase(kind, op->result_kind))) {
    return errors::OperationNotFound(call.Param("operation"));
  }
  const OperationStatus status = call.cloud.operations.StatusOf(*op);
  const bool result_form = EqualsIgnoreCase(kind, op->result_kind) &&
                           (!EqualsIgnoreCase(kind, op->status_kind) || call.request.Query("monitor") == "true");
  if (!result_form) {
    nlohmann::json doc = {
        {"id", call.path}, {"name", op->id}, {"status", StatusName(status)}, {"startTime", IsoTime(op->started)}};
    if (status != OperationStatus::kInProgress) doc["endTime"] = IsoTime(op->completes);
    if (status == OperationStatus::kFailed) doc["error"] = ArmErrorJson(*op->error);
    HttpResponse response = wire::Json(200, doc);
    if (status == OperationStatus::kInProgress) AddRetryAfter(call, *op, &response);
    return response;
  }
  if (status == OperationStatus::kInProgress) {
    HttpResponse response = wire::Text(202, "application/json", "");
    response.headers.emplace_back("Location", "https://" + call.request.Authority() + call.request.path + "?" +
                                                  "api-version=" + call.request.Query("api-version") +
                                                  (call.request.Query("monitor").empty() ? "" : "&monitor=true"));
    AddRetryAfter(call, *op, &response);
    return response;
  }
  if (status == OperationStatus::kFailed) return RenderArmError(*op->error);
  if (op->verb == "DELETE") return wire::Text(204, "text/plain", "");
  CK_ASSIGN_OR_RETURN(auto got, call.rm().Get(call.caller, op->resource_id));
  return wire::Json(200, got);
}

}  // namespace crosskey::arm::http
