#pragma once
// The Key Vault data plane on the wire, served on {vault}.vault.{domain}: the challenge
// protocol, bearer validation (signature, issuer = vault tenant, audience, lifetime), the
// route table's handlers, Key Vault error bodies; the AuditEvent of a request the service never saw (the service
// writes every other).
// Thread-safety: stateless over the Cloud; safe for concurrent requests.
#include <chrono>
#include <string>

#include "emulator/cloud/cloud.h"
#include "emulator/common/http/request_context.h"
#include "emulator/common/http_types.h"
#include "emulator/keyvault/http/key_vault_error_mapper.h"

namespace crosskey::keyvault::http {

class KeyVaultRoutes {
 public:
  explicit KeyVaultRoutes(Cloud* cloud) : cloud_(cloud) {}
  // The vault name when request.host is "{vault}.vault.{domain}", else empty.
  std::string VaultOf(const HttpRequest& request) const;
  // Finds the request's route for vault `resource` (what VaultOf returned): fills context's
  // operation, path parameters and writes.
  void Match(const HttpRequest& request, std::string resource, wire::RequestContext* context) const;
  // Serves a request addressed to vault context.resource: VaultNotFound, the challenge or a
  // token error, NotImplemented for an unmatched route, else the handler's answer.
  HttpResponse Serve(const HttpRequest& request, const wire::RequestContext& context) const;
  static HttpResponse RenderError(const Error& error, const HttpRequest&) { return RenderKvError(error); }

 private:
  // The caller of a request with a valid token for the vault's tenant, else the refusal.
  StatusOr<KvCaller> Authenticate(const HttpRequest& request, const arm::VaultInfo& vault, std::string* uti) const;
  StatusOr<HttpResponse> Run(const HttpRequest& request, const wire::RequestContext& context,
                             const arm::VaultInfo& vault, const KvCaller& caller) const;
  void AuditUnserved(const wire::RequestContext& context, const arm::VaultInfo& vault, const KvCaller& caller,
                     int status, const Error* error, std::chrono::steady_clock::time_point started) const;
  std::string Challenge(const HttpRequest& request, const std::string& tenant) const;
  Cloud* cloud_;
};

}  // namespace crosskey::keyvault::http
