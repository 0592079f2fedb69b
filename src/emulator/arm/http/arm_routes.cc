#include "emulator/arm/http/arm_routes.h"

#include <optional>

#include "emulator/arm/activity_record.h"
#include "emulator/arm/errors.h"
#include "emulator/arm/http/arm_call.h"
#include "emulator/common/http/wire.h"
#include "emulator/common/relaxed_json.h"
#include "emulator/common/text.h"

namespace crosskey::arm::http {

bool ArmRoutes::IsArmPath(const std::string& path) {
  std::string collapsed = "/" + TrimSlashes(path);
  return StartsWithIgnoreCase(collapsed, "/subscriptions") || StartsWithIgnoreCase(collapsed, "/providers") ||
         StartsWithIgnoreCase(collapsed, "/tenants");
}

std::string ArmRoutes::NormalizedPath(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c != '/' || out.empty() || out.back() != '/') out += c;
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

void ArmRoutes::Match(const HttpRequest& request, wire::RequestContext* context) const {
  context->plane = "arm";
  std::string path = NormalizedPath(request.path);
  context->Take(ArmRouteTable(), ArmRouteTable().Find(request.method, path));
  if (context->matched()) context->operation = ExpandArmOperation(context->operation, context->params, path);
}

StatusOr<HttpResponse> ArmRoutes::Run(const HttpRequest& request, const wire::RequestContext& context,
                                      const ArmCaller& caller) const {
  std::string body_error;
  auto body = wire::ParseJsonBody(request, &body_error);
  // ARM reads bodies leniently (comments, unquoted names: azure-cli's template deployments).
  if (!body && body_error.find("not valid JSON") != std::string::npos) {
    body = ParseRelaxedJson(request.body, &body_error);
    if (!body && body_error.find("not valid JSON") != std::string::npos) body_error = "The request body is not valid JSON.";
  }
  if (!body) return errors::InvalidRequestContent(body_error);
  std::string path = NormalizedPath(request.path);
  if (!context.matched()) return errors::NotImplemented(request.method, path);
  ArmCall call{*cloud_, request, context.params, caller, *body, path};
  return wire::RunHandler(ArmRouteTable().routes()[context.route].handler, call,
                          [](const char* what) { return errors::InvalidRequestContent(what); });
}

HttpResponse ArmRoutes::Serve(const HttpRequest& request, const wire::RequestContext& context) const {
  auto token = wire::BearerToken(request);
  if (!token) return RenderArmError(errors::AuthenticationMissing());
  auto v = cloud_->validator.Validate(*token, token::Api::kArm);
  if (!v.ok()) {
    return RenderArmError(v.problem == token::TokenProblem::kExpired ? errors::ExpiredAuthenticationToken()
                                                                     : errors::InvalidAuthenticationToken(v.detail));
  }
  ArmCaller caller{v.token.tenant_id, v.token.object_id, v.token.upn.empty() ? v.token.object_id : v.token.upn};
  auto result = Run(request, context, caller);
  const bool ok = result.ok();
  // The failure is kept apart: the value is moved out of `result` below.
  std::optional<Error> error;
  if (!ok) error = result.error();
  HttpResponse response = ok ? std::move(result).value() : RenderArmError(*error);
  if (request.method != "GET" && request.method != "HEAD") {
    RecordActivity(request, context, v.token, caller, response, error ? &*error : nullptr);
  }
  return response;
}

// The activity log records writes, refused or not, under their operation id.
void ArmRoutes::RecordActivity(const HttpRequest& request, const wire::RequestContext& context,
                               const token::AccessToken& token, const ArmCaller& caller, const HttpResponse& response,
                               const Error* error) const {
  arm::RecordActivity(&cloud_->audit, {context.operation, token.tenant_id, token.object_id, token.app_id,
                                       caller.display, NormalizedPath(request.path), response.status,
                                       error ? error->code : "", token.uti, request.request_id});
}

}  // namespace crosskey::arm::http
