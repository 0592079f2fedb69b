#pragma once
// Fault injection (/_emulator/faults): rules that make chosen plane requests fail
// with a given status and body, arrive late, or lose their connection, so clients' retry and
// error paths can be tested against the emulator. A rule matches on plane, tenant, principal,
// operation, vault and key (each optional) and fires always, a number of times, or with a
// seeded probability. Rules are checked before normal dispatch, never for /_emulator/*.
// Thread-safety: every method is safe to call concurrently; rules live under one mutex and
// a request sees one atomic load while no rule is active.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/common/http/request_context.h"
#include "emulator/common/http_types.h"

namespace crosskey {
class Cloud;
}

namespace crosskey::server {

// What a rule can match, taken from one request. Lists hold every value that identifies the
// request (a Key Vault call names the token's tenant and the vault's; a token names appId
// and object id); a criterion matches when it equals any of them, ignoring case.
struct FaultTarget {
  std::string plane;  // login | graph | arm | keyvault | blob | mi
  std::vector<std::string> tenants;
  std::vector<std::string> principals;
  std::string operation;        // the route's operation id ("unwrapKey")
  std::string operation_alias;  // its diagnostic-log name ("KeyUnwrap"): a rule may name either
  std::string vault;
  std::string key;
};

// One rule as added through POST /_emulator/faults (see README "Faults" for the JSON).
struct FaultRule {
  std::string id;
  // Criteria; empty means "any".
  std::string plane, tenant, principal, operation, vault, key;
  // Actions.
  int status = 0;  // 0: no error response (latency and/or drop only)
  std::optional<nlohmann::json> body;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t latency_ms = 0;
  bool drop = false;
  // Firing.
  std::optional<int64_t> times;       // fires at most this many times, then expires
  std::optional<double> probability;  // each matching request fires with this probability
  std::optional<uint64_t> seed;       // seeds the rule's std::mt19937_64 (random when absent)
  // Counters.
  int64_t matched = 0;  // matching requests seen while the rule was active
  int64_t fired = 0;
  std::mt19937_64 rng;

  bool expired() const { return times && fired >= *times; }
  bool Matches(const FaultTarget& target) const;
  nlohmann::json ToJson() const;
};

// What the first firing rule asks for. The router renders the error through the target
// plane's own mapper (server/fault_errors.h), so an injected fault looks like a real one.
struct FaultDecision {
  std::string rule_id;
  int64_t latency_ms = 0;
  bool drop = false;
  int status = 0;                      // 0: no error answer
  std::optional<nlohmann::json> body;  // the rule's own body, sent as given
  std::vector<std::pair<std::string, std::string>> headers;
};

class FaultInjector {
 public:
  // cloud (may be null, as in unit tests) resolves login path tenants ("customer.test",
  // GUID) to tenant ids and a vault to its tenant, so rules can name the tenant id.
  explicit FaultInjector(const Cloud* cloud = nullptr) : cloud_(cloud) {}

  // Validates a rule's JSON and stores it. Returns the stored rule's JSON (with its id), or
  // nullopt with *error naming what to fix (*status 400, or 409 for a duplicate id).
  std::optional<nlohmann::json> Add(const nlohmann::json& rule, std::string* error, int* status = nullptr);
  // Parses and validates without storing (id left empty unless given). Errors as Add.
  static std::optional<FaultRule> Parse(const nlohmann::json& rule, std::string* error);
  nlohmann::json List() const;
  bool Remove(const std::string& id);
  void Clear();
  // True while at least one rule can still fire: the hot path's only cost without faults.
  bool active() const { return active_.load(std::memory_order_acquire) > 0; }

  // The first rule that matches and fires, counted as fired; nullopt when none does.
  std::optional<FaultDecision> Decide(const FaultTarget& target);

  // Plane entry points for the Router: decide, sleep for the latency (outside every lock) and
  // return the decision when the request must not reach its plane (an error or a drop).
  std::optional<FaultDecision> InterceptHttps(const HttpRequest& request, const wire::RequestContext& context) {
    if (!active()) return std::nullopt;
    return Intercept(DescribeHttps(request, context));
  }
  std::optional<FaultDecision> InterceptManagedIdentity(const HttpRequest& request) {
    if (!active()) return std::nullopt;
    return Intercept(DescribeManagedIdentity(request));
  }


  // The request as rules see it, from the router's match.
  FaultTarget DescribeHttps(const HttpRequest& request, const wire::RequestContext& context) const;
  FaultTarget DescribeManagedIdentity(const HttpRequest& request) const;

 private:
  std::optional<FaultDecision> Intercept(const FaultTarget& target);

  const Cloud* cloud_;
  mutable std::mutex mu_;
  std::vector<FaultRule> rules_;  // insertion order: the first rule that fires wins
  std::atomic<int64_t> active_{0};
  int64_t next_id_ = 1;
};

// The answer of a drop when the socket cannot be shut down: `response` marked so that
// IsConnectionDrop() recognizes it.
HttpResponse DropFallback(HttpResponse response, const FaultDecision& decision);
// An injected answer with the rule's headers and x-crosskey-fault.
HttpResponse WithFaultHeaders(HttpResponse response, const FaultDecision& decision);

// The claims a rule matches on from a bearer token, read WITHOUT verifying it (the plane
// verifies it afterwards): tid, then appid/azp and oid. Empty when the token is unreadable.
struct BearerIdentity {
  std::string tenant;
  std::vector<std::string> principals;
};
BearerIdentity ReadBearerIdentity(const HttpRequest& request);

// A Response the server must turn into a dropped connection.
bool IsConnectionDrop(const HttpResponse& response);
// Shuts down the connection's socket (both directions) so the client sees the connection end
// without a response. fd: the socket when the caller knows it (TLS: SSL_get_fd), else -1 and
// the socket is found by its addresses. False when no socket was found.
bool AbortConnection(int fd, const std::string& local_addr, int local_port, const std::string& remote_addr,
                     int remote_port);

}  // namespace crosskey::server
