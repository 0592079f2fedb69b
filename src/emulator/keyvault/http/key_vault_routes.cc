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

void KeyVaultRoutes::Match(const HttpRequest& request, wire::RequestContext* context) const {
  context->plane = "keyvault";
  context->resource = VaultOf(request);
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
    case token::TokenProblem::kNone:
      break;
    case token::TokenProblem::kWrongAudience:
      return errors::InvalidAudience(v.token.audience, challenge());
    case token::TokenProblem::kBadIssuer:
      return errors::InvalidIssuer(expected_issuer(), v.token.issuer, challenge());
    case token::TokenProblem::kExpired:
      return errors::InvalidToken("Token is expired.", challenge());
    case token::TokenProblem::kNotYetValid:
      return errors::InvalidToken("Token is not yet valid.", challenge());
    default:
      return errors::InvalidToken(v.detail, challenge());
  }
  if (v.token.tenant_id != vault.tenant_id) return errors::InvalidIssuer(expected_issuer(), v.token.issuer, challenge());
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
  // A property of an unexpected JSON type is the client's mistake: 400, never a 500.
  try {
    return KeyVaultRouteTable().routes()[context.route].handler(call);
  } catch (const nlohmann::json::exception& e) {
    return errors::BadParameter(std::string("A property of the request has an invalid type or value: ") + e.what());
  }
}

HttpResponse KeyVaultRoutes::Serve(const HttpRequest& request, const wire::RequestContext& context) const {
  auto info = cloud_->resources.FindVault(context.resource);
  if (!info) return RenderKvError(errors::VaultNotFound(request.host));
  std::string uti;
  auto caller = Authenticate(request, *info, &uti);
  if (!caller.ok()) return RenderKvError(caller.error());
  auto started = std::chrono::steady_clock::now();
  auto result = Run(request, context, *info, *caller);
  const bool ok = result.ok();
  // The failure is kept apart: the value is moved out of `result` below.
  std::optional<Error> error;
  if (!ok) error = result.error();
  HttpResponse response = ok ? std::move(result).value() : RenderKvError(*error);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  Audit(request, context, *info, *caller, uti, response, error ? &*error : nullptr, ms);
  return response;
}

void KeyVaultRoutes::Audit(const HttpRequest& request, const wire::RequestContext& context,
                           const arm::VaultInfo& vault, const KvCaller& caller, const std::string& uti,
                           const HttpResponse& response, const Error* error, double ms) const {
  // Written field by field: this record is made on every Key Vault call.
  JsonObjectWriter r;
  r.Str("category", "AuditEvent")
      .Str("operationName", context.matched() ? context.audit_name : std::string("Unknown"))
      .Str("operationId", context.operation)
      .Str("tenantId", vault.tenant_id)
      .Str("vault", vault.name)
      .Str("requestUri", request.path)
      .Str("appId", caller.app_id)
      .Str("objectId", caller.object_id)
      .Str("callerTenantId", caller.tenant_id)
      .Int("httpStatusCode", response.status)
      .Str("resultType", response.status < 400 ? "Success" : "Failure")
      .Num("durationMs", ms)
      .Str("correlationId", uti)
      .Str("requestId", request.request_id);
  if (!caller.authorized_by.empty()) r.Str("authorizedBy", caller.authorized_by);
  if (error) r.Str("resultSignature", error->inner_code.empty() ? error->code : error->inner_code);
  cloud_->audit.Record(std::move(r));
}

}  // namespace crosskey::keyvault::http
