#include "emulator/server/router.h"


#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"
#include "emulator/server/control_errors.h"
#include "emulator/server/fault_errors.h"
#include "emulator/token/errors.h"

namespace crosskey::server {

nlohmann::json Router::Bootstrap() const {
  const std::string& d = cloud_->config().domain;
  std::string port = endpoints_->https_port == 443 ? "" : ":" + std::to_string(endpoints_->https_port);
  nlohmann::json tenants = nlohmann::json::array();
  for (const auto& b : cloud_->bootstrap()) {
    tenants.push_back({{"name", b.name},
                       {"tenantId", b.tenant_id},
                       {"subscriptionId", b.subscription_id},
                       {"adminUser", {{"username", b.admin_username}, {"password", b.admin_password},
                                      {"objectId", b.admin_user_object_id}}},
                       {"adminApp", {{"appId", b.admin_app_id}, {"clientSecret", b.admin_app_secret},
                                     {"objectId", b.admin_app_object_id},
                                     {"servicePrincipalObjectId", b.admin_sp_object_id}}}});
  }
  std::string mi_base = "http://127.0.0.1:" + std::to_string(endpoints_->mi_port);
  return {{"tenants", tenants},
          {"endpoints",
           {{"login", "https://login." + d + port},
            {"graph", "https://graph." + d + port},
            {"arm", "https://management." + d + port},
            {"mi", mi_base + "/msi/token"},
            {"miHeader", endpoints_->mi_header},
            {"imds", mi_base},
            {"vaultSuffix", "vault." + d + port},
            {"vaultResource", cloud_->VaultResource(true)}}}};
}

Router::Plane Router::Classify(const HttpRequest& request, wire::RequestContext* context) const {
  if (std::string vault = kv_.VaultOf(request); !vault.empty()) {
    kv_.Match(request, std::move(vault), context);
    return Plane::kKeyVault;
  }
  if (std::string account = blob_.AccountOf(request); !account.empty()) {
    blob_.Match(request, std::move(account), context);
    return Plane::kBlob;
  }
  if (graph::http::GraphRoutes::IsGraphPath(request.path)) {
    graph_.Match(request, context);
    return Plane::kGraph;
  }
  if (arm::http::ArmRoutes::IsArmPath(request.path)) {
    arm_.Match(request, context);
    return Plane::kArm;
  }
  login_.Match(request, context);
  return context->matched() ? Plane::kLogin : Plane::kNone;
}

HttpResponse Router::RenderError(Plane plane, const Error& error, const HttpRequest& request) const {
  switch (plane) {
    case Plane::kKeyVault:
      return keyvault::http::RenderKvError(error);
    case Plane::kBlob:
      return blob_.RenderError(error, request);
    case Plane::kGraph:
      return graph::http::RenderGraphError(error, request);
    case Plane::kArm:
      return arm::http::RenderArmError(error);
    case Plane::kLogin:
    case Plane::kNone:
      break;
  }
  return token::http::RenderOAuthError(error, request);
}

HttpResponse Router::RenderFault(const FaultDecision& fault, Plane plane, const HttpRequest& request,
                                 const wire::RequestContext& context) const {
  std::string plane_name(context.plane);
  if (fault.drop) return DropFallback(RenderError(plane, errors::InjectedDropFailed(plane_name, fault.rule_id), request), fault);
  if (fault.body) return WithFaultHeaders(wire::Json(fault.status, *fault.body), fault);
  return WithFaultHeaders(RenderError(plane, errors::InjectedFault(fault.status, plane_name, fault.rule_id), request),
                          fault);
}

HttpResponse Router::Serve(Plane plane, const HttpRequest& request, const wire::RequestContext& context) const {
  switch (plane) {
    case Plane::kKeyVault:
      return kv_.Serve(request, context);
    case Plane::kBlob:
      return blob_.Serve(request, context);
    case Plane::kGraph:
      return graph_.Serve(request, context);
    case Plane::kArm:
      return arm_.Serve(request, context);
    case Plane::kLogin:
      return login_.Serve(request, context);
    case Plane::kNone:
      break;
  }
  return RenderControlError(control_errors::NotServed(request.method, request.path));
}

// Only user sign-ins are kept among token requests (wire::Writes::kUserSignIn).
static bool IsUserSignIn(const HttpRequest& request) {
  const std::string& b = request.body;
  return b.find("grant_type=password") != std::string::npos || b.find("grant_type=refresh_token") != std::string::npos;
}

HttpResponse Router::HandleHttps(const HttpRequest& request, bool* writes) const {
  *writes = false;
  if (ControlPlane::Owns(request)) return control_.Serve(request, writes);
  // The pipeline: match once, then fault rules, then the plane (authenticate, handler, mapper,
  // audit); the caller persists when the route writes and the answer is a success.
  wire::RequestContext context;
  Plane plane = Classify(request, &context);
  if (auto fault = faults_.InterceptHttps(request, context)) return RenderFault(*fault, plane, request, context);
  HttpResponse response = Serve(plane, request, context);
  *writes = context.writes == wire::Writes::kYes || (context.writes == wire::Writes::kUserSignIn && IsUserSignIn(request));
  return response;
}

HttpResponse Router::HandleManagedIdentity(const HttpRequest& request) const {
  if (auto fault = faults_.InterceptManagedIdentity(request)) {
    if (fault->drop) {
      return DropFallback(token::http::RenderManagedIdentityError(errors::InjectedDropFailed("mi", fault->rule_id)),
                          *fault);
    }
    if (fault->body) return WithFaultHeaders(wire::Json(fault->status, *fault->body), *fault);
    return WithFaultHeaders(
        token::http::RenderManagedIdentityError(errors::InjectedFault(fault->status, "mi", fault->rule_id)), *fault);
  }
  HttpResponse response;
  if (mi_.Handle(request, &response)) return response;
  return token::http::RenderManagedIdentityError(token::errors::UnknownManagedIdentityPath(request.path));
}

}  // namespace crosskey::server
