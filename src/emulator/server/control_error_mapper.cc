// The control API's error mapper: the only place its error bodies are written.
#include <nlohmann/json.hpp>

#include "emulator/common/http/wire.h"
#include "emulator/server/control_errors.h"

namespace crosskey::server {

HttpResponse RenderControlError(const Error& error) {
  HttpResponse r = wire::Json(error.http_status, {{"error", {{"code", error.code}, {"message", error.message}}}});
  for (const auto& h : error.headers) r.headers.push_back(h);
  return r;
}

}  // namespace crosskey::server
