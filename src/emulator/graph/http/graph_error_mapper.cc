#include "emulator/graph/http/graph_error_mapper.h"

#include <ctime>

#include <nlohmann/json.hpp>

#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"

namespace crosskey::graph::http {

HttpResponse RenderGraphError(const Error& error, const HttpRequest& request) {
  std::string client_request_id = request.Header("client-request-id");
  nlohmann::json inner = {{"date", IsoTime(std::time(nullptr)).substr(0, 19)},
                          {"request-id", request.request_id},
                          {"client-request-id", client_request_id.empty() ? request.request_id : client_request_id}};
  return wire::Json(error.http_status,
                    {{"error", {{"code", error.code}, {"message", error.message}, {"innerError", inner}}}});
}

}  // namespace crosskey::graph::http
