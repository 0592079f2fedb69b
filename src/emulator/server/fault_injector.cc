#include "emulator/server/fault_injector.h"

#include <dirent.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <tuple>

#include "emulator/cloud/cloud.h"
#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"
#include "emulator/crypto/encoding.h"

namespace crosskey::server {
namespace {
using nlohmann::json;

constexpr const char* kPlanes[] = {"login", "graph", "arm", "keyvault", "blob", "mi"};
constexpr const char* kFields[] = {"id",     "plane",   "tenant",    "principal", "operation",
                                   "vault",  "key",     "status",    "body",      "headers",
                                   "latencyMs", "drop", "times", "probability", "seed"};
constexpr int64_t kMaxLatencyMs = 300000;  // 5 minutes: beyond every client's timeout
// Marks the fallback answer of a drop; never sent when the drop works.
constexpr const char* kDropHeader = "x-crosskey-fault-drop";

std::string Joined(const char* const* begin, const char* const* end) {
  std::string out;
  for (auto it = begin; it != end; ++it) out += std::string(out.empty() ? "" : ", ") + *it;
  return out;
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

void AddUnique(std::vector<std::string>* list, const std::string& value) {
  if (value.empty()) return;
  for (const auto& v : *list) {
    if (EqualsIgnoreCase(v, value)) return;
  }
  list->push_back(value);
}

std::string AddressOf(const sockaddr_storage& addr, socklen_t len, int* port) {
  char host[NI_MAXHOST] = {0};
  char serv[NI_MAXSERV] = {0};
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof(host), serv, sizeof(serv),
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return "";
  }
  *port = std::atoi(serv);
  return host;
}

// The connected socket with these addresses, or -1. Only used for a drop on plain HTTP
// (TLS connections hand us their fd), so scanning the descriptor table is affordable.
int FindSocket(const std::string& local_addr, int local_port, const std::string& remote_addr, int remote_port) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return -1;
  int found = -1;
  while (dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || fd == ::dirfd(dir)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof(local), peer_len = sizeof(peer);
    if (::getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &local_len) != 0) continue;
    if (::getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    int lport = -1, pport = -1;
    if (AddressOf(peer, peer_len, &pport) != remote_addr || pport != remote_port) continue;
    std::string laddr = AddressOf(local, local_len, &lport);
    if (lport != local_port || (!local_addr.empty() && laddr != local_addr)) continue;
    found = static_cast<int>(fd);
    break;
  }
  ::closedir(dir);
  return found;
}

// The rule parsers below set *error and return false at the first field they refuse.
bool Refuse(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

bool Present(const json& in, const char* name) { return in.contains(name) && !in[name].is_null(); }

bool OnlyKnownFields(const json& in, std::string* error) {
  for (const auto& item : in.items()) {
    // item.key(), not a structured binding: clang 14 rejects a lambda capturing a binding.
    const std::string& name = item.key();
    if (std::none_of(std::begin(kFields), std::end(kFields), [&](const char* f) { return name == f; })) {
      return Refuse(error, "Unknown field '" + name + "'. A rule has: " + Joined(std::begin(kFields), std::end(kFields)) + ".");
    }
  }
  return true;
}

bool ParseStringCriterion(const json& in, const char* name, std::string* out, std::string* error) {
  if (!Present(in, name)) return true;
  if (!in[name].is_string() || in[name].get<std::string>().empty()) {
    return Refuse(error, std::string("'") + name + "' must be a non-empty string (omit it to match any).");
  }
  *out = in[name].get<std::string>();
  return true;
}

bool ParseRuleId(const json& in, std::string* id, std::string* error) {
  if (!Present(in, "id")) return true;
  if (!in["id"].is_string()) return Refuse(error, "'id' must be a string of letters, digits, '.', '_' or '-' (at most 64).");
  *id = in["id"].get<std::string>();
  bool ok = !id->empty() && id->size() <= 64 && std::all_of(id->begin(), id->end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
  if (!ok) return Refuse(error, "'id' must be 1 to 64 letters, digits, '.', '_' or '-'.");
  return true;
}

// A criterion another plane never has would make the rule silently match nothing.
bool CheckPlaneCriteria(const json& in, FaultRule* r, std::string* error) {
  if (r->plane.empty()) return true;
  r->plane = ToLower(r->plane);
  if (std::none_of(std::begin(kPlanes), std::end(kPlanes), [&](const char* p) { return r->plane == p; })) {
    return Refuse(error, "Unknown plane '" + in["plane"].get<std::string>() + "'. Use one of: " +
                             Joined(std::begin(kPlanes), std::end(kPlanes)) + " (or omit it for every plane).");
  }
  if (r->plane != "keyvault" && (!r->vault.empty() || !r->key.empty())) {
    return Refuse(error, "'vault' and 'key' only match Key Vault requests: use plane 'keyvault' or drop them.");
  }
  if (r->plane == "mi" && !r->tenant.empty()) {
    return Refuse(error, "The managed-identity endpoint names no tenant: drop 'tenant' or use 'principal' (the client_id, "
                         "object_id or mi_res_id asked for).");
  }
  return true;
}

// plane, tenant, principal, operation, vault, key and id.
bool ParseCriteria(const json& in, FaultRule* r, std::string* error) {
  for (auto [name, out] : {std::pair{"plane", &r->plane}, std::pair{"tenant", &r->tenant}, std::pair{"principal", &r->principal},
                           std::pair{"operation", &r->operation}, std::pair{"vault", &r->vault}, std::pair{"key", &r->key}}) {
    if (!ParseStringCriterion(in, name, out, error)) return false;
  }
  return ParseRuleId(in, &r->id, error) && CheckPlaneCriteria(in, r, error);
}

bool ParseHeaders(const json& headers, FaultRule* r, std::string* error) {
  if (!headers.is_object()) return Refuse(error, "'headers' must be an object of header names to string values.");
  for (const auto& [name, value] : headers.items()) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) {
      return Refuse(error, "Header name '" + name + "' is not a valid HTTP header name.");
    }
    if (!value.is_string()) return Refuse(error, "Header '" + name + "' must have a string value.");
    std::string v = value.get<std::string>();
    // CR or LF would let a rule inject headers of its own choosing into the response.
    if (v.find_first_of("\r\n") != std::string::npos) return Refuse(error, "Header '" + name + "' must not contain CR or LF.");
    r->headers.emplace_back(name, v);
  }
  return true;
}

// status, with the body and headers it answers with.
bool ParseAnswer(const json& in, FaultRule* r, std::string* error) {
  if (Present(in, "status")) {
    if (!in["status"].is_number_integer()) return Refuse(error, "'status' must be an integer HTTP status between 400 and 599.");
    int64_t s = in["status"].get<int64_t>();
    if (s < 400 || s > 599) return Refuse(error, "'status' " + std::to_string(s) + " is outside 400-599: a fault is an error response.");
    r->status = static_cast<int>(s);
  }
  if (Present(in, "body")) {
    if (!r->status) return Refuse(error, "'body' needs a 'status' to answer with.");
    r->body = in["body"];
  }
  if (Present(in, "headers")) {
    if (!r->status) return Refuse(error, "'headers' needs a 'status' to answer with.");
    return ParseHeaders(in["headers"], r, error);
  }
  return true;
}

// latencyMs and drop; afterwards the rule must do something.
bool ParseDelayOrDrop(const json& in, FaultRule* r, std::string* error) {
  if (Present(in, "latencyMs")) {
    if (!in["latencyMs"].is_number_integer()) return Refuse(error, "'latencyMs' must be an integer number of milliseconds.");
    int64_t ms = in["latencyMs"].get<int64_t>();
    if (ms < 0 || ms > kMaxLatencyMs) {
      return Refuse(error, "'latencyMs' must be between 0 and " + std::to_string(kMaxLatencyMs) + ".");
    }
    r->latency_ms = ms;
  }
  if (Present(in, "drop")) {
    if (!in["drop"].is_boolean()) return Refuse(error, "'drop' must be true or false.");
    r->drop = in["drop"].get<bool>();
    if (r->drop && r->status) return Refuse(error, "A rule either answers a 'status' or 'drop's the connection, not both.");
  }
  if (!r->status && !r->drop && r->latency_ms == 0) {
    return Refuse(error, "A rule needs an action: 'status' (400-599, optional 'body' and 'headers'), 'latencyMs' (> 0) or "
                         "'drop': true.");
  }
  return true;
}

// times, probability and seed.
bool ParseFiring(const json& in, FaultRule* r, std::string* error) {
  if (Present(in, "times")) {
    if (!in["times"].is_number_integer() || in["times"].get<int64_t>() < 1) {
      return Refuse(error, "'times' must be an integer of at least 1 (omit it to fire on every match).");
    }
    r->times = in["times"].get<int64_t>();
  }
  if (Present(in, "probability")) {
    if (!in["probability"].is_number()) return Refuse(error, "'probability' must be a number between 0 and 1.");
    double p = in["probability"].get<double>();
    if (!(p >= 0.0 && p <= 1.0)) return Refuse(error, "'probability' must be between 0 and 1.");
    r->probability = p;
  }
  if (Present(in, "seed")) {
    if (!r->probability) return Refuse(error, "'seed' only makes sense with a 'probability'.");
    const json& seed = in["seed"];
    if (!seed.is_number_unsigned() && !(seed.is_number_integer() && seed.get<int64_t>() >= 0)) {
      return Refuse(error, "'seed' must be a non-negative integer.");
    }
    r->seed = in["seed"].get<uint64_t>();
  }
  return true;
}
}  // namespace

// ---------------------------------------------------------------------------------- rules

bool FaultRule::Matches(const FaultTarget& t) const {
  auto any = [](const std::string& want, const std::vector<std::string>& have) {
    return std::any_of(have.begin(), have.end(), [&](const std::string& h) { return EqualsIgnoreCase(want, h); });
  };
  if (!plane.empty() && !EqualsIgnoreCase(plane, t.plane)) return false;
  if (!tenant.empty() && !any(tenant, t.tenants)) return false;
  if (!principal.empty() && !any(principal, t.principals)) return false;
  if (!operation.empty() && !EqualsIgnoreCase(operation, t.operation) &&
      (t.operation_alias.empty() || !EqualsIgnoreCase(operation, t.operation_alias))) {
    return false;
  }
  if (!vault.empty() && !EqualsIgnoreCase(vault, t.vault)) return false;
  if (!key.empty() && !EqualsIgnoreCase(key, t.key)) return false;
  return true;
}

json FaultRule::ToJson() const {
  json j = {{"id", id}};
  for (auto [name, value] : {std::pair{"plane", &plane}, std::pair{"tenant", &tenant}, std::pair{"principal", &principal},
                             std::pair{"operation", &operation}, std::pair{"vault", &vault}, std::pair{"key", &key}}) {
    if (!value->empty()) j[name] = *value;
  }
  if (status) j["status"] = status;
  if (body) j["body"] = *body;
  if (!headers.empty()) {
    json h = json::object();
    for (const auto& [k, v] : headers) h[k] = v;
    j["headers"] = h;
  }
  if (latency_ms) j["latencyMs"] = latency_ms;
  if (drop) j["drop"] = true;
  if (times) j["times"] = *times;
  if (probability) j["probability"] = *probability;
  if (seed) j["seed"] = *seed;
  j["matched"] = matched;
  j["fired"] = fired;
  j["remaining"] = times ? json(std::max<int64_t>(0, *times - fired)) : json(nullptr);
  j["expired"] = expired();
  return j;
}

std::optional<FaultRule> FaultInjector::Parse(const json& in, std::string* error) {
  if (!in.is_object()) {
    *error = "A fault rule must be a JSON object, e.g. {\"plane\":\"keyvault\",\"operation\":\"unwrapKey\",\"status\":503}.";
    return std::nullopt;
  }
  FaultRule r;
  // In this order, so a rule with several mistakes reports the same one every time.
  if (!OnlyKnownFields(in, error) || !ParseCriteria(in, &r, error) || !ParseAnswer(in, &r, error) ||
      !ParseDelayOrDrop(in, &r, error) || !ParseFiring(in, &r, error)) {
    return std::nullopt;
  }
  r.rng.seed(r.seed ? *r.seed : std::random_device{}());
  return r;
}

// ---------------------------------------------------------------------------------- store

std::optional<json> FaultInjector::Add(const json& rule, std::string* error, int* status) {
  if (status) *status = 400;
  auto parsed = Parse(rule, error);
  if (!parsed) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  if (parsed->id.empty()) {
    auto taken = [&](const std::string& id) {
      return std::any_of(rules_.begin(), rules_.end(), [&](const FaultRule& r) { return r.id == id; });
    };
    do {
      parsed->id = std::to_string(next_id_++);
    } while (taken(parsed->id));
  } else {
    for (const auto& r : rules_) {
      if (r.id == parsed->id) {
        *error = "A fault rule with id '" + parsed->id + "' exists: delete it first or pick another id.";
        if (status) *status = 409;
        return std::nullopt;
      }
    }
  }
  rules_.push_back(std::move(*parsed));
  active_.fetch_add(1, std::memory_order_release);
  return rules_.back().ToJson();
}

json FaultInjector::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  json items = json::array();
  for (const auto& r : rules_) items.push_back(r.ToJson());
  return items;
}

bool FaultInjector::Remove(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = std::find_if(rules_.begin(), rules_.end(), [&](const FaultRule& r) { return r.id == id; });
  if (it == rules_.end()) return false;
  if (!it->expired()) active_.fetch_sub(1, std::memory_order_release);
  rules_.erase(it);
  return true;
}

void FaultInjector::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
  active_.store(0, std::memory_order_release);
}

std::optional<FaultDecision> FaultInjector::Decide(const FaultTarget& target) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& r : rules_) {
    if (r.expired() || !r.Matches(target)) continue;
    ++r.matched;
    if (r.probability) {
      // 53 random bits as a double in [0,1): the same on every platform, unlike
      // std::uniform_real_distribution, so a seed gives the same pattern everywhere.
      double u = static_cast<double>(r.rng() >> 11) * 0x1.0p-53;
      if (!(u < *r.probability)) continue;
    }
    ++r.fired;
    if (r.expired()) active_.fetch_sub(1, std::memory_order_release);
    FaultDecision d;
    d.rule_id = r.id;
    d.latency_ms = r.latency_ms;
    d.drop = r.drop;
    d.status = r.status;
    d.body = r.body;
    d.headers = r.headers;
    return d;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------- requests

BearerIdentity ReadBearerIdentity(const HttpRequest& request) {
  BearerIdentity out;
  auto token = wire::BearerToken(request);
  if (!token) return out;
  auto first = token->find('.');
  auto second = first == std::string::npos ? std::string::npos : token->find('.', first + 1);
  if (second == std::string::npos) return out;
  auto payload = crypto::Base64UrlDecode(std::string_view(*token).substr(first + 1, second - first - 1));
  if (!payload) return out;
  auto claims = json::parse(*payload, nullptr, false);
  if (claims.is_discarded() || !claims.is_object()) return out;
  auto claim = [&](const char* name) {
    return claims.contains(name) && claims[name].is_string() ? claims[name].get<std::string>() : std::string();
  };
  out.tenant = claim("tid");
  AddUnique(&out.principals, claim("appid"));
  AddUnique(&out.principals, claim("azp"));
  AddUnique(&out.principals, claim("oid"));
  return out;
}

FaultTarget FaultInjector::DescribeHttps(const HttpRequest& request, const wire::RequestContext& context) const {
  FaultTarget t;
  t.plane = std::string(context.plane);
  t.operation = context.operation;
  t.operation_alias = context.audit_name;
  if (t.plane == "login") {
    const std::string& tenant = context.params.Get("tenant");
    AddUnique(&t.tenants, tenant);
    if (cloud_ && !tenant.empty()) {
      if (auto tid = cloud_->tokens.ResolveTenant(tenant)) AddUnique(&t.tenants, *tid);
    }
    AddUnique(&t.principals, request.Query("client_id"));
    if (request.method == "POST" && !request.body.empty()) {
      auto form = ParseQuery(request.body);
      auto it = form.find("client_id");
      if (it != form.end()) AddUnique(&t.principals, it->second);
    }
    return t;
  }
  BearerIdentity who = ReadBearerIdentity(request);
  AddUnique(&t.tenants, who.tenant);
  t.principals = who.principals;
  if (t.plane == "keyvault") {
    t.vault = context.resource;
    t.key = context.params.Get("name");
    if (cloud_) {
      if (auto info = cloud_->resources.FindVault(context.resource)) {
        AddUnique(&t.tenants, info->tenant_id);
        t.vault = info->name;
      }
    }
  }
  return t;
}

FaultTarget FaultInjector::DescribeManagedIdentity(const HttpRequest& request) const {
  FaultTarget t;
  t.plane = "mi";
  std::string path = request.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (EqualsIgnoreCase(path, "/msi/token") || EqualsIgnoreCase(path, "/metadata/identity/oauth2/token")) {
    t.operation = "token";
  }
  for (const char* name : {"client_id", "object_id", "principal_id", "mi_res_id", "msi_res_id"}) {
    AddUnique(&t.principals, request.Query(name));
  }
  return t;
}

std::optional<FaultDecision> FaultInjector::Intercept(const FaultTarget& target) {
  auto decision = Decide(target);
  if (!decision) return std::nullopt;
  if (decision->latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(decision->latency_ms));
  if (!decision->drop && !decision->status) return std::nullopt;  // latency only: continue to the plane
  return decision;
}

HttpResponse DropFallback(HttpResponse response, const FaultDecision& decision) {
  response.headers.emplace_back(kDropHeader, decision.rule_id);
  return response;
}

HttpResponse WithFaultHeaders(HttpResponse response, const FaultDecision& decision) {
  for (const auto& [name, value] : decision.headers) {
    if (EqualsIgnoreCase(name, "content-type")) {
      response.content_type = value;  // httplib sets Content-Type from the content, not from headers
    } else {
      response.headers.emplace_back(name, value);
    }
  }
  response.headers.emplace_back("x-crosskey-fault", decision.rule_id);
  return response;
}

// ---------------------------------------------------------------------------------- drops

bool IsConnectionDrop(const HttpResponse& response) {
  return std::any_of(response.headers.begin(), response.headers.end(),
                     [](const auto& h) { return h.first == kDropHeader; });
}

bool AbortConnection(int fd, const std::string& local_addr, int local_port, const std::string& remote_addr,
                     int remote_port) {
  if (fd < 0) fd = FindSocket(local_addr, local_port, remote_addr, remote_port);
  if (fd < 0) return false;
  // Shut down, never close: the HTTP library still owns the descriptor and closes it once its
  // write of the (unsent) response fails.
  return ::shutdown(fd, SHUT_RDWR) == 0;
}

}  // namespace crosskey::server
