// The emulated CMK consumers (consumer/consumer_engine.h) driven in-process: PUT validation,
// the lazy health state machine on the emulator clock, the token cache that delays paths 6-8,
// and the data plane's inaccessible-key errors.
#include <gtest/gtest.h>

#include "cmk_chain_test_base.h"

#include "emulator/cloud/cloud.h"
#include "emulator/common/text.h"
#include "emulator/consumer/consumer_engine.h"
#include "emulator/crypto/encoding.h"
#include "emulator/token/audience.h"

namespace crosskey {
namespace {

using json = nlohmann::json;

using test::Caller;
using test::CmkChainTest;
using test::kCryptoOfficer;
using test::kEncryptionUser;
using test::kExchange;
using test::RoleAssignmentBody;

class ConsumerEngineTest : public CmkChainTest {
 protected:

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
