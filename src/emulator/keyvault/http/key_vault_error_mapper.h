#pragma once
// Renders an Error as Key Vault's error body: {"error":{"code","message","innererror":{"code"}}}
// with the error's extra headers (the WWW-Authenticate challenge). The only place Key Vault
// error bodies are written. Thread-safety: a free function.
#include "emulator/common/http_types.h"
#include "emulator/common/status.h"

namespace crosskey::keyvault::http {

HttpResponse RenderKvError(const Error& error);

}  // namespace crosskey::keyvault::http
