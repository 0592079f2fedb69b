#include "emulator/cloud/cloud.h"

#include "emulator/common/text.h"
#include "emulator/crypto/encoding.h"

namespace crosskey {

Cloud::Cloud(CloudConfig config)
    : tokens(&directory, &signing_keys, &clock, config.domain),
      validator(&signing_keys, &clock, config.domain),
      resources(&directory, &rbac, &clock, [this](const std::string& name) { return VaultUrl(name) + "/"; }),
      keyvault(&resources, &rbac, &clock),
      consumers(&clock, &tokens, &validator, &resources, &keyvault, &audit, config.domain,
                [this] { return port_.load(); }),
      blobs(&consumers, &rbac, &resources, &clock),
      config_(std::move(config)),
      port_(config_.https_port) {
  keyvault.set_backup_key(crypto::RandomBytes(32));
  keyvault.set_audit_log(&audit);
  resources.set_extension(&consumers);
  tokens.set_identity_fic_lookup([this](const std::string& tenant, const std::string& client_id) {
    return resources.IdentityFederatedCredentials(tenant, client_id);
  });
  resources.set_vault_purged_hook([this](const std::string& instance) { keyvault.ForgetVault(instance); });
}

std::string Cloud::VaultUrl(const std::string& vault) const {
  int port = port_.load();
  std::string url = "https://" + ToLower(vault) + ".vault." + config_.domain;
  if (port != 443) url += ":" + std::to_string(port);
  return url;
}

std::string Cloud::VaultResource(bool with_port) const {
  std::string r = "https://vault." + config_.domain;
  if (with_port && port_.load() != 443) r += ":" + std::to_string(port_.load());
  return r;
}

StatusOr<BootstrapTenant> Cloud::AddFixtureTenant(const std::string& name, const std::string& domain) {
  const std::string& seed = config_.seed;
  BootstrapTenant b;
  b.name = name;
  b.tenant_id = GuidFromName(seed, "tenant/" + name);
  b.subscription_id = GuidFromName(seed, "subscription/" + name);
  CK_RETURN_IF_ERROR(directory.AddTenant({b.tenant_id, name, name == "provider" ? "Provider (SaaS)" : "Customer",
                                          domain, {}}));
  graph::User admin;
  admin.object_id = GuidFromName(seed, "user/admin/" + name);
  admin.user_principal_name = "admin@" + domain;
  admin.display_name = "Admin (" + name + ")";
  admin.password = "Ck-" + crypto::Base64UrlEncode(crypto::Sha256(seed + "/password/" + name)).substr(0, 16) + "!";
  admin.global_admin = true;
  CK_ASSIGN_OR_RETURN(auto user, directory.AddUser(b.tenant_id, admin));
  b.admin_username = user.user_principal_name;
  b.admin_password = user.password;
  b.admin_user_object_id = user.object_id;

  graph::NewApplication app_spec;
  app_spec.display_name = "crosskey-admin-" + name;
  app_spec.app_id = GuidFromName(seed, "app/admin/" + name);
  app_spec.object_id = GuidFromName(seed, "appobject/admin/" + name);
  CK_ASSIGN_OR_RETURN(auto app, directory.CreateApplication(b.tenant_id, app_spec));
  graph::NewPassword pw;
  pw.display_name = "bootstrap";
  pw.secret = "ck~" + crypto::Base64UrlEncode(crypto::Sha256(seed + "/secret/" + name)).substr(0, 34);
  CK_ASSIGN_OR_RETURN(auto secret, directory.AddPassword(b.tenant_id, app.object_id, pw));
  CK_ASSIGN_OR_RETURN(auto sp, directory.CreateServicePrincipal(b.tenant_id, app.app_id,
                                                                GuidFromName(seed, "sp/admin/" + name)));
  CK_RETURN_IF_ERROR(directory.SetServicePrincipalAdmin(b.tenant_id, sp.object_id, true));
  b.admin_app_id = app.app_id;
  b.admin_app_secret = secret.secret_text;
  b.admin_app_object_id = app.object_id;
  b.admin_sp_object_id = sp.object_id;

  CK_RETURN_IF_ERROR(resources.AddSubscription({b.subscription_id, b.tenant_id, name + "-subscription"}));
  const std::string owner = "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
  arm::ArmCaller system;
  for (const auto& [principal, type] : {std::pair{user.object_id, "User"}, std::pair{sp.object_id, "ServicePrincipal"}}) {
    nlohmann::json body = {{"properties", {{"roleDefinitionId", owner}, {"principalId", principal}, {"principalType", type}}}};
    auto assigned = resources.PutRoleAssignment(system, "/subscriptions/" + b.subscription_id,
                                                GuidFromName(seed, "ra/owner/" + name + "/" + principal), body);
    if (!assigned.ok()) return assigned.error();
  }
  return b;
}

Status Cloud::LoadDefaultFixture() {
  for (const auto& [name, domain] : {std::pair{"provider", "provider.test"}, std::pair{"customer", "customer.test"}}) {
    CK_ASSIGN_OR_RETURN(auto b, AddFixtureTenant(name, domain));
    bootstrap_.push_back(b);
  }
  return Status::Ok();
}

}  // namespace crosskey
