// The whole cross-tenant CMK flow (three phases) and its revocations, driven only through the
// public core API (crosskey::Cloud), as a C++ user linking crosskey_core would drive it.
#include <gtest/gtest.h>

#include "cmk_chain_test_base.h"

#include "emulator/cloud/cloud.h"
#include "emulator/common/text.h"
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

class InProcessFlowTest : public CmkChainTest {
 protected:

  // Phase 3 (provider workload): MI token -> exchange at the customer tenant -> validated
  // Key Vault token -> the caller Key Vault sees.
  StatusOr<keyvault::KvCaller> WorkloadCaller() const {
    CK_ASSIGN_OR_RETURN(auto mi, cloud_.tokens.ManagedIdentityToken(uami_client_, "", "", kExchange));
    token::TokenForm form = {{"grant_type", "client_credentials"},
                             {"client_id", app_.app_id},
                             {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                             {"client_assertion", mi.access_token},
                             {"scope", "https://vault.azure.net/.default"}};
    CK_ASSIGN_OR_RETURN(auto exchanged, cloud_.tokens.Token(customer_.tenant_id, form, false));
    auto v = cloud_.validator.Validate(exchanged.access_token, token::Api::kKeyVault);
    EXPECT_TRUE(v.ok()) << v.detail;
    return Caller(v.token.tenant_id, v.token.object_id, v.token.app_id, v.token.issuer);
  }
  StatusOr<std::string> WrapUnwrap(const keyvault::KvCaller& caller) {
    const std::string cek = crypto::RandomBytes(32);
    CK_ASSIGN_OR_RETURN(auto wrapped,
                        cloud_.keyvault.Crypt("cmkvault", caller, "cmk", "", "wrapKey", "RSA-OAEP-256", cek, {}));
    CK_ASSIGN_OR_RETURN(auto unwrapped, cloud_.keyvault.Crypt("cmkvault", caller, "cmk", "", "unwrapKey",
                                                              "RSA-OAEP-256", wrapped.output.value, {}));
    EXPECT_EQ(unwrapped.output.value, cek);
    EXPECT_EQ(wrapped.key->version, key_version_);
    return unwrapped.output.value;
  }
  static Error ExpectRefused(const StatusOr<std::string>& r) {
    EXPECT_FALSE(r.ok());
    return r.ok() ? Error{} : r.error();
  }

};

TEST_F(InProcessFlowTest, WorkloadWrapsAndUnwrapsWithTheCustomersKey) {
  auto caller = WorkloadCaller();
  ASSERT_TRUE(caller.ok()) << caller.error().message;
  EXPECT_EQ(caller->tenant_id, customer_.tenant_id);
  EXPECT_EQ(caller->object_id, customer_sp_.object_id);
  EXPECT_EQ(caller->app_id, app_.app_id);
  EXPECT_EQ(caller->issuer, token::V1Issuer(customer_.tenant_id));
  auto r = WrapUnwrap(*caller);
  EXPECT_TRUE(r.ok()) << r.error().message;
}

TEST_F(InProcessFlowTest, RemovingTheRoleAssignmentRevokesAndRestoringRestores) {
  auto caller = WorkloadCaller();
  ASSERT_TRUE(caller.ok());
  ASSERT_TRUE(WrapUnwrap(*caller).ok());

  ASSERT_TRUE(cloud_.resources.DeleteRoleAssignment(customer_admin_, vault_id_, sp_assignment_).ok());
  Error e = ExpectRefused(WrapUnwrap(*caller));
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.inner_code, "ForbiddenByRbac");

  ASSERT_TRUE(cloud_.resources
                  .PutRoleAssignment(customer_admin_, vault_id_, NewGuid(),
                                     RoleAssignmentBody(kEncryptionUser, customer_sp_.object_id, "ServicePrincipal"))
                  .ok());
  EXPECT_TRUE(WrapUnwrap(*caller).ok());
}

TEST_F(InProcessFlowTest, DisablingTheKeyRevokesAndEnablingRestores) {
  auto caller = WorkloadCaller();
  ASSERT_TRUE(caller.ok());
  keyvault::KvCaller officer = Caller(customer_.tenant_id, customer_.admin_user_object_id);
  keyvault::KeyUpdate update;
  update.enabled = false;
  ASSERT_TRUE(cloud_.keyvault.UpdateKey("cmkvault", officer, "cmk", "", update).ok());
  Error e = ExpectRefused(WrapUnwrap(*caller));
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.inner_code, "KeyDisabled");

  update.enabled = true;
  ASSERT_TRUE(cloud_.keyvault.UpdateKey("cmkvault", officer, "cmk", "", update).ok());
  EXPECT_TRUE(WrapUnwrap(*caller).ok());
}

TEST_F(InProcessFlowTest, DeletingTheKeyRevokesAndRecoveringRestores) {
  auto caller = WorkloadCaller();
  ASSERT_TRUE(caller.ok());
  keyvault::KvCaller officer = Caller(customer_.tenant_id, customer_.admin_user_object_id);
  ASSERT_TRUE(cloud_.keyvault.DeleteKey("cmkvault", officer, "cmk").ok());
  Error e = ExpectRefused(WrapUnwrap(*caller));
  EXPECT_EQ(e.http_status, 404);
  EXPECT_EQ(e.code, "KeyNotFound");
  ASSERT_TRUE(cloud_.keyvault.RecoverDeletedKey("cmkvault", officer, "cmk").ok());
  EXPECT_TRUE(WrapUnwrap(*caller).ok());
}

TEST_F(InProcessFlowTest, DisablingOrDeletingTheServicePrincipalStopsTheExchange) {
  ASSERT_TRUE(cloud_.directory.SetServicePrincipalEnabled(customer_.tenant_id, customer_sp_.object_id, false).ok());
  auto caller = WorkloadCaller();
  ASSERT_FALSE(caller.ok());
  EXPECT_EQ(caller.error().aadsts, std::vector<int>{7000112});
  ASSERT_TRUE(cloud_.directory.SetServicePrincipalEnabled(customer_.tenant_id, customer_sp_.object_id, true).ok());
  ASSERT_TRUE(WorkloadCaller().ok());

  ASSERT_TRUE(cloud_.directory.DeleteServicePrincipal(customer_.tenant_id, customer_sp_.object_id).ok());
  caller = WorkloadCaller();
  ASSERT_FALSE(caller.ok());
  EXPECT_EQ(caller.error().aadsts, std::vector<int>{700016});
}

TEST_F(InProcessFlowTest, RemovingTheFicOrTheUamiStopsTheExchange) {
  ASSERT_TRUE(cloud_.directory.DeleteFederatedCredential(provider_.tenant_id, app_.object_id, "customer-cmk").ok());
  auto caller = WorkloadCaller();
  ASSERT_FALSE(caller.ok());
  EXPECT_EQ(caller.error().aadsts, std::vector<int>{700211});

  ASSERT_TRUE(cloud_.resources.Delete(arm::ArmCaller{}, uami_id_).ok());
  caller = WorkloadCaller();
  ASSERT_FALSE(caller.ok());
  EXPECT_EQ(caller.error().http_status, 400);  // the MI endpoint no longer knows the identity
}

}  // namespace
}  // namespace crosskey
