#pragma once
// Microsoft Graph v1.0 on the wire: applications (+ addPassword, federated credentials),
// service principals, users, /me, the authorization policy. Every failure is Graph-shaped
// JSON (azure-cli reads error.message even on 404).
// Thread-safety: stateless over the Cloud; safe for concurrent requests.
#include "emulator/cloud/cloud.h"
#include "emulator/common/http_types.h"

namespace crosskey::graph::http {

HttpResponse RenderGraphError(const Error& error, const HttpRequest& request);

class GraphRoutes {
 public:
  explicit GraphRoutes(Cloud* cloud) : cloud_(cloud) {}
  bool Handle(const HttpRequest& request, HttpResponse* response) const;

 private:
  StatusOr<HttpResponse> Dispatch(const HttpRequest& request, const GraphCaller& caller) const;
  Cloud* cloud_;
};

}  // namespace crosskey::graph::http
