// crosskey: a local emulator of Entra ID + ARM + Key Vault for cross-tenant CMK.
#include <malloc.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include <httplib.h>

#include "emulator/server/https_server.h"
#include "emulator/server/options.h"
#include "emulator/server/rehearse_command.h"

namespace {
using crosskey::server::Options;

std::string PortSuffix(int port) { return port == 443 ? "" : ":" + std::to_string(port); }

// Asks a running emulator on --port for its names (every live vault included); without one,
// prints the fixed names and the --vault ones.
int PrintHosts(const Options& o) {
  httplib::SSLClient client("127.0.0.1", o.port);
  client.enable_server_certificate_verification(false);  // loopback, our own listener
  client.set_connection_timeout(1, 0);
  std::string running;
  if (auto res = client.Get("/_emulator/hosts"); res && res->status == 200) running = res->body;
  const std::string& d = o.domain;
  std::string text = running;
  if (text.empty()) {
    for (const std::string& name : {"login." + d, "graph." + d, "management." + d, "vault." + d,
                                    std::string("login.microsoftonline.com"), std::string("login.microsoftonline.us")}) {
      text += "127.0.0.1 " + name + "\n";
    }
  }
  for (const auto& v : o.vaults) {
    std::string line = "127.0.0.1 " + v + ".vault." + d + "\n";
    if (text.find(line) == std::string::npos) text += line;
  }
  std::cout << text;
  return 0;
}

int PrintEnv(const Options& o) {
  std::string dir = o.data_dir.empty() ? std::string(getenv("HOME") ? getenv("HOME") : ".") + "/.crosskey" : o.data_dir;
  std::ifstream in(dir + "/mi-header");
  std::string header;
  std::getline(in, header);
  std::string login = "https://login." + o.domain + PortSuffix(o.port);
  std::string mi = "http://127.0.0.1:" + std::to_string(o.mi_port);
  std::cout << "export REQUESTS_CA_BUNDLE=" << dir << "/ca.pem\n"
            << "export NODE_EXTRA_CA_CERTS=" << dir << "/ca.pem\n"
            << "export AZURE_AUTHORITY_HOST=" << login << "\n"
            << "export IDENTITY_ENDPOINT=" << mi << "/msi/token\n"
            << "export IDENTITY_HEADER=" << header << "\n"
            << "export AZURE_POD_IDENTITY_AUTHORITY_HOST=" << mi << "\n"
            << "export AZURE_CORE_COLLECT_TELEMETRY=no\n";
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  std::string error;
  if (argc > 1 && std::string(argv[1]) == "rehearse") {
    signal(SIGPIPE, SIG_IGN);
    return crosskey::server::RunRehearse(argc, argv);
  }
  bool help = false;
  auto options = crosskey::server::ParseOptions(argc, argv, &error, &help);
  if (help) {
    std::cout << crosskey::server::UsageText();
    return 0;
  }
  if (!options) {
    std::cerr << "crosskey: " << error << "\n\n" << crosskey::server::UsageText();
    return 2;
  }
  if (options->command == "hosts") return PrintHosts(*options);
  if (options->command == "env") return PrintEnv(*options);

  // Many short-lived connections spread allocations over one glibc arena per thread, and RSS
  // then climbs without a leak (measured by scripts/bench); two arenas keep it flat.
  mallopt(M_ARENA_MAX, 2);
  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  crosskey::server::EmulatorServer server(*options);
  if (!server.Start(&error)) {
    std::cerr << "crosskey: " << error << "\n";
    return 1;
  }
  std::printf("ready {\"port\": %d, \"miPort\": %d}\n", server.https_port(), server.mi_port());
  std::fflush(stdout);
  std::fprintf(stderr,
               "crosskey: serving https://login.%s:%d (all planes, listening on %s) and http://%s:%d (managed "
               "identity)\n",
               options->domain.c_str(), server.https_port(), options->bind.c_str(), options->mi_bind.c_str(),
               server.mi_port());
  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::fprintf(stderr, "crosskey: signal %d, shutting down\n", sig);
  server.Stop();
  server.Wait();
  return 0;
}
