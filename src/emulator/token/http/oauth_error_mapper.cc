#include "emulator/token/http/oauth_error_mapper.h"

#include <ctime>

#include <nlohmann/json.hpp>

#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"

namespace crosskey::token::http {
namespace {
std::string TraceSuffix(const HttpRequest& request, const std::string& timestamp) {
  return " Trace ID: " + request.request_id + " Correlation ID: " + request.request_id + " Timestamp: " + timestamp;
}

std::string EntraTimestamp() {
  std::string iso = IsoTime(std::time(nullptr));
  iso[10] = ' ';
  iso.pop_back();
  return iso + "Z";
}
}  // namespace

HttpResponse RenderOAuthError(const Error& error, const HttpRequest& request) {
  std::string ts = EntraTimestamp();
  nlohmann::json body = {{"error", error.code},
                         {"error_description", error.message + TraceSuffix(request, ts)},
                         {"error_codes", error.aadsts},
                         {"timestamp", ts},
                         {"trace_id", request.request_id},
                         {"correlation_id", request.request_id}};
  if (!error.aadsts.empty()) {
    body["error_uri"] = "https://login.microsoftonline.com/error?code=" + std::to_string(error.aadsts.front());
  }
  return wire::Json(error.http_status, body);
}

HttpResponse RenderManagedIdentityError(const Error& error) {
  return wire::Json(error.http_status, {{"error", error.code}, {"error_description", error.message}});
}

}  // namespace crosskey::token::http
