// Rotation and rotation policies on a shifted emulator clock, and backup/restore sealing,
// through the core API alone.
#include <gtest/gtest.h>

#include "emulator/cloud/cloud.h"
#include "emulator/keyvault/errors.h"

namespace crosskey {
namespace {
using nlohmann::json;

class KeyRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cloud_.LoadDefaultFixture().ok());
    const auto& customer = cloud_.bootstrap()[1];
    arm::ArmCaller system;
    std::string group = "/subscriptions/" + customer.subscription_id + "/resourceGroups/rot";
    ASSERT_TRUE(cloud_.resources.Put(system, group, {{"location", "westus"}}).ok());
    auto vault = cloud_.resources.Put(system, group + "/providers/Microsoft.KeyVault/vaults/rotkv",
                                      {{"location", "westus"},
                                       {"properties", {{"tenantId", customer.tenant_id},
                                                       {"sku", {{"family", "A"}, {"name", "standard"}}},
                                                       {"enableRbacAuthorization", true}}}});
    ASSERT_TRUE(vault.ok()) << vault.error().message;
    keyvault::CreateKeyParams params;
    params.kty = "RSA";
    ASSERT_TRUE(cloud_.keyvault.CreateKey("rotkv", caller_, "cmk", params).ok());
  }

  std::string LatestVersion() {
    auto key = cloud_.keyvault.GetKey("rotkv", caller_, "cmk", "");
    EXPECT_TRUE(key.ok());
    return key.ok() ? (*key)->version : "";
  }

  Cloud cloud_{CloudConfig{}};
  keyvault::KvCaller caller_;  // the emulator itself: rotation policy semantics, not RBAC, under test
};

TEST_F(KeyRotationTest, DefaultPolicyNotifiesThirtyDaysBeforeExpiry) {
  auto policy = cloud_.keyvault.GetRotationPolicy("rotkv", caller_, "cmk");
  ASSERT_TRUE(policy.ok());
  const json& action = (*policy)["lifetimeActions"][0];
  EXPECT_EQ(action["action"]["type"], "Notify");
  EXPECT_EQ(action["trigger"]["timeBeforeExpiry"], "P30D");
}

TEST_F(KeyRotationTest, TimeAfterCreateRotatesWhenTheClockPassesIt) {
  std::string first = LatestVersion();
  json policy = {{"lifetimeActions", {{{"trigger", {{"timeAfterCreate", "P30D"}}}, {"action", {{"type", "Rotate"}}}}}},
                 {"attributes", {{"expiryTime", "P90D"}}}};
  ASSERT_TRUE(cloud_.keyvault.SetRotationPolicy("rotkv", caller_, "cmk", policy).ok());
  cloud_.clock.Advance(29 * 86400);
  EXPECT_EQ(LatestVersion(), first);
  cloud_.clock.Advance(2 * 86400);
  std::string second = LatestVersion();
  EXPECT_NE(second, first);
  auto key = cloud_.keyvault.GetKey("rotkv", caller_, "cmk", "");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ((*key)->attributes.expires - (*key)->attributes.created, 90 * 86400);
  // A jump of several periods catches up one version per period.
  cloud_.clock.Advance(61 * 86400);
  auto versions = cloud_.keyvault.ListVersions("rotkv", caller_, "cmk");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->size(), 4u);
}

TEST_F(KeyRotationTest, TimeBeforeExpiryRotatesAheadOfExp) {
  keyvault::KeyUpdate update;
  update.expires = cloud_.clock.Now() + 40 * 86400;
  ASSERT_TRUE(cloud_.keyvault.UpdateKey("rotkv", caller_, "cmk", "", update).ok());
  json policy = {{"lifetimeActions", {{{"trigger", {{"timeBeforeExpiry", "P10D"}}}, {"action", {{"type", "Rotate"}}}}}}};
  ASSERT_TRUE(cloud_.keyvault.SetRotationPolicy("rotkv", caller_, "cmk", policy).ok());
  std::string first = LatestVersion();
  cloud_.clock.Advance(29 * 86400);
  EXPECT_EQ(LatestVersion(), first);
  cloud_.clock.Advance(2 * 86400);
  EXPECT_NE(LatestVersion(), first);
}

TEST_F(KeyRotationTest, InvalidPoliciesAreRefused) {
  for (const json& bad : {json{{"lifetimeActions", {{{"trigger", {{"timeAfterCreate", "30 days"}}}, {"action", {{"type", "Rotate"}}}}}}},
                          json{{"lifetimeActions", {{{"trigger", {{"timeAfterCreate", "P1D"}}}, {"action", {{"type", "Explode"}}}}}}},
                          json{{"lifetimeActions", {{{"trigger", json::object()}, {"action", {{"type", "Rotate"}}}}}}}}) {
    auto r = cloud_.keyvault.SetRotationPolicy("rotkv", caller_, "cmk", bad);
    ASSERT_FALSE(r.ok()) << bad.dump();
    EXPECT_EQ(r.error().code, "BadParameter");
  }
}

TEST_F(KeyRotationTest, BackupIsSealedAndRestoresOnlyWithTheSameKey) {
  auto blob = cloud_.keyvault.BackupKey("rotkv", caller_, "cmk");
  ASSERT_TRUE(blob.ok());
  auto original = cloud_.keyvault.GetKey("rotkv", caller_, "cmk", "");
  ASSERT_TRUE(original.ok());
  EXPECT_EQ(blob->find((*original)->material->PublicJwk()["n"].get<std::string>()), std::string::npos);
  Cloud other{CloudConfig{}};
  ASSERT_TRUE(other.LoadDefaultFixture().ok());
  auto restored = other.keyvault.RestoreKey("rotkv", caller_, *blob);
  ASSERT_FALSE(restored.ok());  // no vault there, and another emulator's backup key anyway
}

}  // namespace
}  // namespace crosskey
