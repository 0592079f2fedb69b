#include "emulator/arm/http/arm_error_mapper.h"

#include <nlohmann/json.hpp>

#include "emulator/common/http/wire.h"

namespace crosskey::arm::http {

HttpResponse RenderArmError(const Error& error) {
  return wire::Json(error.http_status, {{"error",
                                         {{"code", error.code},
                                          {"message", error.message},
                                          {"target", nullptr},
                                          {"details", nlohmann::json::array()}}}});
}

}  // namespace crosskey::arm::http
