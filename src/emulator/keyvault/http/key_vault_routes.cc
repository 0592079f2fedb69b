#include "emulator/keyvault/http/key_vault_routes.h"

#include <chrono>
#include <optional>

#include "emulator/common/http/wire.h"
#include "emulator/common/json_writer.h"
#include "emulator/common/text.h"
#include "emulator/keyvault/errors.h"
#include "emulator/keyvault/http/key_vault_call.h"
#include "emulator/token/audience.h"

namespace crosskey::keyvault::http {

std::string KeyVaultRoutes::VaultOf(const HttpRequest& request) const {
  std::string suffix = ".vault." + ToLower(cloud_->config().domain);
  if (request.host.size() <= suffix.size() || !EndsWith(request.host, suffix)) return "";
  std::string vault = request.host.substr(0, request.host.size() - suffix.size());
  return vault.find('.') == std::string::npos ? vault : "";
}

std::string KeyVaultRoutes::Challenge(const HttpRequest& request, const std::string& tenant) const {
  // Python checks the challenge resource against host WITH port, JS against the hostname
  // only: a resource carrying the port when the client sent one satisfies both (WIRE.md §6.1).
  std::string login = "https://login." + cloud_->config().domain;
  if (cloud_->https_port() != 443) login += ":" + std::to_string(cloud_->https_port());
  return "Bearer authorization=\"" + login + "/" + tenant + "\", resource=\"" +
         cloud_->VaultResource(request.host_port != 0) + "\"";
}

void KeyVaultRoutes::Match(const HttpRequest& request, std::string resource, wire::RequestContext* context) const {
  context->plane = "keyvault";
  context->resource = std::move(resource);
  context->Take(KeyVaultRouteTable(), KeyVaultRouteTable().Find(request.method, request.path));
}

StatusOr<KvCaller> KeyVaultRoutes::Authenticate(const HttpRequest& request, const arm::VaultInfo& vault,
                                                std::string* uti) const {
  // Only refusals carry the challenge: build it on demand.
  auto challenge = [&] { return Challenge(request, vault.tenant_id); };
  auto token = wire::BearerToken(request);
  if (!token) return errors::MissingToken(challenge());
  auto v = cloud_->validator.Validate(*token, token::Api::kKeyVault);
  auto expected_issuer = [&] { return token::V1Issuer(vault.tenant_id) + ", " + token::V2Issuer(vault.tenant_id); };
  switch (v.problem) {
    case token::TokenProblem::kNone: break;
    case token::TokenProblem::kWrongAudience: return errors::InvalidAudience(v.token.audience, challenge());
    case token::TokenProblem::kBadIssuer: return errors::InvalidIssuer(expected_issuer(), v.token.issuer, challenge());
    case token::TokenProblem::kExpired: return errors::InvalidToken("Token is expired.", challenge());
    case token::TokenProblem::kNotYetValid: return errors::InvalidToken("Token is not yet valid.", challenge());
    default: return errors::InvalidToken(v.detail, challenge());
  }
  if (v.token.tenant_id != vault.tenant_id)
    return errors::InvalidIssuer(expected_issuer(), v.token.issuer, challenge());
  *uti = v.token.uti;
  return KvCaller{v.token.tenant_id, v.token.object_id, v.token.app_id, v.token.issuer, {}};
}

StatusOr<HttpResponse> KeyVaultRoutes::Run(const HttpRequest& request, const wire::RequestContext& context,
                                           const arm::VaultInfo& vault, const KvCaller& caller) const {
  std::string body_error;
  auto body = wire::ParseJsonBody(request, &body_error);
  if (!body) return errors::BadParameter(body_error);
  if (!body->is_object()) return errors::BadParameter("The request body must be a JSON object.");
  if (!context.matched()) return errors::NotImplemented(request.method + " " + request.path);
  KeyVaultCall call{*cloud_, request, context.params, vault, caller, *body, cloud_->VaultUrl(vault.name)};
  return wire::RunHandler(KeyVaultRouteTable().routes()[context.route].handler, call, [](const char* what) {
    return errors::BadParameter(std::string("A property of the request has an invalid type or value: ") + what);
  });
}

HttpResponse KeyVaultRoutes::Serve(const HttpRequest& request, const wire::RequestContext& context) const {
  auto info = cloud_->resources.FindVault(context.resource);
  if (!info) return RenderKvError(errors::VaultNotFound(request.host));
  KvRequestTrace trace;
  trace.request_id = request.request_id;
  trace.request_uri = request.path;
  auto caller = Authenticate(request, *info, &trace.correlation_id);
  if (!caller.ok()) return RenderKvError(caller.error());
  caller->trace = &trace;
  auto started = std::chrono::steady_clock::now();
  auto result = Run(request, context, *info, *caller);
  if (result.ok()) {
    if (!trace.audited) AuditUnserved(context, *info, *caller, result->status, nullptr, started);
    return std::move(result).value();
  }
  if (!trace.audited) AuditUnserved(context, *info, *caller, result.error().http_status, &result.error(), started);
  return RenderKvError(result.error());
}

// The service writes the AuditEvent of every operation it runs; a request that never reached
// one (a malformed body, an unknown path, the random-bytes route) is logged here, once.
void KeyVaultRoutes::AuditUnserved(const wire::RequestContext& context, const arm::VaultInfo& vault,
                                   const KvCaller& caller, int status, const Error* error,
                                   std::chrono::steady_clock::time_point started) const {
  KeyOperation op{context.operation.c_str(), context.matched() ? context.audit_name.c_str() : "Unknown", status};
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  cloud_->keyvault.RecordAudit(op, vault.name, caller, context.params.Get("name"), error, ms);
}

}  // namespace crosskey::keyvault::http
