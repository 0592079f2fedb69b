#pragma once
// Helpers every plane's wire adapter shares: JSON responses, bearer extraction, body parsing.
// Thread-safety: free functions.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "emulator/common/http_types.h"

namespace crosskey::wire {

HttpResponse Json(int status, const nlohmann::json& body);
HttpResponse Text(int status, const std::string& content_type, std::string body);
// The token after "Bearer " (scheme case-insensitive); nullopt when absent or another scheme.
std::optional<std::string> BearerToken(const HttpRequest& request);
// Parses a JSON body through ParseBoundedJson (nesting depth 64, 1 MiB); nullopt with *error
// when it breaks a limit or is not valid JSON. An empty body parses as an empty object.
std::optional<nlohmann::json> ParseJsonBody(const HttpRequest& request, std::string* error);
// The request's own base URL: https://{host}[:port].
std::string BaseUrl(const HttpRequest& request);
// Path split on '/', empty segments dropped.
std::vector<std::string> PathSegments(const std::string& path);

}  // namespace crosskey::wire
