#pragma once
// The rehearsal runner's view of a running emulator: its control API and the Graph, ARM,
// Key Vault and token endpoints, reached by host name through an ApiClient (HTTPS to a
// process, supplied by the server). Acts as each tenant's bootstrap admin app
// (GET /_emulator/bootstrap), the way an operator would with az or the SDKs.
// Thread-safety: one runner thread.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "emulator/common/status.h"

namespace crosskey::rehearse {

using Json = nlohmann::json;

struct ApiResponse {
  int status = 0;
  std::string body;
  Json json;  // parsed body (null when not JSON)
};

class ApiClient {
 public:
  virtual ~ApiClient() = default;
  // host: a name of the emulator (login.D, graph.D, management.D, {vault}.vault.D) without
  // port; target: path and query, encoded; authorization: the header's value or empty (the
  // transport adds --admin-token to control calls that carry none). A transport failure is
  // status 0 with the reason as body.
  virtual ApiResponse Send(const std::string& method, const std::string& host, const std::string& target,
                           const std::string& authorization, const std::string& content_type,
                           const std::string& body) = 0;
};

class Planes {
 public:
  // domain: the emulator's DNS suffix (crosskey.test).
  Planes(ApiClient* client, std::string domain) : client_(client), domain_(std::move(domain)) {}

  ApiResponse Control(const std::string& method, const std::string& path, const Json& body = nullptr);
  ApiResponse ControlRaw(const std::string& method, const std::string& path, const std::string& bytes);
  // As the tenant's admin app (client credentials, re-acquired per call: the clock jumps).
  ApiResponse Graph(const std::string& tenant_id, const std::string& method, const std::string& path,
                    const Json& body = nullptr);
  ApiResponse Arm(const std::string& tenant_id, const std::string& method, const std::string& path,
                  const std::string& api_version, const Json& body = nullptr);
  ApiResponse Vault(const std::string& tenant_id, const std::string& vault, const std::string& method,
                    const std::string& path, const Json& body = nullptr);
  int64_t Now();
  // Forgets the bootstrap (after a fixture load).
  void Reset() { admins_.clear(); }

  // "code: message" of an error answer of any plane (Entra, ARM, Key Vault, control).
  static std::string ErrorText(const ApiResponse& r);

 private:
  StatusOr<std::string> Bearer(const std::string& tenant_id, const std::string& scope);
  ApiResponse Call(const std::string& method, const std::string& host, const std::string& target,
                   const std::string& bearer, const Json& body);

  ApiClient* client_;
  std::string domain_;
  std::map<std::string, std::pair<std::string, std::string>> admins_;  // tenant id -> (appId, secret)
};

}  // namespace crosskey::rehearse
