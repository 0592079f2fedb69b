// The emulated CMK consumers (consumer/consumer_engine.h) driven in-process: PUT validation,
// the lazy health state machine on the emulator clock, the token cache that delays paths 6-8,
// and the data plane's inaccessible-key errors.
#include <gtest/gtest.h>

#include "emulator/cloud/cloud.h"
#include "emulator/common/text.h"
#include "emulator/consumer/consumer_engine.h"
#include "emulator/crypto/encoding.h"
#include "emulator/token/audience.h"

namespace crosskey {
namespace {

using json = nlohmann::json;

constexpr const char* kExchange = "api://AzureADTokenExchange";
constexpr const char* kCryptoOfficer = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";
constexpr const char* kEncryptionUser = "e147488a-f6f5-4113-8e2d-b22465e65bf6";

json RoleAssignmentBody(const std::string& role_guid, const std::string& principal, const std::string& type) {
  return {{"properties",
           {{"roleDefinitionId", "/providers/Microsoft.Authorization/roleDefinitions/" + std::string(role_guid)},
            {"principalId", principal},
            {"principalType", type}}}};
}

keyvault::KvCaller Caller(const std::string& tenant_id, const std::string& object_id) {
  keyvault::KvCaller caller;
  caller.tenant_id = tenant_id;
  caller.object_id = object_id;
  return caller;
}

class ConsumerEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cloud_.LoadDefaultFixture().ok());
    provider_ = cloud_.bootstrap()[0];
    customer_ = cloud_.bootstrap()[1];
    arm::ArmCaller provider_admin{provider_.tenant_id, provider_.admin_user_object_id, provider_.admin_username};
    arm::ArmCaller customer_admin{customer_.tenant_id, customer_.admin_user_object_id, customer_.admin_username};
    customer_admin_ = customer_admin;

    // Phase 1 (provider): multi-tenant app, UAMI, FIC trusting the UAMI.
    auto app = cloud_.directory.CreateApplication(provider_.tenant_id, {"saas-cmk", "AzureADMultipleOrgs", "", ""});
    ASSERT_TRUE(app.ok());
    app_ = *app;
    std::string provider_group = "/subscriptions/" + provider_.subscription_id + "/resourceGroups/saas";
    ASSERT_TRUE(cloud_.resources.Put(provider_admin, provider_group, {{"location", "westus"}}).ok());
    uami_id_ = provider_group + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/saas-workload";
    auto uami = cloud_.resources.Put(provider_admin, uami_id_, {{"location", "westus"}});
    ASSERT_TRUE(uami.ok()) << uami.error().message;
    uami_principal_ = uami->body["properties"]["principalId"];
    uami_client_ = uami->body["properties"]["clientId"];
    graph::FederatedCredential fic;
    fic.name = "customer-cmk";
    fic.issuer = token::V2Issuer(provider_.tenant_id);
    fic.subject = uami_principal_;
    fic.audiences = {kExchange};
    ASSERT_TRUE(cloud_.directory.AddFederatedCredential(provider_.tenant_id, app_.object_id, fic).ok());

    // Phase 2 (customer): SP for the app, group, RBAC vault with purge protection, roles, key.
    auto sp = cloud_.directory.CreateServicePrincipal(customer_.tenant_id, app_.app_id);
    ASSERT_TRUE(sp.ok());
    customer_sp_ = *sp;
    std::string customer_group = "/subscriptions/" + customer_.subscription_id + "/resourceGroups/cmk";
    ASSERT_TRUE(cloud_.resources.Put(customer_admin, customer_group, {{"location", "westus"}}).ok());
    vault_id_ = customer_group + "/providers/Microsoft.KeyVault/vaults/cmkvault";
    json vault = {{"location", "westus"},
                  {"properties",
                   {{"tenantId", customer_.tenant_id},
                    {"sku", {{"family", "A"}, {"name", "standard"}}},
                    {"enableRbacAuthorization", true},
                    {"enablePurgeProtection", true}}}};
    ASSERT_TRUE(cloud_.resources.Put(customer_admin, vault_id_, vault).ok());
    ASSERT_TRUE(cloud_.resources
                    .PutRoleAssignment(customer_admin, vault_id_, NewGuid(),
                                       RoleAssignmentBody(kCryptoOfficer, customer_.admin_user_object_id, "User"))
                    .ok());
    sp_assignment_ = NewGuid();
    auto ra = cloud_.resources.PutRoleAssignment(
        customer_admin, vault_id_, sp_assignment_,
        RoleAssignmentBody(kEncryptionUser, customer_sp_.object_id, "ServicePrincipal"));
    ASSERT_TRUE(ra.ok()) << ra.error().message;

    keyvault::KvCaller officer = Caller(customer_.tenant_id, customer_.admin_user_object_id);
    keyvault::CreateKeyParams rsa;
    rsa.kty = "RSA";
    rsa.key_size = 3072;
    auto key = cloud_.keyvault.CreateKey("cmkvault", officer, "cmk", rsa);
    ASSERT_TRUE(key.ok()) << key.error().message;
    key_version_ = (*key)->version;
  }

  json StorageBody() const {
    return {{"location", "westus"},
            {"identity", {{"type", "UserAssigned"}, {"userAssignedIdentities", {{uami_id_, json::object()}}}}},
            {"properties",
             {{"encryption",
               {{"keySource", "Microsoft.Keyvault"},
                {"keyvaultproperties", {{"keyvaulturi", cloud_.VaultUrl("cmkvault") + "/"}, {"keyname", "cmk"}}},
                {"identity", {{"userAssignedIdentity", uami_id_}, {"federatedIdentityClientId", app_.app_id}}}}}}}};
  }
  std::string State(const std::string& id) {
    auto got = cloud_.resources.Get(arm::ArmCaller{}, id);
    EXPECT_TRUE(got.ok());
    return got.ok() ? (*got)["properties"]["crosskeyCmkStatus"]["state"].get<std::string>() : "";
  }
  void SetKeyEnabled(bool enabled) {
    keyvault::KeyUpdate u;
    u.enabled = enabled;
    ASSERT_TRUE(cloud_.keyvault.UpdateKey("cmkvault", Caller(customer_.tenant_id, customer_.admin_user_object_id),
                                          "cmk", "", u).ok());
  }
  std::string StorageId() const {
    return "/subscriptions/" + provider_.subscription_id +
           "/resourceGroups/saas/providers/Microsoft.Storage/storageAccounts/acct1";
  }

  Cloud cloud_{CloudConfig{}};
  BootstrapTenant provider_, customer_;
  arm::ArmCaller customer_admin_;
  graph::Application app_;
  graph::ServicePrincipal customer_sp_;
  std::string uami_id_, uami_principal_, uami_client_, vault_id_, sp_assignment_, key_version_;
};

TEST(ParseKeyUrlTest, VersionedAndVersionless) {
  auto k = consumer::ParseKeyUrl("https://KV1.vault.crosskey.test:8443/keys/cmk/abc");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->vault, "kv1");
  EXPECT_EQ(k->name, "cmk");
  EXPECT_EQ(k->version, "abc");
  EXPECT_EQ(consumer::ParseKeyUrl("https://kv1.vault.crosskey.test/keys/cmk")->version, "");
  EXPECT_FALSE(consumer::ParseKeyUrl("https://kv1.vault.crosskey.test/secrets/cmk"));
  EXPECT_FALSE(consumer::ParseKeyUrl("http://kv1.vault.crosskey.test/keys/cmk"));
}

TEST_F(ConsumerEngineTest, KeyDisabledBreaksAtNextCheckAndRecovers) {
  auto put = cloud_.resources.Put(arm::ArmCaller{}, StorageId(), StorageBody());
  ASSERT_TRUE(put.ok()) << put.error().message;
  EXPECT_EQ(put->body["properties"]["encryption"]["keyvaultproperties"]["currentVersionedKeyIdentifier"],
            cloud_.VaultUrl("cmkvault") + "/keys/cmk/" + key_version_);
  ASSERT_TRUE(cloud_.consumers.WriteData("storage", "acct1", "a", "secret").ok());
  SetKeyEnabled(false);
  EXPECT_EQ(State(StorageId()), "Healthy");  // the next check is an hour away
  cloud_.clock.Advance(3600);
  EXPECT_EQ(State(StorageId()), "Inaccessible");
  auto read = cloud_.consumers.ReadData("storage", "acct1", "a");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, "KeyVaultEncryptionKeyNotFound");
  EXPECT_EQ(read.error().http_status, 403);
  SetKeyEnabled(true);
  EXPECT_EQ(State(StorageId()), "Inaccessible");  // until the next check
  cloud_.clock.Advance(3600);
  EXPECT_EQ(State(StorageId()), "Healthy");
  EXPECT_EQ(*cloud_.consumers.ReadData("storage", "acct1", "a"), "secret");
}

TEST_F(ConsumerEngineTest, DisabledServicePrincipalBitesOnlyAfterCachedTokenExpires) {
  ASSERT_TRUE(cloud_.consumers.UpdateSettings({{"storage", {{"checkIntervalSeconds", 600}}}}).ok());
  ASSERT_TRUE(cloud_.resources.Put(arm::ArmCaller{}, StorageId(), StorageBody()).ok());
  ASSERT_TRUE(cloud_.directory.SetServicePrincipalEnabled(customer_.tenant_id, customer_sp_.object_id, false).ok());
  cloud_.clock.Advance(600);
  EXPECT_EQ(State(StorageId()), "Healthy");  // checked with the cached token
  cloud_.clock.Advance(3000);                 // past the token's 3599 s
  EXPECT_EQ(State(StorageId()), "Inaccessible");
  auto read = cloud_.consumers.ReadData("storage", "acct1", "a");
  EXPECT_EQ(read.error().code, "KeyVaultAccessTokenCannotBeAcquired");
  ASSERT_TRUE(cloud_.directory.SetServicePrincipalEnabled(customer_.tenant_id, customer_sp_.object_id, true).ok());
  cloud_.clock.Advance(600);
  EXPECT_EQ(State(StorageId()), "Healthy");
}

TEST_F(ConsumerEngineTest, PutRefusedWhenRoleMissingAndCosmosUriMustBeVersionless) {
  ASSERT_TRUE(cloud_.resources.DeleteRoleAssignment(customer_admin_, vault_id_, sp_assignment_).ok());
  auto put = cloud_.resources.Put(arm::ArmCaller{}, StorageId(), StorageBody());
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, "KeyVaultAuthenticationFailure");
  std::string cosmos = "/subscriptions/" + provider_.subscription_id +
                       "/resourceGroups/saas/providers/Microsoft.DocumentDB/databaseAccounts/cos1";
  json body = {{"location", "westus"},
               {"identity", {{"type", "UserAssigned"}, {"userAssignedIdentities", {{uami_id_, json::object()}}}}},
               {"properties",
                {{"keyVaultKeyUri", cloud_.VaultUrl("cmkvault") + "/keys/cmk/"},
                 {"defaultIdentity", "UserAssignedIdentity=" + uami_id_ + "&FederatedClientId=" + app_.app_id}}}};
  auto c = cloud_.resources.Put(arm::ArmCaller{}, cosmos, body);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().http_status, 400);
}

}  // namespace
}  // namespace crosskey
