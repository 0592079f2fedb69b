#pragma once
// Renders an Error as Entra's OAuth error body (error, error_description with the trace
// suffix, error_codes with the AADSTS numbers, timestamp, trace and correlation ids), and as
// the managed-identity endpoints' shorter {"error","error_description"}. The only place those
// bodies are written. Thread-safety: free functions.
#include "emulator/common/http_types.h"
#include "emulator/common/status.h"

namespace crosskey::token::http {

HttpResponse RenderOAuthError(const Error& error, const HttpRequest& request);
HttpResponse RenderManagedIdentityError(const Error& error);

}  // namespace crosskey::token::http
