#include "emulator/graph/http/graph_routes.h"

#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"
#include "emulator/graph/errors.h"
#include "emulator/graph/http/graph_call.h"

namespace crosskey::graph::http {
namespace {
// The path after /v1.0 (or /beta), with an alternate-key segment split in two:
// "applications(appId='X')/..." -> "applications/(appId='X')/...".
std::string RoutedPath(const std::string& path) {
  auto segments = wire::PathSegments(path);
  std::string out;
  for (size_t i = 1; i < segments.size(); ++i) {
    const std::string& s = segments[i];
    size_t paren = s.find("(appId=");
    if (i == 1 && paren != std::string::npos && paren > 0) {
      out += "/" + s.substr(0, paren) + "/" + s.substr(paren);
    } else {
      out += "/" + s;
    }
  }
  return out;
}
}  // namespace

bool GraphRoutes::IsGraphPath(const std::string& p) {
  return StartsWithIgnoreCase(p, "/v1.0/") || EqualsIgnoreCase(p, "/v1.0") || StartsWithIgnoreCase(p, "/beta/");
}

void GraphRoutes::Match(const HttpRequest& request, wire::RequestContext* context) const {
  context->plane = "graph";
  context->Take(GraphRouteTable(), GraphRouteTable().Find(request.method, RoutedPath(request.path)));
}

StatusOr<HttpResponse> GraphRoutes::Run(const HttpRequest& request, const wire::RequestContext& context,
                                        const GraphCaller& caller) const {
  auto tenant = cloud_->directory.FindTenant(caller.tenant_id);
  if (!tenant) return errors::TenantNotFound(caller.tenant_id);
  std::string parse_error;
  auto body = wire::ParseJsonBody(request, &parse_error);
  if (!body) return errors::BadRequest(parse_error);
  std::optional<Filter> filter;
  if (!request.Query("$filter").empty()) {
    filter = ParseFilter(request.Query("$filter"));
    if (!filter) return errors::UnsupportedQuery(request.Query("$filter"));
  }
  if (!context.matched()) return errors::NotImplemented(request.method + " " + request.path);
  GraphCall call{*cloud_, request, context.params, caller, *tenant, *body, filter};
  return wire::RunHandler(GraphRouteTable().routes()[context.route].handler, call, [](const char* what) {
    return errors::BadRequest(std::string("A property of the request has an invalid type or value: ") + what);
  });
}

HttpResponse GraphRoutes::Serve(const HttpRequest& request, const wire::RequestContext& context) const {
  auto token = wire::BearerToken(request);
  if (!token) return RenderGraphError(errors::InvalidAuthenticationToken("Access token is empty."), request);
  auto v = cloud_->validator.Validate(*token, token::Api::kGraph);
  if (!v.ok()) return RenderGraphError(errors::InvalidAuthenticationToken(v.detail), request);
  GraphCaller caller{v.token.tenant_id, v.token.object_id,  v.token.app_id,
                     v.token.is_user(), request.request_id, v.token.uti};
  auto result = Run(request, context, caller);
  return result.ok() ? std::move(result).value() : RenderGraphError(result.error(), request);
}

}  // namespace crosskey::graph::http
