#pragma once
// Azure Resource Manager on the wire: tenants, subscriptions, providers, resource groups,
// generic resources (identities, vaults), deleted vaults, role definitions and assignments.
// Every failure is ARM-shaped ({"error":{"code","message"}}); paths outside the emulated
// surface answer 501 naming the path.
// Thread-safety: stateless over the Cloud; safe for concurrent requests.
#include "emulator/cloud/cloud.h"
#include "emulator/common/http_types.h"

namespace crosskey::arm::http {

HttpResponse RenderArmError(const Error& error);

class ArmRoutes {
 public:
  explicit ArmRoutes(Cloud* cloud) : cloud_(cloud) {}
  bool Handle(const HttpRequest& request, HttpResponse* response) const;

 private:
  StatusOr<HttpResponse> Dispatch(const HttpRequest& request, const ArmCaller& caller) const;
  Cloud* cloud_;
};

}  // namespace crosskey::arm::http
