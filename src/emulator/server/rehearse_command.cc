#include "emulator/server/rehearse_command.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <httplib.h>
#include <openssl/pem.h>

#include "emulator/common/text.h"
#include "emulator/rehearse/rehearsal.h"
#include "emulator/server/https_server.h"

namespace crosskey::server {
namespace {
namespace fs = std::filesystem;
using rehearse::ApiResponse;
using rehearse::Json;

constexpr const char* kUsage = R"(usage: crosskey rehearse [flags] SCENARIO...

Runs rehearsal scenarios (JSON files, or directories searched for *.json) and prints a
timeline per scenario: time on the emulator clock, step, consumer state, error seen.
Each scenario first loads its "fixture" into the emulator (replacing its state).

flags:
  --url URL            a running emulator (https://127.0.0.1:8443); default: start one in
                       this process on a free port
  --ca FILE            CA certificate to trust for --url (default: fetched from the emulator's
                       /_emulator/ca.pem over the loopback connection)
  --admin-token TOKEN  the emulator's --admin-token, for its control API
  --out DIR            write each timeline as DIR/<scenario name>.json (default: rehearsal-out)
  --quiet              print only the PASS/FAIL line of each scenario
)";

struct Args {
  std::string url, ca, admin_token, out = "rehearsal-out";
  bool quiet = false;
  std::vector<std::string> scenarios;
};

std::optional<Args> Parse(int argc, char** argv, std::string* error) {
  Args a;
  for (int i = 2; i < argc; ++i) {
    std::string f = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) {
        *error = f + " needs a value";
        return false;
      }
      *out = argv[++i];
      return true;
    };
    if (f == "--url") {
      if (!value(&a.url)) return std::nullopt;
    } else if (f == "--ca") {
      if (!value(&a.ca)) return std::nullopt;
    } else if (f == "--admin-token") {
      if (!value(&a.admin_token)) return std::nullopt;
    } else if (f == "--out") {
      if (!value(&a.out)) return std::nullopt;
    } else if (f == "--quiet") {
      a.quiet = true;
    } else if (!f.empty() && f[0] == '-') {
      *error = "unknown flag '" + f + "'";
      return std::nullopt;
    } else {
      a.scenarios.push_back(f);
    }
  }
  if (a.scenarios.empty()) {
    *error = "name at least one scenario file or directory";
    return std::nullopt;
  }
  return a;
}

// HTTPS to one emulator listener; the plane is chosen by the Host header, as a client that
// resolved the emulator's names to this address would.
class HttpsApiClient : public rehearse::ApiClient {
 public:
  HttpsApiClient(const std::string& host, int port, std::string admin_token)
      : client_(host, port), port_(port), admin_token_(std::move(admin_token)) {
    client_.set_connection_timeout(5, 0);
    client_.set_read_timeout(60, 0);
    client_.set_keep_alive(true);
  }
  // Trusts `pem` only; without it, trusts nothing but still connects (used to fetch the CA).
  bool Trust(const std::string& pem, std::string* error) {
    if (pem.empty()) {
      client_.enable_server_certificate_verification(false);
      return true;
    }
    X509_STORE* store = X509_STORE_new();
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    int added = 0;
    while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
      added += X509_STORE_add_cert(store, cert) == 1;
      X509_free(cert);
    }
    BIO_free(bio);
    if (added == 0) {
      X509_STORE_free(store);
      *error = "no certificate in the CA file";
      return false;
    }
    client_.set_ca_cert_store(store);  // the client's SSL context owns it
    client_.enable_server_certificate_verification(true);
    return true;
  }

  ApiResponse Send(const std::string& method, const std::string& host, const std::string& target,
                   const std::string& authorization, const std::string& content_type, const std::string& body) override {
    httplib::Headers headers = {{"Host", host + (port_ == 443 ? "" : ":" + std::to_string(port_))}};
    std::string auth = authorization;
    if (auth.empty() && StartsWithIgnoreCase(target, "/_emulator/") && !admin_token_.empty()) auth = "Bearer " + admin_token_;
    if (!auth.empty()) headers.emplace("Authorization", auth);
    httplib::Result res = [&] {
      if (method == "GET") return client_.Get(target.c_str(), headers);
      if (method == "DELETE") return client_.Delete(target.c_str(), headers, body, content_type.empty() ? "application/json" : content_type.c_str());
      if (method == "PUT") return client_.Put(target.c_str(), headers, body, content_type.c_str());
      if (method == "PATCH") return client_.Patch(target.c_str(), headers, body, content_type.c_str());
      return client_.Post(target.c_str(), headers, body, content_type.empty() ? "application/json" : content_type.c_str());
    }();
    if (!res) return {0, httplib::to_string(res.error()), nullptr};
    return {res->status, res->body, nullptr};
  }

 private:
  httplib::SSLClient client_;
  int port_;
  std::string admin_token_;
};

std::vector<fs::path> ScenarioFiles(const std::vector<std::string>& given, std::string* error) {
  std::vector<fs::path> files;
  for (const auto& g : given) {
    std::error_code ec;
    if (fs::is_directory(g, ec)) {
      std::vector<fs::path> found;
      for (const auto& e : fs::recursive_directory_iterator(g, ec)) {
        if (e.is_regular_file() && e.path().extension() == ".json") found.push_back(e.path());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(g, ec)) {
      files.emplace_back(g);
    } else {
      *error = g + ": no such scenario file or directory";
      return {};
    }
  }
  return files;
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The emulator's DNS suffix, from its bootstrap's login endpoint (https://login.D[:port]).
std::string DomainOf(rehearse::ApiClient* client, std::string* error) {
  auto r = client->Send("GET", "login.crosskey.test", "/_emulator/bootstrap", "", "", "");
  auto j = Json::parse(r.body, nullptr, false);
  if (r.status != 200 || j.is_discarded() || !j.contains("endpoints")) {
    *error = "GET /_emulator/bootstrap answered " + std::to_string(r.status) + ": " + r.body.substr(0, 200);
    return "";
  }
  std::string login = j["endpoints"].value("login", "");
  std::string host = login.substr(login.find("://") + 3);
  host = host.substr(0, host.find(':'));
  return host.rfind("login.", 0) == 0 ? host.substr(6) : host;
}

bool WantsHelp(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") return true;
  }
  return false;
}

// Parses every scenario before touching any emulator, so a typo fails fast; nullopt once the
// first bad one is reported on stderr.
std::optional<std::vector<rehearse::Scenario>> LoadScenarios(const std::vector<fs::path>& files) {
  std::vector<rehearse::Scenario> scenarios;
  for (const auto& f : files) {
    auto doc = Json::parse(ReadAll(f), nullptr, false);
    if (doc.is_discarded()) {
      std::cerr << "crosskey rehearse: " << f.string() << ": not valid JSON\n";
      return std::nullopt;
    }
    auto sc = rehearse::ParseScenario(doc, f.string());
    if (!sc.ok()) {
      std::cerr << "crosskey rehearse: " << sc.error().message << "\n";
      return std::nullopt;
    }
    scenarios.push_back(*sc);
  }
  return scenarios;
}

struct Target {
  std::string host = "127.0.0.1";
  int port = 0;
};

// The emulator to rehearse against: --url's, or one started in this process (kept in *local).
// 0, or the exit code after reporting on stderr.
int ResolveTarget(const Args& args, std::unique_ptr<EmulatorServer>* local, Target* target) {
  if (args.url.empty()) {
    Options o;
    o.port = 0;
    o.mi_port = 0;
    o.threads = 8;
    *local = std::make_unique<EmulatorServer>(o);
    std::string error;
    if (!(*local)->Start(&error)) {
      std::cerr << "crosskey rehearse: cannot start the emulator: " << error << "\n";
      return 1;
    }
    target->port = (*local)->https_port();
    return 0;
  }
  std::string u = args.url;
  if (u.rfind("https://", 0) != 0) {
    std::cerr << "crosskey rehearse: --url must be https://HOST:PORT\n";
    return 2;
  }
  u = u.substr(8);
  while (!u.empty() && u.back() == '/') u.pop_back();
  auto colon = u.rfind(':');
  target->host = colon == std::string::npos ? u : u.substr(0, colon);
  target->port = colon == std::string::npos ? 443 : std::atoi(u.c_str() + colon + 1);
  return 0;
}

// Trusts --ca, or else the CA the emulator serves (fetched without verification over what is
// meant to be a loopback connection), then learns the emulator's domain. 0, or the exit code.
int Connect(const Args& args, const Target& target, HttpsApiClient* client, std::string* domain) {
  std::string error;
  std::string ca = args.ca.empty() ? "" : ReadAll(args.ca);
  if (!args.ca.empty() && ca.empty()) {
    std::cerr << "crosskey rehearse: --ca " << args.ca << ": cannot read the file\n";
    return 2;
  }
  if (ca.empty()) {
    client->Trust("", &error);
    auto r = client->Send("GET", "login.crosskey.test", "/_emulator/ca.pem", "", "", "");
    if (r.status != 200) {
      std::cerr << "crosskey rehearse: cannot reach the emulator at " << target.host << ":" << target.port << ": "
                << (r.status ? std::to_string(r.status) + " " + r.body : r.body) << "\n";
      return 1;
    }
    ca = r.body;
  }
  if (!client->Trust(ca, &error)) {
    std::cerr << "crosskey rehearse: " << error << "\n";
    return 2;
  }
  *domain = DomainOf(client, &error);
  if (domain->empty()) {
    std::cerr << "crosskey rehearse: " << error << "\n";
    return 1;
  }
  return 0;
}

// Runs each scenario, prints its timeline and writes it to --out; the number that failed.
int RunAll(const Args& args, const std::vector<rehearse::Scenario>& scenarios, rehearse::ApiClient* client,
           const std::string& domain) {
  std::error_code ec;
  fs::create_directories(args.out, ec);
  int failed = 0;
  for (const auto& sc : scenarios) {
    Json fixture;
    if (!sc.fixture.empty()) {
      fixture = Json::parse(ReadAll(sc.fixture), nullptr, false);
      if (fixture.is_discarded()) {
        std::cerr << "crosskey rehearse: " << sc.file << ": fixture " << sc.fixture << " is missing or not JSON\n";
        ++failed;
        continue;
      }
    }
    rehearse::Rehearsal rehearsal(client, domain);
    Json timeline = rehearsal.Run(sc, fixture);
    if (args.quiet) {
      std::cout << (timeline["passed"].get<bool>() ? "PASS " : "FAIL ") << sc.name << "\n";
    } else {
      rehearse::Rehearsal::Print(timeline, std::cout);
      std::cout << "\n";
    }
    std::string file = sc.name;
    std::replace(file.begin(), file.end(), '/', '-');
    std::ofstream(fs::path(args.out) / (file + ".json")) << timeline.dump(2) << "\n";
    failed += !timeline["passed"].get<bool>();
  }
  return failed;
}
}  // namespace

int RunRehearse(int argc, char** argv) {
  if (WantsHelp(argc, argv)) {
    std::cout << kUsage;
    return 0;
  }
  std::string error;
  auto args = Parse(argc, argv, &error);
  if (!args) {
    std::cerr << "crosskey rehearse: " << error << "\n\n" << kUsage;
    return 2;
  }
  auto files = ScenarioFiles(args->scenarios, &error);
  if (files.empty()) {
    std::cerr << "crosskey rehearse: " << (error.empty() ? "no scenario files found" : error) << "\n";
    return 2;
  }
  auto scenarios = LoadScenarios(files);
  if (!scenarios) return 2;

  std::unique_ptr<EmulatorServer> local;
  Target target;
  if (int code = ResolveTarget(*args, &local, &target)) return code;
  HttpsApiClient client(target.host, target.port, args->admin_token);
  std::string domain;
  if (int code = Connect(*args, target, &client, &domain)) return code;

  int failed = RunAll(*args, *scenarios, &client, domain);
  std::cout << (failed ? "FAILED: " : "ALL PASSED: ") << scenarios->size() - failed << "/" << scenarios->size()
            << " scenarios passed; timelines in " << args->out << "/\n";
  if (local) {
    local->Stop();
    local->Wait();
  }
  return failed ? 1 : 0;
}

}  // namespace crosskey::server
