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

// Every revocation path against the state machine: what breaks, when (key paths at the first
// check, identity paths only once the cached exchanged token expires), with which cause, and
// whether undoing it heals the consumer at the next check.
struct PathCase {
  const char* name;
  bool identity;       // bites only after the cached token expires
  const char* cause;   // text in the platform's last error
  bool recovers;
};

class RevocationPathTest : public ConsumerEngineTest, public ::testing::WithParamInterface<PathCase> {
 protected:
  keyvault::KvCaller Officer() const { return Caller(customer_.tenant_id, customer_.admin_user_object_id); }
  void Revoke(const std::string& path) {
    keyvault::KeyUpdate u;
    if (path == "key-disabled") {
      u.enabled = false;
      ASSERT_TRUE(cloud_.keyvault.UpdateKey("cmkvault", Officer(), "cmk", "", u).ok());
    } else if (path == "key-expired") {
      u.expires = cloud_.clock.Now();
      ASSERT_TRUE(cloud_.keyvault.UpdateKey("cmkvault", Officer(), "cmk", "", u).ok());
    } else if (path == "key-deleted" || path == "key-purged") {
      ASSERT_TRUE(cloud_.keyvault.DeleteKey("cmkvault", Officer(), "cmk").ok());
      if (path == "key-purged") {
        EXPECT_FALSE(cloud_.keyvault.PurgeDeletedKey("cmkvault", Officer(), "cmk").ok());  // purge protection
        cloud_.clock.Advance(90 * 86400);
        ASSERT_TRUE(cloud_.keyvault.PurgeDeletedKey("cmkvault", Officer(), "cmk").ok());
      }
    } else if (path == "role-removed") {
      ASSERT_TRUE(cloud_.resources.DeleteRoleAssignment(customer_admin_, vault_id_, sp_assignment_).ok());
    } else if (path == "sp-disabled") {
      ASSERT_TRUE(cloud_.directory.SetServicePrincipalEnabled(customer_.tenant_id, customer_sp_.object_id, false).ok());
    } else if (path == "sp-deleted") {
      ASSERT_TRUE(cloud_.directory.DeleteServicePrincipal(customer_.tenant_id, customer_sp_.object_id).ok());
    } else if (path == "fic-removed") {
      ASSERT_TRUE(cloud_.directory.DeleteFederatedCredential(provider_.tenant_id, app_.object_id, "customer-cmk").ok());
    } else if (path == "uami-deleted") {
      ASSERT_TRUE(cloud_.resources.Delete(arm::ArmCaller{}, uami_id_).ok());
    }
  }
  void Restore(const std::string& path) {
    keyvault::KeyUpdate u;
    if (path == "key-disabled") {
      u.enabled = true;
      ASSERT_TRUE(cloud_.keyvault.UpdateKey("cmkvault", Officer(), "cmk", "", u).ok());
    } else if (path == "key-expired") {
      u.expires = cloud_.clock.Now() + 86400;
      ASSERT_TRUE(cloud_.keyvault.UpdateKey("cmkvault", Officer(), "cmk", "", u).ok());
    } else if (path == "key-deleted") {
      ASSERT_TRUE(cloud_.keyvault.RecoverDeletedKey("cmkvault", Officer(), "cmk").ok());
    } else if (path == "key-purged") {
      keyvault::CreateKeyParams rsa;
      rsa.kty = "RSA";
      ASSERT_TRUE(cloud_.keyvault.CreateKey("cmkvault", Officer(), "cmk", rsa).ok());  // new material
    } else if (path == "role-removed") {
      ASSERT_TRUE(cloud_.resources.PutRoleAssignment(customer_admin_, vault_id_, sp_assignment_,
                      RoleAssignmentBody(kEncryptionUser, customer_sp_.object_id, "ServicePrincipal")).ok());
    } else if (path == "sp-disabled") {
      ASSERT_TRUE(cloud_.directory.SetServicePrincipalEnabled(customer_.tenant_id, customer_sp_.object_id, true).ok());
    } else if (path == "sp-deleted") {
      auto sp = cloud_.directory.CreateServicePrincipal(customer_.tenant_id, app_.app_id);
      ASSERT_TRUE(sp.ok());
      ASSERT_TRUE(cloud_.resources.PutRoleAssignment(customer_admin_, vault_id_, NewGuid(),
                      RoleAssignmentBody(kEncryptionUser, sp->object_id, "ServicePrincipal")).ok());
    } else if (path == "fic-removed") {
      ASSERT_TRUE(cloud_.directory.AddFederatedCredential(provider_.tenant_id, app_.object_id, UamiFic(uami_principal_)).ok());
    } else if (path == "uami-deleted") {
      // A new UAMI of the same name has a new principal and client id: re-point the FIC and
      // PUT the consumer again.
      auto uami = cloud_.resources.Put(arm::ArmCaller{}, uami_id_, {{"location", "westus"}});
      ASSERT_TRUE(uami.ok());
      ASSERT_TRUE(cloud_.directory.DeleteFederatedCredential(provider_.tenant_id, app_.object_id, "customer-cmk").ok());
      ASSERT_TRUE(cloud_.directory
                      .AddFederatedCredential(provider_.tenant_id, app_.object_id,
                                              UamiFic(uami->body["properties"]["principalId"].get<std::string>()))
                      .ok());
      auto put = cloud_.resources.Put(arm::ArmCaller{}, StorageId(), StorageBody());
      ASSERT_TRUE(put.ok()) << put.error().message;
    }
  }
  std::string Cause() {
    json states = cloud_.consumers.States(false);
    for (const auto& c : states["value"]) {
      if (c["name"] == "acct1" && c.contains("error")) return c["error"].dump();
    }
    return "";
  }
};

TEST_P(RevocationPathTest, BreaksWhenItShouldAndHealsWhenUndone) {
  const PathCase& pc = GetParam();
  ASSERT_TRUE(cloud_.consumers.UpdateSettings({{"storage", {{"checkIntervalSeconds", 600}}}}).ok());
  ASSERT_TRUE(cloud_.resources.Put(arm::ArmCaller{}, StorageId(), StorageBody()).ok());
  ASSERT_TRUE(cloud_.consumers.WriteData("storage", "acct1", "a", "secret").ok());
  int64_t start = cloud_.clock.Now();
  Revoke(pc.name);
  if (std::string(pc.name) == "key-purged") start = cloud_.clock.Now() - 600;  // the purge waited out retention
  else EXPECT_EQ(State(StorageId()), "Healthy");  // no check yet
  cloud_.clock.Set(start + 601);
  if (pc.identity) {
    EXPECT_EQ(State(StorageId()), "Healthy") << "the cached token still works";
    cloud_.clock.Set(start + 3601);
  }
  EXPECT_EQ(State(StorageId()), "Inaccessible");
  EXPECT_NE(Cause().find(pc.cause), std::string::npos) << Cause();
  auto read = cloud_.consumers.ReadData("storage", "acct1", "a");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, pc.identity ? "KeyVaultAccessTokenCannotBeAcquired" : "KeyVaultEncryptionKeyNotFound");
  Restore(pc.name);
  cloud_.clock.Advance(601);
  EXPECT_EQ(State(StorageId()), pc.recovers ? "Healthy" : "Inaccessible");
  auto again = cloud_.consumers.ReadData("storage", "acct1", "a");
  EXPECT_EQ(again.ok(), pc.recovers);
  if (pc.recovers && again.ok()) EXPECT_EQ(*again, "secret");
}

INSTANTIATE_TEST_SUITE_P(
    EightPaths, RevocationPathTest,
    ::testing::Values(PathCase{"key-disabled", false, "KeyDisabled", true},
                      PathCase{"key-deleted", false, "KeyNotFound", true},
                      PathCase{"key-purged", false, "KeyNotFound", false},
                      PathCase{"key-expired", false, "KeyExpired", true},
                      PathCase{"role-removed", false, "ForbiddenByRbac", true},
                      PathCase{"sp-disabled", true, "AADSTS7000112", true},
                      PathCase{"sp-deleted", true, "AADSTS700016", true},
                      PathCase{"fic-removed", true, "AADSTS700211", true},
                      PathCase{"uami-deleted", true, "Identity not found", true}),
    [](const auto& info) {
      std::string n = info.param.name;
      for (char& c : n) if (c == '-') c = '_';
      return n;
    });

}  // namespace
}  // namespace crosskey
