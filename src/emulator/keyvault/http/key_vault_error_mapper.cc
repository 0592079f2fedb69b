#include "emulator/keyvault/http/key_vault_error_mapper.h"

#include <nlohmann/json.hpp>

#include "emulator/common/http/wire.h"

namespace crosskey::keyvault::http {

HttpResponse RenderKvError(const Error& error) {
  nlohmann::json e = {{"code", error.code}, {"message", error.message}};
  if (!error.inner_code.empty()) e["innererror"] = {{"code", error.inner_code}};
  HttpResponse r = wire::Json(error.http_status, {{"error", e}});
  for (const auto& h : error.headers) r.headers.push_back(h);
  return r;
}

}  // namespace crosskey::keyvault::http
