// Helpers Graph's handlers share (graph_call.h): OData lists, $filter, object lookups.
#include <regex>

#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"
#include "emulator/graph/errors.h"
#include "emulator/graph/http/graph_call.h"

namespace crosskey::graph::http {
namespace {
// "(appId='X')": the alternate key form the plane leaves in {id} (GraphRoutes::Match).
std::string AlternateAppId(const std::string& id) {
  static const std::string kPrefix = "(appId='";
  if (StartsWithIgnoreCase(id, kPrefix) && EndsWith(id, "')")) return id.substr(kPrefix.size(), id.size() - kPrefix.size() - 2);
  return "";
}
}  // namespace

HttpResponse List(const std::string& context, nlohmann::json items) {
  return wire::Json(200, {{"@odata.context", "https://graph.microsoft.com/v1.0/$metadata#" + context},
                          {"value", std::move(items)}});
}

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
             const std::vector<std::string>& names) {
  if (EqualsIgnoreCase(f.field, "appId")) return EqualsIgnoreCase(app_id, f.value);
  if (EqualsIgnoreCase(f.field, "id")) return EqualsIgnoreCase(id, f.value);
  if (EqualsIgnoreCase(f.field, "displayName")) return name == f.value;
  if (f.field == "displayName*") return StartsWithIgnoreCase(name, f.value);
  for (const auto& n : names) {
    if (EqualsIgnoreCase(n, f.value)) return true;
  }
  return false;
}

std::vector<std::string> Strings(const nlohmann::json& j) {
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& s : j) {
      if (s.is_string()) out.push_back(s.get<std::string>());
    }
  }
  return out;
}

StatusOr<Application> ResolveApplication(const GraphCall& call) {
  const std::string& id = call.Param("id");
  const std::string& tid = call.caller.tenant_id;
  if (std::string app_id = AlternateAppId(id); !app_id.empty()) {
    auto app = call.dir().FindApplicationByAppId(app_id);
    if (!app || app->home_tenant_id != tid) return errors::ResourceNotFound(app_id);
    return *app;
  }
  auto app = call.dir().FindApplication(tid, id);
  if (!app) return errors::ResourceNotFound(id);
  return *app;
}

StatusOr<ServicePrincipal> ResolveServicePrincipal(const GraphCall& call) {
  const std::string& id = call.Param("id");
  const std::string& tid = call.caller.tenant_id;
  if (std::string app_id = AlternateAppId(id); !app_id.empty()) {
    auto sp = call.dir().FindServicePrincipalByAppId(tid, app_id);
    if (!sp) return errors::ResourceNotFound(app_id);
    return *sp;
  }
  auto sp = call.dir().FindServicePrincipal(tid, id);
  if (!sp) return errors::ResourceNotFound(id);
  return *sp;
}

}  // namespace crosskey::graph::http
