// Microsoft Graph's routes without sockets: every operation of the table through the router,
// the Global Administrator rule (now in graph::DirectoryService), the alternate appId key and
// Graph's error shape with innerError.
#include "emulator/graph/http/graph_call.h"
#include "route_test_base.h"

namespace crosskey::test {
namespace {

class GraphRoutesTest : public RouteTest {
 protected:
  HttpResponse Graph(const std::string& method, const std::string& target, const json& body = json(),
                     const std::string& token = "") {
    std::string path = target.substr(0, target.find('?'));
    auto m = graph::http::GraphRouteTable().Find(method, path);
    if (!m.ok() && path.find("(appId=") != std::string::npos) {
      m = graph::http::GraphRouteTable().Find(method, "/applications/(x)" + path.substr(path.find(')') + 1));
    }
    if (m.ok()) covered_.insert(m.route->operation);
    std::string t = token.empty() ? AdminToken(provider_, "https://graph.microsoft.com/.default") : token;
    return Serve(Request(method, "graph.crosskey.test", "/v1.0" + target, body.is_null() ? "" : body.dump(), t));
  }
  static std::string Code(const HttpResponse& r) { return Body(r)["error"]["code"]; }
  std::set<std::string> covered_;
};

TEST_F(GraphRoutesTest, EveryOperationAnswersInGraphsShape) {
  EXPECT_EQ(Code(Graph("GET", "/me")), "BadRequest") << "an app token has no /me";
  EXPECT_EQ(Code(Graph("GET", "/me/memberOf")), "BadRequest");
  HttpResponse r = Graph("GET", "/directoryRoles");
  ASSERT_EQ(r.status, 200);
  std::string role = Body(r)["value"][0]["id"];
  EXPECT_EQ(Graph("GET", "/directoryRoles/" + role).status, 200);
  EXPECT_GE(Body(Graph("GET", "/directoryRoles/" + role + "/members"))["value"].size(), 1u);
  json members = Body(Graph("GET", "/directoryRoles/" + role + "/members"))["value"];
  std::string member = members[0]["id"];
  r = Graph("POST", "/directoryObjects/getByIds", {{"ids", {member, NewGuid()}}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(Body(r)["value"].size(), 1u) << "unknown ids are left out";
  EXPECT_EQ(Body(r)["value"][0]["id"], member);
  EXPECT_EQ(Body(Graph("POST", "/directoryObjects/getByIds", {{"ids", {member}}, {"types", {"application"}}}))["value"]
                .size(),
            0u);
  EXPECT_EQ(Code(Graph("POST", "/directoryObjects/getByIds", {{"ids", "not-a-list"}})), "Request_BadRequest");
  EXPECT_EQ(Graph("GET", "/policies/authorizationPolicy").status, 200);
  EXPECT_EQ(Graph("PATCH", "/policies/authorizationPolicy",
                  {{"defaultUserRolePermissions", {{"allowedToCreateApps", false}}}})
                .status,
            204);

  r = Graph("POST", "/users",
            {{"userPrincipalName", "dev@provider.test"}, {"passwordProfile", {{"password", "pw-1!"}}}});
  ASSERT_EQ(r.status, 201) << r.body;
  std::string user = Body(r)["id"];
  EXPECT_GE(Body(Graph("GET", "/users"))["value"].size(), 2u);
  EXPECT_EQ(Graph("GET", "/users/" + user).status, 200);
  EXPECT_EQ(Graph("PATCH", "/users/" + user, {{"accountEnabled", false}}).status, 204);
  EXPECT_EQ(Body(Graph("GET", "/users/" + user + "/memberOf"))["value"].size(), 0u);

  r = Graph("POST", "/applications", {{"displayName", "routes"}, {"signInAudience", "AzureADMultipleOrgs"}});
  ASSERT_EQ(r.status, 201) << r.body;
  std::string app = Body(r)["id"], app_id = Body(r)["appId"];
  EXPECT_EQ(Body(Graph("GET", "/applications?$filter=appId eq '" + app_id + "'"))["value"].size(), 1u);
  EXPECT_EQ(Graph("GET", "/applications/" + app).status, 200);
  EXPECT_EQ(Body(Graph("GET", "/applications(appId='" + app_id + "')"))["id"], app) << "the alternate key";
  EXPECT_EQ(Graph("PATCH", "/applications/" + app, {{"displayName", "renamed"}}).status, 204);
  EXPECT_EQ(Graph("POST", "/applications/" + app + "/addPassword", {{"passwordCredential", json::object()}}).status,
            200);
  std::string fics = "/applications/" + app + "/federatedIdentityCredentials";
  r = Graph(
      "POST", fics,
      {{"name", "f1"}, {"issuer", "https://issuer"}, {"subject", "s"}, {"audiences", {"api://AzureADTokenExchange"}}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(Graph("GET", fics))["value"].size(), 1u);
  EXPECT_EQ(Graph("GET", fics + "/f1").status, 200);
  EXPECT_EQ(Graph("PATCH", fics + "/f1", {{"subject", "s2"}}).status, 204);
  EXPECT_EQ(Graph("DELETE", fics + "/f1").status, 204);

  std::string customer_graph = AdminToken(customer_, "https://graph.microsoft.com/.default");
  r = Graph("POST", "/servicePrincipals", {{"appId", app_id}}, customer_graph);
  ASSERT_EQ(r.status, 201) << r.body;
  std::string sp = Body(r)["id"];
  EXPECT_GE(Body(Graph("GET", "/servicePrincipals", json(), customer_graph))["value"].size(), 1u);
  EXPECT_EQ(Graph("GET", "/servicePrincipals/" + sp, json(), customer_graph).status, 200);
  EXPECT_EQ(Graph("PATCH", "/servicePrincipals/" + sp, {{"accountEnabled", false}}, customer_graph).status, 204);
  EXPECT_EQ(Graph("DELETE", "/servicePrincipals/" + sp, json(), customer_graph).status, 204);
  // Deleted items: the service principal is kept, restored with its object id, then deleted again
  // and for good.
  json deleted = Body(Graph("GET", "/directory/deletedItems/microsoft.graph.servicePrincipal", json(), customer_graph));
  ASSERT_EQ(deleted["value"].size(), 1u) << deleted.dump();
  EXPECT_EQ(deleted["value"][0]["id"], sp);
  EXPECT_TRUE(deleted["value"][0].contains("deletedDateTime"));
  EXPECT_EQ(Body(Graph("GET", "/directory/deletedItems/" + sp, json(), customer_graph))["appId"], app_id);
  r = Graph("POST", "/directory/deletedItems/" + sp + "/restore", json(), customer_graph);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["id"], sp);
  EXPECT_EQ(Graph("GET", "/servicePrincipals/" + sp, json(), customer_graph).status, 200);
  EXPECT_EQ(Graph("DELETE", "/servicePrincipals/" + sp, json(), customer_graph).status, 204);
  EXPECT_EQ(Graph("DELETE", "/directory/deletedItems/" + sp, json(), customer_graph).status, 204);
  EXPECT_EQ(Graph("POST", "/directory/deletedItems/" + sp + "/restore", json(), customer_graph).status, 404);
  EXPECT_EQ(Graph("DELETE", "/applications/" + app).status, 204);
  EXPECT_EQ(Body(Graph("GET", "/directory/deletedItems/microsoft.graph.application"))["value"].size(), 1u);
  ExpectEveryOperationCovered(graph::http::GraphRouteTable(), covered_);
}

TEST_F(GraphRoutesTest, TheAdminRuleIsTheCoresAndErrorsCarryInnerError) {
  // A plain app of the provider tenant (the chain's app, no directory role) may not write.
  graph::DirectoryService service(&cloud_.directory);
  graph::GraphCaller plain{provider_.tenant_id, app_.object_id, app_.app_id, false};
  auto refused = service.DeleteApplication(plain, app_.object_id);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "Authorization_RequestDenied");
  graph::GraphCaller admin{provider_.tenant_id, provider_.admin_sp_object_id, provider_.admin_app_id, false};
  EXPECT_TRUE(service.IsAdmin(admin));

  HttpResponse r = Serve(Request("GET", "graph.crosskey.test", "/v1.0/users"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Code(r), "InvalidAuthenticationToken");
  EXPECT_TRUE(Body(r)["error"]["innerError"].contains("request-id"));
  r = Graph("GET", "/applications/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Code(r), "Request_ResourceNotFound");
  r = Graph("GET", "/applications?$filter=nonsense");
  EXPECT_EQ(r.status, 400);
  r = Graph("POST", "/applications", {{"displayName", 5}});
  EXPECT_EQ(r.status, 400);
  r = Graph("GET", "/groups");
  EXPECT_EQ(r.status, 501);
}

}  // namespace
}  // namespace crosskey::test
