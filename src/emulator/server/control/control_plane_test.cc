// The control plane without sockets: every route through Router::HandleHttps, the admin
// token, 405 vs 501, the fault rules' control routes and their errors.
#include "emulator/server/control/control_plane.h"

#include <gtest/gtest.h>

#include "emulator/common/text.h"
#include "emulator/server/router.h"

namespace crosskey::server {
namespace {
using json = nlohmann::json;

struct ControlFixture : ::testing::Test {
  ControlFixture() {
    EXPECT_TRUE(cloud.LoadDefaultFixture().ok());
    endpoints.ca_pem = "-----BEGIN CERTIFICATE-----\n";
  }
  HttpResponse Call(const std::string& method, const std::string& path, const std::string& body = "",
                    bool* writes = nullptr) {
    HttpRequest r;
    r.method = method;
    r.host = "localhost";
    auto q = path.find('?');
    r.path = path.substr(0, q);
    if (q != std::string::npos) r.query = ParseQuery(path.substr(q + 1));
    r.body = body;
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    bool ignored = false;
    return router.HandleHttps(r, writes ? writes : &ignored);
  }
  static std::string Code(const HttpResponse& r) { return json::parse(r.body)["error"]["code"]; }

  Cloud cloud{CloudConfig{}};
  Endpoints endpoints;
  Router router{&cloud, &endpoints};
  std::string token;
};

TEST_F(ControlFixture, FaultRulesAddListGetDeleteClear) {
  HttpResponse r = Call("POST", "/_emulator/faults", R"({"plane":"nowhere","status":503})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Unknown plane 'nowhere'"), std::string::npos) << r.body;
  EXPECT_EQ(Call("POST", "/_emulator/faults", "{not json").status, 400);
  EXPECT_EQ(Call("POST", "/_emulator/faults", "").status, 400);

  r = Call("POST", "/_emulator/faults", R"({"plane":"keyvault","operation":"unwrapKey","status":503,"times":2})");
  ASSERT_EQ(r.status, 201) << r.body;
  json added = json::parse(r.body);
  EXPECT_EQ(added["id"], "1");
  EXPECT_EQ(added["remaining"], 2);
  r = Call("POST", "/_emulator/faults", R"({"id":"slow-login","plane":"login","latencyMs":100})");
  ASSERT_EQ(r.status, 201) << r.body;
  r = Call("POST", "/_emulator/faults", R"({"id":"slow-login","latencyMs":5})");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Code(r), "Conflict");

  json list = json::parse(Call("GET", "/_emulator/faults").body);
  ASSERT_EQ(list["value"].size(), 2u);
  EXPECT_EQ(list["value"][1]["id"], "slow-login");
  EXPECT_EQ(json::parse(Call("GET", "/_emulator/faults/slow-login").body)["latencyMs"], 100);

  EXPECT_EQ(Call("DELETE", "/_emulator/faults/1").status, 204);
  r = Call("DELETE", "/_emulator/faults/1");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Code(r), "NotFound");
  EXPECT_EQ(Call("GET", "/_emulator/faults/1").status, 404);
  r = Call("PUT", "/_emulator/faults", "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Code(r), "MethodNotAllowed");
  EXPECT_EQ(Call("DELETE", "/_emulator/faults").status, 204);
  EXPECT_EQ(json::parse(Call("GET", "/_emulator/faults").body)["value"].size(), 0u);
}

TEST_F(ControlFixture, EveryRouteAnswersAndUnknownPathsAre501) {
  EXPECT_EQ(json::parse(Call("GET", "/_emulator/health").body)["status"], "ok");
  EXPECT_EQ(Call("GET", "/_emulator/ca.pem").body, endpoints.ca_pem);
  EXPECT_EQ(json::parse(Call("GET", "/_emulator/bootstrap").body)["tenants"].size(), 2u);
  EXPECT_NE(Call("GET", "/_emulator/hosts").body.find("login.crosskey.test"), std::string::npos);
  EXPECT_TRUE(json::parse(Call("GET", "/_emulator/audit").body)["value"].is_array());
  EXPECT_EQ(Call("GET", "/_emulator/audit?since=x").status, 400);
  EXPECT_EQ(Call("GET", "/_emulator/throttling").status, 200);
  EXPECT_EQ(Call("POST", "/_emulator/throttling", R"({"enabled":"yes"})").status, 400);
  EXPECT_EQ(Call("POST", "/_emulator/throttling", R"({"enabled":false})").status, 200);
  EXPECT_EQ(Call("GET", "/_emulator/operations").status, 200);
  EXPECT_EQ(Call("POST", "/_emulator/operations", R"({"delaySeconds":-5})").status, 400);
  EXPECT_EQ(Call("POST", "/_emulator/operations", R"({"delaySeconds":"soon"})").status, 400);
  EXPECT_EQ(Call("POST", "/_emulator/operations", R"({"delaySeconds":2})").body, R"({"delaySeconds":2})");
  EXPECT_EQ(Call("GET", "/_emulator/rbac").status, 200);
  EXPECT_EQ(Call("POST", "/_emulator/rbac", R"({"grantDelaySeconds":-1})").status, 400);
  EXPECT_EQ(Call("POST", "/_emulator/rbac", R"({"grantDelaySeconds":600})").body,
            R"({"grantDelaySeconds":600,"propagationDelaySeconds":0})");
  bool writes = false;
  int64_t before = cloud.clock.Now();
  HttpResponse r = Call("POST", "/_emulator/clock", R"({"advanceSeconds":60})", &writes);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(writes) << "a clock change is persisted";
  EXPECT_GE(cloud.clock.Now(), before + 60);
  EXPECT_EQ(Call("POST", "/_emulator/clock", R"({"advanceSeconds":"1"})").status, 400);
  EXPECT_EQ(Call("POST", "/_emulator/clock", "[1]").status, 400);
  Call("GET", "/_emulator/clock", "", &writes);
  EXPECT_FALSE(writes);
  EXPECT_EQ(Call("GET", "/_emulator/consumers").status, 200);
  EXPECT_EQ(Call("POST", "/_emulator/consumers/check").status, 200);
  EXPECT_EQ(Call("GET", "/_emulator/consumers/settings").status, 200);
  EXPECT_EQ(Call("GET", "/_emulator/data/storage/nowhere").status, 404);
  // No StateControl behind this router: the state routes say so instead of pretending.
  EXPECT_EQ(Call("GET", "/_emulator/state").status, 501);
  r = Call("GET", "/_emulator/nothing-here");
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(Code(r), "NotImplemented");
  // The bench routes exist only with --bench-routes.
  EXPECT_EQ(Call("GET", "/_emulator/bench/empty").status, 501);
  endpoints.bench_routes = true;
  EXPECT_EQ(Call("GET", "/_emulator/bench/empty").status, 200);
  EXPECT_EQ(Call("POST", "/_emulator/bench/crypto?op=nope").status, 400);
}

TEST_F(ControlFixture, AdminTokenGuardsAllButHealthAndCa) {
  endpoints.admin_token = "s3cret";
  HttpResponse r = Call("GET", "/_emulator/bootstrap");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Code(r), "Unauthorized");
  EXPECT_EQ(Call("GET", "/_emulator/health").status, 200);
  EXPECT_EQ(Call("GET", "/_emulator/ca.pem").status, 200);
  token = "s3cret";
  EXPECT_EQ(Call("GET", "/_emulator/bootstrap").status, 200);
}

}  // namespace
}  // namespace crosskey::server
