// FaultInjector: rule validation, matching on each criterion, request classification per
// plane, firing (times, seeded probability), the injected responses, the control API and the
// socket drop.
#include "emulator/server/fault_injector.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include <gtest/gtest.h>

#include "emulator/cloud/cloud.h"
#include "emulator/crypto/encoding.h"
#include "emulator/keyvault/http/key_vault_call.h"
#include "emulator/keyvault/http/key_vault_error_mapper.h"
#include "emulator/server/fault_errors.h"
#include "emulator/token/http/login_routes.h"

namespace crosskey::server {
namespace {

using json = nlohmann::json;

// A JWT-shaped token whose payload is `claims` (signature not checked by the injector).
std::string FakeToken(const json& claims) {
  return crypto::Base64UrlEncode(R"({"alg":"RS256","typ":"JWT"})") + "." + crypto::Base64UrlEncode(claims.dump()) +
         ".c2ln";
}

HttpRequest Request(const std::string& method, const std::string& host, const std::string& path) {
  HttpRequest r;
  r.method = method;
  r.host = host;
  r.path = path;
  return r;
}

HttpRequest KvRequest(const std::string& method, const std::string& vault, const std::string& path,
                      const json& claims = {{"tid", "t-cust"}, {"appid", "app-1"}, {"oid", "oid-1"}}) {
  HttpRequest r = Request(method, vault + ".vault.crosskey.test", path);
  r.headers["authorization"] = "Bearer " + FakeToken(claims);
  return r;
}

// The router's match of a request, as FaultInjector::DescribeHttps reads it.
wire::RequestContext KvContext(const HttpRequest& r, const std::string& vault) {
  wire::RequestContext c;
  c.plane = "keyvault";
  c.resource = vault;
  const auto& table = keyvault::http::KeyVaultRouteTable();
  c.Take(table, table.Find(r.method, r.path));
  return c;
}

wire::RequestContext LoginContext(const HttpRequest& r) {
  wire::RequestContext c;
  c.plane = "login";
  const auto& table = token::http::LoginRoutes::Table();
  c.Take(table, table.Find(r.method, r.path));
  return c;
}

wire::RequestContext MethodContext(const char* plane, const HttpRequest& r) {
  wire::RequestContext c;
  c.plane = plane;
  c.operation = r.method;
  return c;
}

FaultTarget DescribeKv(const FaultInjector& faults, const HttpRequest& r, const std::string& vault) {
  return faults.DescribeHttps(r, KvContext(r, vault));
}

FaultTarget Target(const std::string& plane, std::vector<std::string> tenants = {}, std::vector<std::string> principals = {},
                   const std::string& operation = "", const std::string& vault = "", const std::string& key = "") {
  return FaultTarget{plane, std::move(tenants), std::move(principals), operation, "", vault, key};
}

FaultRule MustParse(const json& rule) {
  std::string error;
  auto r = FaultInjector::Parse(rule, &error);
  EXPECT_TRUE(r.has_value()) << rule.dump() << ": " << error;
  return r ? *r : FaultRule{};
}

std::string ParseError(const json& rule) {
  std::string error;
  auto r = FaultInjector::Parse(rule, &error);
  EXPECT_FALSE(r.has_value()) << rule.dump() << " was accepted";
  return error;
}

// ----------------------------------------------------------------------------- validation

TEST(FaultRuleValidation, RefusesBadRulesNamingWhatToFix) {
  struct Case {
    json rule;
    std::string expected;
  };
  const Case cases[] = {
      {json::array(), "JSON object"},
      {{{"plane", "storage"}, {"status", 503}}, "Unknown plane 'storage'"},
      {{{"plane", "keyvault"}, {"statsu", 503}}, "Unknown field 'statsu'"},
      {{{"status", 200}}, "outside 400-599"},
      {{{"status", 600}}, "outside 400-599"},
      {{{"status", "503"}}, "'status' must be an integer"},
      {{{"status", 503}, {"probability", 1.5}}, "'probability' must be between 0 and 1"},
      {{{"status", 503}, {"probability", -0.1}}, "'probability' must be between 0 and 1"},
      {{{"status", 503}, {"probability", "half"}}, "'probability' must be a number"},
      {{{"status", 503}, {"seed", 7}}, "'seed' only makes sense with a 'probability'"},
      {{{"status", 503}, {"probability", 0.5}, {"seed", -1}}, "'seed' must be a non-negative integer"},
      {{{"status", 503}, {"times", 0}}, "'times' must be an integer of at least 1"},
      {{{"plane", "keyvault"}}, "needs an action"},
      {{{"latencyMs", 0}}, "needs an action"},
      {{{"latencyMs", -5}}, "'latencyMs' must be between"},
      {{{"status", 503}, {"drop", true}}, "not both"},
      {{{"drop", "yes"}}, "'drop' must be true or false"},
      {{{"body", {{"a", 1}}}, {"drop", true}}, "'body' needs a 'status'"},
      {{{"status", 503}, {"headers", {{"Retry-After", 5}}}}, "must have a string value"},
      {{{"status", 503}, {"headers", {{"Bad Header", "x"}}}}, "not a valid HTTP header name"},
      {{{"plane", "arm"}, {"vault", "kv1"}, {"status", 503}}, "'vault' and 'key' only match Key Vault"},
      {{{"plane", "mi"}, {"tenant", "t"}, {"status", 503}}, "names no tenant"},
      {{{"tenant", ""}, {"status", 503}}, "'tenant' must be a non-empty string"},
      {{{"id", "has space"}, {"status", 503}}, "'id' must be 1 to 64"},
  };
  for (const auto& c : cases) {
    std::string error = ParseError(c.rule);
    EXPECT_NE(error.find(c.expected), std::string::npos) << c.rule.dump() << " -> " << error;
  }
}

TEST(FaultRuleValidation, AcceptsEachActionAndNormalizesPlane) {
  FaultRule r = MustParse({{"plane", "KeyVault"}, {"vault", "kv1"}, {"operation", "unwrapKey"}, {"status", 503},
                           {"headers", {{"Retry-After", "1"}}}, {"times", 2}});
  EXPECT_EQ(r.plane, "keyvault");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.times, 2);
  EXPECT_EQ(MustParse({{"latencyMs", 250}}).latency_ms, 250);
  EXPECT_TRUE(MustParse({{"drop", true}, {"latencyMs", 10}}).drop);
  EXPECT_EQ(MustParse({{"status", 429}, {"probability", 0.25}, {"seed", 42}}).seed, 42u);
}

// ----------------------------------------------------------------------------- matching

TEST(FaultMatching, EveryCriterionIsOptionalAndCaseInsensitive) {
  FaultTarget t = Target("keyvault", {"t-cust", "t-vault"}, {"app-1", "oid-1"}, "unwrapKey", "kv1", "cmk");
  EXPECT_TRUE(MustParse({{"status", 503}}).Matches(t));
  EXPECT_TRUE(MustParse({{"plane", "keyvault"}, {"status", 503}}).Matches(t));
  EXPECT_FALSE(MustParse({{"plane", "arm"}, {"status", 503}}).Matches(t));
  EXPECT_TRUE(MustParse({{"tenant", "T-VAULT"}, {"status", 503}}).Matches(t));
  EXPECT_FALSE(MustParse({{"tenant", "t-prov"}, {"status", 503}}).Matches(t));
  EXPECT_TRUE(MustParse({{"principal", "oid-1"}, {"status", 503}}).Matches(t));
  EXPECT_TRUE(MustParse({{"principal", "APP-1"}, {"status", 503}}).Matches(t));
  EXPECT_FALSE(MustParse({{"principal", "app-2"}, {"status", 503}}).Matches(t));
  EXPECT_TRUE(MustParse({{"operation", "unwrapkey"}, {"status", 503}}).Matches(t));
  EXPECT_FALSE(MustParse({{"operation", "wrapKey"}, {"status", 503}}).Matches(t));
  EXPECT_TRUE(MustParse({{"vault", "KV1"}, {"status", 503}}).Matches(t));
  EXPECT_FALSE(MustParse({{"vault", "kv2"}, {"status", 503}}).Matches(t));
  EXPECT_TRUE(MustParse({{"key", "cmk"}, {"status", 503}}).Matches(t));
  EXPECT_FALSE(MustParse({{"key", "other"}, {"status", 503}}).Matches(t));
  EXPECT_TRUE(MustParse({{"plane", "keyvault"}, {"tenant", "t-cust"}, {"principal", "app-1"}, {"operation", "unwrapKey"},
                         {"vault", "kv1"}, {"key", "cmk"}, {"status", 503}})
                  .Matches(t));
  // A criterion with nothing to compare against (no tenant known) does not match.
  EXPECT_FALSE(MustParse({{"tenant", "t-cust"}, {"status", 503}}).Matches(Target("login")));
}

TEST(FaultDescribe, KeyVaultOperationKeyTenantAndPrincipalsFromTheBearerToken) {
  FaultInjector faults;
  FaultTarget t = DescribeKv(faults, KvRequest("POST", "kv1", "/keys/cmk/abc123/unwrapkey"), "kv1");
  EXPECT_EQ(t.plane, "keyvault");
  EXPECT_EQ(t.operation, "unwrapKey");
  EXPECT_EQ(t.operation_alias, "KeyUnwrap");
  EXPECT_EQ(t.vault, "kv1");
  EXPECT_EQ(t.key, "cmk");
  EXPECT_EQ(t.tenants, std::vector<std::string>{"t-cust"});
  EXPECT_EQ(t.principals, (std::vector<std::string>{"app-1", "oid-1"}));

  struct Case {
    std::string method, path, operation, key;
  };
  const Case cases[] = {
      {"POST", "/keys/cmk/wrapKey", "wrapKey", "cmk"},     {"POST", "/keys/cmk/v1/encrypt", "encrypt", "cmk"},
      {"POST", "/keys/cmk/sign", "sign", "cmk"},           {"GET", "/keys/cmk", "getKey", "cmk"},
      {"GET", "/keys/cmk/v1", "getKey", "cmk"},            {"PATCH", "/keys/cmk/v1", "updateKey", "cmk"},
      {"POST", "/keys/cmk/create", "createKey", "cmk"},    {"DELETE", "/keys/cmk", "deleteKey", "cmk"},
      {"GET", "/keys", "getKeys", ""},                     {"GET", "/keys/cmk/versions", "getKeyVersions", "cmk"},
      {"PUT", "/keys/cmk", "importKey", "cmk"},            {"POST", "/keys/cmk/rotate", "rotateKey", "cmk"},
      {"POST", "/keys/cmk/backup", "backupKey", "cmk"},    {"POST", "/keys/restore", "restoreKey", ""},
      {"GET", "/deletedkeys", "getDeletedKeys", ""},       {"DELETE", "/deletedkeys/cmk", "purgeDeletedKey", "cmk"},
      {"POST", "/deletedkeys/cmk/recover", "recoverDeletedKey", "cmk"},
  };
  for (const auto& c : cases) {
    FaultTarget d = DescribeKv(faults, KvRequest(c.method, "kv1", c.path), "kv1");
    EXPECT_EQ(d.operation, c.operation) << c.method << " " << c.path;
    EXPECT_EQ(d.key, c.key) << c.method << " " << c.path;
  }
  // v2 tokens name the client in azp; a token that is not a JWT names nobody.
  t = DescribeKv(faults, KvRequest("GET", "kv1", "/keys", {{"tid", "t"}, {"azp", "app-2"}, {"oid", "o"}}), "kv1");
  EXPECT_EQ(t.principals, (std::vector<std::string>{"app-2", "o"}));
  HttpRequest garbage = Request("GET", "kv1.vault.crosskey.test", "/keys");
  garbage.headers["authorization"] = "Bearer not-a-jwt";
  t = DescribeKv(faults, garbage, "kv1");
  EXPECT_TRUE(t.tenants.empty());
  EXPECT_TRUE(t.principals.empty());
}

TEST(FaultDescribe, GraphArmLoginAndManagedIdentity) {
  FaultInjector faults;
  HttpRequest graph = Request("PATCH", "graph.crosskey.test", "/v1.0/servicePrincipals/x");
  graph.headers["authorization"] = "Bearer " + FakeToken({{"tid", "t-prov"}, {"appid", "admin"}, {"oid", "o"}});
  FaultTarget t = faults.DescribeHttps(graph, MethodContext("graph", graph));
  EXPECT_EQ(t.plane, "graph");
  EXPECT_EQ(t.operation, "PATCH");
  EXPECT_EQ(t.tenants, std::vector<std::string>{"t-prov"});

  HttpRequest arm = Request("PUT", "management.crosskey.test", "//subscriptions/s/resourcegroups/rg");
  t = faults.DescribeHttps(arm, MethodContext("arm", arm));
  EXPECT_EQ(t.plane, "arm");
  EXPECT_EQ(t.operation, "PUT");

  HttpRequest token = Request("POST", "login.crosskey.test", "/t-cust/oauth2/v2.0/token");
  token.body = "grant_type=client_credentials&client_id=app-1&scope=https%3A%2F%2Fvault.azure.net%2F.default";
  t = faults.DescribeHttps(token, LoginContext(token));
  EXPECT_EQ(t.plane, "login");
  EXPECT_EQ(t.operation, "token");
  EXPECT_EQ(t.tenants, std::vector<std::string>{"t-cust"});
  EXPECT_EQ(t.principals, std::vector<std::string>{"app-1"});
  for (auto [path, operation] : {std::pair{"/t/v2.0/.well-known/openid-configuration", "openid-configuration"},
                                 std::pair{"/common/discovery/instance", "discovery"},
                                 std::pair{"/t/discovery/v2.0/keys", "keys"}}) {
    HttpRequest r = Request("GET", "h", path);
    EXPECT_EQ(faults.DescribeHttps(r, LoginContext(r)).operation, operation) << path;
  }

  HttpRequest mi = Request("GET", "127.0.0.1", "/msi/token");
  mi.query["client_id"] = "uami-client";
  t = faults.DescribeManagedIdentity(mi);
  EXPECT_EQ(t.plane, "mi");
  EXPECT_EQ(t.operation, "token");
  EXPECT_EQ(t.principals, std::vector<std::string>{"uami-client"});
}

TEST(FaultDescribe, LoginTenantAlsoMatchesByResolvedTenantId) {
  Cloud cloud{CloudConfig{}};
  ASSERT_TRUE(cloud.LoadDefaultFixture().ok());
  const std::string customer = cloud.bootstrap()[1].tenant_id;
  FaultInjector faults(&cloud);
  HttpRequest r = Request("POST", "login.crosskey.test", "/customer.test/oauth2/v2.0/token");
  FaultTarget t = faults.DescribeHttps(r, LoginContext(r));
  EXPECT_EQ(t.tenants, (std::vector<std::string>{"customer.test", customer}));
  EXPECT_TRUE(MustParse({{"tenant", customer}, {"status", 400}}).Matches(t));
}

// ----------------------------------------------------------------------------- firing

TEST(FaultFiring, TimesExpiresTheRuleAndFirstFiringRuleWins) {
  FaultInjector faults;
  EXPECT_FALSE(faults.active());
  std::string error;
  ASSERT_TRUE(faults.Add({{"operation", "unwrapKey"}, {"status", 503}, {"times", 2}}, &error)) << error;
  ASSERT_TRUE(faults.Add({{"plane", "keyvault"}, {"status", 500}}, &error)) << error;
  EXPECT_TRUE(faults.active());
  FaultTarget unwrap = Target("keyvault", {}, {}, "unwrapKey", "kv1", "cmk");
  for (int i = 0; i < 2; ++i) {
    auto d = faults.Decide(unwrap);
    ASSERT_TRUE(d && d->status);
    EXPECT_EQ(d->rule_id, "1");
    EXPECT_EQ(d->status, 503);
  }
  auto d = faults.Decide(unwrap);  // rule 1 expired: rule 2 answers
  ASSERT_TRUE(d && d->status);
  EXPECT_EQ(d->rule_id, "2");
  json listed = faults.List();
  EXPECT_EQ(listed[0]["fired"], 2);
  EXPECT_EQ(listed[0]["remaining"], 0);
  EXPECT_EQ(listed[0]["expired"], true);
  EXPECT_TRUE(listed[1]["remaining"].is_null());
  ASSERT_TRUE(faults.Remove("2"));
  EXPECT_FALSE(faults.active()) << "only an expired rule is left";
  EXPECT_FALSE(faults.Decide(unwrap));
  EXPECT_FALSE(faults.Remove("2"));
}

std::string Pattern(uint64_t seed, double p, int n) {
  FaultInjector faults;
  std::string error;
  EXPECT_TRUE(faults.Add({{"status", 503}, {"probability", p}, {"seed", seed}}, &error)) << error;
  std::string out;
  for (int i = 0; i < n; ++i) out += faults.Decide(Target("keyvault")) ? 'X' : '.';
  return out;
}

TEST(FaultFiring, SeededProbabilityIsDeterministic) {
  std::string a = Pattern(7, 0.5, 200);
  EXPECT_EQ(a, Pattern(7, 0.5, 200));
  EXPECT_NE(a, Pattern(8, 0.5, 200));
  auto fired = std::count(a.begin(), a.end(), 'X');
  EXPECT_GT(fired, 60);
  EXPECT_LT(fired, 140);
  EXPECT_EQ(Pattern(7, 0.0, 50), std::string(50, '.'));
  EXPECT_EQ(Pattern(7, 1.0, 50), std::string(50, 'X'));
}

TEST(FaultFiring, ProbabilityWithTimesStopsAfterTheFiredCount) {
  FaultInjector faults;
  std::string error;
  ASSERT_TRUE(faults.Add({{"status", 503}, {"probability", 0.5}, {"seed", 1}, {"times", 3}}, &error)) << error;
  int fired = 0;
  for (int i = 0; i < 100; ++i) fired += faults.Decide(Target("arm")) ? 1 : 0;
  EXPECT_EQ(fired, 3);
  EXPECT_FALSE(faults.active());
}

// ----------------------------------------------------------------------------- responses

TEST(FaultResponses, InjectedErrorsTakeThePlaneShapeAndTheRuleHeaders) {
  FaultInjector faults;
  std::string error;
  ASSERT_TRUE(faults.Add({{"id", "7"}, {"status", 503}, {"headers", {{"Retry-After", "2"}}}}, &error)) << error;
  auto d = faults.Decide(Target("keyvault"));
  ASSERT_TRUE(d);
  HttpResponse kv = WithFaultHeaders(keyvault::http::RenderKvError(errors::InjectedFault(d->status, "keyvault", d->rule_id)), *d);
  EXPECT_EQ(kv.status, 503);
  json body = json::parse(kv.body);
  EXPECT_EQ(body["error"]["code"], "ServiceUnavailable");
  EXPECT_EQ(body["error"]["message"], "injected fault 7");
  EXPECT_EQ(body["error"]["innererror"]["code"], "InjectedFault");
  EXPECT_NE(std::find(kv.headers.begin(), kv.headers.end(), std::pair<std::string, std::string>{"Retry-After", "2"}),
            kv.headers.end());
  EXPECT_NE(std::find(kv.headers.begin(), kv.headers.end(), std::pair<std::string, std::string>{"x-crosskey-fault", "7"}),
            kv.headers.end());

  Error login = errors::InjectedFault(401, "login", "8");
  EXPECT_EQ(login.code, "invalid_client");
  EXPECT_EQ(login.message, "injected fault 8");
  EXPECT_EQ(errors::InjectedFault(503, "mi", "9").code, "temporarily_unavailable");
  EXPECT_EQ(errors::InjectedFault(429, "arm", "9").code, "TooManyRequests");
}

TEST(FaultResponses, InterceptSleepsForLatencyThenContinuesOrAnswers) {
  FaultInjector faults;
  std::string error;
  ASSERT_TRUE(faults.Add({{"operation", "getKey"}, {"latencyMs", 120}}, &error)) << error;
  ASSERT_TRUE(faults.Add({{"operation", "KeyDelete"}, {"drop", true}}, &error)) << error;
  ASSERT_TRUE(faults.Add({{"operation", "getKeys"}, {"latencyMs", 50}, {"status", 504}}, &error)) << error;
  auto intercept = [&](const HttpRequest& r) { return faults.InterceptHttps(r, KvContext(r, "kv1")); };
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(intercept(KvRequest("GET", "kv1", "/keys/cmk")));
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(120));

  auto dropped = intercept(KvRequest("DELETE", "kv1", "/keys/cmk"));  // matched by its audit name
  ASSERT_TRUE(dropped);
  EXPECT_TRUE(dropped->drop);
  EXPECT_TRUE(IsConnectionDrop(DropFallback(HttpResponse{}, *dropped)));

  started = std::chrono::steady_clock::now();
  auto answered = intercept(KvRequest("GET", "kv1", "/keys"));
  ASSERT_TRUE(answered);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(50));
  EXPECT_EQ(answered->status, 504);
  EXPECT_FALSE(answered->drop);

  EXPECT_FALSE(intercept(KvRequest("POST", "kv1", "/keys/cmk/wrapkey")));
}

// ----------------------------------------------------------------------------- control API

TEST(FaultDrop, AbortConnectionFindsTheSocketByAddressAndEndsIt) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  int client = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  int server = ::accept(listener, nullptr, nullptr);
  ASSERT_GE(server, 0);
  sockaddr_in client_addr{};
  len = sizeof(client_addr);
  ASSERT_EQ(::getsockname(client, reinterpret_cast<sockaddr*>(&client_addr), &len), 0);

  // The server side as the HTTP library reports it: local = listener address, remote = client.
  EXPECT_FALSE(AbortConnection(-1, "127.0.0.1", ntohs(addr.sin_port), "127.0.0.1", 1));
  ASSERT_TRUE(AbortConnection(-1, "127.0.0.1", ntohs(addr.sin_port), "127.0.0.1", ntohs(client_addr.sin_port)));
  char buf[8];
  EXPECT_EQ(::recv(client, buf, sizeof(buf), 0), 0) << "the client sees the connection end, no bytes";
  ::close(server);
  ::close(client);
  ::close(listener);
}

}  // namespace
}  // namespace crosskey::server
