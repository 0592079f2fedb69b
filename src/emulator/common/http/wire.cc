#include "emulator/common/http/wire.h"

#include "emulator/common/bounded_json.h"
#include "emulator/common/flat_json.h"
#include "emulator/common/text.h"

namespace crosskey::wire {

HttpResponse Json(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

HttpResponse Text(int status, const std::string& content_type, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = content_type;
  r.body = std::move(body);
  return r;
}

std::optional<std::string> BearerToken(const HttpRequest& request) {
  std::string_view h = request.HeaderView("authorization");
  if (h.size() < 7 || !StartsWithIgnoreCase(h.substr(0, 7), "bearer ")) return std::nullopt;
  std::string_view token = h.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\r')) token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return std::string(token);
}

std::optional<nlohmann::json> ParseJsonBody(const HttpRequest& request, std::string* error) {
  if (request.body.empty()) return nlohmann::json::object();
  // Most bodies (every wrap and unwrap) are flat objects of plain strings: read those without
  // the general parser, which costs ~3 us on a 342-character RSA-2048 value.
  if (auto flat = ParseFlatStringObject(request.body)) return flat;
  auto j = ParseBoundedJson(request.body, error);
  if (!j && error->find("not valid JSON") != std::string::npos) *error = "The request body is not valid JSON.";
  return j;
}

std::string BaseUrl(const HttpRequest& request) { return "https://" + request.Authority(); }

std::vector<std::string> PathSegments(const std::string& path) {
  // One pass, no intermediate list: every plane request reads its path this way.
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string::npos) slash = path.size();
    if (slash > i) out.emplace_back(path, i, slash - i);
    i = slash + 1;
  }
  return out;
}

}  // namespace crosskey::wire
