#pragma once
// Test base shared by the in-process suites: a Cloud with the default fixture and the seeds'
// phases 1 and 2 done through the core API alone (provider app + UAMI + FIC; the app's service
// principal in the customer tenant, an RBAC vault with purge protection, Crypto Officer for the
// customer admin, Crypto Service Encryption User for the app, an RSA-3072 key "cmk").
#include <gtest/gtest.h>

#include "emulator/cloud/cloud.h"
#include "emulator/common/text.h"
#include "emulator/crypto/encoding.h"
#include "emulator/token/audience.h"

namespace crosskey::test {

using json = nlohmann::json;

inline constexpr const char* kExchange = "api://AzureADTokenExchange";
inline constexpr const char* kCryptoOfficer = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";
inline constexpr const char* kEncryptionUser = "e147488a-f6f5-4113-8e2d-b22465e65bf6";

inline json RoleAssignmentBody(const std::string& role_guid, const std::string& principal, const std::string& type) {
  return {{"properties",
           {{"roleDefinitionId", "/providers/Microsoft.Authorization/roleDefinitions/" + std::string(role_guid)},
            {"principalId", principal},
            {"principalType", type}}}};
}

// A Key Vault caller as the data plane builds it from a validated token's claims.
inline keyvault::KvCaller Caller(const std::string& tenant_id, const std::string& object_id,
                            const std::string& app_id = "", const std::string& issuer = "") {
  keyvault::KvCaller caller;
  caller.tenant_id = tenant_id;
  caller.object_id = object_id;
  caller.app_id = app_id;
  caller.issuer = issuer;
  return caller;
}

class CmkChainTest : public ::testing::Test {
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
    ASSERT_TRUE(cloud_.directory.AddFederatedCredential(provider_.tenant_id, app_.object_id, UamiFic(uami_principal_)).ok());

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

 protected:
  // The app's FIC trusting a UAMI's principal id ("customer-cmk").
  graph::FederatedCredential UamiFic(const std::string& principal_id) const {
    graph::FederatedCredential fic;
    fic.name = "customer-cmk";
    fic.issuer = token::V2Issuer(provider_.tenant_id);
    fic.subject = principal_id;
    fic.audiences = {kExchange};
    return fic;
  }
  // Storage account "acct1" in the provider's group, encrypted with the customer's key
  // (versionless) through the UAMI and the app.
  std::string StorageId() const {
    return "/subscriptions/" + provider_.subscription_id +
           "/resourceGroups/saas/providers/Microsoft.Storage/storageAccounts/acct1";
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

  Cloud cloud_{CloudConfig{}};
  BootstrapTenant provider_, customer_;
  arm::ArmCaller customer_admin_;
  graph::Application app_;
  graph::ServicePrincipal customer_sp_;
  std::string uami_id_, uami_principal_, uami_client_, vault_id_, sp_assignment_, key_version_;
};

}  // namespace crosskey::test
