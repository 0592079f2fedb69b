// ARM's tenant- and subscription-level reads: tenants, subscriptions, providers, resource
// lists (arm_call.h).
#include <regex>

#include "emulator/arm/errors.h"
#include "emulator/arm/http/arm_call.h"
#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"

namespace crosskey::arm::http {
using nlohmann::json;

HttpResponse Value(const std::vector<json>& items) { return wire::Json(200, {{"value", items}}); }

std::string FilterValue(const std::string& filter, const char* field) {
  std::regex re(std::string(R"(\b)") + field + R"(\s+eq\s+'([^']*)')", std::regex::icase);
  std::smatch m;
  if (std::regex_search(filter, m, re)) return m[1].str();
  return "";
}

StatusOr<HttpResponse> ListTenants(const ArmCall& call) {
  auto t = call.cloud.directory.FindTenant(call.caller.tenant_id);
  std::vector<json> items;
  if (t) {
    items.push_back({{"id", "/tenants/" + t->tenant_id},
                     {"tenantId", t->tenant_id},
                     {"tenantCategory", "Home"},
                     {"displayName", t->display_name},
                     {"defaultDomain", t->default_domain},
                     {"domains", {t->default_domain}}});
  }
  return Value(items);
}

StatusOr<HttpResponse> ListSubscriptions(const ArmCall& call) {
  std::vector<json> items;
  for (const auto& s : call.rm().ListSubscriptions(call.caller)) items.push_back(call.rm().SubscriptionJson(s));
  return Value(items);
}

StatusOr<HttpResponse> GetSubscription(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(auto s, call.rm().GetSubscription(call.caller, call.Param("subscription")));
  return wire::Json(200, call.rm().SubscriptionJson(s));
}

StatusOr<HttpResponse> GetProvider(const ArmCall& call) {
  const std::string& sub = call.Param("subscription");
  const std::string& ns = call.Param("namespace");
  if (!call.rm().FindSubscription(sub)) return errors::SubscriptionNotFound(sub);
  return wire::Json(200, {{"id", "/subscriptions/" + ToLower(sub) + "/providers/" + ns},
                          {"namespace", ns},
                          {"registrationState", "Registered"},
                          {"registrationPolicy", "RegistrationRequired"},
                          {"resourceTypes", json::array()}});
}

StatusOr<HttpResponse> ListResources(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(auto items, call.rm().ListResources(call.caller, call.Param("subscription"),
                                                          FilterValue(call.request.Query("$filter"), "resourceType")));
  return Value(items);
}

StatusOr<HttpResponse> ListResourceGroups(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(auto items,
                      call.rm().List(call.caller, "/subscriptions/" + call.Param("subscription"), "resourceGroups"));
  return Value(items);
}

StatusOr<HttpResponse> ListBySubscription(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(auto items, call.rm().List(call.caller, "/subscriptions/" + call.Param("subscription"),
                                                 call.Param("namespace") + "/" + call.Param("type")));
  return Value(items);
}

}  // namespace crosskey::arm::http
