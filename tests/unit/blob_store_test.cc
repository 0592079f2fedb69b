// The Blob data plane core (consumer/blob_store.h) in-process: containers and blobs sealed
// under the storage account's DEK, RBAC on the container scope, conditions, listing, the
// inaccessible-key gate and the state document.
#include "emulator/consumer/blob_store.h"

#include <gtest/gtest.h>

#include "cmk_chain_test_base.h"
#include "emulator/cloud/cloud.h"
#include "emulator/common/text.h"

namespace crosskey {
namespace {

using json = nlohmann::json;
using consumer::BlobCaller;
using consumer::BlobConditions;
using consumer::BlobService;
using consumer::BlobUpload;
using consumer::ListBlobsQuery;

constexpr const char* kBlobContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
constexpr const char* kBlobReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";

class BlobStoreTest : public test::CmkChainTest {
 protected:
  void SetUp() override {
    test::CmkChainTest::SetUp();
    auto put = cloud_.resources.Put(arm::ArmCaller{}, StorageId(), StorageBody());
    ASSERT_TRUE(put.ok()) << put.error().message;
    auto account = cloud_.blobs.Account("ACCT1");
    ASSERT_TRUE(account.ok());
    account_ = *account;
    owner_ = {provider_.tenant_id, provider_.admin_user_object_id, "", ""};
  }
  // A fresh principal of the provider tenant holding `role` on the account (none when empty).
  BlobCaller Principal(const std::string& role) {
    auto sp = cloud_.directory.CreateServicePrincipal(
        provider_.tenant_id,
        cloud_.directory.CreateApplication(provider_.tenant_id, {NewGuid(), "AzureADMyOrg", "", ""})->app_id);
    EXPECT_TRUE(sp.ok());
    if (!role.empty()) {
      arm::ArmCaller admin{provider_.tenant_id, provider_.admin_user_object_id, provider_.admin_username};
      auto ra = cloud_.resources.PutRoleAssignment(admin, StorageId(), NewGuid(),
                                                   test::RoleAssignmentBody(role, sp->object_id, "ServicePrincipal"));
      EXPECT_TRUE(ra.ok()) << ra.error().message;
    }
    return BlobCaller{provider_.tenant_id, sp->object_id, sp->app_id, ""};
  }
  BlobUpload Upload(const std::string& content) {
    BlobUpload u;
    u.content = content;
    return u;
  }

  consumer::BlobAccount account_;
  BlobCaller owner_;  // the provider admin user: Owner of the subscription (actions only)
};

TEST_F(BlobStoreTest, AccountIsFoundByNameWithItsTenant) {
  EXPECT_EQ(account_.name, "acct1");
  EXPECT_EQ(account_.tenant_id, provider_.tenant_id);
  EXPECT_EQ(cloud_.blobs.Account("nosuch").error().code, "ResourceNotFound");
}

TEST_F(BlobStoreTest, ContributorWritesReadsListsAndDeletes) {
  BlobCaller c = Principal(kBlobContributor);
  auto& blobs = cloud_.blobs;
  ASSERT_TRUE(blobs.CreateContainer(account_, c, "docs", {{"team", "a"}}, false).ok());
  EXPECT_EQ(blobs.CreateContainer(account_, c, "docs", {}, false).error().code, "ContainerAlreadyExists");
  EXPECT_EQ(blobs.CreateContainer(account_, c, "Docs", {}, false).error().code, "InvalidResourceName");
  EXPECT_EQ(blobs.CreateContainer(account_, c, "pub", {}, true).error().code, "PublicAccessNotPermitted");
  auto put = blobs.PutBlob(account_, c, "docs", "a/1.txt", Upload("one"));
  ASSERT_TRUE(put.ok()) << put.error().message;
  EXPECT_FALSE(c.authorized_by.empty());
  ASSERT_TRUE(blobs.PutBlob(account_, c, "docs", "a/2.txt", Upload("two")).ok());
  ASSERT_TRUE(blobs.PutBlob(account_, c, "docs", "b.txt", Upload("three")).ok());
  auto got = blobs.GetBlob(account_, c, "docs", "a/1.txt", {}, true);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->content, "one");
  EXPECT_EQ(got->properties.size, 3);
  EXPECT_EQ(got->properties.etag, put->properties.etag);
  EXPECT_EQ(got->properties.content_md5.size(), 16u);
  EXPECT_TRUE(got->properties.content.value.empty());  // a view never carries ciphertext

  auto all = blobs.ListBlobs(account_, c, "docs", {});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->blobs.size(), 3u);
  EXPECT_EQ(all->blobs[0].name, "a/1.txt");
  auto grouped = blobs.ListBlobs(account_, c, "docs", ListBlobsQuery{"", "/", "", 5000});
  ASSERT_TRUE(grouped.ok());
  EXPECT_EQ(grouped->prefixes, std::vector<std::string>{"a/"});
  ASSERT_EQ(grouped->blobs.size(), 1u);
  auto page = blobs.ListBlobs(account_, c, "docs", ListBlobsQuery{"a/", "", "", 1});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->blobs.size(), 1u);
  EXPECT_EQ(page->next_marker, "a/2.txt");
  auto next = blobs.ListBlobs(account_, c, "docs", ListBlobsQuery{"a/", "", page->next_marker, 1});
  ASSERT_EQ(next->blobs.size(), 1u);
  EXPECT_EQ(next->blobs[0].name, "a/2.txt");
  EXPECT_EQ(next->next_marker, "");

  ASSERT_TRUE(blobs.DeleteBlob(account_, c, "docs", "b.txt", {}).ok());
  EXPECT_EQ(blobs.GetBlob(account_, c, "docs", "b.txt", {}, false).error().code, "BlobNotFound");
  EXPECT_EQ(blobs.GetBlob(account_, c, "nodocs", "b.txt", {}, false).error().code, "ContainerNotFound");
  ASSERT_TRUE(blobs.DeleteContainer(account_, c, "docs").ok());
  EXPECT_EQ(blobs.GetContainer(account_, c, "docs").error().code, "ContainerNotFound");
}

TEST_F(BlobStoreTest, ConditionsAndContentMd5) {
  BlobCaller c = Principal(kBlobContributor);
  auto& blobs = cloud_.blobs;
  ASSERT_TRUE(blobs.CreateContainer(account_, c, "docs", {}, false).ok());
  BlobUpload create = Upload("v1");
  create.conditions.if_none_match = "*";
  auto v1 = blobs.PutBlob(account_, c, "docs", "x", create);
  ASSERT_TRUE(v1.ok());
  auto again = blobs.PutBlob(account_, c, "docs", "x", create);
  EXPECT_EQ(again.error().code, "ConditionNotMet");
  EXPECT_EQ(again.error().http_status, 412);
  BlobConditions stale{"\"0x8D000\"", ""};
  EXPECT_EQ(blobs.DeleteBlob(account_, c, "docs", "x", stale).error().http_status, 412);
  BlobConditions fresh{"", v1->properties.etag};
  EXPECT_EQ(blobs.GetBlob(account_, c, "docs", "x", fresh, true).error().http_status, 304);
  BlobUpload bad = Upload("v2");
  bad.content_md5 = std::string(16, '\0');
  EXPECT_EQ(blobs.PutBlob(account_, c, "docs", "x", bad).error().code, "Md5Mismatch");
}

TEST_F(BlobStoreTest, RolesDecideEachOperation) {
  auto& blobs = cloud_.blobs;
  BlobCaller writer = Principal(kBlobContributor);
  ASSERT_TRUE(blobs.CreateContainer(account_, writer, "docs", {}, false).ok());
  ASSERT_TRUE(blobs.PutBlob(account_, writer, "docs", "x", Upload("data")).ok());

  BlobCaller reader = Principal(kBlobReader);
  EXPECT_EQ(blobs.GetBlob(account_, reader, "docs", "x", {}, true)->content, "data");
  EXPECT_EQ(blobs.PutBlob(account_, reader, "docs", "y", Upload("no")).error().code, "AuthorizationPermissionMismatch");
  EXPECT_EQ(blobs.DeleteContainer(account_, reader, "docs").error().code, "AuthorizationPermissionMismatch");

  BlobCaller nobody = Principal("");
  auto refused = blobs.GetBlob(account_, nobody, "docs", "x", {}, true);
  EXPECT_EQ(refused.error().code, "AuthorizationPermissionMismatch");
  EXPECT_EQ(refused.error().http_status, 403);
  // Authorization comes before existence: no role learns nothing about containers.
  EXPECT_EQ(blobs.GetContainer(account_, nobody, "nothere").error().code, "AuthorizationPermissionMismatch");

  // Owner (actions "*", no dataActions) manages containers but cannot touch blob data.
  EXPECT_TRUE(blobs.CreateContainer(account_, owner_, "owned", {}, false).ok());
  EXPECT_EQ(blobs.PutBlob(account_, owner_, "owned", "x", Upload("no")).error().code,
            "AuthorizationPermissionMismatch");
}

TEST_F(BlobStoreTest, RevokedKeyRefusesTheOperationsThatNeedItUntilRestored) {
  BlobCaller c = Principal(kBlobContributor);
  auto& blobs = cloud_.blobs;
  ASSERT_TRUE(blobs.CreateContainer(account_, c, "docs", {}, false).ok());
  ASSERT_TRUE(blobs.PutBlob(account_, c, "docs", "x", Upload("secret")).ok());
  keyvault::KeyUpdate off;
  off.enabled = false;
  auto officer = test::Caller(customer_.tenant_id, customer_.admin_user_object_id);
  ASSERT_TRUE(cloud_.keyvault.UpdateKey("cmkvault", officer, "cmk", "", off).ok());
  cloud_.clock.Advance(3601);
  auto read = blobs.GetBlob(account_, c, "docs", "x", {}, true);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, "KeyVaultEncryptionKeyNotFound");
  EXPECT_EQ(read.error().http_status, 403);
  EXPECT_EQ(blobs.PutBlob(account_, c, "docs", "y", Upload("new")).error().code, "KeyVaultEncryptionKeyNotFound");
  ListBlobsQuery with_metadata;
  with_metadata.include_metadata = true;
  EXPECT_EQ(blobs.ListBlobs(account_, c, "docs", with_metadata).error().code, "KeyVaultEncryptionKeyNotFound");
  // The operations Azure does not list as needing the key proceed while it is revoked.
  EXPECT_TRUE(blobs.CreateContainer(account_, c, "more", {}, false).ok());
  ASSERT_TRUE(blobs.ListBlobs(account_, c, "docs", {}).ok());
  EXPECT_EQ(blobs.ListBlobs(account_, c, "docs", {})->blobs.size(), 1u);
  EXPECT_TRUE(blobs.DeleteContainer(account_, c, "more").ok());
  keyvault::KeyUpdate on;
  on.enabled = true;
  ASSERT_TRUE(cloud_.keyvault.UpdateKey("cmkvault", officer, "cmk", "", on).ok());
  cloud_.clock.Advance(3601);
  EXPECT_EQ(blobs.GetBlob(account_, c, "docs", "x", {}, true)->content, "secret");
}

TEST_F(BlobStoreTest, StateDocumentKeepsSealedBlobs) {
  BlobCaller c = Principal(kBlobContributor);
  ASSERT_TRUE(cloud_.blobs.CreateContainer(account_, c, "docs", {{"k", "v"}}, false).ok());
  ASSERT_TRUE(cloud_.blobs.PutBlob(account_, c, "docs", "x", Upload("plaintext-marker")).ok());
  json state = cloud_.ExportState();
  EXPECT_EQ(state.dump().find("plaintext-marker"), std::string::npos);
  Cloud restored{CloudConfig{}};
  auto imported = restored.ImportState(state);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  auto account = restored.blobs.Account("acct1");
  ASSERT_TRUE(account.ok());
  auto got = restored.blobs.GetBlob(*account, c, "docs", "x", {}, true);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->content, "plaintext-marker");
  EXPECT_EQ(restored.blobs.GetContainer(*account, c, "docs")->metadata.at("k"), "v");
}

TEST(BlobNamesTest, ContainerNamingRules) {
  EXPECT_TRUE(BlobService::ValidContainerName("abc"));
  EXPECT_TRUE(BlobService::ValidContainerName("a-b-1"));
  for (const char* bad : {"ab", "-ab", "ab-", "a--b", "aBc", "a_b", ""}) {
    EXPECT_FALSE(BlobService::ValidContainerName(bad)) << bad;
  }
  EXPECT_TRUE(BlobService::ValidContainerName(std::string(63, 'a')));
  EXPECT_FALSE(BlobService::ValidContainerName(std::string(64, 'a')));
}

}  // namespace
}  // namespace crosskey
