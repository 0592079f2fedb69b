#include "emulator/server/router.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>

#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"
#include "emulator/server/bench_crypto.h"
#include "emulator/server/control_errors.h"
#include "emulator/server/fault_errors.h"
#include "emulator/token/errors.h"

namespace crosskey::server {
namespace {
// Burns `us` microseconds of the calling thread's CPU time (not wall time: a preempted thread
// still does all of its work).
void SpinCpu(long us) {
  if (us <= 0) return;
  auto cpu_ns = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
  };
  long long until = cpu_ns() + us * 1000LL;
  volatile unsigned sink = 0;
  while (cpu_ns() < until) {
    for (int i = 0; i < 64; i++) sink = sink + static_cast<unsigned>(i);
  }
}
}  // namespace

nlohmann::json Router::Bootstrap() const {
  const std::string& d = cloud_->config().domain;
  std::string port = endpoints_->https_port == 443 ? "" : ":" + std::to_string(endpoints_->https_port);
  nlohmann::json tenants = nlohmann::json::array();
  for (const auto& b : cloud_->bootstrap()) {
    tenants.push_back({{"name", b.name},
                       {"tenantId", b.tenant_id},
                       {"subscriptionId", b.subscription_id},
                       {"adminUser", {{"username", b.admin_username}, {"password", b.admin_password},
                                      {"objectId", b.admin_user_object_id}}},
                       {"adminApp", {{"appId", b.admin_app_id}, {"clientSecret", b.admin_app_secret},
                                     {"objectId", b.admin_app_object_id},
                                     {"servicePrincipalObjectId", b.admin_sp_object_id}}}});
  }
  std::string mi_base = "http://127.0.0.1:" + std::to_string(endpoints_->mi_port);
  return {{"tenants", tenants},
          {"endpoints",
           {{"login", "https://login." + d + port},
            {"graph", "https://graph." + d + port},
            {"arm", "https://management." + d + port},
            {"mi", mi_base + "/msi/token"},
            {"miHeader", endpoints_->mi_header},
            {"imds", mi_base},
            {"vaultSuffix", "vault." + d + port},
            {"vaultResource", cloud_->VaultResource(true)}}}};
}

// Phase 3 consumers: GET /consumers[?force=true], GET|POST /consumers/settings, and the data
// plane PUT|GET /data/{storage|cosmos|disks|sql}/{name or ARM id}[?item=NAME].
static HttpResponse HandleConsumers(Cloud* cloud_, const HttpRequest& request, const std::string& path) {
  auto render = [](const Error& e) {
    return wire::Json(e.http_status, {{"error", {{"code", e.code}, {"message", e.message}}}});
  };
  const std::string& m = request.method;
  auto& engine = cloud_->consumers;
  if (path == "/consumers" && m == "GET") return wire::Json(200, engine.States(request.Query("force") == "true"));
  if (path == "/consumers/check" && m == "POST") return wire::Json(200, engine.States(true));
  if (path == "/consumers/settings" && m == "GET") return wire::Json(200, engine.Settings());
  if (path == "/consumers/settings" && m == "POST") {
    auto body = nlohmann::json::parse(request.body, nullptr, false);
    auto updated = engine.UpdateSettings(body.is_discarded() ? nlohmann::json() : body);
    return updated.ok() ? wire::Json(200, *updated) : render(updated.error());
  }
  if (StartsWithIgnoreCase(path, "/data/")) {
    std::string rest = path.substr(6);
    auto slash = rest.find('/');
    if (slash != std::string::npos && slash + 1 < rest.size()) {
      std::string kind = rest.substr(0, slash), ref = rest.substr(slash + 1);
      std::string item = request.Query("item").empty() ? "default" : request.Query("item");
      if (m == "PUT") {
        auto st = engine.WriteData(kind, ref, item, request.body);
        return st.ok() ? wire::Json(201, {{"item", item}, {"bytes", request.body.size()}}) : render(st.error());
      }
      if (m == "GET") {
        auto got = engine.ReadData(kind, ref, item);
        return got.ok() ? wire::Text(200, "application/octet-stream", *got) : render(got.error());
      }
    }
  }
  return wire::Json(501, {{"error", {{"code", "NotImplemented"},
                                     {"message", "crosskey has no control endpoint " + m + " " + request.path}}}});
}

bool Router::HandleControl(const HttpRequest& request, HttpResponse* response) const {
  if (!StartsWithIgnoreCase(request.path, "/_emulator/")) return false;
  std::string path = request.path.substr(std::string("/_emulator").size());
  const std::string& m = request.method;
  auto error = [](int status, const std::string& message) {
    return wire::Json(status, {{"error", {{"code", status == 404 ? "NotFound" : "BadRequest"}, {"message", message}}}});
  };
  // /health and the (public) CA stay open so probes and clients can start without the token.
  if (!endpoints_->admin_token.empty() && path != "/health" && path != "/ca.pem" &&
      request.Header("authorization") != "Bearer " + endpoints_->admin_token) {
    *response = wire::Json(401, {{"error", {{"code", "Unauthorized"},
                                            {"message", "The control API needs Authorization: Bearer <--admin-token>."}}}});
    return true;
  }
  if ((path == "/state" || path == "/reset" || path == "/snapshots" || StartsWithIgnoreCase(path, "/snapshots/")) &&
      endpoints_->state_control && endpoints_->state_control(request, response)) {
    return true;
  }
  if (endpoints_->bench_routes && (path == "/bench/empty" || path == "/bench/spin" || path == "/bench/crypto") &&
      (m == "GET" || m == "POST")) {
    // The HTTP ceiling for scripts/bench: same listener, TLS and conversion as every plane,
    // a fixed body shaped like an unwrapKey answer, and no plane touched. /bench/spin?us=N
    // first burns N microseconds of this thread's CPU (at most 100,000): an operation of known
    // cost with no plane code, so the benchmark can tell the HTTP stack's share from the plane's.
    // /bench/crypto?op=NAME first runs that operation's raw crypto (bench_crypto.h).
    if (path == "/bench/spin") SpinCpu(std::min<long>(std::strtol(request.Query("us").c_str(), nullptr, 10), 100000));
    if (path == "/bench/crypto" && !RunBenchCrypto(request.Query("op"))) {
      *response = wire::Json(400, {{"error", {{"code", "BadParameter"},
                                              {"message", "op must be rsa2048.wrap, rsa2048.unwrap, a256kw.wrap "
                                                          "or rs256.sign_verify"}}}});
      return true;
    }
    static const std::string kBody =
        R"({"kid":"https://bench.vault.crosskey.test/keys/empty/00000000000000000000000000000000",)"
        R"("value":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})";
    *response = wire::Text(200, "application/json; charset=utf-8", kBody);
  } else if (path == "/health" && m == "GET") {
    *response = wire::Json(200, {{"status", "ok"}});
  } else if (path == "/ca.pem" && m == "GET") {
    *response = wire::Text(200, "application/x-pem-file", endpoints_->ca_pem);
  } else if (path == "/bootstrap" && m == "GET") {
    *response = wire::Json(200, Bootstrap());
  } else if (path == "/throttling" && m == "GET") {
    *response = wire::Json(200, cloud_->keyvault.throttle.Describe());
  } else if (path == "/throttling" && m == "POST") {
    auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("enabled") || !body["enabled"].is_boolean() ||
        (body.contains("windowSeconds") && !body["windowSeconds"].is_number_integer()) ||
        (body.contains("scale") && !body["scale"].is_number())) {
      *response = error(400, "Body must be {\"enabled\": bool, \"windowSeconds\": int (10), \"scale\": number (1.0)}");
      return true;
    }
    auto configured = cloud_->keyvault.throttle.Configure(body["enabled"], body.value("windowSeconds", 10),
                                                          body.value("scale", 1.0));
    *response = configured.ok() ? wire::Json(200, cloud_->keyvault.throttle.Describe())
                                : error(400, configured.error().message);
  } else if (path == "/hosts" && m == "GET") {
    // /etc/hosts lines for every name a client may need, including each live vault and each
    // storage account's blob host.
    const std::string& d = cloud_->config().domain;
    std::string text;
    for (const std::string& name : {"login." + d, "graph." + d, "management." + d, "vault." + d,
                                    std::string("login.microsoftonline.com"), std::string("login.microsoftonline.us")}) {
      text += "127.0.0.1 " + name + "\n";
    }
    for (const auto& vault : cloud_->resources.ListVaultInfos()) text += "127.0.0.1 " + ToLower(vault->name) + ".vault." + d + "\n";
    for (const auto& account : cloud_->consumers.StorageAccountNames()) {
      text += "127.0.0.1 " + ToLower(account) + ".blob." + d + "\n";
    }
    *response = wire::Text(200, "text/plain; charset=utf-8", text);
  } else if (path == "/audit" && m == "GET") {
    AuditQuery q;
    q.category = request.Query("category");
    q.tenant = request.Query("tenant");
    q.principal = request.Query("principal");
    q.operation = request.Query("operation");
    q.correlation_id = request.Query("correlationId");
    std::string since = request.Query("since");
    if (!since.empty()) {
      char* end = nullptr;
      q.since = std::strtoll(since.c_str(), &end, 10);
      if (*end != '\0') {
        *response = error(400, "since must be an integer epoch second on the emulator clock");
        return true;
      }
    }
    *response = wire::Json(200, {{"value", cloud_->audit.Query(q)}});
  } else if (path == "/clock" && m == "GET") {
    *response = wire::Json(200, {{"now", cloud_->clock.Now()}, {"offset", cloud_->clock.offset()},
                                 {"frozen", cloud_->clock.frozen()}});
  } else if (path == "/clock" && m == "POST") {
    auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      *response = error(400, "Body must be a JSON object: {\"advanceSeconds\":N} | {\"set\":epoch} | {\"freeze\":bool}");
      return true;
    }
    bool known = false;
    if (body.contains("advanceSeconds") && body["advanceSeconds"].is_number_integer()) {
      cloud_->clock.Advance(body["advanceSeconds"].get<int64_t>());
      known = true;
    }
    if (body.contains("set") && body["set"].is_number_integer()) {
      cloud_->clock.Set(body["set"].get<int64_t>());
      known = true;
    }
    if (body.contains("freeze") && body["freeze"].is_boolean()) {
      cloud_->clock.Freeze(body["freeze"].get<bool>());
      known = true;
    }
    if (!known) {
      *response = error(400, "Expected an integer advanceSeconds or set, or a boolean freeze.");
      return true;
    }
    *response = wire::Json(200, {{"now", cloud_->clock.Now()}, {"offset", cloud_->clock.offset()},
                                 {"frozen", cloud_->clock.frozen()}});
  } else if (path == "/faults" || StartsWithIgnoreCase(path, "/faults/")) {
    *response = faults_.HandleControl(m, path.substr(std::string("/faults").size()), request.body);
  } else if (StartsWithIgnoreCase(path, "/consumers") || StartsWithIgnoreCase(path, "/data/")) {
    *response = HandleConsumers(cloud_, request, path);
  } else {
    *response = wire::Json(501, {{"error", {{"code", "NotImplemented"},
                                            {"message", "crosskey has no control endpoint " + m + " " + request.path}}}});
  }
  return true;
}

Router::Plane Router::Classify(const HttpRequest& request, wire::RequestContext* context) const {
  if (std::string vault = kv_.VaultOf(request); !vault.empty()) {
    kv_.Match(request, context);
    return Plane::kKeyVault;
  }
  if (std::string account = blob_.AccountOf(request); !account.empty()) {
    blob_.Match(request, context);
    return Plane::kBlob;
  }
  const std::string& p = request.path;
  // ARM collapses repeated slashes ("//subscriptions/..."), so classify without them.
  std::string collapsed = "/" + TrimSlashes(p);
  bool graph = StartsWithIgnoreCase(p, "/v1.0/") || EqualsIgnoreCase(p, "/v1.0") || StartsWithIgnoreCase(p, "/beta/");
  bool arm = StartsWithIgnoreCase(collapsed, "/subscriptions") || StartsWithIgnoreCase(collapsed, "/providers") ||
             StartsWithIgnoreCase(collapsed, "/tenants");
  if (graph || arm) {
    context->plane = graph ? "graph" : "arm";
    context->operation = request.method;
    const std::string& m = request.method;
    context->writes = m == "GET" || m == "HEAD" || m == "OPTIONS" ? wire::Writes::kNo : wire::Writes::kYes;
    return graph ? Plane::kGraph : Plane::kArm;
  }
  login_.Match(request, context);
  return context->matched() ? Plane::kLogin : Plane::kNone;
}

HttpResponse Router::RenderError(Plane plane, const Error& error, const HttpRequest& request) const {
  switch (plane) {
    case Plane::kKeyVault:
      return keyvault::http::RenderKvError(error);
    case Plane::kBlob:
      return blob_.RenderError(error, request);
    case Plane::kGraph:
      return graph::http::RenderGraphError(error, request);
    case Plane::kArm:
      return arm::http::RenderArmError(error);
    case Plane::kLogin:
    case Plane::kNone:
      break;
  }
  return token::http::RenderOAuthError(error, request);
}

HttpResponse Router::RenderFault(const FaultDecision& fault, Plane plane, const HttpRequest& request,
                                 const wire::RequestContext& context) const {
  std::string plane_name(context.plane);
  if (fault.drop) return DropFallback(RenderError(plane, errors::InjectedDropFailed(plane_name, fault.rule_id), request), fault);
  if (fault.body) return WithFaultHeaders(wire::Json(fault.status, *fault.body), fault);
  return WithFaultHeaders(RenderError(plane, errors::InjectedFault(fault.status, plane_name, fault.rule_id), request),
                          fault);
}

HttpResponse Router::Serve(Plane plane, const HttpRequest& request, const wire::RequestContext& context) const {
  HttpResponse response;
  switch (plane) {
    case Plane::kKeyVault:
      return kv_.Serve(request, context);
    case Plane::kBlob:
      return blob_.Serve(request, context);
    case Plane::kGraph:
      graph_.Handle(request, &response);
      return response;
    case Plane::kArm:
      arm_.Handle(request, &response);
      return response;
    case Plane::kLogin:
      return login_.Serve(request, context);
    case Plane::kNone:
      break;
  }
  return RenderControlError(control_errors::NotServed(request.method, request.path));
}

// Only user sign-ins are kept among token requests (wire::Writes::kUserSignIn).
static bool IsUserSignIn(const HttpRequest& request) {
  const std::string& b = request.body;
  return b.find("grant_type=password") != std::string::npos || b.find("grant_type=refresh_token") != std::string::npos;
}

HttpResponse Router::HandleHttps(const HttpRequest& request, bool* writes) const {
  *writes = false;
  HttpResponse response;
  try {
    if (HandleControl(request, &response)) {
      *writes = ControlWrites(request);
      return response;
    }
  } catch (const nlohmann::json::exception& e) {
    return RenderControlError(control_errors::InvalidRequest(std::string("Invalid control request: ") + e.what()));
  }
  // The pipeline: match once, then fault rules, then the plane (authenticate, handler, mapper,
  // audit); the caller persists when the route writes and the answer is a success.
  wire::RequestContext context;
  Plane plane = Classify(request, &context);
  if (auto fault = faults_.InterceptHttps(request, context)) return RenderFault(*fault, plane, request, context);
  response = Serve(plane, request, context);
  *writes = context.writes == wire::Writes::kYes || (context.writes == wire::Writes::kUserSignIn && IsUserSignIn(request));
  return response;
}

bool Router::ControlWrites(const HttpRequest& request) const {
  const std::string& m = request.method;
  if (m == "GET" || m == "HEAD" || m == "OPTIONS") return false;
  return StartsWithIgnoreCase(request.path, "/_emulator/clock") || StartsWithIgnoreCase(request.path, "/_emulator/data/") ||
         StartsWithIgnoreCase(request.path, "/_emulator/consumers/settings");
}

HttpResponse Router::HandleManagedIdentity(const HttpRequest& request) const {
  if (auto fault = faults_.InterceptManagedIdentity(request)) {
    if (fault->drop) {
      return DropFallback(token::http::RenderManagedIdentityError(errors::InjectedDropFailed("mi", fault->rule_id)),
                          *fault);
    }
    if (fault->body) return WithFaultHeaders(wire::Json(fault->status, *fault->body), *fault);
    return WithFaultHeaders(
        token::http::RenderManagedIdentityError(errors::InjectedFault(fault->status, "mi", fault->rule_id)), *fault);
  }
  HttpResponse response;
  if (mi_.Handle(request, &response)) return response;
  return token::http::RenderManagedIdentityError(token::errors::UnknownManagedIdentityPath(request.path));
}

}  // namespace crosskey::server
