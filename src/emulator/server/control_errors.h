#pragma once
// Named factories for the control API's errors (/_emulator/*), rendered only by
// RenderControlError as {"error":{"code","message"}}. Also the answer to a request that no
// plane serves. Thread-safety: free functions.
#include <string>

#include "emulator/common/http_types.h"
#include "emulator/common/status.h"

namespace crosskey::server::control_errors {

Error InvalidRequest(const std::string& message);         // 400 BadRequest
Error InvalidParameter(const std::string& message);       // 400 BadParameter
Error Unauthorized();                                     // 401: --admin-token required
Error NotFound(const std::string& message);               // 404 NotFound
Error MethodNotAllowed(const std::string& message);       // 405 MethodNotAllowed
Error Conflict(const std::string& message);               // 409 Conflict
Error PersistFailed(const std::string& detail);           // 503: the durable store refused a change
Error Internal(const std::string& message);               // 500: a state swap failed
Error NoControlEndpoint(const std::string& method, const std::string& path);  // 501
Error NotServed(const std::string& method, const std::string& path);          // 501: no plane has the path
// The HTTP listener refused the request before any plane saw it (413 body too large, 400
// malformed): code BadRequest with the listener's own status.
Error ListenerRefused(int status, const std::string& message);
// A handler threw: a crosskey bug, answered as a clean 500 so it shows in tests.
Error UnhandledException();

}  // namespace crosskey::server::control_errors

namespace crosskey::server {
// The control API's error body.
HttpResponse RenderControlError(const Error& error);
}  // namespace crosskey::server
