// The control API's view of the emulated CMK consumers: their states, the re-check, settings,
// and the data plane PUT|GET /data/{storage|cosmos|disks|sql}/{name or ARM id}[?item=NAME]
// (control_call.h).
#include "emulator/common/http/wire.h"
#include "emulator/server/control_errors.h"
#include "emulator/server/control/control_call.h"

namespace crosskey::server {
namespace {
// The consumer reference as sent: a name, or an ARM id with its slashes.
std::string DataRef(const ControlCall& call) {
  const std::string& path = call.request.path;  // /_emulator/data/{kind}/{ref}
  size_t kind_start = std::string("/_emulator/data/").size();
  size_t slash = path.find('/', kind_start);
  return slash == std::string::npos ? "" : path.substr(slash + 1);
}

std::string Item(const ControlCall& call) {
  std::string item = call.request.Query("item");
  return item.empty() ? "default" : item;
}
}  // namespace

StatusOr<HttpResponse> GetConsumers(const ControlCall& call) {
  return wire::Json(200, call.cloud.consumers.States(call.request.Query("force") == "true"));
}

StatusOr<HttpResponse> CheckConsumers(const ControlCall& call) {
  return wire::Json(200, call.cloud.consumers.States(true));
}

StatusOr<HttpResponse> GetConsumerSettings(const ControlCall& call) {
  return wire::Json(200, call.cloud.consumers.Settings());
}

StatusOr<HttpResponse> SetConsumerSettings(const ControlCall& call) {
  std::string error;
  auto body = wire::ParseJsonBody(call.request, &error);
  CK_ASSIGN_OR_RETURN(auto updated, call.cloud.consumers.UpdateSettings(body ? *body : nlohmann::json()));
  return wire::Json(200, updated);
}

StatusOr<HttpResponse> PutConsumerData(const ControlCall& call) {
  std::string item = Item(call);
  CK_RETURN_IF_ERROR(call.cloud.consumers.WriteData(call.Param("kind"), DataRef(call), item, call.request.body));
  return wire::Json(201, {{"item", item}, {"bytes", call.request.body.size()}});
}

StatusOr<HttpResponse> GetConsumerData(const ControlCall& call) {
  CK_ASSIGN_OR_RETURN(auto data, call.cloud.consumers.ReadData(call.Param("kind"), DataRef(call), Item(call)));
  return wire::Text(200, "application/octet-stream", data);
}

}  // namespace crosskey::server
