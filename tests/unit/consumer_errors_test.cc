// The consumers' documented error codes chosen by what failed: Cosmos DB's x-ms-substatus and
// SQL TDE's troubleshoot-tde codes.
#include <gtest/gtest.h>

#include "emulator/consumer/errors.h"

namespace crosskey::consumer {
namespace {

TEST(ConsumerErrorsTest, CosmosSubstatusFollowsTheCause) {
  using errors::cosmos::RevokedSubstatus;
  EXPECT_EQ(RevokedSubstatus("invalid_client: AADSTS700211: No matching federated identity record found").code, 4000);
  EXPECT_EQ(RevokedSubstatus("ManagedIdentityNotFound: gone").code, 4000);
  EXPECT_EQ(RevokedSubstatus("Forbidden/KeyDisabled: Operation get is not allowed on a disabled key.").code, 4002);
  EXPECT_EQ(RevokedSubstatus("Forbidden/ForbiddenByRbac: Caller is not authorized").code, 4002);
  EXPECT_EQ(RevokedSubstatus("KeyNotFound: A key with (name/id) k was not found").code, 4003);
  EXPECT_EQ(RevokedSubstatus("VaultNotFound: The vault does not exist").code, 4009);
  Error e = errors::cosmos::AccountRevoked("Forbidden/KeyDisabled: x");
  ASSERT_EQ(e.headers.size(), 1u);
  EXPECT_EQ(e.headers[0], (std::pair<std::string, std::string>{"x-ms-substatus", "4002"}));
}

TEST(ConsumerErrorsTest, SqlTdeCodesFollowTheCause) {
  using errors::sql::TdeProtectorInaccessible;
  EXPECT_EQ(TdeProtectorInaccessible("Forbidden/ForbiddenByRbac: no").code, "AzureKeyVaultMissingPermissions");
  EXPECT_EQ(TdeProtectorInaccessible("Forbidden/KeyDisabled: no").code, "AzureKeyVaultKeyDisabled");
  EXPECT_EQ(TdeProtectorInaccessible("Forbidden/KeyExpired: no").code, "AzureKeyVaultKeyDisabled");
  EXPECT_EQ(TdeProtectorInaccessible("KeyNotFound: no").code, "ServerKeyNotFound");
  EXPECT_EQ(TdeProtectorInaccessible("KeyNotFound: no").http_status, 404);
  EXPECT_EQ(TdeProtectorInaccessible("VaultNotFound: no").code, "AzureKeyVaultConnectionFailed");
  EXPECT_EQ(TdeProtectorInaccessible("invalid_client: AADSTS7000215").code, "AzureKeyVaultNoServerIdentity");
  EXPECT_TRUE(TdeProtectorInaccessible("KeyNotFound: no").operation_failure);
  EXPECT_FALSE(errors::sql::RevalidationFailed("KeyNotFound: no").operation_failure);
}

}  // namespace
}  // namespace crosskey::consumer
