// The control API's service routes: health, CA, bootstrap, hosts lines, audit query,
// throttling and the emulator clock (control_call.h).
#include <cstdlib>

#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"
#include "emulator/server/control_errors.h"
#include "emulator/server/control/control_call.h"
#include "emulator/server/router.h"

namespace crosskey::server {
namespace {
HttpResponse ClockJson(const Cloud& cloud) {
  return wire::Json(200, {{"now", cloud.clock.Now()}, {"offset", cloud.clock.offset()},
                          {"frozen", cloud.clock.frozen()}});
}
}  // namespace

StatusOr<nlohmann::json> ControlCall::JsonObjectBody(const std::string& shape) const {
  std::string ignored;
  auto body = wire::ParseJsonBody(request, &ignored);
  if (!body || !body->is_object()) return control_errors::InvalidRequest(shape);
  return *body;
}

StatusOr<HttpResponse> GetHealth(const ControlCall&) { return wire::Json(200, {{"status", "ok"}}); }

StatusOr<HttpResponse> GetCa(const ControlCall& call) {
  return wire::Text(200, "application/x-pem-file", call.endpoints.ca_pem);
}

StatusOr<HttpResponse> GetBootstrap(const ControlCall& call) { return wire::Json(200, call.bootstrap()); }

// /etc/hosts lines for every name a client may need, including each live vault and each
// storage account's blob host.
StatusOr<HttpResponse> GetHosts(const ControlCall& call) {
  const std::string& d = call.cloud.config().domain;
  std::string text;
  for (const std::string& name : {"login." + d, "graph." + d, "management." + d, "vault." + d,
                                  std::string("login.microsoftonline.com"), std::string("login.microsoftonline.us")}) {
    text += "127.0.0.1 " + name + "\n";
  }
  for (const auto& vault : call.cloud.resources.ListVaultInfos()) {
    text += "127.0.0.1 " + ToLower(vault->name) + ".vault." + d + "\n";
  }
  for (const auto& account : call.cloud.consumers.StorageAccountNames()) {
    text += "127.0.0.1 " + ToLower(account) + ".blob." + d + "\n";
  }
  return wire::Text(200, "text/plain; charset=utf-8", text);
}

StatusOr<HttpResponse> GetAudit(const ControlCall& call) {
  const HttpRequest& request = call.request;
  AuditQuery q;
  q.category = request.Query("category");
  q.tenant = request.Query("tenant");
  q.principal = request.Query("principal");
  q.operation = request.Query("operation");
  q.correlation_id = request.Query("correlationId");
  std::string since = request.Query("since");
  if (!since.empty()) {
    char* end = nullptr;
    q.since = std::strtoll(since.c_str(), &end, 10);
    if (*end != '\0') return control_errors::InvalidRequest("since must be an integer epoch second on the emulator clock");
  }
  return wire::Json(200, {{"value", call.cloud.audit.Query(q)}});
}

StatusOr<HttpResponse> GetThrottling(const ControlCall& call) {
  return wire::Json(200, call.cloud.keyvault.throttle.Describe());
}

StatusOr<HttpResponse> SetThrottling(const ControlCall& call) {
  const std::string shape = "Body must be {\"enabled\": bool, \"windowSeconds\": int (10), \"scale\": number (1.0)}";
  CK_ASSIGN_OR_RETURN(auto body, call.JsonObjectBody(shape));
  if (!body.contains("enabled") || !body["enabled"].is_boolean() ||
      (body.contains("windowSeconds") && !body["windowSeconds"].is_number_integer()) ||
      (body.contains("scale") && !body["scale"].is_number())) {
    return control_errors::InvalidRequest(shape);
  }
  auto& throttle = call.cloud.keyvault.throttle;
  auto configured = throttle.Configure(body["enabled"], body.value("windowSeconds", 10), body.value("scale", 1.0));
  if (!configured.ok()) return control_errors::InvalidRequest(configured.error().message);
  return wire::Json(200, throttle.Describe());
}

// ARM's long-running operations: how long an accepted write stays InProgress on the emulator clock.
StatusOr<HttpResponse> GetOperations(const ControlCall& call) {
  return wire::Json(200, {{"delaySeconds", call.cloud.operations.delay()}});
}

StatusOr<HttpResponse> SetOperations(const ControlCall& call) {
  const std::string shape = "Body must be {\"delaySeconds\": int (0..86400)}";
  CK_ASSIGN_OR_RETURN(auto body, call.JsonObjectBody(shape));
  if (!body.contains("delaySeconds") || !body["delaySeconds"].is_number_integer()) {
    return control_errors::InvalidRequest(shape);
  }
  auto set = call.cloud.operations.set_delay(body["delaySeconds"].get<int64_t>());
  if (!set.ok()) return control_errors::InvalidRequest(set.error().message);
  return wire::Json(200, {{"delaySeconds", call.cloud.operations.delay()}});
}

// RBAC propagation: seconds a new assignment takes to grant, and a removed one keeps granting.
StatusOr<HttpResponse> GetRbacDelays(const ControlCall& call) {
  return wire::Json(200, {{"grantDelaySeconds", call.cloud.rbac.grant_delay()},
                          {"propagationDelaySeconds", call.cloud.rbac.propagation_delay()}});
}

StatusOr<HttpResponse> SetRbacDelays(const ControlCall& call) {
  const std::string shape = "Body must be {\"grantDelaySeconds\"?: int, \"propagationDelaySeconds\"?: int} (0..86400)";
  CK_ASSIGN_OR_RETURN(auto body, call.JsonObjectBody(shape));
  for (const char* field : {"grantDelaySeconds", "propagationDelaySeconds"}) {
    if (!body.contains(field)) continue;
    if (!body[field].is_number_integer() || body[field].get<int64_t>() < 0 || body[field].get<int64_t>() > 86400) {
      return control_errors::InvalidRequest(shape);
    }
  }
  if (body.contains("grantDelaySeconds")) call.cloud.rbac.set_grant_delay(body["grantDelaySeconds"].get<int64_t>());
  if (body.contains("propagationDelaySeconds")) {
    call.cloud.rbac.set_propagation_delay(body["propagationDelaySeconds"].get<int64_t>());
  }
  return GetRbacDelays(call);
}

StatusOr<HttpResponse> GetClock(const ControlCall& call) { return ClockJson(call.cloud); }

StatusOr<HttpResponse> SetClock(const ControlCall& call) {
  CK_ASSIGN_OR_RETURN(auto body, call.JsonObjectBody(
                                     "Body must be a JSON object: {\"advanceSeconds\":N} | {\"set\":epoch} | {\"freeze\":bool}"));
  Clock& clock = call.cloud.clock;
  bool known = false;
  if (body.contains("advanceSeconds") && body["advanceSeconds"].is_number_integer()) {
    clock.Advance(body["advanceSeconds"].get<int64_t>());
    known = true;
  }
  if (body.contains("set") && body["set"].is_number_integer()) {
    clock.Set(body["set"].get<int64_t>());
    known = true;
  }
  if (body.contains("freeze") && body["freeze"].is_boolean()) {
    clock.Freeze(body["freeze"].get<bool>());
    known = true;
  }
  if (!known) return control_errors::InvalidRequest("Expected an integer advanceSeconds or set, or a boolean freeze.");
  return ClockJson(call.cloud);
}

}  // namespace crosskey::server
