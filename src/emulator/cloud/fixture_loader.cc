#include "emulator/cloud/fixture_loader.h"

#include <map>
#include <regex>

#include "emulator/arm/role_definition.h"
#include "emulator/common/text.h"
#include "emulator/crypto/encoding.h"

namespace crosskey {
namespace {
using nlohmann::json;

Error FixtureError(const std::string& path, const std::string& reason) {
  Error e;
  e.http_status = 400;
  e.code = "InvalidFixture";
  e.message = path + ": " + reason;
  return e;
}

// Loads one fixture; remembers names so later sections can refer to earlier objects.
class FixtureLoader {
 public:
  FixtureLoader(Cloud* cloud, const json& fixture) : cloud_(cloud), fixture_(fixture) {}

  Status Load() {
    if (!fixture_.is_object()) return FixtureError("$", "a fixture is a JSON object");
    seed_ = fixture_.value("seed", cloud_->config().seed);
    if (!fixture_.contains("tenants") || !fixture_["tenants"].is_array() || fixture_["tenants"].empty()) {
      return FixtureError("$.tenants", "a non-empty array of tenants is required");
    }
    const json& tenants = fixture_["tenants"];
    // Passes in dependency order: directories, then ARM (identities create principals), then
    // what refers to either (federated credentials, service principals, keys, role assignments).
    for (size_t i = 0; i < tenants.size(); ++i) CK_RETURN_IF_ERROR(Tenant(tenants[i], Path("$.tenants", i)));
    for (size_t i = 0; i < tenants.size(); ++i) CK_RETURN_IF_ERROR(Directory(tenants[i], Path("$.tenants", i)));
    for (size_t i = 0; i < tenants.size(); ++i) CK_RETURN_IF_ERROR(Resources(tenants[i], Path("$.tenants", i)));
    for (size_t i = 0; i < tenants.size(); ++i) CK_RETURN_IF_ERROR(Links(tenants[i], Path("$.tenants", i)));
    if (fixture_.contains("oidcIssuers")) CK_RETURN_IF_ERROR(Issuers(fixture_["oidcIssuers"], "$.oidcIssuers"));
    // Last, once every chain is in place: other ARM resources (the emulated CMK consumers),
    // PUT as ARM would, so a customer-key consumer reaches its key at load.
    for (size_t i = 0; i < tenants.size(); ++i) CK_RETURN_IF_ERROR(ArmResources(tenants[i], Path("$.tenants", i)));
    return Status::Ok();
  }

 private:
  static std::string Path(const std::string& base, size_t i) { return base + "[" + std::to_string(i) + "]"; }

  // "${kind:name}" placeholders: tenantId, subscriptionId, appId, appObjectId, spObjectId,
  // userObjectId, uamiPrincipalId, uamiClientId, vaultId, vaultUri, identityId; and ${host},
  // ${port}, ${now}.
  StatusOr<std::string> Resolve(const std::string& text, const std::string& path) const {
    static const std::regex kPlaceholder(R"(\$\{([A-Za-z]+)(?::([^}]*))?\})");
    std::string out;
    auto begin = std::sregex_iterator(text.begin(), text.end(), kPlaceholder);
    size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      const auto& m = *it;
      out += text.substr(last, m.position() - last);
      last = m.position() + m.length();
      std::string kind = m[1].str(), name = m[2].str();
      if (kind == "host") {
        out += "127.0.0.1";
      } else if (kind == "port") {
        out += std::to_string(cloud_->https_port());
      } else if (kind == "now") {
        out += std::to_string(cloud_->clock.Now());
      } else {
        auto found = names_.find(kind + ":" + name);
        if (found == names_.end()) return FixtureError(path, "unknown reference ${" + kind + ":" + name + "}");
        out += found->second;
      }
    }
    out += text.substr(last);
    return out;
  }
  StatusOr<std::string> Str(const json& j, const char* key, const std::string& path, bool required,
                            const std::string& fallback = "") const {
    if (!j.contains(key) || j[key].is_null()) {
      if (required) return FixtureError(path + "." + key, "is required");
      return fallback;
    }
    if (!j[key].is_string()) return FixtureError(path + "." + key, "must be a string");
    return Resolve(j[key].get<std::string>(), path + "." + key);
  }
  Status Wrap(const Status& s, const std::string& path) const {
    if (s.ok()) return s;
    return FixtureError(path, s.error().message);
  }
  template <typename T>
  StatusOr<T> Wrap(StatusOr<T> s, const std::string& path) const {
    if (s.ok()) return s;
    return FixtureError(path, s.error().message);
  }
  std::string Id(const std::string& given, const std::string& kind) const {
    return given.empty() ? GuidFromName(seed_, kind) : ToLower(given);
  }
  const json& Array(const json& j, const char* key) const {
    static const json kEmpty = json::array();
    return j.contains(key) && j[key].is_array() ? j[key] : kEmpty;
  }

  Status Tenant(const json& t, const std::string& path) {
    if (!t.is_object()) return FixtureError(path, "a tenant is an object");
    CK_ASSIGN_OR_RETURN(std::string name, Str(t, "name", path, true));
    if (names_.count("tenantId:" + name)) return FixtureError(path + ".name", "duplicate tenant name '" + name + "'");
    CK_ASSIGN_OR_RETURN(std::string given, Str(t, "tenantId", path, false));
    CK_ASSIGN_OR_RETURN(std::string domain, Str(t, "domain", path, false, name + ".test"));
    CK_ASSIGN_OR_RETURN(std::string display, Str(t, "displayName", path, false, name));
    std::string tid = Id(given, "tenant/" + name);
    graph::Tenant tenant{tid, name, display, domain, {}};
    if (t.contains("authorizationPolicy")) {
      const json& p = t["authorizationPolicy"];
      tenant.authorization_policy.allowed_to_create_apps = p.value("allowedToCreateApps", true);
      if (p.contains("permissionGrantPoliciesAssigned")) {
        tenant.authorization_policy.permission_grant_policies_assigned =
            p["permissionGrantPoliciesAssigned"].get<std::vector<std::string>>();
      }
    }
    CK_RETURN_IF_ERROR(Wrap(cloud_->directory.AddTenant(tenant), path + ".tenantId"));
    names_["tenantId:" + name] = tid;
    return Status::Ok();
  }

  Status Directory(const json& t, const std::string& path) {
    std::string tid = names_["tenantId:" + t["name"].get<std::string>()];
    BootstrapTenant boot;
    boot.name = t["name"];
    boot.tenant_id = tid;
    const json& users = Array(t, "users");
    for (size_t i = 0; i < users.size(); ++i) {
      std::string p = Path(path + ".users", i);
      graph::User u;
      CK_ASSIGN_OR_RETURN(u.user_principal_name, Str(users[i], "userPrincipalName", p, true));
      CK_ASSIGN_OR_RETURN(u.password, Str(users[i], "password", p, true));
      CK_ASSIGN_OR_RETURN(u.display_name, Str(users[i], "displayName", p, false, u.user_principal_name));
      CK_ASSIGN_OR_RETURN(std::string oid, Str(users[i], "objectId", p, false));
      u.object_id = Id(oid, "user/" + tid + "/" + u.user_principal_name);
      u.global_admin = users[i].value("globalAdmin", false);
      CK_ASSIGN_OR_RETURN(auto user, Wrap(cloud_->directory.AddUser(tid, u), p));
      names_["userObjectId:" + u.user_principal_name] = user.object_id;
      if (user.global_admin && boot.admin_username.empty()) {
        boot.admin_username = user.user_principal_name;
        boot.admin_password = user.password;
        boot.admin_user_object_id = user.object_id;
      }
    }
    const json& apps = Array(t, "applications");
    for (size_t i = 0; i < apps.size(); ++i) {
      std::string p = Path(path + ".applications", i);
      const json& a = apps[i];
      CK_ASSIGN_OR_RETURN(std::string name, Str(a, "name", p, true));
      graph::NewApplication spec;
      CK_ASSIGN_OR_RETURN(spec.display_name, Str(a, "displayName", p, false, name));
      CK_ASSIGN_OR_RETURN(spec.sign_in_audience, Str(a, "signInAudience", p, false, "AzureADMyOrg"));
      CK_ASSIGN_OR_RETURN(std::string app_id, Str(a, "appId", p, false));
      CK_ASSIGN_OR_RETURN(std::string object_id, Str(a, "objectId", p, false));
      spec.app_id = Id(app_id, "app/" + tid + "/" + name);
      spec.object_id = Id(object_id, "appobject/" + tid + "/" + name);
      CK_ASSIGN_OR_RETURN(auto app, Wrap(cloud_->directory.CreateApplication(tid, spec), p));
      names_["appId:" + name] = app.app_id;
      names_["appObjectId:" + name] = app.object_id;
      app_tenant_[name] = tid;
      const json& secrets = Array(a, "secrets");
      std::string first_secret;
      for (size_t j = 0; j < secrets.size(); ++j) {
        std::string sp = Path(p + ".secrets", j);
        graph::NewPassword pw;
        CK_ASSIGN_OR_RETURN(pw.display_name, Str(secrets[j], "displayName", sp, false));
        CK_ASSIGN_OR_RETURN(pw.secret, Str(secrets[j], "value", sp, true));
        CK_ASSIGN_OR_RETURN(auto created, Wrap(cloud_->directory.AddPassword(tid, app.object_id, pw), sp));
        if (first_secret.empty()) first_secret = created.secret_text;
      }
      const json& certs = Array(a, "certificates");
      for (size_t j = 0; j < certs.size(); ++j) {
        std::string cp = Path(p + ".certificates", j);
        CK_ASSIGN_OR_RETURN(std::string display, Str(certs[j], "displayName", cp, false));
        CK_ASSIGN_OR_RETURN(std::string cert, Str(certs[j], "certificate", cp, true));
        CK_RETURN_IF_ERROR(Wrap(cloud_->directory.AddCertificate(tid, app.object_id, display, cert).ok()
                                    ? Status::Ok()
                                    : Status(FixtureError(cp + ".certificate", "not a readable certificate")),
                                cp));
      }
      if (a.contains("servicePrincipal") && a["servicePrincipal"] != false) {
        json spj = a["servicePrincipal"].is_object() ? a["servicePrincipal"] : json::object();
        CK_ASSIGN_OR_RETURN(std::string sp_oid, Str(spj, "objectId", p + ".servicePrincipal", false));
        CK_ASSIGN_OR_RETURN(auto sp, Wrap(cloud_->directory.CreateServicePrincipal(
                                              tid, app.app_id, Id(sp_oid, "sp/" + tid + "/" + name)),
                                          p + ".servicePrincipal"));
        names_["spObjectId:" + name] = sp.object_id;
        sp_by_tenant_[tid + "/" + name] = sp.object_id;
        if (spj.value("globalAdmin", false)) {
          CK_RETURN_IF_ERROR(cloud_->directory.SetServicePrincipalAdmin(tid, sp.object_id, true));
          if (boot.admin_app_id.empty() && !first_secret.empty()) {
            boot.admin_app_id = app.app_id;
            boot.admin_app_secret = first_secret;
            boot.admin_app_object_id = app.object_id;
            boot.admin_sp_object_id = sp.object_id;
          }
        }
      }
    }
    bootstrap_.push_back(boot);
    return Status::Ok();
  }

  Status Resources(const json& t, const std::string& path) {
    std::string tid = names_["tenantId:" + t["name"].get<std::string>()];
    arm::ArmCaller system;
    const json& subs = Array(t, "subscriptions");
    for (size_t i = 0; i < subs.size(); ++i) {
      std::string p = Path(path + ".subscriptions", i);
      CK_ASSIGN_OR_RETURN(std::string name, Str(subs[i], "name", p, true));
      CK_ASSIGN_OR_RETURN(std::string given, Str(subs[i], "subscriptionId", p, false));
      CK_ASSIGN_OR_RETURN(std::string display, Str(subs[i], "displayName", p, false, name));
      std::string sid = Id(given, "subscription/" + tid + "/" + name);
      CK_RETURN_IF_ERROR(Wrap(cloud_->resources.AddSubscription({sid, tid, display}), p));
      names_["subscriptionId:" + name] = sid;
      for (auto& b : bootstrap_) {
        if (b.tenant_id == tid && b.subscription_id.empty()) b.subscription_id = sid;
      }
      const json& groups = Array(subs[i], "resourceGroups");
      for (size_t g = 0; g < groups.size(); ++g) {
        std::string gp = Path(p + ".resourceGroups", g);
        CK_ASSIGN_OR_RETURN(std::string gname, Str(groups[g], "name", gp, true));
        CK_ASSIGN_OR_RETURN(std::string location, Str(groups[g], "location", gp, false, "westus"));
        std::string gid = "/subscriptions/" + sid + "/resourceGroups/" + gname;
        CK_RETURN_IF_ERROR(Wrap(cloud_->resources.Put(system, gid, {{"location", location},
                                                                     {"tags", groups[g].value("tags", json::object())}}), gp));
        const json& mis = Array(groups[g], "userAssignedIdentities");
        for (size_t m = 0; m < mis.size(); ++m) {
          std::string mp = Path(gp + ".userAssignedIdentities", m);
          CK_ASSIGN_OR_RETURN(std::string mname, Str(mis[m], "name", mp, true));
          std::string id = gid + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + mname;
          CK_ASSIGN_OR_RETURN(auto put, Wrap(cloud_->resources.Put(system, id, {{"location", location}}), mp));
          names_["identityId:" + mname] = put.body["id"];
          names_["uamiPrincipalId:" + mname] = put.body["properties"]["principalId"];
          names_["uamiClientId:" + mname] = put.body["properties"]["clientId"];
        }
        const json& vaults = Array(groups[g], "vaults");
        for (size_t v = 0; v < vaults.size(); ++v) {
          std::string vp = Path(gp + ".vaults", v);
          CK_ASSIGN_OR_RETURN(std::string vname, Str(vaults[v], "name", vp, true));
          json props = vaults[v].value("properties", json::object());
          if (!props.contains("tenantId")) props["tenantId"] = tid;
          if (!props.contains("sku")) props["sku"] = {{"family", "A"}, {"name", "standard"}};
          std::string id = gid + "/providers/Microsoft.KeyVault/vaults/" + vname;
          CK_ASSIGN_OR_RETURN(auto put, Wrap(cloud_->resources.Put(system, id, {{"location", location}, {"properties", props}}), vp));
          names_["vaultId:" + vname] = put.body["id"];
          names_["vaultUri:" + vname] = put.body["properties"]["vaultUri"];
          pending_keys_.push_back({vname, vp, &vaults[v]});
        }
      }
    }
    return Status::Ok();
  }

  Status Links(const json& t, const std::string& path) {
    std::string tid = names_["tenantId:" + t["name"].get<std::string>()];
    // Federated credentials may name identities created in the ARM pass.
    const json& apps = Array(t, "applications");
    for (size_t i = 0; i < apps.size(); ++i) {
      std::string p = Path(path + ".applications", i);
      const json& fics = Array(apps[i], "federatedCredentials");
      for (size_t j = 0; j < fics.size(); ++j) {
        std::string fp = Path(p + ".federatedCredentials", j);
        graph::FederatedCredential fic;
        CK_ASSIGN_OR_RETURN(fic.name, Str(fics[j], "name", fp, true));
        CK_ASSIGN_OR_RETURN(fic.issuer, Str(fics[j], "issuer", fp, true));
        CK_ASSIGN_OR_RETURN(fic.subject, Str(fics[j], "subject", fp, true));
        CK_ASSIGN_OR_RETURN(fic.description, Str(fics[j], "description", fp, false));
        for (const auto& a : Array(fics[j], "audiences")) {
          if (!a.is_string()) return FixtureError(fp + ".audiences", "must hold strings");
          fic.audiences.push_back(a.get<std::string>());
        }
        if (fic.audiences.empty()) fic.audiences = {"api://AzureADTokenExchange"};
        std::string app_object = names_["appObjectId:" + apps[i]["name"].get<std::string>()];
        CK_RETURN_IF_ERROR(Wrap(cloud_->directory.AddFederatedCredential(tid, app_object, fic).ok()
                                    ? Status::Ok()
                                    : Status(FixtureError(fp, cloud_->directory.FindApplication(tid, app_object)
                                                                  ? "invalid federated credential"
                                                                  : "application not found")),
                                fp));
      }
    }
    // Service principals of other tenants' (multi-tenant) applications.
    const json& sps = Array(t, "servicePrincipals");
    for (size_t i = 0; i < sps.size(); ++i) {
      std::string p = Path(path + ".servicePrincipals", i);
      CK_ASSIGN_OR_RETURN(std::string app, Str(sps[i], "application", p, true));
      auto app_id = names_.find("appId:" + app);
      std::string id = app_id == names_.end() ? app : app_id->second;
      CK_ASSIGN_OR_RETURN(std::string oid, Str(sps[i], "objectId", p, false));
      CK_ASSIGN_OR_RETURN(auto sp, Wrap(cloud_->directory.CreateServicePrincipal(tid, id, Id(oid, "sp/" + tid + "/" + app)), p));
      sp_by_tenant_[tid + "/" + app] = sp.object_id;
      names_["spObjectId:" + t["name"].get<std::string>() + "/" + app] = sp.object_id;
      if (!sps[i].value("accountEnabled", true)) {
        CK_RETURN_IF_ERROR(Wrap(cloud_->directory.SetServicePrincipalEnabled(tid, sp.object_id, false).ok() ? Status::Ok() : Status(FixtureError(p, "cannot disable")), p));
      }
    }
    // Keys, once every vault exists.
    for (const auto& pk : pending_keys_) CK_RETURN_IF_ERROR(Keys(pk));
    pending_keys_.clear();
    const json& ras = Array(t, "roleAssignments");
    for (size_t i = 0; i < ras.size(); ++i) {
      std::string p = Path(path + ".roleAssignments", i);
      CK_ASSIGN_OR_RETURN(std::string scope, Str(ras[i], "scope", p, true));
      CK_ASSIGN_OR_RETURN(std::string role, Str(ras[i], "role", p, true));
      CK_ASSIGN_OR_RETURN(std::string principal, Str(ras[i], "principal", p, true));
      const arm::RoleDefinition* def = arm::FindBuiltInRoleByName(role);
      if (!def) def = arm::FindBuiltInRoleByGuid(role);
      if (!def) return FixtureError(p + ".role", "no built-in role named '" + role + "'");
      CK_ASSIGN_OR_RETURN(std::string oid, PrincipalId(tid, principal, p + ".principal"));
      CK_ASSIGN_OR_RETURN(std::string name, Str(ras[i], "name", p, false));
      json body = {{"properties", {{"roleDefinitionId", "/providers/Microsoft.Authorization/roleDefinitions/" + def->guid},
                                   {"principalId", oid}}}};
      CK_RETURN_IF_ERROR(Wrap(cloud_->resources.PutRoleAssignment(arm::ArmCaller{}, scope,
                                                                  Id(name, "ra/" + scope + "/" + def->guid + "/" + oid), body),
                              p));
    }
    return Status::Ok();
  }

  // "resources": [{"id": ARM id, "body": the PUT body}], e.g. storage accounts, Cosmos DB
  // accounts, disk encryption sets and disks, SQL servers and databases.
  Status ArmResources(const json& t, const std::string& path) {
    const json& items = Array(t, "resources");
    for (size_t i = 0; i < items.size(); ++i) {
      std::string p = Path(path + ".resources", i);
      if (!items[i].is_object()) return FixtureError(p, "a resource is {\"id\": ..., \"body\": {...}}");
      CK_ASSIGN_OR_RETURN(std::string id, Str(items[i], "id", p, true));
      json body = items[i].value("body", json::object());
      if (!body.is_object()) return FixtureError(p + ".body", "must be an object");
      CK_RETURN_IF_ERROR(ResolveStrings(&body, p + ".body"));
      CK_RETURN_IF_ERROR(Wrap(cloud_->resources.Put(arm::ArmCaller{}, id, body), p));
    }
    return Status::Ok();
  }
  Status ResolveStrings(json* j, const std::string& path) const {
    if (j->is_string()) {
      CK_ASSIGN_OR_RETURN(std::string text, Resolve(j->get<std::string>(), path));
      *j = text;
    } else if (j->is_object()) {
      // Keys may hold placeholders too (identity.userAssignedIdentities is keyed by id).
      json out = json::object();
      for (auto& [k, v] : j->items()) {
        CK_ASSIGN_OR_RETURN(std::string key, Resolve(k, path + "." + k));
        json value = v;
        CK_RETURN_IF_ERROR(ResolveStrings(&value, path + "." + k));
        out[key] = std::move(value);
      }
      *j = std::move(out);
    } else if (j->is_array()) {
      for (size_t i = 0; i < j->size(); ++i) CK_RETURN_IF_ERROR(ResolveStrings(&(*j)[i], Path(path, i)));
    }
    return Status::Ok();
  }

  StatusOr<std::string> PrincipalId(const std::string& tid, const std::string& ref, const std::string& path) const {
    if (IsGuid(ref)) return ToLower(ref);
    auto colon = ref.find(':');
    std::string kind = ref.substr(0, colon), name = colon == std::string::npos ? "" : ref.substr(colon + 1);
    if (kind == "user") {
      auto u = cloud_->directory.FindUser(tid, name);
      if (u) return u->object_id;
    } else if (kind == "app") {
      auto it = sp_by_tenant_.find(tid + "/" + name);
      if (it != sp_by_tenant_.end()) return it->second;
    } else if (kind == "identity") {
      auto it = names_.find("uamiPrincipalId:" + name);
      if (it != names_.end()) return it->second;
    }
    return FixtureError(path, "'" + ref + "' names no principal of this tenant (use user:UPN, app:NAME, identity:NAME or an object id)");
  }

  struct PendingKeys {
    std::string vault;
    std::string path;
    const json* spec;
  };

  Status Keys(const PendingKeys& pk) {
    const json& keys = Array(*pk.spec, "keys");
    keyvault::KvCaller system;
    for (size_t i = 0; i < keys.size(); ++i) {
      std::string p = Path(pk.path + ".keys", i);
      const json& k = keys[i];
      CK_ASSIGN_OR_RETURN(std::string name, Str(k, "name", p, true));
      keyvault::KeyAttributes attrs;
      attrs.enabled = k.value("enabled", true);
      attrs.not_before = k.value("nbf", int64_t{0});
      attrs.expires = k.value("exp", int64_t{0});
      json tags = k.value("tags", json::object());
      if (k.contains("jwk") || k.contains("pem")) {
        json jwk;
        if (k.contains("pem")) {
          std::string error;
          auto material = crypto::KeyMaterial::FromPem(k["pem"].get<std::string>(), &error);
          if (!material || !material->has_private()) return FixtureError(p + ".pem", "not a private key PEM: " + error);
          jwk = material->PrivateJwk();
        } else {
          jwk = k["jwk"];
        }
        if (k.contains("keyOps")) jwk["key_ops"] = k["keyOps"];
        CK_RETURN_IF_ERROR(Wrap(cloud_->keyvault.ImportKey(pk.vault, system, name, jwk, attrs, true, tags), p));
        continue;
      }
      keyvault::CreateKeyParams params;
      CK_ASSIGN_OR_RETURN(params.kty, Str(k, "kty", p, false, "RSA"));
      params.key_size = k.value("keySize", 0);
      CK_ASSIGN_OR_RETURN(params.crv, Str(k, "crv", p, false));
      params.key_ops = k.value("keyOps", std::vector<std::string>{});
      params.attributes = attrs;
      params.has_enabled = true;
      params.tags = tags;
      CK_RETURN_IF_ERROR(Wrap(cloud_->keyvault.CreateKey(pk.vault, system, name, params), p));
    }
    return Status::Ok();
  }

  Status Issuers(const json& issuers, const std::string& path) {
    if (!issuers.is_array()) return FixtureError(path, "must be an array");
    for (size_t i = 0; i < issuers.size(); ++i) {
      std::string p = Path(path, i);
      token::ExternalIssuer issuer;
      CK_ASSIGN_OR_RETURN(issuer.issuer, Str(issuers[i], "issuer", p, true));
      const json& keys = issuers[i].value("/jwks/keys"_json_pointer, json::array());
      if (keys.empty()) return FixtureError(p + ".jwks.keys", "at least one key is required");
      for (size_t j = 0; j < keys.size(); ++j) {
        std::string error;
        auto key = crypto::KeyMaterial::FromJwk(keys[j], &error);
        if (!key) return FixtureError(Path(p + ".jwks.keys", j), "unreadable JWK: " + error);
        issuer.keys_by_kid[keys[j].value("kid", "")] = key;
      }
      cloud_->tokens.AddExternalIssuer(issuer);
    }
    return Status::Ok();
  }

 public:
  std::vector<BootstrapTenant> bootstrap_;

 private:
  Cloud* cloud_;
  const json& fixture_;
  std::string seed_;
  std::map<std::string, std::string> names_;
  std::map<std::string, std::string> app_tenant_;
  std::map<std::string, std::string> sp_by_tenant_;
  std::vector<PendingKeys> pending_keys_;
};
}  // namespace

Status LoadFixture(Cloud* cloud, const nlohmann::json& fixture) {
  FixtureLoader loader(cloud, fixture);
  try {
    CK_RETURN_IF_ERROR(loader.Load());
  } catch (const nlohmann::json::exception& e) {
    return FixtureError("$", std::string("a field has the wrong type: ") + e.what());
  }
  cloud->set_bootstrap(loader.bootstrap_);
  return Status::Ok();
}

}  // namespace crosskey
