#include "emulator/token/token_service.h"

#include "emulator/common/json_writer.h"
#include "emulator/common/text.h"
#include "emulator/crypto/encoding.h"
#include "emulator/crypto/jwt.h"
#include "emulator/token/audience.h"
#include "emulator/token/errors.h"
#include "emulator/token/federated_credential_matcher.h"
#include "emulator/token/token_validator.h"

namespace crosskey::token {
namespace {
constexpr const char* kJwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

std::string Field(const TokenForm& form, const char* name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}
std::string Str(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
int64_t Int(const nlohmann::json& j, const char* name, int64_t fallback) {
  auto it = j.find(name);
  return it != j.end() && it->is_number() ? it->get<int64_t>() : fallback;
}
std::vector<std::string> Audiences(const nlohmann::json& payload) {
  std::vector<std::string> out;
  auto it = payload.find("aud");
  if (it == payload.end()) return out;
  if (it->is_string()) out.push_back(it->get<std::string>());
  if (it->is_array()) {
    for (const auto& a : *it) {
      if (a.is_string()) out.push_back(a.get<std::string>());
    }
  }
  return out;
}
}  // namespace

void TokenService::AddExternalIssuer(ExternalIssuer issuer) {
  std::lock_guard lock(mu_);
  external_issuers_[issuer.issuer] = std::move(issuer);
}

std::optional<std::string> TokenService::ResolveTenant(const std::string& tenant) const {
  if (auto t = directory_->FindTenant(tenant)) return t->tenant_id;
  for (const auto& t : directory_->ListTenants()) {
    if (EqualsIgnoreCase(t.default_domain, tenant)) return t.tenant_id;
  }
  return std::nullopt;
}

std::string TokenService::Mint(const std::string& tenant_id, const nlohmann::json& claims) const {
  auto key = keys_->EnsureTenantKey(tenant_id);
  return crypto::SignJwtRs256(*key.key, key.kid, claims, key.kid);
}

StatusOr<TokenResponse> TokenService::Token(const std::string& tenant, const TokenForm& form, bool v1) const {
  auto tenant_id = ResolveTenant(tenant);
  if (!tenant_id) return errors::TenantNotFound(tenant);
  std::string grant = Field(form, "grant_type");
  if (grant.empty()) return errors::MissingParameter("grant_type");
  std::string scope = v1 ? "" : Field(form, "scope");
  std::string resource = v1 ? Field(form, "resource") : ResourceFromScope(scope);
  if (resource.empty()) {
    if (grant != "refresh_token") return v1 ? errors::MissingParameter("resource") : errors::MissingParameter("scope");
  } else if (ClassifyAudience(resource, domain_) == Api::kUnknown) {
    return errors::ResourceNotFound(resource, *tenant_id);
  }
  if (grant == "client_credentials") return ClientCredentials(*tenant_id, form, resource);
  if (grant == "password") return Password(*tenant_id, form, resource, scope);
  if (grant == "refresh_token") return Refresh(*tenant_id, form, resource, scope);
  return errors::UnsupportedGrantType(grant);
}

StatusOr<TokenResponse> TokenService::ClientCredentials(const std::string& tenant_id, const TokenForm& form,
                                                        const std::string& resource) const {
  std::string client_id = ToLower(Field(form, "client_id"));
  if (client_id.empty()) return errors::MissingParameter("client_id");
  auto tenant = directory_->FindTenant(tenant_id);
  auto app = directory_->FindApplicationByAppId(client_id);
  auto sp = directory_->FindServicePrincipalByAppId(tenant_id, client_id);
  if (!app && sp && identity_fics_) {
    // A user-assigned managed identity: only a federated assertion matching one of its own
    // FICs signs it in (workload identity federation); secrets and certificates do not exist.
    if (auto fics = identity_fics_(tenant_id, client_id)) {
      std::string assertion = Field(form, "client_assertion");
      if (!Field(form, "client_secret").empty()) return errors::InvalidClientSecret(client_id);  // it has none
      if (assertion.empty() || Field(form, "client_assertion_type") != kJwtBearer) return errors::MissingClientCredential();
      graph::Application identity;
      identity.app_id = client_id;
      identity.display_name = sp->display_name;
      identity.federated_credentials = *fics;
      CK_ASSIGN_OR_RETURN(auto read, ReadAssertion(assertion));
      CK_ASSIGN_OR_RETURN(auto fic, CheckFederatedAssertion(identity, assertion, std::move(read)));
      // As from the MI endpoint: an exchange-audience token names the v2 issuer, which the
      // app FICs of the cross-tenant chain trust.
      TokenResponse response =
          IssueAppToken(tenant_id, *sp, resource, ClassifyAudience(resource, domain_) == Api::kTokenExchange, "2");
      response.credential_type = "federated";
      response.matched_fic = fic.name;
      return response;
    }
  }
  if (!app || !sp) return errors::ApplicationNotFoundInDirectory(client_id, tenant ? tenant->display_name : tenant_id);
  if (!sp->account_enabled) return errors::ApplicationDisabled(client_id, app->display_name);

  std::string secret = Field(form, "client_secret");
  std::string assertion = Field(form, "client_assertion");
  TokenResponse response;
  if (!secret.empty()) {
    std::string digest = crypto::Sha256(secret);
    bool match = false;
    for (const auto& p : app->passwords) {
      match |= p.secret_sha256 == digest && clock_->Now() < p.end;
    }
    if (!match) return errors::InvalidClientSecret(client_id);
    response = IssueAppToken(tenant_id, *sp, resource, false, "1");
    response.credential_type = "secret";
    return response;
  }
  if (assertion.empty()) return errors::MissingClientCredential();
  if (Field(form, "client_assertion_type") != kJwtBearer) return errors::MissingParameter("client_assertion_type");
  CK_ASSIGN_OR_RETURN(auto read, ReadAssertion(assertion));
  // An assertion signed by the app itself names the app as issuer (certificate credential);
  // anything else is a token from an identity provider the app federates with.
  if (EqualsIgnoreCase(read.claims.issuer, client_id)) {
    CK_RETURN_IF_ERROR(CheckCertificateAssertion(*app, assertion));
    response = IssueAppToken(tenant_id, *sp, resource, false, "2");
    response.credential_type = "certificate";
    return response;
  }
  CK_ASSIGN_OR_RETURN(auto fic, CheckFederatedAssertion(*app, assertion, std::move(read)));
  response = IssueAppToken(tenant_id, *sp, resource, false, "2");
  response.credential_type = "federated";
  response.matched_fic = fic.name;
  return response;
}

StatusOr<TokenService::AssertionRead> TokenService::ReadAssertion(const std::string& assertion) const {
  AssertionRead read;
  if (auto seen = verified_assertions_.Find(assertion)) {
    read.claims = std::move(*seen);
    return read;
  }
  std::string error;
  read.jwt = crypto::ParseJwt(assertion, &error);
  if (!read.jwt) return errors::MalformedJwt();
  const auto& payload = read.jwt->payload;
  read.claims.issuer = Str(payload, "iss");
  read.claims.subject = Str(payload, "sub");
  read.claims.audiences = Audiences(payload);
  read.claims.kid = Str(read.jwt->header, "kid");
  read.claims.not_before = Int(payload, "nbf", 0);
  read.claims.expires = Int(payload, "exp", 0);
  return read;
}

StatusOr<graph::FederatedCredential> TokenService::CheckFederatedAssertion(const graph::Application& app,
                                                                           const std::string& assertion,
                                                                           AssertionRead read) const {
  VerifiedAssertion& claims = read.claims;
  std::optional<crypto::ParsedJwt>& jwt = read.jwt;
  AssertionIdentity id{claims.issuer, claims.subject, claims.audiences};
  // Issuer first: an assertion from an issuer no credential names is refused before any key is
  // fetched, as Entra does.
  bool issuer_named = false;
  for (const auto& f : app.federated_credentials) issuer_named |= f.issuer == id.issuer;
  if (!issuer_named) return errors::FicIssuerMismatch(id.issuer);

  auto key = AssertionKey(id.issuer, claims.kid);
  if (!key) return errors::AssertionSignatureInvalid();
  // A signature checked before with this very key needs no second check (assertion_cache.h).
  if (claims.key != key) {
    if (!jwt) {
      std::string error;
      jwt = crypto::ParseJwt(assertion, &error);
      if (!jwt) return errors::MalformedJwt();
    }
    if (!crypto::VerifyJwtRs256(*key, *jwt)) return errors::AssertionSignatureInvalid();
    claims.key = key;
    verified_assertions_.Put(assertion, claims);
  }
  CK_RETURN_IF_ERROR(CheckAssertionLifetime(claims.not_before, claims.expires));
  return MatchFederatedCredential(app, id);
}

std::shared_ptr<const crypto::KeyMaterial> TokenService::AssertionKey(const std::string& issuer,
                                                                      const std::string& kid) const {
  if (auto sk = keys_->ByKid(kid)) {
    if ((issuer == V2Issuer(sk->tenant_id) || issuer == V1Issuer(sk->tenant_id)) && directory_->FindTenant(sk->tenant_id)) {
      return sk->key;
    }
  }
  std::lock_guard lock(mu_);
  auto it = external_issuers_.find(issuer);
  if (it == external_issuers_.end()) return nullptr;
  auto k = it->second.keys_by_kid.find(kid);
  return k == it->second.keys_by_kid.end() ? nullptr : k->second;
}

Status TokenService::CheckAssertionLifetime(const nlohmann::json& payload) const {
  return CheckAssertionLifetime(Int(payload, "nbf", 0), Int(payload, "exp", 0));
}

Status TokenService::CheckAssertionLifetime(int64_t nbf, int64_t exp) const {
  int64_t now = clock_->Now();
  // Subtracting from `now` (a small number) cannot overflow as exp + skew could for an exp near 2^63.
  if (exp == 0 || now - TokenValidator::kClockSkewSeconds > exp || now + TokenValidator::kClockSkewSeconds < nbf) {
    return errors::AssertionTimeRange(now, nbf, exp);
  }
  return Status::Ok();
}

Status TokenService::CheckCertificateAssertion(const graph::Application& app, const std::string& assertion) const {
  std::string error;
  auto jwt = crypto::ParseJwt(assertion, &error);
  if (!jwt) return errors::MalformedJwt();
  auto x5t = crypto::Base64UrlDecode(Str(jwt->header, "x5t"));
  for (const auto& cred : app.keys) {
    if (x5t && *x5t == cred.thumbprint_sha1) {
      if (!crypto::VerifyJwtRs256(*cred.public_key, *jwt)) return errors::AssertionSignatureInvalid();
      return CheckAssertionLifetime(jwt->payload);
    }
  }
  return errors::UnknownCertificate(app.app_id);
}

TokenResponse TokenService::IssueAppToken(const std::string& tenant_id, const graph::ServicePrincipal& sp,
                                          const std::string& resource, bool v2_issuer, const char* acr) const {
  int64_t now = clock_->Now();
  TokenResponse r;
  r.resource = resource;
  r.expires_in = lifetime_;
  r.expires_on = now + lifetime_;
  r.not_before = now;
  std::string aud = resource;
  std::string issuer = v2_issuer ? V2Issuer(tenant_id) : V1Issuer(tenant_id);
  std::string uti = crypto::Base64UrlEncode(crypto::RandomBytes(16));
  // Key Vault, Graph and ARM resources are identified without a trailing slash except ARM's
  // legacy id; keep what the client asked for so its own audience checks pass. Written as text:
  // every exchange mints one (no JSON tree on the token endpoint's hot path).
  JsonObjectWriter claims;
  claims.Str("aud", aud).Str("iss", issuer).Int("iat", now).Int("nbf", now).Int("exp", now + lifetime_)
      .Str("tid", tenant_id).Str("oid", sp.object_id).Str("sub", sp.object_id)
      .Str(v2_issuer ? "azp" : "appid", sp.app_id).Str(v2_issuer ? "azpacr" : "appidacr", acr).Str("idtyp", "app")
      .Str("ver", v2_issuer ? "2.0" : "1.0").Str("uti", uti);
  if (sp.kind == graph::PrincipalKind::kManagedIdentity) claims.Str("xms_mirid", sp.managed_identity_resource_id);
  auto key = keys_->EnsureTenantKey(tenant_id);
  r.access_token = crypto::SignJwtRs256Text(*key.key, key.kid, std::move(claims).Finish(), key.kid);
  r.claims.raw_hash = crypto::Sha256(r.access_token);
  r.claims.tenant_id = tenant_id;
  r.claims.object_id = sp.object_id;
  r.claims.subject = sp.object_id;
  r.claims.app_id = sp.app_id;
  r.claims.audience = aud;
  r.claims.issuer = issuer;
  r.claims.id_type = "app";
  r.claims.uti = uti;
  r.claims.issued_at = now;
  r.claims.not_before = now;
  r.claims.expires_at = now + lifetime_;
  return r;
}

StatusOr<TokenResponse> TokenService::Password(const std::string& tenant_id, const TokenForm& form,
                                               const std::string& resource, const std::string& scope) const {
  std::string username = Field(form, "username");
  if (username.empty()) return errors::MissingParameter("username");
  if (Field(form, "client_id").empty()) return errors::MissingParameter("client_id");
  auto user = directory_->FindUser(tenant_id, username);
  if (!user) return errors::UserNotFound(tenant_id);
  if (user->password != Field(form, "password")) return errors::InvalidUsernameOrPassword();
  if (!user->account_enabled) return errors::UserDisabled();
  return UserTokens(tenant_id, *user, ToLower(Field(form, "client_id")), resource, scope, "password");
}

StatusOr<TokenResponse> TokenService::Refresh(const std::string& tenant_id, const TokenForm& form,
                                              const std::string& resource, const std::string& scope) const {
  RefreshGrant grant;
  {
    std::lock_guard lock(mu_);
    auto it = refresh_grants_.find(Field(form, "refresh_token"));
    if (it == refresh_grants_.end() || it->second.tenant_id != tenant_id) return errors::InvalidRefreshToken();
    grant = it->second;
  }
  // A refresh token is bound to the client it was issued to (a public client may omit
  // client_id only when redeeming its own token is implied: MSAL always sends it).
  std::string client_id = ToLower(Field(form, "client_id"));
  if (!client_id.empty() && client_id != grant.client_id) return errors::RefreshTokenOfAnotherClient();
  auto user = directory_->FindUser(tenant_id, grant.user_object_id);
  if (!user) return errors::InvalidRefreshToken();
  if (!user->account_enabled) return errors::UserDisabled();
  std::string res = resource.empty() ? "https://management.core.windows.net/" : resource;
  return UserTokens(tenant_id, *user, grant.client_id, res, scope, "refresh_token");
}

StatusOr<TokenResponse> TokenService::UserTokens(const std::string& tenant_id, const graph::User& user,
                                                 const std::string& client_id, const std::string& resource,
                                                 const std::string& scope, const std::string& credential_type) const {
  int64_t now = clock_->Now();
  TokenResponse r;
  r.resource = resource;
  r.scope = scope.empty() ? resource + "/user_impersonation" : scope;
  r.expires_in = lifetime_;
  r.expires_on = now + lifetime_;
  r.not_before = now;
  r.credential_type = credential_type;
  nlohmann::json claims = {{"aud", resource},       {"iss", V1Issuer(tenant_id)}, {"iat", now},
                           {"nbf", now},            {"exp", now + lifetime_},     {"tid", tenant_id},
                           {"oid", user.object_id}, {"sub", user.object_id},      {"appid", client_id},
                           {"appidacr", "0"},       {"idtyp", "user"},            {"ver", "1.0"},
                           {"upn", user.user_principal_name}, {"unique_name", user.user_principal_name},
                           {"name", user.display_name}, {"scp", "user_impersonation"},
                           {"uti", crypto::Base64UrlEncode(crypto::RandomBytes(16))}};
  r.access_token = Mint(tenant_id, claims);
  nlohmann::json id_claims = {{"aud", client_id},
                              {"iss", "https://login.microsoftonline.com/" + tenant_id + "/v2.0"},
                              {"iat", now},
                              {"nbf", now},
                              {"exp", now + lifetime_},
                              {"tid", tenant_id},
                              {"oid", user.object_id},
                              {"sub", user.object_id},
                              {"preferred_username", user.user_principal_name},
                              {"name", user.display_name},
                              {"ver", "2.0"}};
  r.id_token = Mint(tenant_id, id_claims);
  r.client_info = crypto::Base64UrlEncode(nlohmann::json({{"uid", user.object_id}, {"utid", tenant_id}}).dump());
  r.refresh_token = crypto::Base64UrlEncode(crypto::RandomBytes(48));
  {
    std::lock_guard lock(mu_);
    refresh_grants_[r.refresh_token] = {tenant_id, user.object_id, client_id};
  }
  r.claims.tenant_id = tenant_id;
  r.claims.object_id = user.object_id;
  r.claims.app_id = client_id;
  r.claims.audience = resource;
  r.claims.upn = user.user_principal_name;
  r.claims.id_type = "user";
  r.claims.uti = claims["uti"];
  r.claims.expires_at = now + lifetime_;
  r.claims.raw_hash = crypto::Sha256(r.access_token);
  return r;
}

StatusOr<TokenResponse> TokenService::ManagedIdentityToken(const std::string& client_id, const std::string& object_id,
                                                           const std::string& resource_id,
                                                           const std::string& resource_in) const {
  std::string resource = ResourceFromScope(resource_in);
  if (resource.empty()) return errors::MissingParameter("resource");
  if (client_id.empty() && object_id.empty() && resource_id.empty()) {
    return errors::ManagedIdentityNotFound("(no client_id, object_id or mi_res_id given; crosskey emulates "
                                           "user-assigned identities only)");
  }
  auto sp = directory_->FindManagedIdentity(client_id, object_id, resource_id);
  if (!sp) return errors::ManagedIdentityNotFound("'" + client_id + object_id + resource_id + "'");
  Api api = ClassifyAudience(resource, domain_);
  if (api == Api::kUnknown) return errors::ResourceNotFound(resource, sp->tenant_id);
  // Seeds' FIC definitions name the v2 issuer for exchange tokens.
  TokenResponse r = IssueAppToken(sp->tenant_id, *sp, resource, api == Api::kTokenExchange, "2");
  r.credential_type = "managed_identity";
  return r;
}

}  // namespace crosskey::token
