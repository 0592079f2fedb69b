#include "emulator/server/control/control_plane.h"

#include "emulator/common/text.h"
#include "emulator/server/control/control_call.h"
#include "emulator/server/control_errors.h"
#include "emulator/server/router.h"

namespace crosskey::server {
namespace {
constexpr std::string_view kPrefix = "/_emulator";

// /health and the (public) CA stay open so probes and clients can start without the token.
bool IsOpen(const std::string& method, std::string_view path) {
  return method == "GET" && (path == "/health" || path == "/ca.pem");
}
}  // namespace

bool ControlPlane::Owns(const HttpRequest& request) { return StartsWithIgnoreCase(request.path, "/_emulator/"); }

HttpResponse ControlPlane::Serve(const HttpRequest& request, bool* writes) const {
  *writes = false;
  std::string_view path = std::string_view(request.path).substr(kPrefix.size());
  if (!endpoints_->admin_token.empty() && !IsOpen(request.method, path) &&
      request.Header("authorization") != "Bearer " + endpoints_->admin_token) {
    return RenderControlError(control_errors::Unauthorized());
  }
  const auto* table = &ControlRouteTable();
  auto match = table->Find(request.method, path);
  if (!match.ok() && endpoints_->bench_routes) {
    table = &BenchRouteTable();
    match = table->Find(request.method, path);
  }
  if (!match.ok()) {
    bool known = ControlRouteTable().HasPath(path) || (endpoints_->bench_routes && BenchRouteTable().HasPath(path));
    return RenderControlError(
        known ? control_errors::MethodNotAllowed(request.method + " is not served on " + request.path)
              : control_errors::NoControlEndpoint(request.method, request.path));
  }
  ControlCall call{*cloud_, *endpoints_, *faults_, request, match.params, bootstrap_};
  StatusOr<HttpResponse> result = wire::RunHandler(match.route->handler, call, [](const char* what) {
    return control_errors::InvalidRequest(std::string("Invalid control request: ") + what);
  });
  if (!result.ok()) return RenderControlError(result.error());
  *writes = match.route->writes == wire::Writes::kYes;
  return std::move(result).value();
}

}  // namespace crosskey::server
