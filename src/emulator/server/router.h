#pragma once
// Routes one library-neutral request to its plane by Host and path: /_emulator/* (control
// API), vault hosts (Key Vault), /v1.0 (Graph), /subscriptions|/providers|/tenants (ARM),
// everything else to the login plane. Also serves the managed-identity port.
// Thread-safety: stateless over the Cloud; safe for concurrent requests.
#include <string>

#include "emulator/arm/http/arm_routes.h"
#include "emulator/cloud/cloud.h"
#include "emulator/common/http_types.h"
#include "emulator/graph/http/graph_routes.h"
#include "emulator/keyvault/http/key_vault_routes.h"
#include "emulator/server/fault_injector.h"
#include "emulator/token/http/login_routes.h"

namespace crosskey::server {

struct Endpoints {
  int https_port = 0;
  int mi_port = 0;
  std::string mi_header;
  std::string ca_pem;
  bool bench_routes = false;  // --bench-routes: serve /_emulator/bench/empty
};

class Router {
 public:
  Router(Cloud* cloud, const Endpoints* endpoints)
      : cloud_(cloud), endpoints_(endpoints), login_(cloud), graph_(cloud), arm_(cloud), kv_(cloud),
        mi_(cloud, endpoints->mi_header), faults_(cloud) {}

  HttpResponse HandleHttps(const HttpRequest& request) const;
  HttpResponse HandleManagedIdentity(const HttpRequest& request) const;
  nlohmann::json Bootstrap() const;

 private:
  bool HandleControl(const HttpRequest& request, HttpResponse* response) const;

  Cloud* cloud_;
  const Endpoints* endpoints_;
  token::http::LoginRoutes login_;
  graph::http::GraphRoutes graph_;
  arm::http::ArmRoutes arm_;
  keyvault::http::KeyVaultRoutes kv_;
  token::http::ManagedIdentityRoutes mi_;
  mutable FaultInjector faults_;  // /_emulator/faults; checked before every plane request
};

}  // namespace crosskey::server
