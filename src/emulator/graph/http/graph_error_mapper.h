#pragma once
// Renders an Error as Microsoft Graph's error body: {"error":{"code","message","innerError":
// {"date","request-id","client-request-id"}}}. The only place Graph error bodies are written.
// Thread-safety: a free function.
#include "emulator/common/http_types.h"
#include "emulator/common/status.h"

namespace crosskey::graph::http {

HttpResponse RenderGraphError(const Error& error, const HttpRequest& request);

}  // namespace crosskey::graph::http
