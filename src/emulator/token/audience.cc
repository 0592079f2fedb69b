#include "emulator/token/audience.h"

#include "emulator/common/text.h"

namespace crosskey::token {
namespace {
// "https://host[:port][/]" -> host without port, only when there is no further path.
bool HostOnly(std::string_view url, std::string* host) {
  constexpr std::string_view kScheme = "https://";
  if (url.substr(0, kScheme.size()) != kScheme) return false;
  std::string_view rest = url.substr(kScheme.size());
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) return false;
  *host = std::string(rest.substr(0, rest.find(':')));
  return true;
}
}  // namespace

Api ClassifyAudience(std::string_view resource, std::string_view domain) {
  std::string r = ToLower(resource);
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  if (r == "api://azureadtokenexchange") return Api::kTokenExchange;
  if (r == "00000003-0000-0000-c000-000000000000") return Api::kGraph;
  if (r == "cfa8b339-82a2-471a-a3c9-0fc0be7a4093") return Api::kKeyVault;
  std::string host;
  if (!HostOnly(r, &host)) return Api::kUnknown;
  std::string d = ToLower(domain);
  if (host == "vault.azure.net" || host == "vault." + d) return Api::kKeyVault;
  if (host == "management.core.windows.net" || host == "management.azure.com" || host == "management." + d) {
    return Api::kArm;
  }
  if (host == "graph.microsoft.com" || host == "graph." + d) return Api::kGraph;
  if (host == "storage.azure.com" || host == "storage." + d) return Api::kStorage;
  return Api::kUnknown;
}

std::string ResourceFromScope(std::string_view scope) {
  std::string first;
  for (const auto& part : Split(scope, ' ')) {
    if (part.empty() || part == "openid" || part == "profile" || part == "offline_access") continue;
    first = part;
    break;
  }
  constexpr std::string_view kDefault = "/.default";
  if (EndsWith(first, kDefault)) first.resize(first.size() - kDefault.size());
  return first;
}

std::string V1Issuer(const std::string& tenant_id) { return "https://sts.windows.net/" + tenant_id + "/"; }
std::string V2Issuer(const std::string& tenant_id) {
  return "https://login.microsoftonline.com/" + tenant_id + "/v2.0";
}

}  // namespace crosskey::token
