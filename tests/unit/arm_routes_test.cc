// ARM's routes without sockets: every operation of the table through the router, with status,
// body and error shape, the writes flag and the activity log's operation names.
#include "emulator/arm/http/arm_call.h"
#include "route_test_base.h"

namespace crosskey::test {
namespace {

class ArmRoutesTest : public RouteTest {
 protected:
  HttpResponse Arm(const std::string& method, const std::string& target, const json& body = json(),
                   const BootstrapTenant* tenant = nullptr, bool* writes = nullptr) {
    std::string path = target.substr(0, target.find('?'));
    auto m = arm::http::ArmRouteTable().Find(method, arm::http::ArmRoutes::NormalizedPath(path));
    if (m.ok()) covered_.insert(m.route->operation);
    std::string token = AdminToken(tenant ? *tenant : customer_, "https://management.azure.com/.default");
    std::string sep = target.find('?') == std::string::npos ? "?" : "&";
    return Serve(Request(method, "management.crosskey.test", target + sep + "api-version=2023-07-01",
                         body.is_null() ? "" : body.dump(), token),
                 writes);
  }
  std::string Sub() const { return "/subscriptions/" + customer_.subscription_id; }
  static std::string Code(const HttpResponse& r) { return Body(r)["error"]["code"]; }
  std::set<std::string> covered_;
};

TEST_F(ArmRoutesTest, EveryOperationAnswersInArmsShape) {
  EXPECT_EQ(Arm("GET", "/tenants").status, 200);
  EXPECT_EQ(Arm("GET", "/subscriptions").status, 200);
  EXPECT_EQ(Arm("GET", Sub()).status, 200);
  EXPECT_EQ(Arm("GET", Sub() + "/providers/Microsoft.KeyVault").status, 200);
  EXPECT_EQ(Arm("GET", Sub() + "/resources").status, 200);
  EXPECT_EQ(Arm("GET", Sub() + "/resourceGroups").status, 200);
  EXPECT_EQ(Body(Arm("GET", Sub() + "/providers/Microsoft.KeyVault/vaults"))["value"].size(), 1u);
  EXPECT_EQ(Body(Arm("GET", Sub() + "/resourceGroups/cmk/providers/Microsoft.KeyVault/vaults"))["value"].size(), 1u);
  std::string provider_uami = uami_id_ + "/federatedIdentityCredentials";
  EXPECT_EQ(Arm("GET", provider_uami, json(), &provider_).status, 200);

  HttpResponse r = Arm("GET", vault_id_ + "/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName eq "
                                          "'Key Vault Crypto Officer'");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string role_id = Body(r)["value"][0]["id"];
  EXPECT_EQ(Arm("GET", role_id).status, 200);
  EXPECT_EQ(Arm("GET", vault_id_ + "/providers/Microsoft.Authorization/roleAssignments").status, 200);
  std::string assignment = vault_id_ + "/providers/Microsoft.Authorization/roleAssignments/" + NewGuid();
  bool writes = false;
  r = Arm("PUT", assignment, RoleAssignmentBody(kEncryptionUser, customer_.admin_user_object_id, "User"), nullptr,
          &writes);
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(writes);
  EXPECT_EQ(Arm("GET", "/" + assignment).status, 200) << "a full id after '/' (the SDKs' *ById calls)";
  EXPECT_EQ(Arm("DELETE", assignment).status, 200);
  EXPECT_EQ(Arm("DELETE", assignment).status, 204) << "deleting what is gone";

  std::string vault2 = Sub() + "/resourceGroups/cmk/providers/Microsoft.KeyVault/vaults/second";
  json body = {{"location", "westus"},
               {"properties", {{"tenantId", customer_.tenant_id}, {"sku", {{"family", "A"}, {"name", "standard"}}}}}};
  EXPECT_EQ(Arm("PUT", vault2, body).status, 201);
  EXPECT_EQ(Arm("PATCH", vault2, {{"tags", {{"team", "a"}}}}).status, 200);
  EXPECT_EQ(Arm("GET", vault2).status, 200);
  EXPECT_EQ(Arm("HEAD", vault2).status, 204);
  EXPECT_EQ(Arm("DELETE", vault2, json(), nullptr, &writes).status, 200);
  EXPECT_TRUE(writes);
  EXPECT_EQ(Arm("HEAD", vault2).status, 404);
  EXPECT_EQ(Body(Arm("GET", Sub() + "/providers/Microsoft.KeyVault/deletedVaults"))["value"].size(), 1u);
  std::string deleted = Sub() + "/providers/Microsoft.KeyVault/locations/westus/deletedVaults/second";
  EXPECT_EQ(Arm("GET", deleted).status, 200);
  EXPECT_EQ(Arm("POST", deleted + "/purge").status, 200);
  EXPECT_EQ(Arm("GET", deleted).status, 404);
  ExpectEveryOperationCovered(arm::http::ArmRouteTable(), covered_);

  AuditQuery q;
  q.operation = "Microsoft.KeyVault/vaults/delete";
  ASSERT_EQ(cloud_.audit.Query(q).size(), 1u) << "the activity log records the operation id";
  q.operation = "Microsoft.KeyVault/locations/deletedVaults/purge/action";
  EXPECT_EQ(cloud_.audit.Query(q).size(), 1u);
}

TEST_F(ArmRoutesTest, ErrorsInArmsShape) {
  HttpResponse r = Serve(Request("GET", "management.crosskey.test", Sub()));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Code(r), "AuthenticationFailed");
  EXPECT_TRUE(Body(r)["error"].contains("details"));
  r = Serve(Request("GET", "management.crosskey.test", Sub(), "", "garbage"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Code(r), "InvalidAuthenticationToken");
  r = Arm("GET", Sub() + "/resourceGroups/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Code(r), "ResourceGroupNotFound");
  r = Arm("PUT", Sub() + "/resourceGroups/bad", json::array({1}));
  EXPECT_EQ(r.status, 400) << r.body;
  r = Arm("POST", Sub() + "/providers/Microsoft.KeyVault/register");
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(Code(r), "NotImplemented");
  r = Arm("GET", Sub() + "/providers/Microsoft.Authorization/roleAssignments/" + NewGuid());
  EXPECT_EQ(r.status, 404);
}

}  // namespace
}  // namespace crosskey::test
