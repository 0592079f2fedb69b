#pragma once
// JSON codecs for Graph directory objects.
#include <nlohmann/json.hpp>

#include "emulator/graph/directory_objects.h"

namespace crosskey::graph::http {

nlohmann::json ApplicationJson(const Application& app);
nlohmann::json ServicePrincipalJson(const ServicePrincipal& sp);
nlohmann::json FederatedCredentialJson(const FederatedCredential& fic);
nlohmann::json UserJson(const User& user);
nlohmann::json AuthorizationPolicyJson(const Tenant& tenant);

}  // namespace crosskey::graph::http
