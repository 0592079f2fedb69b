#pragma once
// The process: builds the Cloud, loads the TLS material, runs the HTTPS listener (every
// plane), the plain-HTTP managed-identity listener and optionally a second HTTPS listener on
// 443. The only code that sees cpp-httplib.
// Thread-safety: Start/Stop from one thread; request handling is concurrent.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "emulator/cloud/cloud.h"
#include "emulator/server/options.h"
#include "emulator/server/router.h"

namespace httplib {
class Server;
}

namespace crosskey::server {

class EmulatorServer {
 public:
  explicit EmulatorServer(Options options);
  ~EmulatorServer();
  // Binds every listener and starts serving; false with *error on failure.
  bool Start(std::string* error);
  void Stop();
  void Wait();
  int https_port() const { return endpoints_.https_port; }
  int mi_port() const { return endpoints_.mi_port; }
  Cloud& cloud() { return *cloud_; }

 private:
  void Install(httplib::Server* server, bool managed_identity);
  // The default fixture, or --fixture FILE. False with *error when the fixture is refused.
  bool LoadStartupState(std::string* error);

  Options options_;
  bool log_requests_ = false;
  std::unique_ptr<Cloud> cloud_;
  Endpoints endpoints_;
  std::unique_ptr<Router> router_;
  std::vector<std::unique_ptr<httplib::Server>> servers_;
  std::vector<std::thread> threads_;
};

}  // namespace crosskey::server
