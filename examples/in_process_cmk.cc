// Cross-tenant customer-managed keys, in-process: link crosskey_core and drive the fake cloud
// directly, no sockets. Phase 1 (provider), phase 2 (customer), phase 3 (workload wraps a
// key with the customer's vault), then one revocation. Exits 0 when every step behaves.
#include <cstdio>
#include <string>

#include "emulator/cloud/cloud.h"
#include "emulator/common/text.h"
#include "emulator/crypto/encoding.h"
#include "emulator/token/audience.h"

using namespace crosskey;  // NOLINT(build/namespaces): an example, kept short
using json = nlohmann::json;

namespace {
// Prints the step, and on failure the error, returning whether it succeeded.
bool Step(const char* what, bool ok, const std::string& error = "") {
  std::printf("%s %s%s%s\n", ok ? "[ok]  " : "[FAIL]", what, ok ? "" : ": ", ok ? "" : error.c_str());
  return ok;
}
// Runs one core call (Status or StatusOr); on failure prints its error and leaves main with 1.
#define CHECK_STEP(what, expr)                                             \
  do {                                                                     \
    auto&& r_ = (expr);                                                    \
    if (!Step(what, r_.ok(), r_.ok() ? "" : r_.error().message)) return 1; \
  } while (0)
// The caller Key Vault sees: tenant and object id from a validated token (app id, issuer optional).
keyvault::KvCaller Caller(const std::string& tenant_id, const std::string& object_id,
                          const std::string& app_id = "", const std::string& issuer = "") {
  keyvault::KvCaller caller;
  caller.tenant_id = tenant_id;
  caller.object_id = object_id;
  caller.app_id = app_id;
  caller.issuer = issuer;
  return caller;
}
json Role(const std::string& guid, const std::string& principal) {
  return {{"properties", {{"roleDefinitionId", "/providers/Microsoft.Authorization/roleDefinitions/" + guid},
                          {"principalId", principal}}}};
}
}  // namespace

int main() {
  Cloud cloud(CloudConfig{});
  CHECK_STEP("load two tenants (provider, customer) with admins", cloud.LoadDefaultFixture());
  const BootstrapTenant& p = cloud.bootstrap()[0];
  const BootstrapTenant& c = cloud.bootstrap()[1];
  arm::ArmCaller provider_admin{p.tenant_id, p.admin_user_object_id, p.admin_username};
  arm::ArmCaller customer_admin{c.tenant_id, c.admin_user_object_id, c.admin_username};

  // Phase 1, provider tenant: multi-tenant app + user-assigned identity + FIC trusting it.
  auto app = cloud.directory.CreateApplication(p.tenant_id, {"saas-cmk", "AzureADMultipleOrgs", "", ""});
  CHECK_STEP("provider: multi-tenant app", app);
  std::string rg = "/subscriptions/" + p.subscription_id + "/resourceGroups/saas";
  CHECK_STEP("provider: resource group", cloud.resources.Put(provider_admin, rg, {{"location", "westus"}}));
  auto uami = cloud.resources.Put(provider_admin, rg + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi",
                                  {{"location", "westus"}});
  CHECK_STEP("provider: user-assigned managed identity", uami);
  std::string mi_client = uami->body["properties"]["clientId"];
  graph::FederatedCredential fic{"", "cmk", token::V2Issuer(p.tenant_id),
                                 uami->body["properties"]["principalId"], "", {"api://AzureADTokenExchange"}};
  CHECK_STEP("provider: FIC on the app", cloud.directory.AddFederatedCredential(p.tenant_id, app->object_id, fic));

  // Phase 2, customer tenant: SP for the app, RBAC vault, role assignments, an RSA key.
  auto sp = cloud.directory.CreateServicePrincipal(c.tenant_id, app->app_id);
  CHECK_STEP("customer: service principal for the provider's appId", sp);
  std::string vault_id = "/subscriptions/" + c.subscription_id + "/resourceGroups/cmk";
  CHECK_STEP("customer: resource group", cloud.resources.Put(customer_admin, vault_id, {{"location", "westus"}}));
  vault_id += "/providers/Microsoft.KeyVault/vaults/cmkvault";
  json props = {{"tenantId", c.tenant_id}, {"sku", {{"family", "A"}, {"name", "standard"}}},
                {"enableRbacAuthorization", true}, {"enablePurgeProtection", true}};
  CHECK_STEP("customer: key vault (RBAC, purge protection)",
             cloud.resources.Put(customer_admin, vault_id, {{"location", "westus"}, {"properties", props}}));
  CHECK_STEP("customer: Crypto Officer for the admin",
             cloud.resources.PutRoleAssignment(customer_admin, vault_id, NewGuid(),
                                               Role("14b46e9e-c2b7-41b4-b07b-48a6ebf60603", c.admin_user_object_id)));
  std::string assignment = NewGuid();
  CHECK_STEP("customer: Crypto Service Encryption User for the app's SP",
             cloud.resources.PutRoleAssignment(customer_admin, vault_id, assignment,
                                               Role("e147488a-f6f5-4113-8e2d-b22465e65bf6", sp->object_id)));
  keyvault::KvCaller officer = Caller(c.tenant_id, c.admin_user_object_id);
  keyvault::CreateKeyParams rsa;
  rsa.kty = "RSA";
  rsa.key_size = 3072;
  CHECK_STEP("customer: RSA-3072 key 'cmk'", cloud.keyvault.CreateKey("cmkvault", officer, "cmk", rsa));

  // Phase 3, provider workload: UAMI token -> exchanged at the CUSTOMER tenant -> Key Vault.
  auto mi = cloud.tokens.ManagedIdentityToken(mi_client, "", "", "api://AzureADTokenExchange");
  CHECK_STEP("workload: managed-identity token for api://AzureADTokenExchange", mi);
  token::TokenForm form = {{"grant_type", "client_credentials"}, {"client_id", app->app_id},
                           {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                           {"client_assertion", mi->access_token}, {"scope", "https://vault.azure.net/.default"}};
  auto exchanged = cloud.tokens.Token(c.tenant_id, form, /*v1=*/false);
  CHECK_STEP("workload: federated exchange at the customer tenant", exchanged);
  auto claims = cloud.validator.Validate(exchanged->access_token, token::Api::kKeyVault);
  bool valid = claims.ok() && claims.token.tenant_id == c.tenant_id;
  if (!Step("workload: token validates for Key Vault, issued by the customer", valid, claims.detail)) return 1;
  auto workload = Caller(claims.token.tenant_id, claims.token.object_id, claims.token.app_id, claims.token.issuer);
  const std::string cek = crypto::RandomBytes(32);
  auto wrapped = cloud.keyvault.Crypt("cmkvault", workload, "cmk", "", "wrapKey", "RSA-OAEP-256", cek, {});
  CHECK_STEP("workload: wrapKey", wrapped);
  auto unwrapped = cloud.keyvault.Crypt("cmkvault", workload, "cmk", "", "unwrapKey", "RSA-OAEP-256",
                                        wrapped->output.value, {});
  CHECK_STEP("workload: unwrapKey", unwrapped);
  if (!Step("workload: unwrapped key equals the original", unwrapped->output.value == cek)) return 1;

  // Revocation: the customer removes the role assignment; the next unwrap is refused.
  CHECK_STEP("customer: remove the app's role assignment",
             cloud.resources.DeleteRoleAssignment(customer_admin, vault_id, assignment));
  auto refused = cloud.keyvault.Crypt("cmkvault", workload, "cmk", "", "unwrapKey", "RSA-OAEP-256",
                                      wrapped->output.value, {});
  bool revoked = !refused.ok() && refused.error().inner_code == "ForbiddenByRbac";
  if (!Step("workload: unwrapKey now refused with ForbiddenByRbac", revoked)) return 1;
  std::printf("cross-tenant CMK flow complete\n");
  return 0;
}
