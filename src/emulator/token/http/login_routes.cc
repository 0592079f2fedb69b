#include "emulator/token/http/login_routes.h"

#include "emulator/token/http/oauth_error_mapper.h"

#include "emulator/common/http/wire.h"
#include "emulator/common/json_writer.h"
#include "emulator/common/text.h"
#include "emulator/token/admin_consent.h"
#include "emulator/token/errors.h"
#include "emulator/token/sign_in_record.h"

namespace crosskey::token::http {

const wire::RouteTable<LoginRoutes::Handler>& LoginRoutes::Table() {
  using wire::Writes;
  // The login plane's operation names, as fault rules and docs use them.
  static const wire::RouteTable<Handler> kTable({
      {"GET", "{tenant}/discovery/instance", "discovery", "", Writes::kNo, &LoginRoutes::InstanceDiscovery},
      {"GET", "{tenant}/v2.0/.well-known/openid-configuration", "openid-configuration", "", Writes::kNo,
       &LoginRoutes::OpenIdConfigurationV2},
      {"GET", "{tenant}/.well-known/openid-configuration", "openid-configuration", "", Writes::kNo,
       &LoginRoutes::OpenIdConfigurationV1},
      {"GET", "{tenant}/discovery/v2.0/keys", "keys", "", Writes::kNo, &LoginRoutes::Keys},
      {"GET", "{tenant}/discovery/keys", "keys", "", Writes::kNo, &LoginRoutes::Keys},
      {"GET", "{tenant}/userrealm/{upn}", "userrealm", "", Writes::kNo, &LoginRoutes::UserRealm},
      // Tokens are not state, but user sign-ins issue refresh tokens, which a restart must keep
      // (azure-cli holds them for weeks). Service flows (client credentials, FIC) stay unpersisted.
      {"POST", "{tenant}/oauth2/v2.0/token", "token", "Sign-in", Writes::kUserSignIn, &LoginRoutes::TokenV2},
      {"POST", "{tenant}/oauth2/token", "token", "Sign-in", Writes::kUserSignIn, &LoginRoutes::TokenV1},
      {"GET", "{tenant}/adminconsent", "adminconsent", "", Writes::kNo, &LoginRoutes::AdminConsentV1},
      {"POST", "{tenant}/adminconsent", "adminconsent", "", Writes::kYes, &LoginRoutes::AdminConsentV1},
      {"GET", "{tenant}/v2.0/adminconsent", "adminconsent", "", Writes::kNo, &LoginRoutes::AdminConsentV2},
      {"POST", "{tenant}/v2.0/adminconsent", "adminconsent", "", Writes::kYes, &LoginRoutes::AdminConsentV2},
      {"GET", "{tenant}/oauth2/v2.0/authorize", "authorize", "", Writes::kNo, &LoginRoutes::Authorize},
      {"POST", "{tenant}/oauth2/v2.0/authorize", "authorize", "", Writes::kNo, &LoginRoutes::Authorize},
      {"GET", "{tenant}/oauth2/authorize", "authorize", "", Writes::kNo, &LoginRoutes::Authorize},
      {"POST", "{tenant}/oauth2/authorize", "authorize", "", Writes::kNo, &LoginRoutes::Authorize},
  });
  return kTable;
}

void LoginRoutes::Match(const HttpRequest& request, wire::RequestContext* context) const {
  context->plane = "login";
  context->Take(Table(), Table().Find(request.method, request.path));
}

HttpResponse LoginRoutes::Serve(const HttpRequest& request, const wire::RequestContext& context) const {
  return (this->*Table().routes()[context.route].handler)(request, context.params);
}

HttpResponse LoginRoutes::Keys(const HttpRequest& request, const wire::PathParams& params) const {
  const std::string& tenant = params.Get("tenant");
  auto tid = cloud_->tokens.ResolveTenant(tenant);
  if (!tid) return RenderOAuthError(errors::TenantNotFound(tenant), request);
  cloud_->signing_keys.EnsureTenantKey(*tid);  // keys are made on first use
  return wire::Json(200, cloud_->signing_keys.Jwks(*tid));
}

HttpResponse LoginRoutes::Authorize(const HttpRequest& request, const wire::PathParams&) const {
  return RenderOAuthError(errors::InteractiveSignInNotImplemented(request.path), request);
}

HttpResponse LoginRoutes::OpenIdConfigurationV1(const HttpRequest& request, const wire::PathParams& params) const {
  return OpenIdConfiguration(request, params.Get("tenant"), false);
}
HttpResponse LoginRoutes::OpenIdConfigurationV2(const HttpRequest& request, const wire::PathParams& params) const {
  return OpenIdConfiguration(request, params.Get("tenant"), true);
}
HttpResponse LoginRoutes::TokenV1(const HttpRequest& request, const wire::PathParams& params) const {
  return TokenEndpoint(request, params.Get("tenant"), true);
}
HttpResponse LoginRoutes::TokenV2(const HttpRequest& request, const wire::PathParams& params) const {
  return TokenEndpoint(request, params.Get("tenant"), false);
}
HttpResponse LoginRoutes::AdminConsentV1(const HttpRequest& request, const wire::PathParams& params) const {
  return AdminConsent(request, params.Get("tenant"), false);
}
HttpResponse LoginRoutes::AdminConsentV2(const HttpRequest& request, const wire::PathParams& params) const {
  return AdminConsent(request, params.Get("tenant"), true);
}
HttpResponse LoginRoutes::UserRealm(const HttpRequest& request, const wire::PathParams& params) const {
  return UserRealmFor(request, params.Get("upn"));
}
HttpResponse LoginRoutes::InstanceDiscovery(const HttpRequest& request, const wire::PathParams&) const {
  return InstanceDiscoveryFor(request);
}

HttpResponse LoginRoutes::OpenIdConfiguration(const HttpRequest& request, const std::string& tenant, bool v2) const {
  std::string tid;
  if (EqualsIgnoreCase(tenant, "common") || EqualsIgnoreCase(tenant, "organizations")) {
    tid = "{tenantid}";
  } else {
    auto resolved = cloud_->tokens.ResolveTenant(tenant);
    if (!resolved) {
      return RenderOAuthError(errors::InvalidTenant(tenant), request);
    }
    tid = *resolved;
  }
  std::string base = wire::BaseUrl(request) + "/" + tid;
  std::string oauth = base + (v2 ? "/oauth2/v2.0" : "/oauth2");
  nlohmann::json doc = {
      {"token_endpoint", oauth + "/token"},
      {"authorization_endpoint", oauth + "/authorize"},
      {"device_authorization_endpoint", oauth + "/devicecode"},
      {"end_session_endpoint", oauth + "/logout"},
      {"jwks_uri", base + (v2 ? "/discovery/v2.0/keys" : "/discovery/keys")},
      // Azure's own issuer strings: msal-node accepts Microsoft hosts, and FICs copied from the
      // seeds name exactly these.
      {"issuer", v2 ? "https://login.microsoftonline.com/" + tid + "/v2.0" : "https://sts.windows.net/" + tid + "/"},
      {"token_endpoint_auth_methods_supported", {"client_secret_post", "private_key_jwt", "client_secret_basic"}},
      {"response_types_supported", {"code", "id_token", "code id_token", "id_token token"}},
      {"scopes_supported", {"openid", "profile", "email", "offline_access"}},
      {"subject_types_supported", {"pairwise"}},
      {"id_token_signing_alg_values_supported", {"RS256"}},
      {"tenant_region_scope", "NA"},
      {"cloud_instance_name", "microsoftonline.com"}};
  return wire::Json(200, doc);
}

HttpResponse LoginRoutes::InstanceDiscoveryFor(const HttpRequest& request) const {
  // MSAL Python builds authorization_endpoint from the host without its port, then uses our
  // tenant_discovery_endpoint verbatim: put the real port back (WIRE.md §2.1).
  std::string auth = request.Query("authorization_endpoint");
  std::string host = request.Authority();
  std::string tenant = "common";
  if (StartsWithIgnoreCase(auth, "https://")) {
    auto rest = auth.substr(8);
    auto slash = rest.find('/');
    host = rest.substr(0, slash);
    if (slash != std::string::npos) {
      auto segs = wire::PathSegments(rest.substr(slash));
      if (!segs.empty()) tenant = segs[0];
    }
    if (host.find(':') == std::string::npos && cloud_->https_port() != 443 &&
        !EqualsIgnoreCase(host, "login.microsoftonline.com")) {
      host += ":" + std::to_string(cloud_->https_port());
    }
  }
  nlohmann::json doc = {
      {"tenant_discovery_endpoint", "https://" + host + "/" + tenant + "/v2.0/.well-known/openid-configuration"},
      {"api-version", "1.1"},
      {"metadata",
       {{{"preferred_network", "login.microsoftonline.com"},
         {"preferred_cache", "login.windows.net"},
         {"aliases", {"login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"}}},
        {{"preferred_network", host}, {"preferred_cache", host}, {"aliases", {host}}}}}};
  return wire::Json(200, doc);
}

HttpResponse LoginRoutes::UserRealmFor(const HttpRequest& request, const std::string& upn) const {
  (void)request;
  auto at = upn.find('@');
  std::string domain = at == std::string::npos ? "" : upn.substr(at + 1);
  // Never "Federated": that would send MSAL into WS-Trust.
  return wire::Json(200, {{"ver", "1.0"},
                          {"account_type", "Managed"},
                          {"domain_name", domain},
                          {"cloud_instance_name", "microsoftonline.com"},
                          {"cloud_audience_urn", "urn:federation:MicrosoftOnline"}});
}

HttpResponse LoginRoutes::TokenEndpoint(const HttpRequest& request, const std::string& tenant, bool v1) const {
  auto form = ParseQuery(request.body);
  auto result = cloud_->tokens.Token(tenant, form, v1);
  RecordSignIn(&cloud_->audit,
               {cloud_->tokens.ResolveTenant(tenant).value_or(tenant), form["client_id"], form["grant_type"],
                request.request_id, "", ""},
               result);
  if (!result.ok()) return RenderOAuthError(result.error(), request);
  const TokenResponse& t = *result;
  // Written as text: the exchange's answer is on the token endpoint's hot path.
  JsonObjectWriter body;
  body.Str("token_type", "Bearer");
  if (v1) {
    body.Str("expires_in", std::to_string(t.expires_in))
        .Str("ext_expires_in", std::to_string(t.expires_in))
        .Str("expires_on", std::to_string(t.expires_on))
        .Str("not_before", std::to_string(t.not_before))
        .Str("resource", t.resource);
  } else {
    body.Int("expires_in", t.expires_in).Int("ext_expires_in", t.expires_in);
  }
  body.Str("access_token", t.access_token);
  if (!t.refresh_token.empty()) {
    body.Str("refresh_token", t.refresh_token)
        .Str("id_token", t.id_token)
        .Str("client_info", t.client_info)
        .Str("scope", t.scope);
  }
  HttpResponse response;
  response.body = std::move(body).Finish();
  return response;
}

namespace {
std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}
}  // namespace

HttpResponse LoginRoutes::AdminConsent(const HttpRequest& request, const std::string& tenant, bool v2) const {
  // Parameters come from the URL (the consent link) and, on the sign-in POST, from the form.
  auto params = request.query;
  if (request.method == "POST") {
    for (auto& [k, v] : ParseQuery(request.body)) params[k] = v;
  }
  auto get = [&](const char* k) {
    auto it = params.find(k);
    return it == params.end() ? std::string() : it->second;
  };
  std::string client_id = get("client_id"), redirect = get("redirect_uri"), state = get("state");
  auto page = [](int status, const std::string& body) {
    return wire::Text(
        status, "text/html; charset=utf-8",
        "<!doctype html><html><head><title>crosskey sign-in</title></head><body>" + body + "</body></html>");
  };
  if (client_id.empty() || redirect.empty()) {
    Error e = errors::MissingParameter(client_id.empty() ? "client_id" : "redirect_uri");
    return page(400, "<p>" + HtmlEscape(e.message) + "</p>");
  }
  if (request.method == "GET") {
    std::string hidden;
    for (const auto& [k, v] : params) {
      hidden += "<input type=\"hidden\" name=\"" + HtmlEscape(k) + "\" value=\"" + HtmlEscape(v) + "\">";
    }
    return page(200, "<h1>Permissions requested</h1><p>Application <code>" + HtmlEscape(client_id) +
                         "</code> asks an administrator of <code>" + HtmlEscape(tenant) +
                         "</code> to consent for the whole organization.</p><form method=\"post\">" + hidden +
                         "<label>User <input name=\"username\"></label> <label>Password <input type=\"password\" "
                         "name=\"password\"></label> <button type=\"submit\">Accept</button></form>");
  }
  auto result =
      GrantAdminConsent(&cloud_->directory, cloud_->tokens, tenant, client_id, get("username"), get("password"));
  std::string sep = redirect.find('?') == std::string::npos ? "?" : "&";
  HttpResponse r = wire::Text(302, "text/html; charset=utf-8", "");
  if (!result.ok()) {
    const Error& e = result.error();
    // A failed sign-in stays on the sign-in page, as Entra does; a refused grant goes back to
    // the application with error/error_description.
    if (!e.aadsts.empty() && (e.aadsts[0] == 50126 || e.aadsts[0] == 50034 || e.aadsts[0] == 90002)) {
      return page(e.http_status == 403 ? 403 : 400, "<p>" + HtmlEscape(e.message) + "</p>");
    }
    r.headers.emplace_back("Location", redirect + sep +
                                           "error=" + UrlEncode(e.aadsts[0] == 90094 ? "access_denied" : e.code) +
                                           "&error_description=" + UrlEncode(e.message) + "&state=" + UrlEncode(state));
    return r;
  }
  std::string location =
      redirect + sep + "admin_consent=True&tenant=" + result->tenant_id + "&state=" + UrlEncode(state);
  if (v2) location += "&scope=" + UrlEncode(get("scope"));
  r.headers.emplace_back("Location", location);
  return r;
}

bool ManagedIdentityRoutes::Handle(const HttpRequest& request, HttpResponse* response) const {
  std::string path = request.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  bool app_service = EqualsIgnoreCase(path, "/msi/token");
  bool imds = EqualsIgnoreCase(path, "/metadata/identity/oauth2/token");
  if (!app_service && !imds) return false;
  auto fail = [&](const Error& e) {
    *response = RenderManagedIdentityError(e);
    return true;
  };
  if (request.method != "GET" && request.method != "POST") {
    return fail(errors::ManagedIdentityMethodNotAllowed());
  }
  if (app_service && request.Header("x-identity-header") != identity_header_) {
    return fail(errors::ManagedIdentityHeaderRejected("X-IDENTITY-HEADER"));
  }
  if (imds && !EqualsIgnoreCase(request.Header("metadata"), "true")) {
    return fail(errors::ManagedIdentityHeaderMissing("Metadata: true"));
  }
  std::string object_id = request.Query("object_id");
  if (object_id.empty()) object_id = request.Query("principal_id");
  std::string res_id = request.Query("mi_res_id");
  if (res_id.empty()) res_id = request.Query("msi_res_id");
  auto result =
      cloud_->tokens.ManagedIdentityToken(request.Query("client_id"), object_id, res_id, request.Query("resource"));
  RecordSignIn(&cloud_->audit,
               {result.ok() ? result->claims.tenant_id : "", request.Query("client_id"), "managed_identity",
                request.request_id, "", ""},
               result);
  if (!result.ok()) return fail(result.error());
  const TokenResponse& t = *result;
  nlohmann::json body = {{"access_token", t.access_token},
                         {"expires_on", std::to_string(t.expires_on)},
                         {"resource", t.resource},
                         {"token_type", "Bearer"},
                         {"client_id", t.claims.app_id}};
  if (imds) {
    body["expires_in"] = std::to_string(t.expires_in);
    body["ext_expires_in"] = std::to_string(t.expires_in);
    body["not_before"] = std::to_string(t.not_before);
  }
  *response = wire::Json(200, body);
  return true;
}

}  // namespace crosskey::token::http
