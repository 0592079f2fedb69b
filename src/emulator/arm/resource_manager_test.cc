// ResourceManager: CRUD of resource groups, user-assigned identities and vaults with
// canonical-case ids; vault naming, purge protection and soft delete; role assignments with
// principals from the scope's tenant; caller authorization (tenant, then RBAC).
#include "emulator/arm/resource_manager.h"

#include <gtest/gtest.h>

#include "emulator/cloud/cloud.h"
#include "emulator/common/text.h"

namespace crosskey::arm {
namespace {

constexpr const char* kCryptoOfficer = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";
constexpr const char* kEncryptionUser = "e147488a-f6f5-4113-8e2d-b22465e65bf6";
constexpr const char* kReader = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

void ExpectArmError(const Error& e, int status, const std::string& code) {
  EXPECT_EQ(e.http_status, status) << e.message;
  EXPECT_EQ(e.code, code) << e.message;
}

class ResourceManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cloud_.LoadDefaultFixture().ok());
    provider_ = cloud_.bootstrap()[0];
    customer_ = cloud_.bootstrap()[1];
    customer_admin_ = {customer_.tenant_id, customer_.admin_user_object_id, customer_.admin_username};
    provider_admin_ = {provider_.tenant_id, provider_.admin_user_object_id, provider_.admin_username};
  }

  std::string Sub(const BootstrapTenant& t) const { return "/subscriptions/" + t.subscription_id; }
  std::string CustomerGroup() const { return Sub(customer_) + "/resourceGroups/Cust-RG"; }
  Json VaultBody(const BootstrapTenant& t, bool purge_protection, bool rbac = true) const {
    Json props = {{"tenantId", t.tenant_id},
                  {"sku", {{"family", "A"}, {"name", "standard"}}},
                  {"enableRbacAuthorization", rbac},
                  {"softDeleteRetentionInDays", 7}};
    if (purge_protection) props["enablePurgeProtection"] = true;
    return {{"location", "westus"}, {"properties", props}};
  }
  // Creates Cust-RG and a vault in it as the customer admin; returns the vault id.
  std::string CreateCustomerVault(const std::string& name, bool purge_protection) {
    auto g = cloud_.resources.Put(customer_admin_, CustomerGroup(), {{"location", "westus"}});
    EXPECT_TRUE(g.ok());
    std::string id = CustomerGroup() + "/providers/Microsoft.KeyVault/vaults/" + name;
    auto v = cloud_.resources.Put(customer_admin_, id, VaultBody(customer_, purge_protection));
    EXPECT_TRUE(v.ok()) << v.error().message;
    return id;
  }
  Json Assignment(const std::string& role_guid, const std::string& principal) const {
    return {{"properties",
             {{"roleDefinitionId", "/providers/Microsoft.Authorization/roleDefinitions/" + role_guid},
              {"principalId", principal}}}};
  }

  Cloud cloud_{CloudConfig{}};
  BootstrapTenant provider_, customer_;
  ArmCaller customer_admin_, provider_admin_;
};

TEST_F(ResourceManagerTest, ResourceGroupCrudWithCanonicalIds) {
  std::string lower = "/SUBSCRIPTIONS/" + ToLower(customer_.subscription_id) + "/resourcegroups/My-Group";
  auto created = cloud_.resources.Put(customer_admin_, lower, {{"location", "westus"}, {"tags", {{"a", "b"}}}});
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(created->created);
  const std::string canonical = Sub(customer_) + "/resourceGroups/My-Group";
  EXPECT_EQ(created->body["id"], canonical);
  EXPECT_EQ(created->body["type"], "Microsoft.Resources/resourceGroups");
  EXPECT_EQ(created->body["tags"]["a"], "b");

  // A second PUT in another case updates, keeping the first spelling.
  auto updated = cloud_.resources.Put(customer_admin_, ToLower(canonical), {{"location", "westus"}});
  ASSERT_TRUE(updated.ok());
  EXPECT_FALSE(updated->created);
  EXPECT_EQ(updated->body["id"], canonical);
  EXPECT_EQ(updated->body["name"], "My-Group");

  auto got = cloud_.resources.Get(customer_admin_, ToLower(canonical));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["id"], canonical);

  auto missing_location = cloud_.resources.Put(customer_admin_, Sub(customer_) + "/resourceGroups/x", Json::object());
  ASSERT_FALSE(missing_location.ok());
  ExpectArmError(missing_location.error(), 400, "InvalidRequestContent");

  ASSERT_TRUE(cloud_.resources.Delete(customer_admin_, canonical).ok());
  auto gone = cloud_.resources.Get(customer_admin_, canonical);
  ASSERT_FALSE(gone.ok());
  ExpectArmError(gone.error(), 404, "ResourceGroupNotFound");
}

TEST_F(ResourceManagerTest, UnknownSubscriptionAndGroup) {
  auto r = cloud_.resources.Put(ArmCaller{}, "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/g",
                                {{"location", "westus"}});
  ASSERT_FALSE(r.ok());
  ExpectArmError(r.error(), 404, "SubscriptionNotFound");
  r = cloud_.resources.Put(customer_admin_,
                           Sub(customer_) +
                               "/resourceGroups/none/providers/"
                               "Microsoft.ManagedIdentity/userAssignedIdentities/mi",
                           {{"location", "westus"}});
  ASSERT_FALSE(r.ok());
  ExpectArmError(r.error(), 404, "ResourceGroupNotFound");
}

TEST_F(ResourceManagerTest, IdentityCreatesAndDeletesItsServicePrincipal) {
  ASSERT_TRUE(
      cloud_.resources.Put(provider_admin_, Sub(provider_) + "/resourceGroups/Prov", {{"location", "westus"}}).ok());
  std::string lower = ToLower(Sub(provider_)) +
                      "/resourcegroups/prov/providers/microsoft.managedidentity/userassignedidentities/Workload";
  auto created = cloud_.resources.Put(provider_admin_, lower, {{"location", "westus"}});
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string canonical =
      Sub(provider_) + "/resourceGroups/Prov/providers/Microsoft.ManagedIdentity/userAssignedIdentities/Workload";
  EXPECT_EQ(created->body["id"], canonical);
  EXPECT_EQ(created->body["type"], "Microsoft.ManagedIdentity/userAssignedIdentities");
  const Json& props = created->body["properties"];
  EXPECT_EQ(props["tenantId"], provider_.tenant_id);
  std::string principal = props["principalId"], client = props["clientId"];
  EXPECT_TRUE(IsGuid(principal));
  EXPECT_TRUE(IsGuid(client));

  auto sp = cloud_.directory.FindServicePrincipal(provider_.tenant_id, principal);
  ASSERT_TRUE(sp.has_value());
  EXPECT_EQ(sp->kind, graph::PrincipalKind::kManagedIdentity);
  EXPECT_EQ(sp->app_id, client);
  EXPECT_EQ(sp->managed_identity_resource_id, canonical);
  EXPECT_FALSE(cloud_.directory.FindServicePrincipal(customer_.tenant_id, principal).has_value());

  // Updating keeps the same principal.
  auto again = cloud_.resources.Put(provider_admin_, canonical, {{"location", "westus"}, {"tags", {{"x", "y"}}}});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->body["properties"]["principalId"], principal);

  ASSERT_TRUE(cloud_.resources.Delete(provider_admin_, lower).ok());
  EXPECT_FALSE(cloud_.directory.FindServicePrincipal(provider_.tenant_id, principal).has_value());
  EXPECT_FALSE(cloud_.directory.FindManagedIdentity(client, "", "").has_value());
  auto gone = cloud_.resources.Get(provider_admin_, canonical);
  ASSERT_FALSE(gone.ok());
  ExpectArmError(gone.error(), 404, "ResourceNotFound");
}

TEST_F(ResourceManagerTest, DeletingAGroupDeletesItsIdentities) {
  std::string group = Sub(provider_) + "/resourceGroups/Doomed";
  ASSERT_TRUE(cloud_.resources.Put(provider_admin_, group, {{"location", "westus"}}).ok());
  auto mi =
      cloud_.resources.Put(provider_admin_, group + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi",
                           {{"location", "westus"}});
  ASSERT_TRUE(mi.ok());
  std::string principal = mi->body["properties"]["principalId"];
  ASSERT_TRUE(cloud_.resources.Delete(provider_admin_, group).ok());
  EXPECT_FALSE(cloud_.directory.FindServicePrincipal(provider_.tenant_id, principal).has_value());
}

TEST_F(ResourceManagerTest, VaultCrudWithCanonicalIds) {
  ASSERT_TRUE(cloud_.resources.Put(customer_admin_, CustomerGroup(), {{"location", "westus"}}).ok());
  std::string lower = ToLower(CustomerGroup()) + "/providers/microsoft.keyvault/VAULTS/Cust-Vault1";
  auto created = cloud_.resources.Put(customer_admin_, lower, VaultBody(customer_, true));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(created->created);
  const std::string canonical = CustomerGroup() + "/providers/Microsoft.KeyVault/vaults/Cust-Vault1";
  EXPECT_EQ(created->body["id"], canonical);
  EXPECT_EQ(created->body["type"], "Microsoft.KeyVault/vaults");
  const Json& p = created->body["properties"];
  EXPECT_EQ(p["vaultUri"], cloud_.VaultUrl("Cust-Vault1") + "/");
  EXPECT_EQ(p["enableRbacAuthorization"], true);
  EXPECT_EQ(p["enablePurgeProtection"], true);
  EXPECT_FALSE(p.contains("_instance"));  // internal bookkeeping never leaks

  auto info = cloud_.resources.FindVault("cust-vault1");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->id, canonical);
  EXPECT_EQ(info->tenant_id, customer_.tenant_id);
  EXPECT_TRUE(info->rbac);
  EXPECT_TRUE(info->purge_protection);

  auto bad = cloud_.resources.Put(customer_admin_, CustomerGroup() + "/providers/Microsoft.KeyVault/vaults/a--b",
                                  VaultBody(customer_, false));
  ASSERT_FALSE(bad.ok());
  ExpectArmError(bad.error(), 400, "InvalidResourceName");
}

TEST_F(ResourceManagerTest, VaultNamesAreGloballyUnique) {
  CreateCustomerVault("sharedname", false);
  ASSERT_TRUE(
      cloud_.resources.Put(provider_admin_, Sub(provider_) + "/resourceGroups/p", {{"location", "westus"}}).ok());
  auto r = cloud_.resources.Put(provider_admin_,
                                Sub(provider_) + "/resourceGroups/p/providers/Microsoft.KeyVault/vaults/SharedName",
                                VaultBody(provider_, false));
  ASSERT_FALSE(r.ok());
  ExpectArmError(r.error(), 409, "VaultAlreadyExists");
  // Also within the same subscription, in another group.
  ASSERT_TRUE(
      cloud_.resources.Put(customer_admin_, Sub(customer_) + "/resourceGroups/g2", {{"location", "westus"}}).ok());
  r = cloud_.resources.Put(customer_admin_,
                           Sub(customer_) + "/resourceGroups/g2/providers/Microsoft.KeyVault/vaults/sharedname",
                           VaultBody(customer_, false));
  ASSERT_FALSE(r.ok());
  ExpectArmError(r.error(), 409, "VaultAlreadyExists");
}

TEST_F(ResourceManagerTest, PurgeProtectionCannotBeTurnedOff) {
  std::string id = CreateCustomerVault("kvprotected", true);
  Json off = VaultBody(customer_, false);
  off["properties"]["enablePurgeProtection"] = false;
  auto r = cloud_.resources.Put(customer_admin_, id, off);
  ASSERT_FALSE(r.ok());
  ExpectArmError(r.error(), 400, "BadRequest");
  EXPECT_NE(r.error().message.find("enablePurgeProtection"), std::string::npos);
  auto p = cloud_.resources.Patch(customer_admin_, id, {{"properties", {{"enablePurgeProtection", false}}}});
  ASSERT_FALSE(p.ok());
  ExpectArmError(p.error(), 400, "BadRequest");
  // Omitting the property keeps it on.
  auto kept = cloud_.resources.Put(customer_admin_, id, VaultBody(customer_, false));
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->body["properties"]["enablePurgeProtection"], true);
  EXPECT_TRUE(cloud_.resources.FindVault("kvprotected")->purge_protection);
}

TEST_F(ResourceManagerTest, SoftDeletedVaultCanBeRecovered) {
  std::string id = CreateCustomerVault("kvsoft", true);
  std::string instance = cloud_.resources.FindVault("kvsoft")->instance_id;
  ASSERT_TRUE(cloud_.resources.Delete(customer_admin_, id).ok());
  EXPECT_EQ(cloud_.resources.FindVault("kvsoft"), nullptr);

  auto deleted = cloud_.resources.ListDeletedVaults(customer_admin_, customer_.subscription_id);
  ASSERT_TRUE(deleted.ok());
  ASSERT_EQ(deleted->size(), 1u);
  EXPECT_EQ((*deleted)[0]["name"], "kvsoft");
  EXPECT_EQ((*deleted)[0]["type"], "Microsoft.KeyVault/deletedVaults");
  EXPECT_EQ((*deleted)[0]["properties"]["vaultId"], id);
  EXPECT_EQ((*deleted)[0]["properties"]["purgeProtectionEnabled"], true);
  EXPECT_FALSE((*deleted)[0]["properties"].contains("_vault"));
  EXPECT_TRUE(cloud_.resources.GetDeletedVault(customer_admin_, customer_.subscription_id, "KVSOFT").ok());

  // The name stays taken: same subscription -> ConflictError, another -> VaultAlreadyExists.
  auto again = cloud_.resources.Put(customer_admin_, id, VaultBody(customer_, true));
  ASSERT_FALSE(again.ok());
  ExpectArmError(again.error(), 409, "ConflictError");
  ASSERT_TRUE(
      cloud_.resources.Put(provider_admin_, Sub(provider_) + "/resourceGroups/p", {{"location", "westus"}}).ok());
  auto elsewhere = cloud_.resources.Put(provider_admin_,
                                        Sub(provider_) + "/resourceGroups/p/providers/Microsoft.KeyVault/vaults/kvsoft",
                                        VaultBody(provider_, false));
  ASSERT_FALSE(elsewhere.ok());
  ExpectArmError(elsewhere.error(), 409, "VaultAlreadyExists");

  // Purge protection: no purge before the retention period ends.
  auto purge = cloud_.resources.PurgeDeletedVault(customer_admin_, customer_.subscription_id, "kvsoft");
  ASSERT_FALSE(purge.ok());
  ExpectArmError(purge.error(), 405, "MethodNotAllowed");

  Json recover = {{"location", "westus"}, {"properties", {{"createMode", "recover"}}}};
  auto recovered = cloud_.resources.Put(customer_admin_, id, recover);
  ASSERT_TRUE(recovered.ok()) << recovered.error().message;
  EXPECT_EQ(recovered->body["id"], id);
  EXPECT_EQ(recovered->body["properties"]["enablePurgeProtection"], true);
  auto info = cloud_.resources.FindVault("kvsoft");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->instance_id, instance);  // the same vault (and keys) come back
  EXPECT_TRUE(cloud_.resources.ListDeletedVaults(customer_admin_, customer_.subscription_id)->empty());
}

TEST_F(ResourceManagerTest, DeletedVaultRecoverableOnlyFromItsOwnSubscription) {
  std::string id = CreateCustomerVault("kvtheirs", true);
  ASSERT_TRUE(cloud_.resources.Delete(customer_admin_, id).ok());
  // The provider tries to "recover" the customer's vault (and its keys) into its own subscription.
  ASSERT_TRUE(
      cloud_.resources.Put(provider_admin_, Sub(provider_) + "/resourceGroups/p", {{"location", "westus"}}).ok());
  Json recover = {{"location", "westus"}, {"properties", {{"createMode", "recover"}}}};
  auto stolen = cloud_.resources.Put(
      provider_admin_, Sub(provider_) + "/resourceGroups/p/providers/Microsoft.KeyVault/vaults/kvtheirs", recover);
  ASSERT_FALSE(stolen.ok());
  ExpectArmError(stolen.error(), 409, "VaultAlreadyExists");
  EXPECT_EQ(cloud_.resources.FindVault("kvtheirs"), nullptr);
  // Still recoverable by its owner.
  EXPECT_TRUE(cloud_.resources.GetDeletedVault(customer_admin_, customer_.subscription_id, "kvtheirs").ok());
  EXPECT_TRUE(cloud_.resources.Put(customer_admin_, id, recover).ok());
}

TEST_F(ResourceManagerTest, PurgeOfDeletedVault) {
  std::string plain = CreateCustomerVault("kvplain", false);
  ASSERT_TRUE(cloud_.resources.Delete(customer_admin_, plain).ok());
  ASSERT_TRUE(cloud_.resources.PurgeDeletedVault(customer_admin_, customer_.subscription_id, "kvplain").ok());
  EXPECT_FALSE(cloud_.resources.GetDeletedVault(customer_admin_, customer_.subscription_id, "kvplain").ok());
  // The name is free again, with a new instance.
  auto fresh = cloud_.resources.Put(customer_admin_, plain, VaultBody(customer_, false));
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(fresh->created);

  std::string protected_id = CreateCustomerVault("kvprot", true);
  ASSERT_TRUE(cloud_.resources.Delete(customer_admin_, protected_id).ok());
  ASSERT_FALSE(cloud_.resources.PurgeDeletedVault(customer_admin_, customer_.subscription_id, "kvprot").ok());
  cloud_.clock.Advance(7 * 86400);  // softDeleteRetentionInDays
  EXPECT_TRUE(cloud_.resources.PurgeDeletedVault(customer_admin_, customer_.subscription_id, "kvprot").ok());
}

TEST_F(ResourceManagerTest, RoleAssignmentPrincipalMustBeInTheScopesTenant) {
  std::string vault = CreateCustomerVault("kvra", true);
  graph::NewApplication spec{"cmk-app", "AzureADMultipleOrgs", "", ""};
  auto app = cloud_.directory.CreateApplication(provider_.tenant_id, spec);
  ASSERT_TRUE(app.ok());
  auto provider_sp = cloud_.directory.CreateServicePrincipal(provider_.tenant_id, app->app_id);
  ASSERT_TRUE(provider_sp.ok());

  // The provider's SP (or the app object) is not a principal of the customer directory.
  for (const std::string& principal : {provider_sp->object_id, app->object_id, app->app_id}) {
    auto r =
        cloud_.resources.PutRoleAssignment(customer_admin_, vault, NewGuid(), Assignment(kEncryptionUser, principal));
    ASSERT_FALSE(r.ok()) << principal;
    ExpectArmError(r.error(), 400, "PrincipalNotFound");
  }
  auto customer_sp = cloud_.directory.CreateServicePrincipal(customer_.tenant_id, app->app_id);
  ASSERT_TRUE(customer_sp.ok());
  std::string name = NewGuid();
  auto r = cloud_.resources.PutRoleAssignment(customer_admin_, ToLower(vault), name,
                                              Assignment(kEncryptionUser, customer_sp->object_id));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->created);
  EXPECT_EQ(r->body["properties"]["scope"], vault);  // canonical scope from lower-case input
  EXPECT_EQ(r->body["properties"]["principalType"], "ServicePrincipal");
  EXPECT_EQ(r->body["id"], vault + "/providers/Microsoft.Authorization/roleAssignments/" + name);
  EXPECT_TRUE(
      cloud_.rbac.Decide(customer_sp->object_id, "Microsoft.KeyVault/vaults/keys/wrap/action", vault + "/keys/k", true)
          .allowed);

  // The same assignment under another name.
  auto dup = cloud_.resources.PutRoleAssignment(customer_admin_, vault, NewGuid(),
                                                Assignment(kEncryptionUser, customer_sp->object_id));
  ASSERT_FALSE(dup.ok());
  ExpectArmError(dup.error(), 409, "RoleAssignmentExists");

  auto bad_role = cloud_.resources.PutRoleAssignment(customer_admin_, vault, NewGuid(),
                                                     Assignment(NewGuid(), customer_sp->object_id));
  ASSERT_FALSE(bad_role.ok());
  ExpectArmError(bad_role.error(), 404, "RoleDefinitionDoesNotExist");
  auto bad_name = cloud_.resources.PutRoleAssignment(customer_admin_, vault, "not-a-guid",
                                                     Assignment(kEncryptionUser, customer_sp->object_id));
  ASSERT_FALSE(bad_name.ok());
  ExpectArmError(bad_name.error(), 400, "InvalidRoleAssignmentId");

  ASSERT_TRUE(cloud_.resources.DeleteRoleAssignment(customer_admin_, vault, name).ok());
  EXPECT_FALSE(
      cloud_.rbac.Decide(customer_sp->object_id, "Microsoft.KeyVault/vaults/keys/wrap/action", vault + "/keys/k", true)
          .allowed);
}

TEST_F(ResourceManagerTest, DeletingAVaultTakesItsRoleAssignments) {
  std::string vault = CreateCustomerVault("kvdel", false);
  auto r = cloud_.resources.PutRoleAssignment(customer_admin_, vault + "/keys/k1", NewGuid(),
                                              Assignment(kCryptoOfficer, customer_.admin_user_object_id));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body["properties"]["principalType"], "User");
  ASSERT_TRUE(cloud_.resources.Delete(customer_admin_, vault).ok());
  for (const auto& a : cloud_.rbac.All()) {
    EXPECT_FALSE(StartsWithIgnoreCase(a.scope, vault)) << a.id;
  }
  // The subscription-level Owner assignments stay.
  EXPECT_FALSE(cloud_.rbac.List(Sub(customer_), customer_.admin_user_object_id, false).empty());
}

TEST_F(ResourceManagerTest, CallerFromAnotherTenantIsWrongTokenTenant) {
  auto r = cloud_.resources.Put(provider_admin_, CustomerGroup(), {{"location", "westus"}});
  ASSERT_FALSE(r.ok());
  ExpectArmError(r.error(), 401, "InvalidAuthenticationTokenTenant");
  auto g = cloud_.resources.GetSubscription(provider_admin_, customer_.subscription_id);
  ASSERT_FALSE(g.ok());
  ExpectArmError(g.error(), 401, "InvalidAuthenticationTokenTenant");
  // And the provider admin does not even see the customer's subscription.
  for (const auto& s : cloud_.resources.ListSubscriptions(provider_admin_)) {
    EXPECT_NE(s.subscription_id, customer_.subscription_id);
  }
}

TEST_F(ResourceManagerTest, CallerWithoutRoleIsAuthorizationFailed) {
  std::string vault = CreateCustomerVault("kvauth", false);
  graph::User user;
  user.user_principal_name = "nobody@customer.test";
  user.password = "x";
  auto nobody = cloud_.directory.AddUser(customer_.tenant_id, user);
  ASSERT_TRUE(nobody.ok());
  ArmCaller caller{customer_.tenant_id, nobody->object_id, nobody->user_principal_name};

  auto r = cloud_.resources.Put(caller, Sub(customer_) + "/resourceGroups/mine", {{"location", "westus"}});
  ASSERT_FALSE(r.ok());
  ExpectArmError(r.error(), 403, "AuthorizationFailed");
  EXPECT_NE(r.error().message.find("Microsoft.Resources/subscriptions/resourceGroups/write"), std::string::npos)
      << r.error().message;
  auto g = cloud_.resources.Get(caller, vault);
  ASSERT_FALSE(g.ok());
  ExpectArmError(g.error(), 403, "AuthorizationFailed");
  auto ra = cloud_.resources.PutRoleAssignment(caller, vault, NewGuid(), Assignment(kCryptoOfficer, nobody->object_id));
  ASSERT_FALSE(ra.ok());
  ExpectArmError(ra.error(), 403, "AuthorizationFailed");

  // Reader at the group: reads pass, writes do not.
  ASSERT_TRUE(
      cloud_.resources
          .PutRoleAssignment(customer_admin_, CustomerGroup(), NewGuid(), Assignment(kReader, nobody->object_id))
          .ok());
  EXPECT_TRUE(cloud_.resources.Get(caller, vault).ok());
  auto w = cloud_.resources.Put(caller, vault, VaultBody(customer_, false));
  ASSERT_FALSE(w.ok());
  ExpectArmError(w.error(), 403, "AuthorizationFailed");

  // A data-plane role gives no control-plane rights.
  ASSERT_TRUE(cloud_.resources
                  .PutRoleAssignment(customer_admin_, vault, NewGuid(), Assignment(kCryptoOfficer, nobody->object_id))
                  .ok());
  EXPECT_FALSE(cloud_.resources.Delete(caller, vault).ok());
}

}  // namespace
}  // namespace crosskey::arm
