#pragma once
// Routes one library-neutral request to its plane by Host and path and runs the pipeline:
// match the route once, fault rules, the plane (authenticate, handler, mapper, audit), and
// tells the caller whether to persist. Planes: /_emulator/* (control API), vault hosts (Key Vault), blob hosts (the storage accounts' Blob data plane), /v1.0
// (Graph), /subscriptions|/providers|/tenants (ARM), everything else to the login plane. Also serves the managed-identity port.
// Thread-safety: stateless over the Cloud; safe for concurrent requests.
#include <functional>
#include <memory>
#include <string>

#include "emulator/arm/http/arm_routes.h"
#include "emulator/cloud/cloud.h"
#include "emulator/common/http_types.h"
#include "emulator/consumer/http/blob_routes.h"
#include "emulator/graph/http/graph_routes.h"
#include "emulator/keyvault/http/key_vault_routes.h"
#include "emulator/server/control/control_plane.h"
#include "emulator/server/control/state_control.h"
#include "emulator/server/fault_injector.h"
#include "emulator/token/http/login_routes.h"

namespace crosskey::server {

struct Endpoints {
  int https_port = 0;
  int mi_port = 0;
  std::string mi_header;
  std::string ca_pem;
  bool bench_routes = false;  // --bench-routes: serve /_emulator/bench/empty, /bench/spin, /bench/crypto
  std::string admin_token;    // --admin-token: required by every control call but /health and /ca.pem
  // /_emulator/state, /reset and /snapshots: the process, which owns the Cloud (null: 501).
  StateControl* state = nullptr;
};

class Router {
 public:
  Router(Cloud* cloud, const Endpoints* endpoints)
      : cloud_(cloud), endpoints_(endpoints), login_(cloud), graph_(cloud), arm_(cloud), kv_(cloud), blob_(cloud),
        mi_(cloud, endpoints->mi_header), faults_(cloud),
        control_(cloud, endpoints, &faults_, [this] { return Bootstrap(); }) {}

  // Serves one HTTPS request through the pipeline. *writes: whether the matched route changes
  // state (persisted before a 2xx is sent): writes on Graph, ARM, Key Vault and Blob (key crypto
  // is not a write), admin consent, user sign-ins, clock changes.
  HttpResponse HandleHttps(const HttpRequest& request, bool* writes) const;
  HttpResponse HandleManagedIdentity(const HttpRequest& request) const;
  nlohmann::json Bootstrap() const;

 private:
  enum class Plane { kKeyVault, kBlob, kGraph, kArm, kLogin, kNone };
  // Picks the plane by host and path and matches its route into *context.
  Plane Classify(const HttpRequest& request, wire::RequestContext* context) const;
  HttpResponse Serve(Plane plane, const HttpRequest& request, const wire::RequestContext& context) const;
  // The plane's own error mapper.
  HttpResponse RenderError(Plane plane, const Error& error, const HttpRequest& request) const;
  HttpResponse RenderFault(const FaultDecision& fault, Plane plane, const HttpRequest& request,
                           const wire::RequestContext& context) const;

  Cloud* cloud_;
  const Endpoints* endpoints_;
  token::http::LoginRoutes login_;
  graph::http::GraphRoutes graph_;
  arm::http::ArmRoutes arm_;
  keyvault::http::KeyVaultRoutes kv_;
  consumer::http::BlobRoutes blob_;
  token::http::ManagedIdentityRoutes mi_;
  mutable FaultInjector faults_;  // /_emulator/faults; checked before every plane request
  ControlPlane control_;
};

}  // namespace crosskey::server
