// The control API's state routes: the state document, loading one, reset, snapshots
// (control_call.h). The process that owns the Cloud does the work (StateControl).
#include "emulator/common/http/wire.h"
#include "emulator/server/control_errors.h"
#include "emulator/server/control/control_call.h"
#include "emulator/server/router.h"

namespace crosskey::server {
namespace {
StatusOr<StateControl*> State(const ControlCall& call) {
  if (!call.endpoints.state) return control_errors::NoControlEndpoint(call.request.method, call.request.path);
  return call.endpoints.state;
}
}  // namespace

StatusOr<HttpResponse> GetState(const ControlCall& call) {
  CK_ASSIGN_OR_RETURN(auto state, State(call));
  return wire::Json(200, state->ExportState());
}

StatusOr<HttpResponse> LoadState(const ControlCall& call) {
  CK_ASSIGN_OR_RETURN(auto state, State(call));
  CK_ASSIGN_OR_RETURN(auto document,
                      call.JsonObjectBody("The body must be a state document from GET /_emulator/state, or a fixture."));
  CK_RETURN_IF_ERROR(state->LoadState(document));
  return wire::Json(200, {{"loaded", true}});
}

StatusOr<HttpResponse> ResetState(const ControlCall& call) {
  CK_ASSIGN_OR_RETURN(auto state, State(call));
  CK_RETURN_IF_ERROR(state->Reset());
  return wire::Json(200, {{"reset", true}});
}

StatusOr<HttpResponse> ListSnapshots(const ControlCall& call) {
  CK_ASSIGN_OR_RETURN(auto state, State(call));
  return wire::Json(200, {{"value", state->ListSnapshots()}});
}

StatusOr<HttpResponse> TakeSnapshot(const ControlCall& call) {
  CK_ASSIGN_OR_RETURN(auto state, State(call));
  CK_ASSIGN_OR_RETURN(auto body, call.JsonObjectBody("The body is {\"name\": \"...\"} (optional)."));
  if (body.contains("name") && !body["name"].is_string()) {
    return control_errors::InvalidRequest("The body is {\"name\": \"...\"} (optional).");
  }
  CK_ASSIGN_OR_RETURN(auto taken, state->TakeSnapshot(body.value("name", "")));
  return wire::Json(201, taken);
}

StatusOr<HttpResponse> DeleteSnapshot(const ControlCall& call) {
  CK_ASSIGN_OR_RETURN(auto state, State(call));
  CK_RETURN_IF_ERROR(state->DeleteSnapshot(call.Param("name")));
  return wire::Text(204, "text/plain", "");
}

StatusOr<HttpResponse> RestoreSnapshot(const ControlCall& call) {
  CK_ASSIGN_OR_RETURN(auto state, State(call));
  CK_RETURN_IF_ERROR(state->RestoreSnapshot(call.Param("name")));
  return wire::Json(200, {{"restored", call.Param("name")}});
}

}  // namespace crosskey::server
