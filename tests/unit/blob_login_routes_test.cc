// The Blob and login planes' routes without sockets: every operation of each table through
// the router, Storage's XML errors, OAuth's error body, and a fault on each plane answered in
// that plane's own shape.
#include "emulator/consumer/http/blob_call.h"
#include "emulator/token/http/login_routes.h"
#include "route_test_base.h"

namespace crosskey::test {
namespace {

constexpr const char* kBlobContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

class BlobLoginRoutesTest : public RouteTest {
 protected:
  void SetUp() override {
    RouteTest::SetUp();
    auto put = cloud_.resources.Put(arm::ArmCaller{}, StorageId(), StorageBody());
    ASSERT_TRUE(put.ok()) << put.error().message;
    arm::ArmCaller admin{provider_.tenant_id, provider_.admin_user_object_id, provider_.admin_username};
    ASSERT_TRUE(cloud_.resources
                    .PutRoleAssignment(admin, StorageId(), NewGuid(),
                                       RoleAssignmentBody(kBlobContributor, provider_.admin_sp_object_id,
                                                          "ServicePrincipal"))
                    .ok());
    token_ = AdminToken(provider_, "https://storage.azure.com/.default");
  }
  HttpResponse Blob(const std::string& method, const std::string& target, const std::string& body = "",
                    std::map<std::string, std::string> headers = {}) {
    HttpRequest r = Request(method, "acct1.blob.crosskey.test", target, body, token_);
    r.headers["x-ms-version"] = "2021-08-06";
    for (auto& [k, v] : headers) r.headers[k] = v;
    auto m = consumer::http::BlobRouteTable().Find(method, r.path, r.query);
    if (m.ok()) covered_.insert(m.route->operation);
    return Serve(r);
  }
  static std::string Header(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (EqualsIgnoreCase(k, name)) return v;
    }
    return "";
  }
  std::string token_;
  std::set<std::string> covered_;
};

TEST_F(BlobLoginRoutesTest, EveryBlobOperationAnswersAndErrorsAreStorageXml) {
  HttpResponse created = Blob("PUT", "/cont1?restype=container");
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Blob("GET", "/cont1?restype=container").status, 200);
  EXPECT_EQ(Blob("HEAD", "/cont1?restype=container").status, 200);
  EXPECT_EQ(Blob("PUT", "/cont1/dir/b1", "hello", {{"x-ms-blob-type", "BlockBlob"}}).status, 201);
  HttpResponse r = Blob("GET", "/cont1?restype=container&comp=list");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<Name>dir/b1</Name>"), std::string::npos) << r.body;
  EXPECT_EQ(Blob("GET", "/cont1/dir/b1").body, "hello");
  EXPECT_EQ(Blob("HEAD", "/cont1/dir/b1").status, 200);
  r = Blob("GET", "/cont1/dir/b1", "", {{"x-ms-range", "bytes=1-2"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "el");
  EXPECT_EQ(Blob("DELETE", "/cont1/dir/b1").status, 202);
  r = Blob("GET", "/cont1/dir/b1");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Header(r, "x-ms-error-code"), "BlobNotFound");
  EXPECT_NE(r.body.find("<Code>BlobNotFound</Code>"), std::string::npos);
  EXPECT_EQ(Blob("DELETE", "/cont1?restype=container").status, 202);
  ExpectEveryOperationCovered(consumer::http::BlobRouteTable(), covered_);

  EXPECT_EQ(Blob("PUT", "/cont2/b", "x").status, 400) << "x-ms-blob-type is required";
  r = Blob("GET", "/?comp=list");
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(Header(r, "x-ms-error-code"), "NotImplemented");
  EXPECT_EQ(Blob("GET", "/cont1/b?comp=tags").status, 501);
  token_.clear();
  r = Blob("GET", "/cont1?restype=container");
  EXPECT_EQ(r.status, 401);
  EXPECT_FALSE(Header(r, "WWW-Authenticate").empty());
}

TEST_F(BlobLoginRoutesTest, EveryLoginOperationAnswersAndErrorsAreOAuth) {
  std::set<std::string> covered;
  auto login = [&](const std::string& method, const std::string& target, const std::string& body = "") {
    HttpRequest r = Request(method, "login.crosskey.test", target, body);
    auto m = token::http::LoginRoutes::Table().Find(method, r.path);
    if (m.ok()) covered.insert(m.route->operation);
    return Serve(r);
  };
  const std::string t = customer_.tenant_id;
  EXPECT_EQ(login("GET", "/common/discovery/instance?api-version=1.1&authorization_endpoint=https://login."
                         "crosskey.test/common/oauth2/authorize").status, 200);
  EXPECT_EQ(Body(login("GET", "/" + t + "/v2.0/.well-known/openid-configuration"))["issuer"],
            token::V2Issuer(t));
  EXPECT_EQ(login("GET", "/" + t + "/.well-known/openid-configuration").status, 200);
  EXPECT_FALSE(Body(login("GET", "/" + t + "/discovery/v2.0/keys"))["keys"].empty());
  EXPECT_EQ(login("GET", "/" + t + "/discovery/keys").status, 200);
  EXPECT_EQ(login("GET", "/common/userrealm/" + customer_.admin_username + "?api-version=1.0").status, 200);
  std::string form = "grant_type=client_credentials&client_id=" + customer_.admin_app_id +
                     "&client_secret=" + UrlEncode(customer_.admin_app_secret) + "&scope=" +
                     UrlEncode("https://vault.azure.net/.default");
  bool writes = true;
  HttpRequest token = Request("POST", "login.crosskey.test", "/" + t + "/oauth2/v2.0/token", form);
  HttpResponse r = Serve(token, &writes);
  covered.insert("token");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(writes) << "a service token is not kept";
  r = login("POST", "/" + t + "/oauth2/token", form + "&resource=" + UrlEncode("https://vault.azure.net"));
  EXPECT_LT(r.status, 500);
  EXPECT_EQ(login("GET", "/" + t + "/adminconsent?client_id=x&redirect_uri=https://app").status, 200);
  EXPECT_EQ(login("GET", "/" + t + "/v2.0/adminconsent?client_id=x&redirect_uri=https://app").status, 200);
  EXPECT_EQ(login("POST", "/" + t + "/adminconsent", "client_id=x&redirect_uri=https://app").status, 400);
  EXPECT_EQ(login("POST", "/" + t + "/v2.0/adminconsent", "client_id=x&redirect_uri=https://app").status, 400);
  r = login("GET", "/" + t + "/oauth2/v2.0/authorize");
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(Body(r)["error"], "not_implemented");
  login("POST", "/" + t + "/oauth2/authorize");
  ExpectEveryOperationCovered(token::http::LoginRoutes::Table(), covered);

  r = login("POST", "/nowhere.test/oauth2/v2.0/token", form);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["error_codes"][0], 90002);
  r = login("GET", "/nowhere.test/v2.0/.well-known/openid-configuration");
  EXPECT_EQ(Body(r)["error"], "invalid_tenant");
  r = login("GET", "/" + t + "/nothing/here");
  EXPECT_EQ(r.status, 501);
}

TEST_F(BlobLoginRoutesTest, InjectedFaultsTakeEachPlanesOwnShape) {
  auto add = [&](const json& rule) {
    HttpResponse r = Serve(Request("POST", "localhost", "/_emulator/faults", rule.dump()));
    ASSERT_EQ(r.status, 201) << r.body;
  };
  add({{"plane", "blob"}, {"operation", "GetBlob"}, {"status", 503}});
  add({{"plane", "login"}, {"operation", "keys"}, {"status", 503}});
  add({{"plane", "graph"}, {"operation", "listUsers"}, {"status", 429}});
  HttpResponse r = Blob("GET", "/cont1/b1");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Header(r, "x-ms-error-code"), "ServiceUnavailable");
  EXPECT_NE(r.body.find("<Message>injected fault 1"), std::string::npos) << r.body;
  r = Serve(Request("GET", "login.crosskey.test", "/" + customer_.tenant_id + "/discovery/v2.0/keys"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Body(r)["error"], "temporarily_unavailable");
  EXPECT_TRUE(Body(r)["error_codes"].is_array());
  r = Serve(Request("GET", "graph.crosskey.test", "/v1.0/users", "", AdminToken(provider_, "https://graph.microsoft.com/.default")));
  EXPECT_EQ(r.status, 429);
  EXPECT_TRUE(Body(r)["error"]["innerError"].contains("request-id"));
}

}  // namespace
}  // namespace crosskey::test
