// A purged vault's keys leave the Key Vault core (and the state document) for good; a soft-
// deleted vault keeps them for its recovery.
#include <gtest/gtest.h>

#include "cmk_chain_test_base.h"

namespace crosskey {
namespace {

using test::Caller;
using test::CmkChainTest;
using json = nlohmann::json;

class VaultPurgeTest : public CmkChainTest {
 protected:
  size_t VaultsInState() { return cloud_.keyvault.ExportState()["vaults"].size(); }
};

TEST_F(VaultPurgeTest, PurgingAVaultDropsItsKeys) {
  std::string group = "/subscriptions/" + customer_.subscription_id + "/resourceGroups/cmk";
  std::string id = group + "/providers/Microsoft.KeyVault/vaults/shortlived";
  json vault = {{"location", "westus"},
                {"properties",
                 {{"tenantId", customer_.tenant_id}, {"sku", {{"family", "A"}, {"name", "standard"}}},
                  {"enableRbacAuthorization", true}}}};
  ASSERT_TRUE(cloud_.resources.Put(customer_admin_, id, vault).ok());
  ASSERT_TRUE(cloud_.resources.PutRoleAssignment(customer_admin_, id, NewGuid(),
                  test::RoleAssignmentBody(test::kCryptoOfficer, customer_.admin_user_object_id, "User")).ok());
  keyvault::CreateKeyParams oct;
  oct.kty = "oct-HSM";
  oct.key_size = 256;
  ASSERT_TRUE(cloud_.keyvault.CreateKey("shortlived", Caller(customer_.tenant_id, customer_.admin_user_object_id), "k", oct).ok());
  size_t with_vault = VaultsInState();

  ASSERT_TRUE(cloud_.resources.Delete(customer_admin_, id).ok());
  EXPECT_EQ(VaultsInState(), with_vault);  // soft-deleted: recoverable with its keys
  ASSERT_TRUE(cloud_.resources.PurgeDeletedVault(customer_admin_, customer_.subscription_id, "shortlived").ok());
  EXPECT_EQ(VaultsInState(), with_vault - 1);

  // The name is free again, and the new vault starts empty (its role assignments went with
  // the old one).
  ASSERT_TRUE(cloud_.resources.Put(customer_admin_, id, vault).ok());
  ASSERT_TRUE(cloud_.resources.PutRoleAssignment(customer_admin_, id, NewGuid(),
                  test::RoleAssignmentBody(test::kCryptoOfficer, customer_.admin_user_object_id, "User")).ok());
  auto listed = cloud_.keyvault.ListKeys("shortlived", Caller(customer_.tenant_id, customer_.admin_user_object_id));
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  EXPECT_TRUE(listed->empty());
}

}  // namespace
}  // namespace crosskey
