#pragma once
// The control API (/_emulator/*) as a plane of its own: its route table (and the bench
// routes' table, consulted only with --bench-routes), the --admin-token check, its named
// errors and one mapper. Fault rules never apply to it.
// Thread-safety: stateless over the Cloud and the FaultInjector, both safe for concurrent use.
#include <functional>

#include <nlohmann/json.hpp>

#include "emulator/cloud/cloud.h"
#include "emulator/common/http_types.h"
#include "emulator/server/fault_injector.h"

namespace crosskey::server {

struct Endpoints;

class ControlPlane {
 public:
  ControlPlane(Cloud* cloud, const Endpoints* endpoints, FaultInjector* faults,
               std::function<nlohmann::json()> bootstrap)
      : cloud_(cloud), endpoints_(endpoints), faults_(faults), bootstrap_(std::move(bootstrap)) {}

  // True for /_emulator/ paths.
  static bool Owns(const HttpRequest& request);
  // Serves a control request: 401 without the admin token (but /health and /ca.pem), 405
  // for a known path with another method, 501 for an unknown one. *writes: whether the
  // route changes the live state (the clock, consumer settings and data).
  HttpResponse Serve(const HttpRequest& request, bool* writes) const;

 private:
  Cloud* cloud_;
  const Endpoints* endpoints_;
  FaultInjector* faults_;
  std::function<nlohmann::json()> bootstrap_;
};

}  // namespace crosskey::server
