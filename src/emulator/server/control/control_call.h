#pragma once
// The control API (/_emulator/*) as a plane: one request as a handler sees it, the handler
// type, the route tables (the bench routes in their own table, served only with
// --bench-routes) and the handlers.
// Thread-safety: ControlCall is a view over the request being served.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "emulator/cloud/cloud.h"
#include "emulator/common/http/route_table.h"
#include "emulator/common/http_types.h"
#include "emulator/server/control/state_control.h"
#include "emulator/server/fault_injector.h"

namespace crosskey::server {

struct Endpoints;

struct ControlCall {
  Cloud& cloud;
  const Endpoints& endpoints;
  FaultInjector& faults;
  const HttpRequest& request;
  const wire::PathParams& params;
  std::function<nlohmann::json()> bootstrap;

  const std::string& Param(std::string_view name) const { return params.Get(name); }
  // The body as a JSON object. Errors: InvalidRequest with `shape` (what the body must be).
  StatusOr<nlohmann::json> JsonObjectBody(const std::string& shape) const;
};

using ControlHandler = StatusOr<HttpResponse> (*)(const ControlCall&);
// Paths are relative to /_emulator.
const wire::RouteTable<ControlHandler>& ControlRouteTable();
const wire::RouteTable<ControlHandler>& BenchRouteTable();

// ---- handlers: service (service_handlers.cc)
StatusOr<HttpResponse> GetHealth(const ControlCall& call);
StatusOr<HttpResponse> GetCa(const ControlCall& call);
StatusOr<HttpResponse> GetBootstrap(const ControlCall& call);
StatusOr<HttpResponse> GetHosts(const ControlCall& call);
StatusOr<HttpResponse> GetAudit(const ControlCall& call);
StatusOr<HttpResponse> GetOperations(const ControlCall& call);
StatusOr<HttpResponse> SetOperations(const ControlCall& call);
StatusOr<HttpResponse> GetRbacDelays(const ControlCall& call);
StatusOr<HttpResponse> SetRbacDelays(const ControlCall& call);
StatusOr<HttpResponse> GetThrottling(const ControlCall& call);
StatusOr<HttpResponse> SetThrottling(const ControlCall& call);
StatusOr<HttpResponse> GetClock(const ControlCall& call);
StatusOr<HttpResponse> SetClock(const ControlCall& call);
// ---- faults (fault_handlers.cc)
StatusOr<HttpResponse> ListFaults(const ControlCall& call);
StatusOr<HttpResponse> AddFault(const ControlCall& call);
StatusOr<HttpResponse> ClearFaults(const ControlCall& call);
StatusOr<HttpResponse> GetFault(const ControlCall& call);
StatusOr<HttpResponse> DeleteFault(const ControlCall& call);
// ---- consumers (consumer_handlers.cc)
StatusOr<HttpResponse> GetConsumers(const ControlCall& call);
StatusOr<HttpResponse> CheckConsumers(const ControlCall& call);
StatusOr<HttpResponse> GetConsumerSettings(const ControlCall& call);
StatusOr<HttpResponse> SetConsumerSettings(const ControlCall& call);
StatusOr<HttpResponse> PutConsumerData(const ControlCall& call);
StatusOr<HttpResponse> GetConsumerData(const ControlCall& call);
// ---- state (state_handlers.cc)
StatusOr<HttpResponse> GetState(const ControlCall& call);
StatusOr<HttpResponse> LoadState(const ControlCall& call);
StatusOr<HttpResponse> ResetState(const ControlCall& call);
StatusOr<HttpResponse> ListSnapshots(const ControlCall& call);
StatusOr<HttpResponse> TakeSnapshot(const ControlCall& call);
StatusOr<HttpResponse> DeleteSnapshot(const ControlCall& call);
StatusOr<HttpResponse> RestoreSnapshot(const ControlCall& call);
// ---- bench (bench_handlers.cc)
StatusOr<HttpResponse> BenchEmpty(const ControlCall& call);
StatusOr<HttpResponse> BenchSpin(const ControlCall& call);
StatusOr<HttpResponse> BenchCrypto(const ControlCall& call);

}  // namespace crosskey::server
