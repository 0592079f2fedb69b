#include "emulator/server/https_server.h"

#include "emulator/server/control_errors.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <httplib.h>
#include <openssl/pem.h>

#include "emulator/cloud/fixture_loader.h"
#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"
#include "emulator/consumer/blob_errors.h"
#include "emulator/consumer/http/blob_routes.h"
#include "emulator/crypto/encoding.h"
#include "emulator/crypto/tls_material.h"
#include "emulator/server/buffered_tls_server.h"

namespace crosskey::server {
namespace {
constexpr size_t kMaxBodyBytes = 1 << 20;  // 1 MiB: larger bodies get 413

// The library-neutral request from a method, a request target and the headers (any case; a
// later header of a name wins, as the httplib path's multimap iteration has it).
// Header values are moved out of `headers` (a bearer token is ~1.5 KB): pass it with std::move.
template <typename Headers>
HttpRequest MakeRequest(std::string method, const std::string& target, Headers headers, std::string body) {
  HttpRequest r;
  r.method = std::move(method);
  auto q = target.find('?');
  r.path = UrlDecode(target.substr(0, q), false);
  if (q != std::string::npos) r.query = ParseQuery(target.substr(q + 1));
  for (auto& [k, v] : headers) r.headers[ToLower(k)] = std::move(v);
  std::string host = r.Header("host");
  auto colon = host.rfind(':');
  if (colon != std::string::npos && host.find(']') == std::string::npos) {
    r.host = ToLower(host.substr(0, colon));
    r.host_port = std::atoi(host.c_str() + colon + 1);
  } else {
    r.host = ToLower(host);
  }
  r.body = std::move(body);
  r.request_id = NewRequestId();
  return r;
}

HttpRequest Convert(const httplib::Request& req) {
  return MakeRequest(req.method, req.target.empty() ? req.path : req.target, req.headers, req.body);
}

void Apply(const HttpResponse& from, const HttpRequest& request, httplib::Response& to) {
  to.status = from.status;
  for (const auto& [k, v] : from.headers) to.set_header(k, v);
  to.set_header("x-ms-request-id", request.request_id);
  if (from.status == 204 || from.body.empty()) {
    to.body.clear();
    if (from.status != 204) to.set_content("", from.content_type);
  } else {
    to.set_content(from.body, from.content_type);
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

X509* ParseCert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}
EVP_PKEY* ParseKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return key;
}

// A secret kept in the data dir (0600) so restarts keep it; random and in memory without one.
std::string LoadOrCreateSecret(const std::string& data_dir, const std::string& file, size_t bytes) {
  std::string fresh = crypto::Base64UrlEncode(crypto::RandomBytes(bytes));
  if (data_dir.empty()) return fresh;
  std::string path = data_dir + "/" + file;
  std::string existing = ReadFile(path);
  while (!existing.empty() && (existing.back() == '\n' || existing.back() == '\r')) existing.pop_back();
  if (!existing.empty()) return existing;
  std::ofstream(path) << fresh << "\n";
  ::chmod(path.c_str(), 0600);
  return fresh;
}

struct ServerTlsPems {
  std::string cert, key, ca;
};

// --cert/--key as given, or the generated pair (kept in the data dir) whose certificate names
// every plane's host under --domain, plus the public-cloud login hosts some clients hard-code.
std::optional<ServerTlsPems> ServerTls(const Options& options, std::string* error) {
  if (!options.cert_file.empty()) {
    std::string cert = ReadFile(options.cert_file);
    return ServerTlsPems{cert, ReadFile(options.key_file), cert};
  }
  const std::string d = ToLower(options.domain);
  std::vector<std::string> names = {"localhost", "127.0.0.1", "::1", "login." + d, "graph." + d, "management." + d,
                                    "vault." + d, "*.vault." + d, "storage." + d, "*.blob." + d,
                                    "login.microsoftonline.us", "login.microsoftonline.com"};
  auto tls = crypto::LoadOrCreateTlsMaterial(options.data_dir, names, error);
  if (!tls) return std::nullopt;
  return ServerTlsPems{tls->server_cert_pem, tls->server_key_pem, tls->ca_cert_pem};
}

// Null when the certificate or key does not parse or OpenSSL refuses the pair.
std::unique_ptr<httplib::Server> MakeTlsServer(const ServerTlsPems& tls) {
  X509* cert = ParseCert(tls.cert);
  EVP_PKEY* key = ParseKey(tls.key);
  if (!cert || !key) return nullptr;
  auto server = std::make_unique<BufferedTlsServer>(cert, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  if (!server->is_valid()) return nullptr;
  return server;
}

// The bound port (port 0: a free one), or <= 0 with *error set.
int BindListener(httplib::Server* s, const std::string& bind, int port, const char* what, std::string* error) {
  int bound = port == 0 ? s->bind_to_any_port(bind) : (s->bind_to_port(bind, port) ? port : -1);
  if (bound <= 0) *error = std::string("cannot listen on ") + bind + ":" + std::to_string(port) + " (" + what + ")";
  return bound;
}
}  // namespace

EmulatorServer::EmulatorServer(Options options)
    : options_(std::move(options)), log_requests_(options_.log_level == "info") {}

bool EmulatorServer::LoadStartupState(Cloud* cloud, std::string* error) {
  if (options_.fixture.empty()) {
    auto loaded = cloud->LoadDefaultFixture();
    if (!loaded.ok()) *error = "default fixture: " + loaded.error().message;
    return loaded.ok();
  }
  std::string text = ReadFile(options_.fixture);
  if (text.empty()) {
    *error = "--fixture " + options_.fixture + ": cannot read the file (or it is empty)";
    return false;
  }
  auto fixture = nlohmann::json::parse(text, nullptr, false);
  if (fixture.is_discarded()) {
    *error = "--fixture " + options_.fixture + ": not valid JSON";
    return false;
  }
  // GET /_emulator/state documents load back as fixtures.
  auto loaded = fixture.contains("crosskeyState") ? cloud->ImportState(fixture) : LoadFixture(cloud, fixture);
  if (!loaded.ok()) *error = "--fixture " + options_.fixture + ": " + loaded.error().message;
  return loaded.ok();
}

std::shared_ptr<Cloud> EmulatorServer::NewCloud(std::string* error) {
  CloudConfig config;
  config.domain = ToLower(options_.domain);
  config.https_port = endpoints_.https_port ? endpoints_.https_port : options_.port;
  auto cloud = std::make_shared<Cloud>(config);
  cloud->tokens.set_token_lifetime(options_.token_lifetime);
  cloud->rbac.set_propagation_delay(options_.rbac_propagation_delay);
  cloud->rbac.set_grant_delay(options_.rbac_grant_delay);
  (void)cloud->operations.set_delay(options_.operation_delay);  // range checked by the option parser
  cloud->audit.set_echo_stdout(options_.log_format == "json");
  if (!options_.data_dir.empty() && !cloud->audit.OpenFile(options_.data_dir + "/audit.jsonl")) {
    *error = "cannot open " + options_.data_dir + "/audit.jsonl";
    return nullptr;
  }
  if (backup_key_.size() == 32) cloud->keyvault.set_backup_key(backup_key_);
  return cloud;
}

bool EmulatorServer::Persist(std::string* error) {
  if (!store_.is_open()) return true;
  return store_.Save([this] { return std::atomic_load(&live_)->cloud->ExportStateText(); }, error);
}

bool EmulatorServer::SwapTo(const nlohmann::json& state, std::string* error) {
  auto cloud = NewCloud(error);
  if (!cloud) return false;
  // A fixture (no crosskeyState marker) loads as --fixture would; a state document imports.
  auto imported = state.contains("crosskeyState") ? cloud->ImportState(state) : LoadFixture(cloud.get(), state);
  if (!imported.ok()) {
    *error = imported.error().message;
    return false;
  }
  auto live = std::make_shared<Live>();
  live->cloud = cloud;
  live->router = std::make_unique<Router>(cloud.get(), &endpoints_);
  std::atomic_store(&live_, live);
  return Persist(error);
}

nlohmann::json EmulatorServer::ExportState() const { return std::atomic_load(&live_)->cloud->ExportState(); }

Status EmulatorServer::LoadState(const nlohmann::json& state) {
  std::string error;
  if (!SwapTo(state, &error)) return control_errors::InvalidRequest(error);
  return Status::Ok();
}

Status EmulatorServer::Reset() {
  // Token-signing keys are made on first use; keep the ones already made for the startup
  // tenants, so tokens clients hold stay valid across a reset as they would in Azure.
  nlohmann::json state = startup_state_;
  std::set<std::string> tenants;
  for (const auto& t : state["directory"].value("tenants", nlohmann::json::array())) tenants.insert(t.value("tenantId", ""));
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& k : std::atomic_load(&live_)->cloud->signing_keys.ExportState()) {
    if (tenants.count(k.value("tenantId", ""))) keys.push_back(k);
  }
  state["signingKeys"] = keys;
  std::string error;
  if (!SwapTo(state, &error)) return control_errors::Internal(error);
  return Status::Ok();
}

nlohmann::json EmulatorServer::ListSnapshots() const {
  std::lock_guard lock(snapshots_mu_);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& [name, snap] : snapshots_) items.push_back({{"name", name}, {"time", snap.first}});
  return items;
}

StatusOr<nlohmann::json> EmulatorServer::TakeSnapshot(const std::string& requested) {
  std::string name = requested.empty() ? "snapshot-" + RandomHex(4) : requested;
  static const std::regex kName(R"(^[A-Za-z0-9._-]{1,64}$)");
  if (!std::regex_match(name, kName)) {
    return control_errors::InvalidRequest("A snapshot name is 1-64 letters, digits, '.', '_' or '-'.");
  }
  auto live = std::atomic_load(&live_);
  int64_t now = live->cloud->clock.Now();
  {
    std::lock_guard lock(snapshots_mu_);
    snapshots_[name] = {now, live->cloud->ExportState()};
  }
  return nlohmann::json{{"name", name}, {"time", now}};
}

Status EmulatorServer::DeleteSnapshot(const std::string& name) {
  std::lock_guard lock(snapshots_mu_);
  if (snapshots_.erase(name) == 0) return control_errors::NotFound("No snapshot named '" + name + "'.");
  return Status::Ok();
}

Status EmulatorServer::RestoreSnapshot(const std::string& name) {
  nlohmann::json state;
  {
    std::lock_guard lock(snapshots_mu_);
    auto it = snapshots_.find(name);
    if (it == snapshots_.end()) return control_errors::NotFound("No snapshot named '" + name + "'.");
    state = it->second.second;
  }
  std::string error;
  if (!SwapTo(state, &error)) return control_errors::Internal(error);
  return Status::Ok();
}

EmulatorServer::~EmulatorServer() {
  Stop();
  Wait();
}

HttpResponse EmulatorServer::Dispatch(const HttpRequest& request, bool managed_identity,
                                      const std::function<bool()>& abort_connection, bool* dropped) {
  auto started = std::chrono::steady_clock::now();
  auto live = std::atomic_load(&live_);
  bool writes = false;
  HttpResponse response =
      managed_identity ? live->router->HandleManagedIdentity(request) : live->router->HandleHttps(request, &writes);
  // Durable state: an acknowledged change is on disk before its answer leaves.
  if (writes && store_.is_open() && response.status < 400) {
    std::string error;
    if (!Persist(&error)) response = RenderControlError(control_errors::PersistFailed(error));
  }
  // An injected drop (fault_injector.h) ends the connection with no response at all.
  *dropped = IsConnectionDrop(response) && abort_connection();
  if (log_requests_) {
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    std::fprintf(stderr, "%s %s %s %d %.2fms %s\n", request.method.c_str(), request.Authority().c_str(),
                 request.path.c_str(), response.status, ms, request.request_id.c_str());
  }
  return response;
}

void EmulatorServer::ErrorBody(const HttpRequest& request, httplib::Response& res) {
  if (res.status == 413 && EndsWith(request.host, ".blob." + ToLower(options_.domain))) {
    // The Blob plane's clients expect Storage XML, even for a body the listener refused.
    auto live = std::atomic_load(&live_);
    Apply(consumer::http::RenderStorageError(consumer::errors::blob::RequestBodyTooLarge(), request,
                                             live->cloud->clock.Now()),
          request, res);
    return;
  }
  std::string message = res.status == 413 ? "The request body is too large (limit 1 MiB)." : "Bad request.";
  // The listener chose the status; only the body comes from the control API's mapper.
  HttpResponse body = RenderControlError(control_errors::ListenerRefused(res.status, message));
  res.set_content(body.body, body.content_type);
}

void EmulatorServer::InstallFastPath(BufferedTlsServer* server) {
  // Plain requests parsed by the server's own loop: the same Dispatch, the same Apply, and the
  // error handler's body for an empty 4xx/5xx, as the httplib route renders them.
  server->set_fast_handler([this](PlainRequest& plain, httplib::Response& res) {
    HttpRequest request = MakeRequest(std::move(plain.method), plain.target, std::move(plain.headers), std::move(plain.body));
    plain.method = request.method;
    bool dropped = false;
    int fd = plain.fd;
    HttpResponse response = Dispatch(request, false, [fd] { return AbortConnection(fd, "", 0, "", 0); }, &dropped);
    if (dropped) return false;
    Apply(response, request, res);
    if (res.status >= 400 && res.body.empty()) ErrorBody(request, res);
    return true;
  });
}

void EmulatorServer::Install(httplib::Server* server, bool managed_identity) {
  server->set_tcp_nodelay(true);
  server->set_keep_alive_max_count(1000000);
  server->set_keep_alive_timeout(30);
  server->set_read_timeout(30);
  server->set_payload_max_length(kMaxBodyBytes);
  int threads = options_.threads;
  server->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  auto handler = [this, managed_identity](const httplib::Request& req, httplib::Response& res) {
    // Range requests are answered by the planes (the Blob plane's 206/416); httplib must not cut
    // the body a second time. The Request object is ours (httplib hands it out as const).
    const_cast<httplib::Request&>(req).ranges.clear();
    HttpRequest request = Convert(req);
    bool dropped = false;
    HttpResponse response = Dispatch(request, managed_identity, [&] {
      return AbortConnection(req.ssl ? SSL_get_fd(req.ssl) : -1, req.local_addr, req.local_port, req.remote_addr,
                             req.remote_port);
    }, &dropped);
    if (!dropped) Apply(response, request, res);
  };
  server->Get(".*", handler);
  server->Post(".*", handler);
  server->Put(".*", handler);
  server->Patch(".*", handler);
  server->Delete(".*", handler);
  server->Options(".*", handler);
  server->set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    HttpRequest request = Convert(req);
    ErrorBody(request, res);
  });
  server->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    // A bug must not take the process down; answer a clean 500 so it shows in tests.
    HttpResponse crash = RenderControlError(control_errors::UnhandledException());
    res.status = crash.status;
    res.set_content(crash.body, crash.content_type);
  });
}

namespace {
bool IsLoopback(const std::string& address) {
  return address == "localhost" || address == "::1" || address.rfind("127.", 0) == 0;
}

// The control API serves every private key of the cloud: reachable beyond this host only behind
// a token (SECURITY.md). The token given, else one generated into the data dir; "" with *error
// set when neither can be.
std::optional<std::string> AdminToken(const Options& options, std::string* error) {
  if (IsLoopback(options.bind) || !options.admin_token.empty()) return options.admin_token;
  if (options.data_dir.empty()) {
    *error = "--bind " + options.bind + " exposes the control API (every private key and secret) beyond this "
             "host: give --admin-token TOKEN, or --data-dir DIR to have a token generated into DIR/admin-token";
    return std::nullopt;
  }
  std::fprintf(stderr, "crosskey: --bind %s: the control API requires the bearer token in %s/admin-token\n",
               options.bind.c_str(), options.data_dir.c_str());
  return LoadOrCreateSecret(options.data_dir, "admin-token", 24);
}
}  // namespace

bool EmulatorServer::Start(std::string* error) {
  if (!options_.data_dir.empty()) {
    ::mkdir(options_.data_dir.c_str(), 0700);
    ::chmod(options_.data_dir.c_str(), 0700);
  }
  auto admin_token = AdminToken(options_, error);
  if (!admin_token) return false;
  endpoints_.admin_token = *admin_token;
  endpoints_.state = this;
  if (!options_.data_dir.empty() && !store_.Open(options_.data_dir, error)) return false;

  auto tls = ServerTls(options_, error);
  if (!tls) return false;
  endpoints_.ca_pem = tls->ca;
  endpoints_.mi_header =
      options_.mi_header.empty() ? LoadOrCreateSecret(options_.data_dir, "mi-header", 18) : options_.mi_header;
  // Backups made before a restart must still restore: the sealing key lives with the data dir.
  auto backup_key = crypto::Base64UrlDecode(LoadOrCreateSecret(options_.data_dir, "backup.key", 32));
  if (backup_key && backup_key->size() == 32) backup_key_ = *backup_key;
  endpoints_.bench_routes = options_.bench_routes;

  auto https = MakeTlsServer(*tls);
  if (!https) {
    *error = "cannot load the TLS certificate and key";
    return false;
  }
  Install(https.get(), false);
  InstallFastPath(static_cast<BufferedTlsServer*>(https.get()));
  endpoints_.https_port = BindListener(https.get(), options_.bind, options_.port, "https", error);
  if (endpoints_.https_port <= 0) return false;
  // Fixtures load once the port is known: vault URIs and ${port} placeholders carry it. The
  // startup state is kept for /_emulator/reset; a data dir's stored state wins over it.
  auto cloud = NewCloud(error);
  if (!cloud || !LoadStartupState(cloud.get(), error)) return false;
  startup_state_ = cloud->ExportState();
  live_ = std::make_shared<Live>();
  live_->cloud = cloud;
  live_->router = std::make_unique<Router>(cloud.get(), &endpoints_);
  if (store_.is_open()) {
    auto stored = store_.Load(error);
    if (!error->empty()) return false;
    if (stored) {
      if (!SwapTo(*stored, error)) {
        *error = options_.data_dir + "/crosskey.db: " + *error;
        return false;
      }
    } else if (!Persist(error)) {
      return false;
    }
  }

  auto mi = std::make_unique<httplib::Server>();
  Install(mi.get(), true);
  endpoints_.mi_port = BindListener(mi.get(), options_.mi_bind, options_.mi_port, "managed identity", error);
  if (endpoints_.mi_port <= 0) return false;

  servers_.push_back(std::move(https));
  servers_.push_back(std::move(mi));
  if (options_.listen_443) {
    auto extra = MakeTlsServer(*tls);
    if (!extra) {
      *error = "cannot load the TLS certificate for port 443";
      return false;
    }
    Install(extra.get(), false);
    InstallFastPath(static_cast<BufferedTlsServer*>(extra.get()));
    if (BindListener(extra.get(), options_.bind, 443, "--listen-443", error) <= 0) return false;
    servers_.push_back(std::move(extra));
  }
  for (auto& s : servers_) {
    httplib::Server* raw = s.get();
    threads_.emplace_back([raw] { raw->listen_after_bind(); });
  }
  return true;
}

void EmulatorServer::Stop() {
  for (auto& s : servers_) s->stop();
}

void EmulatorServer::Wait() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace crosskey::server
