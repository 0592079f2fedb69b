#pragma once
// Renders an Error as ARM's error body: {"error":{"code","message","target":null,"details":[]}},
// details[] from the error's causes (a DeploymentFailed's failed resources). The only place ARM
// error bodies are written. Thread-safety: free functions.
#include <nlohmann/json.hpp>

#include "emulator/common/http_types.h"
#include "emulator/common/status.h"

namespace crosskey::arm::http {

// The {"code","message","target","details"} object (also the "error" of an operation status).
nlohmann::json ArmErrorJson(const Error& error);
HttpResponse RenderArmError(const Error& error);

}  // namespace crosskey::arm::http
