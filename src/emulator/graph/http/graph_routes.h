#pragma once
// Microsoft Graph v1.0 on the wire: applications (+ addPassword, federated credentials),
// service principals, users, /me, directory roles, the authorization policy. Every failure
// is Graph-shaped JSON (azure-cli reads error.message even on 404). Authorization lives in the
// core (graph::DirectoryService); this adapter authenticates, parses and renders.
// Thread-safety: stateless over the Cloud; safe for concurrent requests.
#include "emulator/cloud/cloud.h"
#include "emulator/common/http/request_context.h"
#include "emulator/common/http_types.h"
#include "emulator/graph/http/graph_error_mapper.h"

namespace crosskey::graph::http {

class GraphRoutes {
 public:
  explicit GraphRoutes(Cloud* cloud) : cloud_(cloud) {}
  // True for /v1.0 and /beta paths.
  static bool IsGraphPath(const std::string& path);
  // Matches the path after the version; applications(appId='X') and servicePrincipals(appId='X')
  // become {id} = "(appId='X')".
  void Match(const HttpRequest& request, wire::RequestContext* context) const;
  HttpResponse Serve(const HttpRequest& request, const wire::RequestContext& context) const;
  static HttpResponse RenderError(const Error& error, const HttpRequest& request) {
    return RenderGraphError(error, request);
  }

 private:
  StatusOr<HttpResponse> Run(const HttpRequest& request, const wire::RequestContext& context,
                             const GraphCaller& caller) const;
  Cloud* cloud_;
};

}  // namespace crosskey::graph::http
