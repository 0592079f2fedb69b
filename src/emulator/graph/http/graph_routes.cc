#include "emulator/graph/http/graph_routes.h"

#include <regex>

#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"
#include "emulator/crypto/key_material.h"
#include "emulator/graph/errors.h"
#include "emulator/graph/http/graph_json.h"

namespace crosskey::graph::http {
namespace {
using Json = nlohmann::json;

HttpResponse List(const std::string& context, Json items) {
  return wire::Json(200, {{"@odata.context", "https://graph.microsoft.com/v1.0/$metadata#" + context}, {"value", items}});
}

// The $filter forms the seeds, azure-cli and the JS client send.
struct Filter {
  std::string field;  // appId, displayName, displayName*, servicePrincipalNames, id
  std::string value;
};
std::optional<Filter> ParseFilter(const std::string& text) {
  static const std::regex kEq(R"(^\s*(appId|displayName|id)\s+eq\s+'([^']*)'\s*$)", std::regex::icase);
  static const std::regex kStarts(R"(^\s*startswith\(\s*displayName\s*,\s*'([^']*)'\s*\)\s*$)", std::regex::icase);
  static const std::regex kAny(R"(^\s*servicePrincipalNames/any\(\s*(\w+)\s*:\s*\1\s+eq\s+'([^']*)'\s*\)\s*$)",
                               std::regex::icase);
  std::smatch m;
  if (std::regex_match(text, m, kEq)) return Filter{m[1].str(), m[2].str()};
  if (std::regex_match(text, m, kStarts)) return Filter{"displayName*", m[1].str()};
  if (std::regex_match(text, m, kAny)) return Filter{"servicePrincipalNames", m[2].str()};
  return std::nullopt;
}

bool Matches(const Filter& f, const std::string& id, const std::string& app_id, const std::string& name,
             const std::vector<std::string>& names = {}) {
  if (EqualsIgnoreCase(f.field, "appId")) return EqualsIgnoreCase(app_id, f.value);
  if (EqualsIgnoreCase(f.field, "id")) return EqualsIgnoreCase(id, f.value);
  if (EqualsIgnoreCase(f.field, "displayName")) return name == f.value;
  if (f.field == "displayName*") return StartsWithIgnoreCase(name, f.value);
  for (const auto& n : names) {
    if (EqualsIgnoreCase(n, f.value)) return true;
  }
  return false;
}

std::string KeyIn(const std::string& segment, const char* prefix) {
  // applications(appId='...') / servicePrincipals(appId='...')
  std::string p = std::string(prefix) + "(appId='";
  if (StartsWithIgnoreCase(segment, p) && EndsWith(segment, "')")) {
    return segment.substr(p.size(), segment.size() - p.size() - 2);
  }
  return "";
}

std::vector<std::string> Strings(const Json& j) {
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& s : j) {
      if (s.is_string()) out.push_back(s.get<std::string>());
    }
  }
  return out;
}
}  // namespace

HttpResponse RenderGraphError(const Error& error, const HttpRequest& request) {
  Json inner = {{"date", IsoTime(std::time(nullptr)).substr(0, 19)},
                {"request-id", request.request_id},
                {"client-request-id", request.Header("client-request-id").empty() ? request.request_id
                                                                                  : request.Header("client-request-id")}};
  return wire::Json(error.http_status, {{"error", {{"code", error.code}, {"message", error.message}, {"innerError", inner}}}});
}

bool GraphRoutes::Handle(const HttpRequest& request, HttpResponse* response) const {
  if (!StartsWithIgnoreCase(request.path, "/v1.0/") && !EqualsIgnoreCase(request.path, "/v1.0") &&
      !StartsWithIgnoreCase(request.path, "/beta/")) {
    return false;
  }
  auto token = wire::BearerToken(request);
  if (!token) {
    *response = RenderGraphError(errors::InvalidAuthenticationToken("Access token is empty."), request);
    return true;
  }
  auto v = cloud_->validator.Validate(*token, token::Api::kGraph);
  if (!v.ok()) {
    *response = RenderGraphError(errors::InvalidAuthenticationToken(v.detail), request);
    return true;
  }
  GraphCaller caller{v.token.tenant_id, v.token.object_id, v.token.app_id, v.token.is_user()};
  // A property of an unexpected JSON type is the client's mistake: 400, never a 500.
  auto result = [&]() -> StatusOr<HttpResponse> {
    try {
      return Dispatch(request, caller);
    } catch (const nlohmann::json::exception& e) {
      return errors::BadRequest(std::string("A property of the request has an invalid type or value: ") + e.what());
    }
  }();
  *response = result.ok() ? std::move(result).value() : RenderGraphError(result.error(), request);
  return true;
}

StatusOr<HttpResponse> GraphRoutes::Dispatch(const HttpRequest& request, const GraphCaller& caller) const {
  auto& dir = cloud_->directory;
  const std::string& tid = caller.tenant_id;
  auto seg = wire::PathSegments(request.path);
  seg.erase(seg.begin());  // v1.0
  const std::string& m = request.method;
  bool admin = dir.IsGlobalAdmin(tid, caller.object_id);
  auto tenant = dir.FindTenant(tid);
  if (!tenant) return errors::TenantNotFound(tid);
  std::string parse_error;
  auto body = wire::ParseJsonBody(request, &parse_error);
  if (!body) return errors::BadRequest(parse_error);
  std::optional<Filter> filter;
  if (!request.Query("$filter").empty()) {
    filter = ParseFilter(request.Query("$filter"));
    if (!filter) return errors::UnsupportedQuery(request.Query("$filter"));
  }
  auto require_admin = [&]() -> Status {
    if (!admin) return errors::InsufficientPrivileges();
    return Status::Ok();
  };

  if (seg.size() == 1 && EqualsIgnoreCase(seg[0], "me") && m == "GET") {
    if (!caller.is_user) return errors::MeRequiresDelegated();
    auto user = dir.FindUser(tid, caller.object_id);
    if (!user) return errors::ResourceNotFound(caller.object_id);
    Json j = UserJson(*user);
    j["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users/$entity";
    return wire::Json(200, j);
  }
  if (seg.size() == 1 && EqualsIgnoreCase(seg[0], "users") && m == "POST") {
    CK_RETURN_IF_ERROR(require_admin());
    User user;
    user.user_principal_name = body->value("userPrincipalName", "");
    user.display_name = body->value("displayName", user.user_principal_name);
    user.password = body->value("/passwordProfile/password"_json_pointer, std::string());
    user.account_enabled = body->value("accountEnabled", true);
    if (user.user_principal_name.empty() || user.password.empty()) {
      return errors::BadRequest("Properties 'userPrincipalName' and 'passwordProfile.password' are required.");
    }
    CK_ASSIGN_OR_RETURN(auto created, dir.AddUser(tid, user));
    return wire::Json(201, UserJson(created));
  }
  // Directory roles: enough to tell an administrator from a plain user. The one role modelled
  // is Global Administrator, with its real role template id.
  auto role_json = [&]() {
    return Json{{"id", GuidFromName(tid, "directoryRole/global-admin")},
                {"displayName", "Global Administrator"},
                {"roleTemplateId", "62e90394-69f5-4237-9190-012177145e10"},
                {"@odata.type", "#microsoft.graph.directoryRole"}};
  };
  auto member_of = [&](const std::string& object_id) {
    Json items = Json::array();
    if (dir.IsGlobalAdmin(tid, object_id)) items.push_back(role_json());
    return List("directoryObjects", items);
  };
  if (m == "GET" && seg.size() == 2 && EqualsIgnoreCase(seg[0], "me") && EqualsIgnoreCase(seg[1], "memberOf")) {
    if (!caller.is_user) return errors::MeRequiresDelegated();
    return member_of(caller.object_id);
  }
  if (m == "GET" && !seg.empty() && EqualsIgnoreCase(seg[0], "directoryRoles")) {
    Json role = role_json();
    if (seg.size() == 1) return List("directoryRoles", Json::array({role}));
    if (!EqualsIgnoreCase(seg[1], role["id"].get<std::string>())) return errors::ResourceNotFound(seg[1]);
    if (seg.size() == 2) return wire::Json(200, role);
    if (seg.size() == 3 && EqualsIgnoreCase(seg[2], "members")) {
      Json items = Json::array();
      for (const auto& u : dir.ListUsers(tid)) {
        if (u.global_admin) items.push_back(UserJson(u));
      }
      for (const auto& sp : dir.ListServicePrincipals(tid)) {
        if (sp.global_admin) items.push_back(ServicePrincipalJson(sp));
      }
      return List("directoryObjects", items);
    }
  }
  if (seg.size() == 2 && EqualsIgnoreCase(seg[0], "users") && m == "PATCH") {
    // Update user: accountEnabled is the property a revocation rehearsal needs.
    CK_RETURN_IF_ERROR(require_admin());
    if (!body->contains("accountEnabled") || !(*body)["accountEnabled"].is_boolean()) {
      return errors::BadRequest("crosskey updates a user's accountEnabled (a boolean) only.");
    }
    CK_RETURN_IF_ERROR(dir.SetUserEnabled(tid, seg[1], (*body)["accountEnabled"]));
    return wire::Text(204, "text/plain", "");
  }
  if (!seg.empty() && EqualsIgnoreCase(seg[0], "users") && m == "GET") {
    if (seg.size() == 3 && EqualsIgnoreCase(seg[2], "memberOf")) {
      auto user = dir.FindUser(tid, seg[1]);
      if (!user) return errors::ResourceNotFound(seg[1]);
      return member_of(user->object_id);
    }
    if (seg.size() == 1) {
      Json items = Json::array();
      for (const auto& u : dir.ListUsers(tid)) items.push_back(UserJson(u));
      return List("users", items);
    }
    auto user = dir.FindUser(tid, seg[1]);
    if (!user || seg.size() != 2) return errors::ResourceNotFound(seg[1]);
    return wire::Json(200, UserJson(*user));
  }
  if (seg.size() == 2 && EqualsIgnoreCase(seg[0], "policies") && EqualsIgnoreCase(seg[1], "authorizationPolicy")) {
    if (m == "GET") return wire::Json(200, AuthorizationPolicyJson(*tenant));
    if (m == "PATCH") {
      CK_RETURN_IF_ERROR(require_admin());
      AuthorizationPolicy p = tenant->authorization_policy;
      if (body->contains("defaultUserRolePermissions")) {
        const Json& d = (*body)["defaultUserRolePermissions"];
        if (d.contains("allowedToCreateApps") && d["allowedToCreateApps"].is_boolean()) {
          p.allowed_to_create_apps = d["allowedToCreateApps"];
        }
        if (d.contains("permissionGrantPoliciesAssigned")) {
          p.permission_grant_policies_assigned = Strings(d["permissionGrantPoliciesAssigned"]);
        }
      }
      CK_RETURN_IF_ERROR(dir.SetAuthorizationPolicy(tid, p));
      return wire::Text(204, "text/plain", "");
    }
  }

  // ---- applications
  if (!seg.empty() && (EqualsIgnoreCase(seg[0], "applications") || !KeyIn(seg[0], "applications").empty())) {
    std::string object_id;
    if (seg.size() >= 2) object_id = seg[1];
    std::string by_app_id = KeyIn(seg[0], "applications");
    if (!by_app_id.empty()) {
      auto app = dir.FindApplicationByAppId(by_app_id);
      if (!app || app->home_tenant_id != tid) return errors::ResourceNotFound(by_app_id);
      object_id = app->object_id;
      seg.insert(seg.begin() + 1, object_id);
    }
    if (seg.size() == 1 && m == "POST") {
      bool user_may = caller.is_user && tenant->authorization_policy.allowed_to_create_apps;
      if (!admin && !user_may) return errors::InsufficientPrivileges();
      NewApplication spec;
      spec.display_name = body->value("displayName", "");
      spec.sign_in_audience = body->value("signInAudience", "AzureADMyOrg");
      if (spec.display_name.empty()) return errors::BadRequest("Property 'displayName' is required.");
      CK_ASSIGN_OR_RETURN(auto app, dir.CreateApplication(tid, spec));
      return wire::Json(201, ApplicationJson(app));
    }
    if (seg.size() == 1 && m == "GET") {
      Json items = Json::array();
      for (const auto& a : dir.ListApplications(tid)) {
        if (!filter || Matches(*filter, a.object_id, a.app_id, a.display_name)) items.push_back(ApplicationJson(a));
      }
      return List("applications", items);
    }
    if (seg.size() >= 2) {
      auto app = dir.FindApplication(tid, object_id);
      if (!app) return errors::ResourceNotFound(object_id);
      if (seg.size() == 2) {
        if (m == "GET") return wire::Json(200, ApplicationJson(*app));
        if (m == "DELETE") {
          CK_RETURN_IF_ERROR(require_admin());
          CK_RETURN_IF_ERROR(dir.DeleteApplication(tid, object_id));
          return wire::Text(204, "text/plain", "");
        }
        if (m == "PATCH") {
          CK_RETURN_IF_ERROR(require_admin());
          // keyCredentials replaces the app's certificates; every one is checked before any is stored.
          std::vector<std::pair<std::string, std::string>> certificates;
          if (body->contains("keyCredentials")) {
            if (!(*body)["keyCredentials"].is_array()) return errors::BadRequest("keyCredentials must be an array.");
            for (const auto& kc : (*body)["keyCredentials"]) {
              std::string key = kc.is_object() ? kc.value("key", "") : "";
              std::string thumbprint, error;
              if (!crypto::KeyMaterial::FromCertificate(key, &thumbprint, &error)) {
                return errors::BadRequest("Invalid value specified for property 'key' of resource 'KeyCredential': " + error);
              }
              certificates.emplace_back(kc.value("displayName", ""), key);
            }
          }
          auto updated = dir.UpdateApplication(tid, object_id, [&](Application& a) -> Status {
            if (body->contains("displayName") && (*body)["displayName"].is_string()) a.display_name = (*body)["displayName"];
            if (body->contains("signInAudience") && (*body)["signInAudience"].is_string()) {
              a.sign_in_audience = (*body)["signInAudience"];
            }
            if (body->contains("keyCredentials")) a.keys.clear();
            return Status::Ok();
          });
          if (!updated.ok()) return updated.error();
          for (const auto& [display_name, key] : certificates) {
            CK_ASSIGN_OR_RETURN(auto added, dir.AddCertificate(tid, object_id, display_name, key));
            (void)added;
          }
          return wire::Text(204, "text/plain", "");
        }
      }
      if (seg.size() == 3 && EqualsIgnoreCase(seg[2], "addPassword") && m == "POST") {
        CK_RETURN_IF_ERROR(require_admin());
        NewPassword spec;
        const Json pc = body->value("passwordCredential", Json::object());
        spec.display_name = pc.value("displayName", "");
        CK_ASSIGN_OR_RETURN(auto created, dir.AddPassword(tid, object_id, spec));
        const auto& c = created.credential;
        return wire::Json(200, {{"customKeyIdentifier", nullptr}, {"displayName", c.display_name},
                                {"endDateTime", IsoTime(c.end)}, {"hint", c.hint}, {"keyId", c.key_id},
                                {"secretText", created.secret_text}, {"startDateTime", IsoTime(c.start)}});
      }
      if (seg.size() >= 3 && EqualsIgnoreCase(seg[2], "federatedIdentityCredentials")) {
        if (seg.size() == 3 && m == "GET") {
          Json items = Json::array();
          for (const auto& f : app->federated_credentials) items.push_back(FederatedCredentialJson(f));
          return List("applications('" + object_id + "')/federatedIdentityCredentials", items);
        }
        if (seg.size() == 3 && m == "POST") {
          CK_RETURN_IF_ERROR(require_admin());
          FederatedCredential fic;
          fic.name = body->value("name", "");
          fic.issuer = body->value("issuer", "");
          fic.subject = body->value("subject", "");
          fic.description = body->contains("description") && (*body)["description"].is_string() ? (*body)["description"].get<std::string>() : "";
          fic.audiences = Strings(body->value("audiences", Json::array()));
          CK_ASSIGN_OR_RETURN(auto created, dir.AddFederatedCredential(tid, object_id, fic));
          Json j = FederatedCredentialJson(created);
          j["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#applications('" + object_id +
                                "')/federatedIdentityCredentials/$entity";
          return wire::Json(201, j);
        }
        if (seg.size() == 4) {
          if (m == "GET") {
            for (const auto& f : app->federated_credentials) {
              if (EqualsIgnoreCase(f.id, seg[3]) || f.name == seg[3]) return wire::Json(200, FederatedCredentialJson(f));
            }
            return errors::ResourceNotFound(seg[3]);
          }
          if (m == "DELETE") {
            CK_RETURN_IF_ERROR(require_admin());
            CK_RETURN_IF_ERROR(dir.DeleteFederatedCredential(tid, object_id, seg[3]));
            return wire::Text(204, "text/plain", "");
          }
          if (m == "PATCH") {
            CK_RETURN_IF_ERROR(require_admin());
            FederatedCredential patch;
            patch.issuer = body->value("issuer", "");
            patch.subject = body->value("subject", "");
            patch.audiences = Strings(body->value("audiences", Json::array()));
            patch.description = body->contains("description") && (*body)["description"].is_string() ? (*body)["description"].get<std::string>() : "";
            CK_ASSIGN_OR_RETURN(auto updated,
                                dir.UpdateFederatedCredential(tid, object_id, seg[3], patch, body->contains("issuer"),
                                                              body->contains("subject"), body->contains("audiences"),
                                                              body->contains("description")));
            (void)updated;
            return wire::Text(204, "text/plain", "");
          }
        }
      }
    }
  }

  // ---- service principals
  if (!seg.empty() && (EqualsIgnoreCase(seg[0], "servicePrincipals") || !KeyIn(seg[0], "servicePrincipals").empty())) {
    std::string by_app_id = KeyIn(seg[0], "servicePrincipals");
    std::string object_id = seg.size() >= 2 ? seg[1] : "";
    if (!by_app_id.empty()) {
      auto sp = dir.FindServicePrincipalByAppId(tid, by_app_id);
      if (!sp) return errors::ResourceNotFound(by_app_id);
      object_id = sp->object_id;
      seg.insert(seg.begin() + 1, object_id);
    }
    if (seg.size() == 1 && m == "POST") {
      // Installing an application: admins always; plain users only while the tenant lets
      // users consent (authorizationPolicy.permissionGrantPoliciesAssigned).
      bool user_may = caller.is_user && !tenant->authorization_policy.permission_grant_policies_assigned.empty();
      if (!admin && !user_may) return errors::InsufficientPrivileges();
      std::string app_id = body->value("appId", "");
      if (app_id.empty()) return errors::BadRequest("Property 'appId' is required.");
      CK_ASSIGN_OR_RETURN(auto sp, dir.CreateServicePrincipal(tid, app_id));
      return wire::Json(201, ServicePrincipalJson(sp));
    }
    if (seg.size() == 1 && m == "GET") {
      Json items = Json::array();
      for (const auto& sp : dir.ListServicePrincipals(tid)) {
        std::vector<std::string> names = {sp.app_id};
        if (!sp.managed_identity_resource_id.empty()) names.push_back(sp.managed_identity_resource_id);
        if (!filter || Matches(*filter, sp.object_id, sp.app_id, sp.display_name, names)) {
          items.push_back(ServicePrincipalJson(sp));
        }
      }
      return List("servicePrincipals", items);
    }
    if (seg.size() == 2) {
      auto sp = dir.FindServicePrincipal(tid, object_id);
      if (!sp) return errors::ResourceNotFound(object_id);
      if (m == "GET") return wire::Json(200, ServicePrincipalJson(*sp));
      if (m == "DELETE") {
        CK_RETURN_IF_ERROR(require_admin());
        CK_RETURN_IF_ERROR(dir.DeleteServicePrincipal(tid, object_id));
        return wire::Text(204, "text/plain", "");
      }
      if (m == "PATCH") {
        CK_RETURN_IF_ERROR(require_admin());
        if (body->contains("accountEnabled")) {
          if (!(*body)["accountEnabled"].is_boolean()) return errors::BadRequest("accountEnabled must be a boolean.");
          CK_ASSIGN_OR_RETURN(auto updated, dir.SetServicePrincipalEnabled(tid, object_id, (*body)["accountEnabled"]));
          (void)updated;
        }
        return wire::Text(204, "text/plain", "");
      }
    }
  }
  return errors::NotImplemented(m + " " + request.path);
}

}  // namespace crosskey::graph::http
