// Key Vault's routes without sockets: every operation of the table through the router, with
// status, body and error shape, the writes flag, the audit record's names, and the errors the
// plane answers before and around its handlers.
#include "emulator/keyvault/http/key_vault_call.h"
#include "route_test_base.h"

namespace crosskey::test {
namespace {

class KeyVaultRoutesTest : public RouteTest {
 protected:
  void SetUp() override {
    RouteTest::SetUp();
    token_ = AdminToken(customer_, "https://vault.azure.net/.default");
  }
  HttpResponse Kv(const std::string& method, const std::string& target, const json& body = json(),
                  bool* writes = nullptr) {
    covered_.insert(Operation(method, target));
    return Serve(Request(method, kHost, target + (target.find('?') == std::string::npos ? "?" : "&") + "api-version=7.4",
                         body.is_null() ? "" : body.dump(), token_),
                 writes);
  }
  static std::string Operation(const std::string& method, const std::string& target) {
    auto m = keyvault::http::KeyVaultRouteTable().Find(method, target.substr(0, target.find('?')));
    return m.ok() ? m.route->operation : "";
  }
  static std::string B64(const std::string& raw) { return crypto::Base64UrlEncode(raw); }
  static std::string ErrorCode(const HttpResponse& r) { return Body(r)["error"]["code"]; }

  static constexpr const char* kHost = "cmkvault.vault.crosskey.test";
  std::string token_;
  std::set<std::string> covered_;
};

TEST_F(KeyVaultRoutesTest, EveryOperationAnswersInKeyVaultsShape) {
  bool writes = false;
  HttpResponse r = Kv("POST", "/keys/k1/create", {{"kty", "RSA"}, {"key_size", 2048}}, &writes);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(writes);
  std::string version = Body(r)["key"]["kid"].get<std::string>().substr(Body(r)["key"]["kid"].get<std::string>().rfind('/') + 1);
  EXPECT_EQ(Kv("GET", "/keys").status, 200);
  EXPECT_EQ(Kv("GET", "/keys/k1").status, 200);
  EXPECT_EQ(Kv("GET", "/keys/k1/" + version).status, 200);
  EXPECT_EQ(Kv("GET", "/keys/k1/versions").status, 200);
  EXPECT_EQ(Kv("PATCH", "/keys/k1", {{"tags", {{"a", "b"}}}}, &writes).status, 200);
  EXPECT_TRUE(writes);

  std::string cek(32, 'k');
  r = Kv("POST", "/keys/k1/wrapkey", {{"alg", "RSA-OAEP-256"}, {"value", B64(cek)}}, &writes);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(writes) << "key crypto is not a write";
  r = Kv("POST", "/keys/k1/" + version + "/unwrapkey", {{"alg", "RSA-OAEP-256"}, {"value", Body(r)["value"]}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(*crypto::Base64UrlDecode(Body(r)["value"].get<std::string>()), cek);
  r = Kv("POST", "/keys/k1/encrypt", {{"alg", "RSA-OAEP"}, {"value", B64("hello")}});
  ASSERT_EQ(r.status, 200) << r.body;
  r = Kv("POST", "/keys/k1/decrypt", {{"alg", "RSA-OAEP"}, {"value", Body(r)["value"]}});
  EXPECT_EQ(*crypto::Base64UrlDecode(Body(r)["value"].get<std::string>()), "hello");
  std::string digest(32, 'd');
  r = Kv("POST", "/keys/k1/sign", {{"alg", "RS256"}, {"value", B64(digest)}});
  ASSERT_EQ(r.status, 200) << r.body;
  r = Kv("POST", "/keys/k1/verify", {{"alg", "RS256"}, {"digest", B64(digest)}, {"value", Body(r)["value"]}});
  EXPECT_EQ(Body(r)["value"], true);

  EXPECT_EQ(Kv("GET", "/keys/k1/rotationpolicy").status, 200);
  r = Kv("PUT", "/keys/k1/rotationpolicy",
         {{"lifetimeActions", json::array({{{"trigger", {{"timeBeforeExpiry", "P30D"}}}, {"action", {{"type", "Notify"}}}}})},
          {"attributes", {{"expiryTime", "P90D"}}}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Kv("POST", "/keys/k1/rotate").status, 200);
  r = Kv("POST", "/keys/k1/backup");
  ASSERT_EQ(r.status, 200);
  std::string backup = Body(r)["value"];
  EXPECT_EQ(Kv("POST", "/rng", {{"count", 16}}).status, 200);

  r = Kv("PUT", "/keys/imported", {{"key", {{"kty", "oct"}, {"k", B64(std::string(32, 'o'))}}}});
  EXPECT_LT(r.status, 500) << r.body;  // oct import may be refused on a standard vault, never a 5xx
  r = Kv("DELETE", "/keys/k1", json(), &writes);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(writes);
  EXPECT_EQ(Kv("GET", "/deletedkeys").status, 200);
  EXPECT_EQ(Kv("GET", "/deletedkeys/k1").status, 200);
  r = Kv("DELETE", "/deletedkeys/k1");  // purge protection: refused in Key Vault's shape
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_TRUE(Body(r)["error"].contains("code"));
  EXPECT_EQ(Kv("POST", "/deletedkeys/k1/recover").status, 200);
  r = Kv("POST", "/keys/restore", {{"value", backup}});  // the key exists again: a conflict, not a 5xx
  EXPECT_EQ(r.status, 409) << r.body;
  ExpectEveryOperationCovered(keyvault::http::KeyVaultRouteTable(), covered_);
}

TEST_F(KeyVaultRoutesTest, ErrorsBeforeTheHandlerCarryTheChallengeAndInnerError) {
  HttpResponse r = Serve(Request("GET", kHost, "/keys/cmk"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorCode(r), "Unauthorized");
  bool challenged = false;
  for (const auto& [name, value] : r.headers) challenged |= name == "WWW-Authenticate" && value.find("resource=") != std::string::npos;
  EXPECT_TRUE(challenged) << "a token-less request gets the Bearer challenge";

  r = Serve(Request("GET", kHost, "/keys/cmk", "", AdminToken(customer_, "https://management.azure.com/.default")));
  EXPECT_EQ(r.status, 401) << "a token for another audience";
  r = Serve(Request("GET", kHost, "/keys/cmk", "", AdminToken(provider_, "https://vault.azure.net/.default")));
  EXPECT_EQ(r.status, 401) << "a token of another tenant";
  r = Serve(Request("GET", "nowhere.vault.crosskey.test", "/keys/cmk", "", token_));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "VaultNotFound");

  r = Kv("GET", "/keys/missing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "KeyNotFound");
  r = Kv("POST", "/keys/cmk/wrapkey", {{"alg", "RSA-OAEP-256"}, {"value", "!!"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "BadParameter");
  r = Kv("POST", "/keys/cmk/wrapkey", {{"alg", 7}, {"value", B64("x")}});
  EXPECT_EQ(r.status, 400) << "a property of the wrong JSON type";
  r = Serve(Request("POST", kHost, "/keys/cmk/create?api-version=7.4", "[1]", token_));
  EXPECT_EQ(ErrorCode(r), "BadParameter");
  r = Kv("PATCH", "/keys/cmk", {{"attributes", {{"enabled", false}}}});
  ASSERT_EQ(r.status, 200);
  r = Kv("POST", "/keys/cmk/wrapkey", {{"alg", "RSA-OAEP-256"}, {"value", B64(std::string(32, 'x'))}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(ErrorCode(r), "Forbidden");
  EXPECT_EQ(Body(r)["error"]["innererror"]["code"], "KeyDisabled");
  r = Kv("GET", "/certificates");
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(ErrorCode(r), "NotImplemented");
}

TEST_F(KeyVaultRoutesTest, TheAuditRecordNamesTheOperationBothWays) {
  Kv("POST", "/keys/cmk/wrapkey", {{"alg", "RSA-OAEP-256"}, {"value", B64(std::string(32, 'x'))}});
  AuditQuery by_id;
  by_id.operation = "wrapKey";
  AuditQuery by_name;
  by_name.operation = "KeyWrap";
  auto a = cloud_.audit.Query(by_id), b = cloud_.audit.Query(by_name);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0]["operationName"], "KeyWrap");
  EXPECT_EQ(a[0]["operationId"], "wrapKey");
  EXPECT_EQ(a[0]["requestId"], b[0]["requestId"]);
}

}  // namespace
}  // namespace crosskey::test
