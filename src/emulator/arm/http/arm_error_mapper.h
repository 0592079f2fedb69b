#pragma once
// Renders an Error as ARM's error body: {"error":{"code","message","target":null,"details":[]}}.
// The only place ARM error bodies are written. Thread-safety: a free function.
#include "emulator/common/http_types.h"
#include "emulator/common/status.h"

namespace crosskey::arm::http {

HttpResponse RenderArmError(const Error& error);

}  // namespace crosskey::arm::http
