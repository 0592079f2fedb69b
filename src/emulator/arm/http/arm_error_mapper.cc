#include "emulator/arm/http/arm_error_mapper.h"

#include "emulator/common/http/wire.h"

namespace crosskey::arm::http {

nlohmann::json ArmErrorJson(const Error& error) {
  nlohmann::json details = nlohmann::json::array();
  for (const auto& [code, message] : error.causes) details.push_back({{"code", code}, {"message", message}});
  return {{"code", error.code}, {"message", error.message}, {"target", nullptr}, {"details", details}};
}

HttpResponse RenderArmError(const Error& error) { return wire::Json(error.http_status, {{"error", ArmErrorJson(error)}}); }

}  // namespace crosskey::arm::http
