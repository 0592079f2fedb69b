#pragma once
// The Key Vault data plane on the wire, served on {vault}.vault.{domain}: the challenge
// protocol, bearer validation (signature, issuer = vault tenant, audience, lifetime), key
// lifecycle and crypto operations, Key Vault error bodies.
// Thread-safety: stateless over the Cloud; safe for concurrent requests.
#include <string>

#include "emulator/cloud/cloud.h"
#include "emulator/common/http_types.h"

namespace crosskey::keyvault::http {

HttpResponse RenderKvError(const Error& error);
// Key Vault's AuditEvent operation name of a data-plane request (KeyWrap, KeyUnwrap, ...).
std::string OperationName(const HttpRequest& request);

class KeyVaultRoutes {
 public:
  explicit KeyVaultRoutes(Cloud* cloud) : cloud_(cloud) {}
  // The vault name when request.host is "{vault}.vault.{domain}", else empty.
  std::string VaultOf(const HttpRequest& request) const;
  // Handles every request addressed to a vault host.
  HttpResponse Handle(const HttpRequest& request, const std::string& vault) const;

 private:
  StatusOr<HttpResponse> Dispatch(const HttpRequest& request, const std::shared_ptr<const arm::VaultInfo>& info,
                                  const KvCaller& caller) const;
  std::string Challenge(const HttpRequest& request, const std::string& tenant) const;
  Cloud* cloud_;
};

}  // namespace crosskey::keyvault::http
