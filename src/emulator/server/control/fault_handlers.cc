// The control API's fault rules: list, add, clear, get, delete (control_call.h). The rules
// themselves live in FaultInjector; README "Faults" describes their JSON.
#include "emulator/common/http/wire.h"
#include "emulator/server/control_errors.h"
#include "emulator/server/control/control_call.h"

namespace crosskey::server {

StatusOr<HttpResponse> ListFaults(const ControlCall& call) { return wire::Json(200, {{"value", call.faults.List()}}); }

StatusOr<HttpResponse> AddFault(const ControlCall& call) {
  std::string error;
  auto rule = wire::ParseJsonBody(call.request, &error);
  if (!rule || call.request.body.empty()) {
    return control_errors::InvalidRequest(rule || error.find("not valid JSON") != std::string::npos
                                              ? "The body is not valid JSON: POST one fault rule as a JSON object."
                                              : error);
  }
  int status = 400;
  auto added = call.faults.Add(*rule, &error, &status);
  if (!added) return status == 409 ? control_errors::Conflict(error) : control_errors::InvalidRequest(error);
  return wire::Json(201, *added);
}

StatusOr<HttpResponse> ClearFaults(const ControlCall& call) {
  call.faults.Clear();
  return wire::Text(204, "text/plain", "");
}

StatusOr<HttpResponse> GetFault(const ControlCall& call) {
  for (const auto& r : call.faults.List()) {
    if (r["id"] == call.Param("id")) return wire::Json(200, r);
  }
  return control_errors::NotFound("No fault rule with id '" + call.Param("id") + "'.");
}

StatusOr<HttpResponse> DeleteFault(const ControlCall& call) {
  if (call.faults.Remove(call.Param("id"))) return wire::Text(204, "text/plain", "");
  return control_errors::NotFound("No fault rule with id '" + call.Param("id") + "'.");
}

}  // namespace crosskey::server
