#include "emulator/consumer/http/blob_routes.h"

#include <optional>

#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"
#include "emulator/consumer/blob_errors.h"
#include "emulator/consumer/http/blob_call.h"

namespace crosskey::consumer::http {
namespace blob_errors = errors::blob;
namespace {
constexpr const char* kStorageResource = "https://storage.azure.com";
// The oldest version that accepts Microsoft Entra bearer tokens ("Versioning for Azure Storage").
constexpr const char* kFirstBearerVersion = "2017-11-09";

Error TokenRefusal(const token::ValidationResult& v, const std::string& challenge) {
  switch (v.problem) {
    case token::TokenProblem::kWrongAudience:
      return blob_errors::InvalidAuthenticationInfo("Audience validation failed. Audience did not match.", challenge);
    case token::TokenProblem::kBadIssuer:
      return blob_errors::InvalidAuthenticationInfo("Issuer validation failed. Issuer did not match.", challenge);
    case token::TokenProblem::kExpired:
      return blob_errors::InvalidAuthenticationInfo("Lifetime validation failed. The token is expired.", challenge);
    case token::TokenProblem::kNotYetValid:
      return blob_errors::InvalidAuthenticationInfo("Lifetime validation failed. The token is not yet valid.",
                                                    challenge);
    default:
      return blob_errors::InvalidAuthenticationInfo("Signature validation failed. " + v.detail, challenge);
  }
}
}  // namespace

std::string BlobRoutes::AccountOf(const HttpRequest& request) const {
  std::string suffix = ".blob." + ToLower(cloud_->config().domain);
  if (request.host.size() <= suffix.size() || !EndsWith(request.host, suffix)) return "";
  std::string account = request.host.substr(0, request.host.size() - suffix.size());
  return account.find('.') == std::string::npos ? account : "";
}

// The challenge storage sends (Azure/AzureStor#119): the SDK's challenge policy takes the
// tenant from authorization_uri and the scope from resource_id.
std::string BlobRoutes::Challenge(const std::string& tenant) const {
  std::string login = "https://login." + cloud_->config().domain;
  if (cloud_->https_port() != 443) login += ":" + std::to_string(cloud_->https_port());
  return "Bearer authorization_uri=" + login + "/" + tenant + "/oauth2/authorize resource_id=" + kStorageResource;
}

void BlobRoutes::Match(const HttpRequest& request, std::string resource, wire::RequestContext* context) const {
  context->plane = "blob";
  context->resource = std::move(resource);
  context->Take(BlobRouteTable(), BlobRouteTable().Find(request.method, request.path, request.query));
}

HttpResponse BlobRoutes::RenderError(const Error& error, const HttpRequest& request) const {
  return RenderStorageError(error, request, cloud_->clock.Now());
}

StatusOr<BlobCaller> BlobRoutes::Authenticate(const HttpRequest& request, const BlobAccount& account,
                                              std::string* correlation) const {
  std::string version = request.Header("x-ms-version");
  if (!version.empty() && !IsVersionDate(version)) return blob_errors::InvalidHeaderValue("x-ms-version", version);
  std::string challenge = Challenge(account.tenant_id);
  if (request.Header("authorization").empty()) return blob_errors::NoAuthenticationInformation(challenge);
  auto token = wire::BearerToken(request);
  if (!token) return blob_errors::KeyBasedAuthenticationNotPermitted();
  if (version.empty() || version < kFirstBearerVersion) {
    return blob_errors::AuthenticationFailed("Authentication scheme Bearer is not supported in this version.");
  }
  auto v = cloud_->validator.Validate(*token, token::Api::kStorage);
  if (v.problem != token::TokenProblem::kNone) return TokenRefusal(v, challenge);
  // A token from another tenant (e.g. the customer's) is refused like a foreign issuer.
  if (!EqualsIgnoreCase(v.token.tenant_id, account.tenant_id)) {
    return blob_errors::InvalidAuthenticationInfo("Issuer validation failed. Issuer did not match.", challenge);
  }
  *correlation = v.token.uti;
  return BlobCaller{v.token.tenant_id, v.token.object_id, v.token.app_id, ""};
}

StatusOr<HttpResponse> BlobRoutes::Run(const HttpRequest& request, const wire::RequestContext& context,
                                       const BlobAccount& account, const BlobCaller& caller) const {
  std::string path = request.path.empty() ? "" : request.path.substr(1);
  auto slash = path.find('/');
  BlobCall call{*cloud_, request, account, caller, path.substr(0, slash),
                slash == std::string::npos ? "" : path.substr(slash + 1)};
  if (context.matched()) return BlobRouteTable().routes()[context.route].handler(call);
  if (call.container.empty()) return blob_errors::NotImplemented(call.What() + " (account-level operations)");
  if (call.blob.empty() && request.Query("restype") != "container") {
    return blob_errors::NotImplemented(call.What() + " (the $root container)");
  }
  return blob_errors::NotImplemented(call.What());
}

HttpResponse BlobRoutes::Serve(const HttpRequest& request, const wire::RequestContext& context) const {
  int64_t now = cloud_->clock.Now();
  auto account = cloud_->blobs.Account(context.resource);
  if (!account.ok()) return RenderStorageError(account.error(), request, now);
  std::string correlation;
  auto caller = Authenticate(request, *account, &correlation);
  auto result = caller.ok() ? Run(request, context, *account, *caller) : StatusOr<HttpResponse>(caller.error());
  const bool ok = result.ok();
  // The failure is kept apart: the value is moved out of `result` below.
  std::optional<Error> error;
  if (!ok) error = result.error();
  HttpResponse response = ok ? std::move(result).value() : RenderStorageError(*error, request, now);
  if (ok) AddCommonHeaders(request, now, &response);
  BlobCaller who = caller.ok() ? *caller : BlobCaller{};
  nlohmann::json record = {{"category", "StorageBlobLogs"},
                           {"operationName", context.matched() ? context.audit_name : std::string("Unknown")},
                           {"operationId", context.operation},
                           {"accountName", account->name},
                           {"tenantId", account->tenant_id},
                           {"authenticationType", "OAuth"},
                           {"uri", request.path},
                           {"callerTenantId", who.tenant_id},
                           {"objectId", who.object_id},
                           {"appId", who.app_id},
                           {"statusCode", response.status},
                           {"statusText", ok ? "Success" : error->code},
                           {"correlationId", correlation},
                           {"requestId", request.request_id}};
  if (!who.authorized_by.empty()) record["authorizedBy"] = who.authorized_by;
  cloud_->audit.Record(std::move(record));
  return response;
}

}  // namespace crosskey::consumer::http
