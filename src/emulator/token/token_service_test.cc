// TokenService::Token and ManagedIdentityToken through the core API: every AADSTS refusal
// (status, OAuth error, AADSTS number) and the claims of the tokens it issues.
#include "emulator/token/token_service.h"

#include <gtest/gtest.h>

#include "emulator/cloud/cloud.h"
#include "emulator/common/text.h"
#include "emulator/crypto/encoding.h"
#include "emulator/crypto/jwt.h"
#include "emulator/token/audience.h"
#include "emulator/token/token_validator.h"

namespace crosskey::token {
namespace {

using json = nlohmann::json;

constexpr const char* kJwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
constexpr const char* kExchange = "api://AzureADTokenExchange";
constexpr const char* kVaultScope = "https://vault.azure.net/.default";

// Asserts one refusal: HTTP status, OAuth "error" and the single AADSTS number.
void ExpectAadsts(const StatusOr<TokenResponse>& r, int http_status, const std::string& error, int aadsts) {
  ASSERT_FALSE(r.ok()) << "expected AADSTS" << aadsts << " but a token was issued";
  EXPECT_EQ(r.error().http_status, http_status) << r.error().message;
  EXPECT_EQ(r.error().code, error) << r.error().message;
  ASSERT_EQ(r.error().aadsts, std::vector<int>{aadsts}) << r.error().message;
  EXPECT_EQ(r.error().message.rfind("AADSTS" + std::to_string(aadsts) + ":", 0), 0u) << r.error().message;
}

json Payload(const std::string& compact) {
  std::string error;
  auto jwt = crypto::ParseJwt(compact, &error);
  EXPECT_TRUE(jwt.has_value()) << error;
  return jwt ? jwt->payload : json::object();
}

// Two tenants from the default fixture plus the phase-1/phase-2 objects of the CMK flow:
// a multi-tenant provider app with a secret, a UAMI in the provider, a FIC trusting the UAMI,
// and the app's service principal in the customer tenant.
class TokenServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cloud_.LoadDefaultFixture().ok());
    provider_ = cloud_.bootstrap()[0];
    customer_ = cloud_.bootstrap()[1];

    graph::NewApplication spec;
    spec.display_name = "cmk-app";
    spec.sign_in_audience = "AzureADMultipleOrgs";
    auto app = cloud_.directory.CreateApplication(provider_.tenant_id, spec);
    ASSERT_TRUE(app.ok());
    app_ = *app;
    auto secret = cloud_.directory.AddPassword(provider_.tenant_id, app_.object_id, {"s", "", "", 0});
    ASSERT_TRUE(secret.ok());
    app_secret_ = secret->secret_text;

    arm::ArmCaller system;
    std::string group = "/subscriptions/" + provider_.subscription_id + "/resourceGroups/prov";
    ASSERT_TRUE(cloud_.resources.Put(system, group, {{"location", "westus"}}).ok());
    uami_id_ = group + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/workload";
    auto uami = cloud_.resources.Put(system, uami_id_, {{"location", "westus"}});
    ASSERT_TRUE(uami.ok());
    uami_principal_ = uami->body["properties"]["principalId"];
    uami_client_ = uami->body["properties"]["clientId"];

    graph::FederatedCredential fic;
    fic.name = "cmk-fic";
    fic.issuer = V2Issuer(provider_.tenant_id);
    fic.subject = uami_principal_;
    fic.audiences = {kExchange};
    ASSERT_TRUE(cloud_.directory.AddFederatedCredential(provider_.tenant_id, app_.object_id, fic).ok());

    auto sp = cloud_.directory.CreateServicePrincipal(customer_.tenant_id, app_.app_id);
    ASSERT_TRUE(sp.ok());
    customer_sp_ = *sp;
  }

  TokenForm SecretForm(const std::string& client_id, const std::string& secret) const {
    return {{"grant_type", "client_credentials"}, {"client_id", client_id}, {"client_secret", secret},
            {"scope", kVaultScope}};
  }
  TokenForm AssertionForm(const std::string& assertion) const {
    return {{"grant_type", "client_credentials"}, {"client_id", app_.app_id}, {"client_assertion", assertion},
            {"client_assertion_type", kJwtBearer}, {"scope", kVaultScope}};
  }
  std::string UamiExchangeToken() const {
    auto mi = cloud_.tokens.ManagedIdentityToken(uami_client_, "", "", kExchange);
    EXPECT_TRUE(mi.ok());
    return mi.ok() ? mi->access_token : "";
  }
  // Claims as the provider's UAMI token carries them; tests change one at a time.
  json UamiClaims() const {
    int64_t now = cloud_.clock.Now();
    return {{"iss", V2Issuer(provider_.tenant_id)}, {"sub", uami_principal_}, {"aud", kExchange},
            {"tid", provider_.tenant_id},           {"oid", uami_principal_}, {"iat", now},
            {"nbf", now},                           {"exp", now + 600}};
  }
  StatusOr<TokenResponse> Exchange(const std::string& assertion) const {
    return cloud_.tokens.Token(customer_.tenant_id, AssertionForm(assertion), false);
  }

  Cloud cloud_{CloudConfig{}};
  BootstrapTenant provider_, customer_;
  graph::Application app_;
  std::string app_secret_;
  std::string uami_id_, uami_principal_, uami_client_;
  graph::ServicePrincipal customer_sp_;
};

// ----------------------------------------------------------------- request shape

TEST_F(TokenServiceTest, UnknownTenantIs90002) {
  ExpectAadsts(cloud_.tokens.Token("11111111-2222-3333-4444-555555555555", SecretForm(app_.app_id, app_secret_), false),
               400, "invalid_request", 90002);
  ExpectAadsts(cloud_.tokens.Token("nowhere.test", SecretForm(app_.app_id, app_secret_), false), 400,
               "invalid_request", 90002);
}

TEST_F(TokenServiceTest, TenantMayBeNamedByDefaultDomain) {
  auto r = cloud_.tokens.Token("customer.test", SecretForm(app_.app_id, app_secret_), false);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->claims.tenant_id, customer_.tenant_id);
}

TEST_F(TokenServiceTest, MissingGrantTypeOrClientIdIs900144) {
  TokenForm form = SecretForm(app_.app_id, app_secret_);
  form.erase("grant_type");
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, form, false), 400, "invalid_request", 900144);
  form = SecretForm(app_.app_id, app_secret_);
  form.erase("client_id");
  auto r = cloud_.tokens.Token(customer_.tenant_id, form, false);
  ExpectAadsts(r, 400, "invalid_request", 900144);
  EXPECT_NE(r.error().message.find("'client_id'"), std::string::npos);
  form = SecretForm(app_.app_id, app_secret_);
  form.erase("scope");
  r = cloud_.tokens.Token(customer_.tenant_id, form, false);
  ExpectAadsts(r, 400, "invalid_request", 900144);
  EXPECT_NE(r.error().message.find("'scope'"), std::string::npos);
}

TEST_F(TokenServiceTest, UnknownResourceIs500011) {
  TokenForm form = SecretForm(app_.app_id, app_secret_);
  form["scope"] = "https://unknown.example.com/.default";
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, form, false), 400, "invalid_resource", 500011);
  // v1 endpoint: resource= instead of scope=.
  form.erase("scope");
  form["resource"] = "https://unknown.example.com";
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, form, true), 400, "invalid_resource", 500011);
}

TEST_F(TokenServiceTest, UnsupportedGrantIs70003) {
  TokenForm form = SecretForm(app_.app_id, app_secret_);
  form["grant_type"] = "authorization_code";
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, form, false), 400, "unsupported_grant_type", 70003);
}

// ----------------------------------------------------------------- the client gate

TEST_F(TokenServiceTest, UnknownApplicationIs700016) {
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, SecretForm(NewGuid(), app_secret_), false), 400,
               "unauthorized_client", 700016);
}

TEST_F(TokenServiceTest, MultiTenantAppWithoutServicePrincipalInTargetTenantIs700016) {
  graph::NewApplication spec{"not-installed", "AzureADMultipleOrgs", "", ""};
  auto app = cloud_.directory.CreateApplication(provider_.tenant_id, spec);
  ASSERT_TRUE(app.ok());
  auto secret = cloud_.directory.AddPassword(provider_.tenant_id, app->object_id, {"s", "", "", 0});
  ASSERT_TRUE(secret.ok());
  ASSERT_TRUE(cloud_.directory.CreateServicePrincipal(provider_.tenant_id, app->app_id).ok());
  // Home tenant: installed, works.
  EXPECT_TRUE(cloud_.tokens.Token(provider_.tenant_id, SecretForm(app->app_id, secret->secret_text), false).ok());
  // Customer tenant: never installed.
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, SecretForm(app->app_id, secret->secret_text), false), 400,
               "unauthorized_client", 700016);
}

TEST_F(TokenServiceTest, DisabledServicePrincipalIs7000112) {
  ASSERT_TRUE(cloud_.directory.SetServicePrincipalEnabled(customer_.tenant_id, customer_sp_.object_id, false).ok());
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, SecretForm(app_.app_id, app_secret_), false), 400,
               "unauthorized_client", 7000112);
  ExpectAadsts(Exchange(UamiExchangeToken()), 400, "unauthorized_client", 7000112);
  ASSERT_TRUE(cloud_.directory.SetServicePrincipalEnabled(customer_.tenant_id, customer_sp_.object_id, true).ok());
  EXPECT_TRUE(Exchange(UamiExchangeToken()).ok());
}

TEST_F(TokenServiceTest, WrongSecretIs7000215) {
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, SecretForm(app_.app_id, app_secret_ + "x"), false), 401,
               "invalid_client", 7000215);
}

TEST_F(TokenServiceTest, ExpiredSecretIs7000215) {
  auto secret =
      cloud_.directory.AddPassword(provider_.tenant_id, app_.object_id, {"short", "", "", cloud_.clock.Now() + 60});
  ASSERT_TRUE(secret.ok());
  EXPECT_TRUE(cloud_.tokens.Token(customer_.tenant_id, SecretForm(app_.app_id, secret->secret_text), false).ok());
  cloud_.clock.Advance(61);
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, SecretForm(app_.app_id, secret->secret_text), false), 401,
               "invalid_client", 7000215);
}

TEST_F(TokenServiceTest, NoCredentialIs7000218) {
  TokenForm form = SecretForm(app_.app_id, "");
  form.erase("client_secret");
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, form, false), 401, "invalid_client", 7000218);
}

// ----------------------------------------------------------------- password grant

TEST_F(TokenServiceTest, UnknownUserIs50034) {
  TokenForm form = {{"grant_type", "password"}, {"client_id", app_.app_id}, {"username", "nobody@customer.test"},
                    {"password", "x"},          {"scope", kVaultScope}};
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, form, false), 400, "invalid_grant", 50034);
  // The provider's admin does not exist in the customer directory either.
  form["username"] = provider_.admin_username;
  form["password"] = provider_.admin_password;
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, form, false), 400, "invalid_grant", 50034);
}

TEST_F(TokenServiceTest, WrongPasswordIs50126) {
  TokenForm form = {{"grant_type", "password"}, {"client_id", app_.app_id}, {"username", customer_.admin_username},
                    {"password", customer_.admin_password + "x"}, {"scope", kVaultScope}};
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, form, false), 400, "invalid_grant", 50126);
}

TEST_F(TokenServiceTest, PasswordGrantIssuesUserTokensAndRefreshWorks) {
  const std::string client = NewGuid();
  TokenForm form = {{"grant_type", "password"},
                    {"client_id", client},
                    {"username", customer_.admin_username},
                    {"password", customer_.admin_password},
                    {"scope", "https://management.azure.com/.default openid profile offline_access"}};
  auto r = cloud_.tokens.Token(customer_.tenant_id, form, false);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credential_type, "password");
  ASSERT_FALSE(r->refresh_token.empty());
  ASSERT_FALSE(r->id_token.empty());
  ASSERT_FALSE(r->client_info.empty());

  auto info_text = crypto::Base64UrlDecode(r->client_info);
  ASSERT_TRUE(info_text.has_value());
  json info = json::parse(*info_text);
  EXPECT_EQ(info["uid"], customer_.admin_user_object_id);
  EXPECT_EQ(info["utid"], customer_.tenant_id);

  json id = Payload(r->id_token);
  EXPECT_EQ(id["aud"], client);
  EXPECT_EQ(id["oid"], customer_.admin_user_object_id);
  EXPECT_EQ(id["preferred_username"], customer_.admin_username);
  EXPECT_EQ(id["iss"], V2Issuer(customer_.tenant_id));

  auto arm = cloud_.validator.Validate(r->access_token, Api::kArm);
  ASSERT_TRUE(arm.ok()) << arm.detail;
  EXPECT_TRUE(arm.token.is_user());
  EXPECT_EQ(arm.token.upn, customer_.admin_username);
  EXPECT_EQ(arm.token.object_id, customer_.admin_user_object_id);

  // The refresh token buys a token for another resource, for the same user and client.
  TokenForm refresh = {{"grant_type", "refresh_token"}, {"client_id", client},
                       {"refresh_token", r->refresh_token}, {"scope", kVaultScope}};
  auto r2 = cloud_.tokens.Token(customer_.tenant_id, refresh, false);
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  EXPECT_EQ(r2->credential_type, "refresh_token");
  auto kv = cloud_.validator.Validate(r2->access_token, Api::kKeyVault);
  ASSERT_TRUE(kv.ok()) << kv.detail;
  EXPECT_EQ(kv.token.object_id, customer_.admin_user_object_id);
  EXPECT_EQ(kv.token.app_id, client);
}

TEST_F(TokenServiceTest, RefreshTokenIsBoundToItsClientAndDisabledUsersAre50057) {
  const std::string client = NewGuid();
  TokenForm form = {{"grant_type", "password"}, {"client_id", client}, {"username", customer_.admin_username},
                    {"password", customer_.admin_password}, {"scope", kVaultScope}};
  auto r = cloud_.tokens.Token(customer_.tenant_id, form, false);
  ASSERT_TRUE(r.ok());
  TokenForm refresh = {{"grant_type", "refresh_token"}, {"client_id", app_.app_id},
                       {"refresh_token", r->refresh_token}, {"scope", kVaultScope}};
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, refresh, false), 400, "invalid_grant", 700007);
  refresh["client_id"] = client;
  for (char& ch : refresh["client_id"]) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));  // case-insensitive
  auto again = cloud_.tokens.Token(customer_.tenant_id, refresh, false);
  ASSERT_TRUE(again.ok()) << again.error().message;

  ASSERT_TRUE(cloud_.directory.SetUserEnabled(customer_.tenant_id, customer_.admin_user_object_id, false).ok());
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, refresh, false), 400, "invalid_grant", 50057);
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, form, false), 400, "invalid_grant", 50057);
  form["password"] = "wrong";  // credentials are checked first
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, form, false), 400, "invalid_grant", 50126);
}

TEST_F(TokenServiceTest, UnknownRefreshTokenIs9002313) {
  TokenForm refresh = {{"grant_type", "refresh_token"}, {"client_id", app_.app_id}, {"refresh_token", "bogus"}};
  ExpectAadsts(cloud_.tokens.Token(customer_.tenant_id, refresh, false), 400, "invalid_grant", 9002313);
}

TEST_F(TokenServiceTest, RefreshTokenIsBoundToItsTenant) {
  TokenForm form = {{"grant_type", "password"}, {"client_id", app_.app_id}, {"username", customer_.admin_username},
                    {"password", customer_.admin_password}, {"scope", kVaultScope}};
  auto r = cloud_.tokens.Token(customer_.tenant_id, form, false);
  ASSERT_TRUE(r.ok());
  TokenForm refresh = {{"grant_type", "refresh_token"}, {"client_id", app_.app_id},
                       {"refresh_token", r->refresh_token}};
  ExpectAadsts(cloud_.tokens.Token(provider_.tenant_id, refresh, false), 400, "invalid_grant", 9002313);
}

// ----------------------------------------------------------------- federated assertions

TEST_F(TokenServiceTest, GarbageAssertionIs50027) {
  ExpectAadsts(Exchange("not.a.jwt"), 400, "invalid_request", 50027);
  ExpectAadsts(Exchange("garbage"), 400, "invalid_request", 50027);
}

TEST_F(TokenServiceTest, IssuerMismatchIs700211) {
  // Correctly signed by the customer tenant, but no FIC names the customer as issuer.
  json claims = UamiClaims();
  claims["iss"] = V2Issuer(customer_.tenant_id);
  claims["tid"] = customer_.tenant_id;
  ExpectAadsts(Exchange(cloud_.tokens.Mint(customer_.tenant_id, claims)), 401, "invalid_client", 700211);
  // The v1 issuer of the right tenant is a different string: no match either.
  claims = UamiClaims();
  claims["iss"] = V1Issuer(provider_.tenant_id);
  ExpectAadsts(Exchange(cloud_.tokens.Mint(provider_.tenant_id, claims)), 401, "invalid_client", 700211);
}

TEST_F(TokenServiceTest, SubjectMismatchIs700213) {
  json claims = UamiClaims();
  claims["sub"] = NewGuid();
  ExpectAadsts(Exchange(cloud_.tokens.Mint(provider_.tenant_id, claims)), 401, "invalid_client", 700213);
}

TEST_F(TokenServiceTest, AudienceMismatchIs700212) {
  json claims = UamiClaims();
  claims["aud"] = "https://vault.azure.net";
  ExpectAadsts(Exchange(cloud_.tokens.Mint(provider_.tenant_id, claims)), 401, "invalid_client", 700212);
  // The UAMI's token for a different audience is refused the same way.
  auto kv = cloud_.tokens.ManagedIdentityToken(uami_client_, "", "", "https://vault.azure.net");
  ASSERT_TRUE(kv.ok());
  // Non-exchange MI tokens carry the v1 issuer, which the FIC does not name.
  ExpectAadsts(Exchange(kv->access_token), 401, "invalid_client", 700211);
}

TEST_F(TokenServiceTest, ExpiredAssertionIs700024) {
  std::string assertion = UamiExchangeToken();
  ASSERT_TRUE(Exchange(assertion).ok());
  cloud_.clock.Advance(cloud_.tokens.token_lifetime() + TokenValidator::kClockSkewSeconds + 1);
  ExpectAadsts(Exchange(assertion), 401, "invalid_client", 700024);
}

TEST_F(TokenServiceTest, AssertionNotYetValidIs700024) {
  json claims = UamiClaims();
  claims["nbf"] = cloud_.clock.Now() + 3600;
  claims["exp"] = cloud_.clock.Now() + 7200;
  ExpectAadsts(Exchange(cloud_.tokens.Mint(provider_.tenant_id, claims)), 401, "invalid_client", 700024);
}

TEST_F(TokenServiceTest, AssertionSignedByAnotherTenantsKeyIs700027) {
  // The provider's issuer and the UAMI's subject, but signed with the customer tenant's key.
  ExpectAadsts(Exchange(cloud_.tokens.Mint(customer_.tenant_id, UamiClaims())), 401, "invalid_client", 700027);
  // Same with a key the ring has never seen.
  auto stranger = crypto::KeyMaterial::GenerateRsa(2048);
  auto provider_kid = cloud_.signing_keys.EnsureTenantKey(provider_.tenant_id).kid;  // keys are made on first use
  ExpectAadsts(Exchange(crypto::SignJwtRs256(*stranger, provider_kid, UamiClaims())), 401, "invalid_client", 700027);
}

// ----------------------------------------------------------------- successful tokens

TEST_F(TokenServiceTest, CrossTenantExchangeIssuesCustomerToken) {
  auto r = Exchange(UamiExchangeToken());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credential_type, "federated");
  EXPECT_EQ(r->matched_fic, "cmk-fic");

  auto v = cloud_.validator.Validate(r->access_token, Api::kKeyVault);
  ASSERT_TRUE(v.ok()) << v.detail;
  EXPECT_EQ(v.token.tenant_id, customer_.tenant_id);
  EXPECT_EQ(v.token.object_id, customer_sp_.object_id);
  EXPECT_NE(v.token.object_id, app_.object_id);
  EXPECT_EQ(v.token.app_id, app_.app_id);
  EXPECT_EQ(v.token.issuer, "https://sts.windows.net/" + customer_.tenant_id + "/");

  json p = Payload(r->access_token);
  EXPECT_EQ(p["tid"], customer_.tenant_id);
  EXPECT_EQ(p["oid"], customer_sp_.object_id);
  EXPECT_EQ(p["sub"], customer_sp_.object_id);
  // A v1 token names the client appid/appidacr ("2": a federated assertion), never azp.
  EXPECT_EQ(p["appid"], app_.app_id);
  EXPECT_EQ(p["appidacr"], "2");
  EXPECT_FALSE(p.contains("azp"));
  EXPECT_EQ(p["iss"], "https://sts.windows.net/" + customer_.tenant_id + "/");
  EXPECT_EQ(p["aud"], "https://vault.azure.net");
  EXPECT_EQ(p["idtyp"], "app");
  EXPECT_EQ(p["exp"].get<int64_t>() - p["iat"].get<int64_t>(), cloud_.tokens.token_lifetime());
}

TEST_F(TokenServiceTest, ManagedIdentityTokenBySelector) {
  std::string rid_lower = ToLower(uami_id_);
  for (const auto& [client, object, rid] : {std::tuple{uami_client_, std::string(), std::string()},
                                           std::tuple{std::string(), uami_principal_, std::string()},
                                           std::tuple{std::string(), std::string(), rid_lower}}) {
    auto r = cloud_.tokens.ManagedIdentityToken(client, object, rid, kExchange);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->credential_type, "managed_identity");
    json p = Payload(r->access_token);
    EXPECT_EQ(p["iss"], "https://login.microsoftonline.com/" + provider_.tenant_id + "/v2.0");
    EXPECT_EQ(p["sub"], uami_principal_);
    EXPECT_EQ(p["oid"], uami_principal_);
    // The exchange token is a v2 token: azp/azpacr name the client.
    EXPECT_EQ(p["azp"], uami_client_);
    EXPECT_EQ(p["azpacr"], "2");
    EXPECT_FALSE(p.contains("appid"));
    EXPECT_EQ(p["aud"], kExchange);
    EXPECT_EQ(p["tid"], provider_.tenant_id);
    EXPECT_TRUE(EqualsIgnoreCase(p["xms_mirid"].get<std::string>(), uami_id_));
    EXPECT_TRUE(cloud_.validator.Validate(r->access_token, Api::kTokenExchange).ok());
  }
}

TEST_F(TokenServiceTest, ManagedIdentityTokenRefusals) {
  auto r = cloud_.tokens.ManagedIdentityToken(NewGuid(), "", "", kExchange);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_EQ(r.error().code, "invalid_request");
  EXPECT_FALSE(cloud_.tokens.ManagedIdentityToken("", "", "", kExchange).ok());
  // An app's service principal is not a managed identity.
  EXPECT_FALSE(cloud_.tokens.ManagedIdentityToken("", customer_sp_.object_id, "", kExchange).ok());
  ExpectAadsts(cloud_.tokens.ManagedIdentityToken(uami_client_, "", "", "https://unknown.example.com"), 400,
               "invalid_resource", 500011);
  // Deleting the UAMI removes its principal: no more tokens.
  ASSERT_TRUE(cloud_.resources.Delete(arm::ArmCaller{}, uami_id_).ok());
  EXPECT_FALSE(cloud_.tokens.ManagedIdentityToken(uami_client_, "", "", kExchange).ok());
}

// ----------------------------------------------------------------- a reused assertion

constexpr const char* kExternalIssuer = "https://oidc.example.test/cluster";

// The token endpoint checks an assertion's signature once (assertion_cache.h); everything that
// can change between two exchanges with the same assertion is still checked on each.
TEST_F(TokenServiceTest, ReusedAssertionIsCheckedAgainTheCurrentKeysAndCredentials) {
  auto key_a = crypto::KeyMaterial::GenerateRsa(2048);
  auto key_b = crypto::KeyMaterial::GenerateRsa(2048);
  ASSERT_TRUE(key_a && key_b);
  cloud_.tokens.AddExternalIssuer({kExternalIssuer, {{"k1", key_a}}});
  graph::FederatedCredential fic;
  fic.name = "cluster-fic";
  fic.issuer = kExternalIssuer;
  fic.subject = "system:serviceaccount:default:workload";
  fic.audiences = {kExchange};
  ASSERT_TRUE(cloud_.directory.AddFederatedCredential(provider_.tenant_id, app_.object_id, fic).ok());
  int64_t now = cloud_.clock.Now();
  std::string assertion = crypto::SignJwtRs256(*key_a, "k1", {{"iss", kExternalIssuer}, {"sub", fic.subject},
                                                             {"aud", kExchange}, {"nbf", now}, {"exp", now + 600}});
  auto first = Exchange(assertion);
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second = Exchange(assertion);  // the cached signature check
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->matched_fic, "cluster-fic");
  EXPECT_NE(second->access_token, first->access_token);

  // The issuer's key for k1 changes: the same text no longer verifies.
  cloud_.tokens.AddExternalIssuer({kExternalIssuer, {{"k1", key_b}}});
  ExpectAadsts(Exchange(assertion), 401, "invalid_client", 700027);
  // Back to the key that signed it: accepted again.
  cloud_.tokens.AddExternalIssuer({kExternalIssuer, {{"k1", key_a}}});
  ASSERT_TRUE(Exchange(assertion).ok());

  // The credential that matched it is deleted: no credential names the issuer any more.
  ASSERT_TRUE(cloud_.directory.DeleteFederatedCredential(provider_.tenant_id, app_.object_id, "cluster-fic").ok());
  ExpectAadsts(Exchange(assertion), 401, "invalid_client", 700211);
}

}  // namespace
}  // namespace crosskey::token
