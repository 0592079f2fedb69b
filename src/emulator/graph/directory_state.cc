// Directory state export/import: the whole directory as JSON, for snapshots and persistence.
#include <mutex>

#include "emulator/common/text.h"
#include "emulator/crypto/encoding.h"
#include "emulator/graph/directory.h"
#include "emulator/graph/errors.h"

namespace crosskey::graph {
namespace {
using nlohmann::json;

json AppJson(const Application& a) {
  json passwords = json::array(), keys = json::array(), fics = json::array();
  for (const auto& p : a.passwords) {
    passwords.push_back({{"keyId", p.key_id}, {"displayName", p.display_name},
                         {"secretSha256", crypto::HexEncode(p.secret_sha256)}, {"hint", p.hint}, {"start", p.start},
                         {"end", p.end}});
  }
  for (const auto& k : a.keys) {
    keys.push_back({{"keyId", k.key_id}, {"displayName", k.display_name}, {"key", k.key_b64der}, {"start", k.start},
                    {"end", k.end}});
  }
  for (const auto& f : a.federated_credentials) {
    fics.push_back({{"id", f.id}, {"name", f.name}, {"issuer", f.issuer}, {"subject", f.subject},
                    {"description", f.description}, {"audiences", f.audiences}});
  }
  return {{"objectId", a.object_id}, {"appId", a.app_id}, {"displayName", a.display_name},
          {"signInAudience", a.sign_in_audience}, {"homeTenantId", a.home_tenant_id}, {"created", a.created},
          {"deleted", a.deleted},
          {"passwords", passwords}, {"keys", keys}, {"federatedCredentials", fics}};
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}
}  // namespace

json Directory::ExportState() const {
  std::shared_lock lock(mu_);
  json tenants = json::array();
  for (const auto& [_, t] : tenants_) {
    json apps = json::array(), sps = json::array(), users = json::array();
    for (const auto& [__, a] : t.applications) apps.push_back(AppJson(a));
    for (const auto& [__, a] : t.deleted_applications) apps.push_back(AppJson(a));  // "deleted" > 0
    std::vector<const ServicePrincipal*> all_sps;
    for (const auto& [__, sp] : t.principals) all_sps.push_back(&sp);
    for (const auto& [__, sp] : t.deleted_principals) all_sps.push_back(&sp);
    for (const ServicePrincipal* spp : all_sps) {
      const ServicePrincipal& sp = *spp;
      sps.push_back({{"objectId", sp.object_id}, {"appId", sp.app_id}, {"displayName", sp.display_name},
                     {"accountEnabled", sp.account_enabled},
                     {"kind", sp.kind == PrincipalKind::kManagedIdentity ? "ManagedIdentity" : "Application"},
                     {"appOwnerTenantId", sp.app_owner_tenant_id}, {"resourceId", sp.managed_identity_resource_id},
                     {"globalAdmin", sp.global_admin}, {"created", sp.created}, {"deleted", sp.deleted}});
    }
    for (const auto& [__, u] : t.users) {
      users.push_back({{"objectId", u.object_id}, {"userPrincipalName", u.user_principal_name},
                       {"displayName", u.display_name}, {"password", u.password}, {"accountEnabled", u.account_enabled},
                       {"globalAdmin", u.global_admin}});
    }
    const auto& p = t.tenant.authorization_policy;
    tenants.push_back({{"tenantId", t.tenant.tenant_id}, {"name", t.tenant.name}, {"displayName", t.tenant.display_name},
                       {"domain", t.tenant.default_domain},
                       {"authorizationPolicy", {{"allowedToCreateApps", p.allowed_to_create_apps},
                                                {"permissionGrantPoliciesAssigned", p.permission_grant_policies_assigned}}},
                       {"applications", apps}, {"servicePrincipals", sps}, {"users", users}});
  }
  return {{"tenants", tenants}};
}

Status Directory::ImportState(const json& state) {
  try {
    std::map<std::string, TenantData> loaded;
    for (const auto& t : state.at("tenants")) {
      TenantData data;
      data.tenant.tenant_id = t.at("tenantId");
      data.tenant.name = t.value("name", "");
      data.tenant.display_name = t.value("displayName", "");
      data.tenant.default_domain = t.value("domain", "");
      const json& p = t.at("authorizationPolicy");
      data.tenant.authorization_policy.allowed_to_create_apps = p.at("allowedToCreateApps");
      data.tenant.authorization_policy.permission_grant_policies_assigned =
          p.at("permissionGrantPoliciesAssigned").get<std::vector<std::string>>();
      for (const auto& a : t.at("applications")) {
        Application app;
        app.object_id = a.at("objectId");
        app.app_id = a.at("appId");
        app.display_name = a.at("displayName");
        app.sign_in_audience = a.at("signInAudience");
        app.home_tenant_id = a.at("homeTenantId");
        app.created = a.at("created");
        for (const auto& pw : a.at("passwords")) {
          app.passwords.push_back({pw.at("keyId"), pw.at("displayName"), Unhex(pw.at("secretSha256")), pw.at("hint"),
                                   pw.at("start"), pw.at("end")});
        }
        for (const auto& k : a.at("keys")) {
          KeyCredential cred;
          std::string error;
          cred.public_key = crypto::KeyMaterial::FromCertificate(k.at("key").get<std::string>(), &cred.thumbprint_sha1, &error);
          if (!cred.public_key) return errors::BadRequest("state: unreadable certificate of app " + app.app_id);
          cred.key_id = k.at("keyId");
          cred.display_name = k.at("displayName");
          cred.key_b64der = k.at("key");
          cred.start = k.at("start");
          cred.end = k.at("end");
          app.keys.push_back(cred);
        }
        for (const auto& f : a.at("federatedCredentials")) {
          app.federated_credentials.push_back({f.at("id"), f.at("name"), f.at("issuer"), f.at("subject"),
                                               f.at("description"), f.at("audiences").get<std::vector<std::string>>()});
        }
        app.deleted = a.value("deleted", int64_t{0});
        (app.deleted ? data.deleted_applications : data.applications)[app.object_id] = app;
      }
      for (const auto& s : t.at("servicePrincipals")) {
        ServicePrincipal sp;
        sp.object_id = s.at("objectId");
        sp.app_id = s.at("appId");
        sp.tenant_id = data.tenant.tenant_id;
        sp.display_name = s.at("displayName");
        sp.account_enabled = s.at("accountEnabled");
        sp.kind = s.at("kind") == "ManagedIdentity" ? PrincipalKind::kManagedIdentity : PrincipalKind::kApplication;
        sp.app_owner_tenant_id = s.at("appOwnerTenantId");
        sp.managed_identity_resource_id = s.at("resourceId");
        sp.global_admin = s.at("globalAdmin");
        sp.created = s.at("created");
        sp.deleted = s.value("deleted", int64_t{0});
        (sp.deleted ? data.deleted_principals : data.principals)[sp.object_id] = sp;
      }
      for (const auto& u : t.at("users")) {
        User user;
        user.object_id = u.at("objectId");
        user.user_principal_name = u.at("userPrincipalName");
        user.display_name = u.at("displayName");
        user.password = u.at("password");
        user.account_enabled = u.at("accountEnabled");
        user.global_admin = u.at("globalAdmin");
        data.users[user.object_id] = user;
      }
      loaded[ToLower(data.tenant.tenant_id)] = std::move(data);
    }
    std::unique_lock lock(mu_);
    tenants_ = std::move(loaded);
    return Status::Ok();
  } catch (const std::exception& e) {
    return errors::BadRequest(std::string("state: unreadable directory: ") + e.what());
  }
}

}  // namespace crosskey::graph
