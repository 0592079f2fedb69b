#pragma once
// The Entra login plane on the wire: OIDC discovery, JWKS, instance discovery, user realm and
// the token endpoint (v1 and v2), plus the managed-identity endpoints served on the plain-HTTP
// port. Renders every token error as Entra's OAuth body.
// Thread-safety: stateless over the Cloud; safe for concurrent requests.
#include <string>

#include "emulator/cloud/cloud.h"
#include "emulator/common/http/request_context.h"
#include "emulator/common/http_types.h"
#include "emulator/token/http/oauth_error_mapper.h"

namespace crosskey::token::http {

class LoginRoutes {
 public:
  explicit LoginRoutes(Cloud* cloud) : cloud_(cloud) {}
  using Handler = HttpResponse (LoginRoutes::*)(const HttpRequest&, const wire::PathParams&) const;
  static const wire::RouteTable<Handler>& Table();
  void Match(const HttpRequest& request, wire::RequestContext* context) const;
  // An unmatched request answers the OAuth 501 naming the path.
  HttpResponse Serve(const HttpRequest& request, const wire::RequestContext& context) const;
  static HttpResponse RenderError(const Error& error, const HttpRequest& request) {
    return RenderOAuthError(error, request);
  }

 private:
  // Route handlers.
  HttpResponse InstanceDiscovery(const HttpRequest& request, const wire::PathParams& params) const;
  HttpResponse OpenIdConfigurationV1(const HttpRequest& request, const wire::PathParams& params) const;
  HttpResponse OpenIdConfigurationV2(const HttpRequest& request, const wire::PathParams& params) const;
  HttpResponse Keys(const HttpRequest& request, const wire::PathParams& params) const;
  HttpResponse UserRealm(const HttpRequest& request, const wire::PathParams& params) const;
  HttpResponse TokenV1(const HttpRequest& request, const wire::PathParams& params) const;
  HttpResponse TokenV2(const HttpRequest& request, const wire::PathParams& params) const;
  HttpResponse AdminConsentV1(const HttpRequest& request, const wire::PathParams& params) const;
  HttpResponse AdminConsentV2(const HttpRequest& request, const wire::PathParams& params) const;
  HttpResponse Authorize(const HttpRequest& request, const wire::PathParams& params) const;

  HttpResponse OpenIdConfiguration(const HttpRequest& request, const std::string& tenant, bool v2) const;
  HttpResponse InstanceDiscoveryFor(const HttpRequest& request) const;
  HttpResponse UserRealmFor(const HttpRequest& request, const std::string& upn) const;
  HttpResponse TokenEndpoint(const HttpRequest& request, const std::string& tenant, bool v1) const;
  HttpResponse AdminConsent(const HttpRequest& request, const std::string& tenant, bool v2) const;
  Cloud* cloud_;
};

class ManagedIdentityRoutes {
 public:
  ManagedIdentityRoutes(Cloud* cloud, std::string identity_header)
      : cloud_(cloud), identity_header_(std::move(identity_header)) {}
  bool Handle(const HttpRequest& request, HttpResponse* response) const;
  const std::string& identity_header() const { return identity_header_; }

 private:
  Cloud* cloud_;
  std::string identity_header_;
};

}  // namespace crosskey::token::http
