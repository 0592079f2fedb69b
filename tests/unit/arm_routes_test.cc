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
  static std::string Header(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }
  // The path (and query) of an absolute URL the emulator handed out, without its api-version.
  static std::string PathOf(const std::string& url) {
    std::string rest = url.substr(url.find('/', std::string("https://").size()));
    size_t api = rest.find("api-version=");
    if (api != std::string::npos) rest.erase(api - 1);
    return rest;
  }
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
  // Long-running operations: their status (subscription scope, Storage) and result (group scope, SQL).
  std::string account = Sub() + "/resourceGroups/cmk/providers/Microsoft.Storage/storageAccounts/lro1";
  r = Arm("PUT", account, {{"location", "westus"}, {"kind", "StorageV2"}, {"sku", {{"name", "Standard_LRS"}}}});
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(Arm("GET", PathOf(Header(r, "Location"))).status, 200);
  std::string server = Sub() + "/resourceGroups/cmk/providers/Microsoft.Sql/servers/lro2";
  r = Arm("PUT", server, {{"location", "westus"}, {"properties", {{"administratorLogin", "a"}}}});
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(Body(Arm("GET", PathOf(Header(r, "Azure-AsyncOperation"))))["status"], "Succeeded");
  r = Arm("POST", server + "/encryptionProtector/current/revalidate");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["properties"]["serverKeyType"], "ServiceManaged");
  // Template deployments: validate, create and its status, read, operations, list, delete.
  std::string dep = Sub() + "/resourceGroups/cmk/providers/Microsoft.Resources/deployments/d1";
  json uami = {{"type", "Microsoft.ManagedIdentity/userAssignedIdentities"}, {"apiVersion", "2023-01-31"},
               {"name", "dep-uami"}, {"location", "westus"}};
  json deployment = {{"properties", {{"mode", "Incremental"}, {"template", {{"resources", json::array({uami})}}}}}};
  EXPECT_EQ(Arm("POST", dep + "/validate", deployment).status, 200);
  r = Arm("PUT", dep, deployment);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["properties"]["provisioningState"], "Accepted");
  EXPECT_EQ(Body(Arm("GET", PathOf(Header(r, "Azure-AsyncOperation"))))["status"], "Succeeded");
  EXPECT_EQ(Body(Arm("GET", dep))["properties"]["provisioningState"], "Succeeded");
  EXPECT_EQ(Arm("HEAD", dep).status, 204);
  json ops = Body(Arm("GET", Sub() + "/resourceGroups/cmk/deployments/d1/operations"))["value"];
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(Arm("GET", dep + "/operations/" + ops[0]["operationId"].get<std::string>()).status, 200);
  EXPECT_EQ(Body(Arm("GET", Sub() + "/resourceGroups/cmk/providers/Microsoft.Resources/deployments"))["value"].size(), 1u);
  EXPECT_EQ(Arm("DELETE", dep).status, 204);
  EXPECT_EQ(Code(Arm("GET", dep)), "DeploymentNotFound");
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

// An accepted write answers with the provider's initial status and headers; its operation is
// InProgress on the emulator clock until the configured delay has passed, the resource reports
// its pending provisioningState meanwhile, and the result URL answers 202 until then.
TEST_F(ArmRoutesTest, LongRunningOperationsMoveOnTheEmulatorClock) {
  ASSERT_TRUE(cloud_.operations.set_delay(30).ok());
  std::string server = Sub() + "/resourceGroups/cmk/providers/Microsoft.Sql/servers/slow";
  HttpResponse r = Arm("PUT", server, {{"location", "westus"}, {"properties", {{"administratorLogin", "a"}}}});
  ASSERT_EQ(r.status, 202) << r.body;
  std::string status_url = PathOf(Header(r, "Azure-AsyncOperation"));
  std::string result_url = PathOf(Header(r, "Location"));
  EXPECT_NE(status_url.find("/resourceGroups/cmk/providers/Microsoft.Sql/locations/westus/serverAzureAsyncOperation/"),
            std::string::npos)
      << status_url;
  EXPECT_NE(result_url.find("/serverOperationResults/"), std::string::npos) << result_url;
  EXPECT_EQ(Header(r, "Retry-After"), "30");
  HttpResponse status = Arm("GET", status_url);
  EXPECT_EQ(Body(status)["status"], "InProgress");
  EXPECT_EQ(Arm("GET", result_url).status, 202);
  EXPECT_EQ(Body(Arm("GET", server))["properties"]["provisioningState"], "Creating");
  cloud_.clock.Advance(31);
  EXPECT_EQ(Body(Arm("GET", status_url))["status"], "Succeeded");
  r = Arm("GET", result_url);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Body(r)["properties"]["provisioningState"], "Succeeded");
  // An operation id nobody started, or one addressed under another provider, is not found.
  EXPECT_EQ(Arm("GET", Sub() + "/providers/Microsoft.Sql/locations/westus/serverAzureAsyncOperation/" + NewGuid())
                .status,
            404);
  std::string elsewhere = status_url;
  elsewhere.replace(elsewhere.find("Microsoft.Sql"), 13, "Microsoft.Web");
  EXPECT_EQ(Code(Arm("GET", elsewhere)), "NotFound");
  EXPECT_FALSE(cloud_.operations.set_delay(-1).ok());
}

}  // namespace
}  // namespace crosskey::test
