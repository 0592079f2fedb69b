#include "emulator/arm/http/arm_routes.h"

#include <regex>

#include "emulator/arm/errors.h"
#include "emulator/arm/resource_id.h"
#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"

namespace crosskey::arm::http {
namespace {
using nlohmann::json;

HttpResponse Value(const std::vector<json>& items) { return wire::Json(200, {{"value", items}}); }

// Splits "{scope}/providers/Microsoft.Authorization/{kind}[/{name}]".
bool SplitAuthorization(const std::string& path, const char* kind, std::string* scope, std::string* name) {
  std::string marker = std::string("/providers/Microsoft.Authorization/") + kind;
  std::string lower = ToLower(path), lower_marker = ToLower(marker);
  auto pos = lower.find(lower_marker);
  if (pos == std::string::npos) return false;
  std::string rest = path.substr(pos + marker.size());
  if (!rest.empty() && rest[0] != '/') return false;
  *scope = path.substr(0, pos);
  if (scope->empty()) *scope = "/";
  *name = TrimSlashes(rest);
  return name->find('/') == std::string::npos;
}

std::string FilterValue(const std::string& filter, const char* field) {
  std::regex re(std::string(R"(\b)") + field + R"(\s+eq\s+'([^']*)')", std::regex::icase);
  std::smatch m;
  if (std::regex_search(filter, m, re)) return m[1].str();
  return "";
}
}  // namespace

HttpResponse RenderArmError(const Error& error) {
  return wire::Json(error.http_status, {{"error", {{"code", error.code}, {"message", error.message}, {"target", nullptr},
                                                   {"details", json::array()}}}});
}

bool ArmRoutes::Handle(const HttpRequest& request, HttpResponse* response) const {
  // ARM collapses repeated slashes: the SDKs' *ById operations send "/{id}" with a full id,
  // i.e. "//subscriptions/..." (JS arm-authorization roleAssignments.getById/deleteById).
  if (request.path.find("//") != std::string::npos) {
    HttpRequest collapsed = request;
    collapsed.path.clear();
    for (char c : request.path) {
      if (c != '/' || collapsed.path.empty() || collapsed.path.back() != '/') collapsed.path += c;
    }
    return Handle(collapsed, response);
  }
  const std::string& p = request.path;
  if (!StartsWithIgnoreCase(p, "/subscriptions") && !StartsWithIgnoreCase(p, "/providers") &&
      !StartsWithIgnoreCase(p, "/tenants")) {
    return false;
  }
  auto token = wire::BearerToken(request);
  if (!token) {
    *response = RenderArmError(errors::AuthenticationMissing());
    return true;
  }
  auto v = cloud_->validator.Validate(*token, token::Api::kArm);
  if (!v.ok()) {
    *response = RenderArmError(v.problem == token::TokenProblem::kExpired ? errors::ExpiredAuthenticationToken()
                                                                         : errors::InvalidAuthenticationToken(v.detail));
    return true;
  }
  ArmCaller caller{v.token.tenant_id, v.token.object_id, v.token.upn.empty() ? v.token.object_id : v.token.upn};
  // A property of an unexpected JSON type is the client's mistake: 400, never a 500.
  auto result = [&]() -> StatusOr<HttpResponse> {
    try {
      return Dispatch(request, caller);
    } catch (const nlohmann::json::exception& e) {
      return errors::InvalidRequestContent(e.what());
    }
  }();
  *response = result.ok() ? std::move(result).value() : RenderArmError(result.error());
  if (request.method != "GET" && request.method != "HEAD") {
    // The activity log records writes, refused or not.
    std::string verb = request.method == "DELETE" ? "delete" : request.method == "POST" ? "action" : "write";
    std::string type = "Microsoft.Resources/subscriptions";
    if (ToLower(request.path).find("/providers/microsoft.authorization/roleassignments") != std::string::npos) {
      type = "Microsoft.Authorization/roleAssignments";
    } else if (auto pid = ParseResourceId(request.path); pid && !pid->Type().empty()) {
      type = pid->Type() == "Microsoft.Resources/resourceGroups" ? "Microsoft.Resources/subscriptions/resourceGroups"
                                                                  : pid->Type();
    }
    nlohmann::json r = {{"category", "Activity"}, {"operationName", type + "/" + verb},
                        {"tenantId", v.token.tenant_id}, {"objectId", v.token.object_id}, {"appId", v.token.app_id},
                        {"caller", caller.display}, {"scope", request.path}, {"httpStatusCode", response->status},
                        {"result", response->status < 400 ? "Succeeded" : "Failed"},
                        {"correlationId", v.token.uti}, {"requestId", request.request_id}};
    if (!result.ok()) r["error"] = result.error().code;
    cloud_->audit.Record(std::move(r));
  }
  return true;
}

StatusOr<HttpResponse> ArmRoutes::Dispatch(const HttpRequest& request, const ArmCaller& caller) const {
  auto& rm = cloud_->resources;
  const std::string& m = request.method;
  std::string path = request.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  auto seg = wire::PathSegments(path);
  std::string body_error;
  auto body = wire::ParseJsonBody(request, &body_error);
  if (!body) return errors::InvalidRequestContent(body_error);

  if (seg.size() == 1 && EqualsIgnoreCase(seg[0], "tenants") && m == "GET") {
    auto t = cloud_->directory.FindTenant(caller.tenant_id);
    std::vector<json> items;
    if (t) {
      items.push_back({{"id", "/tenants/" + t->tenant_id}, {"tenantId", t->tenant_id}, {"tenantCategory", "Home"},
                       {"displayName", t->display_name}, {"defaultDomain", t->default_domain},
                       {"domains", {t->default_domain}}});
    }
    return Value(items);
  }
  if (seg.size() == 1 && EqualsIgnoreCase(seg[0], "subscriptions") && m == "GET") {
    std::vector<json> items;
    for (const auto& s : rm.ListSubscriptions(caller)) items.push_back(rm.SubscriptionJson(s));
    return Value(items);
  }
  if (seg.size() == 2 && EqualsIgnoreCase(seg[0], "subscriptions") && m == "GET") {
    CK_ASSIGN_OR_RETURN(auto s, rm.GetSubscription(caller, seg[1]));
    return wire::Json(200, rm.SubscriptionJson(s));
  }
  std::string scope, name;
  if (SplitAuthorization(path, "roleDefinitions", &scope, &name)) {
    if (m != "GET") return errors::NotImplemented(m, path);
    if (name.empty()) {
      CK_ASSIGN_OR_RETURN(auto items, rm.ListRoleDefinitions(caller, scope, FilterValue(request.Query("$filter"), "roleName")));
      return Value(items);
    }
    CK_ASSIGN_OR_RETURN(auto role, rm.GetRoleDefinition(caller, scope, name));
    return wire::Json(200, role);
  }
  if (SplitAuthorization(path, "roleAssignments", &scope, &name)) {
    if (name.empty() && m == "GET") {
      std::string filter = request.Query("$filter");
      bool at_scope = ToLower(filter).find("atscope()") != std::string::npos;
      CK_ASSIGN_OR_RETURN(auto items, rm.ListRoleAssignments(caller, scope, FilterValue(filter, "principalId"), at_scope));
      return Value(items);
    }
    if (m == "PUT") {
      CK_ASSIGN_OR_RETURN(auto put, rm.PutRoleAssignment(caller, scope, name, *body));
      return wire::Json(put.created ? 201 : 200, put.body);
    }
    if (m == "GET") {
      CK_ASSIGN_OR_RETURN(auto ra, rm.GetRoleAssignment(caller, scope, name));
      return wire::Json(200, ra);
    }
    if (m == "DELETE") {
      auto removed = rm.DeleteRoleAssignment(caller, scope, name);
      if (!removed.ok() && removed.error().code == "RoleAssignmentNotFound") return wire::Text(204, "text/plain", "");
      if (!removed.ok()) return removed.error();
      return wire::Json(200, *removed);
    }
    return errors::NotImplemented(m, path);
  }
  if (seg.size() >= 2 && EqualsIgnoreCase(seg[0], "subscriptions")) {
    const std::string& sub = seg[1];
    // /subscriptions/{s}/providers/...
    if (seg.size() >= 4 && EqualsIgnoreCase(seg[2], "providers")) {
      if (seg.size() == 4 && m == "GET") {
        if (!rm.FindSubscription(sub)) return errors::SubscriptionNotFound(sub);
        return wire::Json(200, {{"id", "/subscriptions/" + ToLower(sub) + "/providers/" + seg[3]},
                                {"namespace", seg[3]},
                                {"registrationState", "Registered"},
                                {"registrationPolicy", "RegistrationRequired"},
                                {"resourceTypes", json::array()}});
      }
      if (seg.size() == 4 && m == "POST") return errors::NotImplemented(m, path);
      bool kv = EqualsIgnoreCase(seg[3], "Microsoft.KeyVault");
      if (kv && seg.size() == 5 && EqualsIgnoreCase(seg[4], "deletedVaults") && m == "GET") {
        CK_ASSIGN_OR_RETURN(auto items, rm.ListDeletedVaults(caller, sub));
        return Value(items);
      }
      // .../locations/{loc}/deletedVaults/{name}[/purge]
      if (kv && seg.size() >= 8 && EqualsIgnoreCase(seg[4], "locations") && EqualsIgnoreCase(seg[6], "deletedVaults")) {
        if (seg.size() == 8 && m == "GET") {
          CK_ASSIGN_OR_RETURN(auto d, rm.GetDeletedVault(caller, sub, seg[7]));
          return wire::Json(200, d);
        }
        if (seg.size() == 9 && EqualsIgnoreCase(seg[8], "purge") && m == "POST") {
          CK_RETURN_IF_ERROR(rm.PurgeDeletedVault(caller, sub, seg[7]));
          return wire::Text(200, "text/plain", "");
        }
      }
      if (seg.size() == 5 && m == "GET") {
        CK_ASSIGN_OR_RETURN(auto items, rm.List(caller, "/subscriptions/" + sub, seg[3] + "/" + seg[4]));
        return Value(items);
      }
      return errors::NotImplemented(m, path);
    }
    if (seg.size() == 3 && EqualsIgnoreCase(seg[2], "resources") && m == "GET") {
      CK_ASSIGN_OR_RETURN(auto items, rm.ListResources(caller, sub, FilterValue(request.Query("$filter"), "resourceType")));
      return Value(items);
    }
    if (seg.size() == 3 && EqualsIgnoreCase(seg[2], "resourceGroups") && m == "GET") {
      CK_ASSIGN_OR_RETURN(auto items, rm.List(caller, "/subscriptions/" + sub, "resourceGroups"));
      return Value(items);
    }
    // List in a group: /subscriptions/{s}/resourceGroups/{g}/providers/{ns}/{type}
    if (seg.size() == 7 && EqualsIgnoreCase(seg[2], "resourceGroups") && EqualsIgnoreCase(seg[4], "providers") &&
        m == "GET") {
      CK_ASSIGN_OR_RETURN(auto items, rm.List(caller, "/subscriptions/" + sub + "/resourceGroups/" + seg[3],
                                              seg[5] + "/" + seg[6]));
      return Value(items);
    }
    // /resourceGroups/{g}/providers/{ns}/{type}/{name}/{childType} list
    if (seg.size() == 9 && EqualsIgnoreCase(seg[2], "resourceGroups") && m == "GET") {
      CK_ASSIGN_OR_RETURN(auto items, rm.List(caller, "/" + [&] {
        std::string s;
        for (size_t i = 0; i < 8; ++i) s += (i ? "/" : "") + seg[i];
        return s;
      }(), seg[5] + "/" + seg[6] + "/" + seg[8]));
      return Value(items);
    }
    if (seg.size() >= 4 && EqualsIgnoreCase(seg[2], "resourceGroups")) {
      if (m == "PUT") {
        CK_ASSIGN_OR_RETURN(auto put, rm.Put(caller, path, *body));
        return wire::Json(put.created ? 201 : 200, put.body);
      }
      if (m == "PATCH") {
        CK_ASSIGN_OR_RETURN(auto patched, rm.Patch(caller, path, *body));
        return wire::Json(200, patched);
      }
      if (m == "GET") {
        CK_ASSIGN_OR_RETURN(auto got, rm.Get(caller, path));
        return wire::Json(200, got);
      }
      if (m == "HEAD") {
        auto got = rm.Get(caller, path);
        if (!got.ok()) return wire::Text(got.error().http_status, "text/plain", "");
        return wire::Text(204, "text/plain", "");
      }
      if (m == "DELETE") {
        auto deleted = rm.Delete(caller, path);
        if (!deleted.ok() && deleted.error().code == "ResourceNotFound") return wire::Text(204, "text/plain", "");
        if (!deleted.ok()) return deleted.error();
        return wire::Text(200, "text/plain", "");
      }
    }
  }
  return errors::NotImplemented(m, path);
}

}  // namespace crosskey::arm::http
