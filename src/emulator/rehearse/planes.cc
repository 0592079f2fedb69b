#include "emulator/rehearse/planes.h"

#include "emulator/common/text.h"
#include "emulator/rehearse/errors.h"

namespace crosskey::rehearse {

ApiResponse Planes::Call(const std::string& method, const std::string& host, const std::string& target,
                         const std::string& bearer, const Json& body) {
  std::string payload = body.is_null() ? "" : body.dump();
  ApiResponse r = client_->Send(method, host, target, bearer.empty() ? "" : "Bearer " + bearer,
                                body.is_null() ? "" : "application/json", payload);
  r.json = Json::parse(r.body, nullptr, false);
  if (r.json.is_discarded()) r.json = nullptr;
  return r;
}

ApiResponse Planes::Control(const std::string& method, const std::string& path, const Json& body) {
  return Call(method, "login." + domain_, "/_emulator" + path, "", body);
}

ApiResponse Planes::ControlRaw(const std::string& method, const std::string& path, const std::string& bytes) {
  ApiResponse r = client_->Send(method, "login." + domain_, "/_emulator" + path, "", "application/octet-stream", bytes);
  r.json = Json::parse(r.body, nullptr, false);
  if (r.json.is_discarded()) r.json = nullptr;
  return r;
}

int64_t Planes::Now() {
  auto r = Control("GET", "/clock");
  return r.status == 200 && r.json.is_object() ? r.json.value("now", int64_t{0}) : 0;
}

StatusOr<std::string> Planes::Bearer(const std::string& tenant_id, const std::string& scope) {
  if (admins_.empty()) {
    auto boot = Control("GET", "/bootstrap");
    if (boot.status != 200 || !boot.json.is_object()) {
      return errors::BootstrapUnavailable(ErrorText(boot));
    }
    for (const auto& t : boot.json.value("tenants", Json::array())) {
      admins_[t.value("tenantId", "")] = {t["adminApp"].value("appId", ""), t["adminApp"].value("clientSecret", "")};
    }
  }
  auto admin = admins_.find(tenant_id);
  if (admin == admins_.end()) {
    return errors::TenantNotBootstrapped(tenant_id);
  }
  std::string form = "grant_type=client_credentials&client_id=" + UrlEncode(admin->second.first) +
                     "&client_secret=" + UrlEncode(admin->second.second) + "&scope=" + UrlEncode(scope);
  auto r = client_->Send("POST", "login." + domain_, "/" + tenant_id + "/oauth2/v2.0/token", "",
                         "application/x-www-form-urlencoded", form);
  r.json = Json::parse(r.body, nullptr, false);
  if (r.status != 200 || !r.json.is_object() || !r.json.contains("access_token")) {
    if (r.json.is_discarded()) r.json = nullptr;
    return errors::TokenRefused(r.status, scope, ErrorText(r));
  }
  return r.json["access_token"].get<std::string>();
}

ApiResponse Planes::Graph(const std::string& tenant_id, const std::string& method, const std::string& path,
                          const Json& body) {
  auto token = Bearer(tenant_id, "https://graph.microsoft.com/.default");
  if (!token.ok()) return {token.error().http_status, token.error().message, nullptr};
  return Call(method, "graph." + domain_, path, *token, body);
}

ApiResponse Planes::Arm(const std::string& tenant_id, const std::string& method, const std::string& path,
                        const std::string& api_version, const Json& body) {
  auto token = Bearer(tenant_id, "https://management.azure.com/.default");
  if (!token.ok()) return {token.error().http_status, token.error().message, nullptr};
  std::string target = path + (path.find('?') == std::string::npos ? "?" : "&") + "api-version=" + api_version;
  return Call(method, "management." + domain_, target, *token, body);
}

ApiResponse Planes::Vault(const std::string& tenant_id, const std::string& vault, const std::string& method,
                          const std::string& path, const Json& body) {
  auto token = Bearer(tenant_id, "https://vault.azure.net/.default");
  if (!token.ok()) return {token.error().http_status, token.error().message, nullptr};
  std::string target = path + (path.find('?') == std::string::npos ? "?" : "&") + "api-version=7.4";
  return Call(method, ToLower(vault) + ".vault." + domain_, target, *token, body);
}

std::string Planes::ErrorText(const ApiResponse& r) {
  if (r.status == 0) return "no answer: " + r.body;
  const Json& j = r.json;
  std::string text = "HTTP " + std::to_string(r.status);
  if (j.is_object() && j.contains("error")) {
    const Json& e = j["error"];
    if (e.is_object()) {
      text += " " + e.value("code", "");
      if (e.contains("innererror") && e["innererror"].is_object()) text += "/" + e["innererror"].value("code", "");
      text += ": " + e.value("message", "");
    } else if (e.is_string()) {
      text += " " + e.get<std::string>() + ": " + j.value("error_description", "");
    }
  } else if (!r.body.empty()) {
    text += ": " + r.body.substr(0, 300);
  }
  return text;
}

}  // namespace crosskey::rehearse
