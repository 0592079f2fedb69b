#pragma once
// Azure Resource Manager on the wire: tenants, subscriptions, providers, resource groups,
// generic resources (identities, vaults, consumers), deleted vaults, role definitions and
// assignments. Every failure is ARM-shaped ({"error":{"code","message"}}); paths outside the
// emulated surface answer 501 naming the path. Writes, refused or not, go to the activity log.
// Thread-safety: stateless over the Cloud; safe for concurrent requests.
#include <string>

#include "emulator/arm/http/arm_error_mapper.h"
#include "emulator/cloud/cloud.h"
#include "emulator/common/http/request_context.h"
#include "emulator/common/http_types.h"

namespace crosskey::arm::http {

class ArmRoutes {
 public:
  explicit ArmRoutes(Cloud* cloud) : cloud_(cloud) {}
  // True for /subscriptions, /providers and /tenants paths (repeated slashes ignored).
  static bool IsArmPath(const std::string& path);
  // ARM collapses repeated slashes (the SDKs' *ById operations send "//subscriptions/...") and
  // ignores a trailing one.
  static std::string NormalizedPath(const std::string& path);
  void Match(const HttpRequest& request, wire::RequestContext* context) const;
  HttpResponse Serve(const HttpRequest& request, const wire::RequestContext& context) const;
  static HttpResponse RenderError(const Error& error, const HttpRequest&) { return RenderArmError(error); }

 private:
  StatusOr<HttpResponse> Run(const HttpRequest& request, const wire::RequestContext& context,
                             const ArmCaller& caller) const;
  void RecordActivity(const HttpRequest& request, const wire::RequestContext& context, const token::AccessToken& token,
                      const ArmCaller& caller, const HttpResponse& response, const Error* error) const;
  Cloud* cloud_;
};

}  // namespace crosskey::arm::http
