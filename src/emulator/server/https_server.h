#pragma once
// The process: builds the Cloud, loads the TLS material, runs the HTTPS listener (every
// plane), the plain-HTTP managed-identity listener and optionally a second HTTPS listener on
// 443. The only code that sees cpp-httplib.
// Thread-safety: Start/Stop from one thread; request handling is concurrent.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "emulator/cloud/cloud.h"
#include "emulator/server/options.h"
#include "emulator/server/router.h"
#include "emulator/server/state_store.h"

namespace httplib {
class Server;
struct Response;
}

namespace crosskey::server {

class BufferedTlsServer;

class EmulatorServer : public StateControl {
 public:
  explicit EmulatorServer(Options options);
  ~EmulatorServer();
  // Binds every listener and starts serving; false with *error on failure.
  bool Start(std::string* error);
  void Stop();
  void Wait();
  int https_port() const { return endpoints_.https_port; }
  int mi_port() const { return endpoints_.mi_port; }
  std::shared_ptr<Cloud> cloud() const { return std::atomic_load(&live_)->cloud; }

 private:
  void Install(httplib::Server* server, bool managed_identity);
  // Serves the plain requests BufferedTlsServer parses itself through Dispatch.
  void InstallFastPath(BufferedTlsServer* server);
  // One request through the router (HTTPS planes or the managed-identity port), with
  // persistence of acknowledged mutations and the request log; both HTTP paths use it.
  // *dropped: an injected drop ended the connection (abort_connection() succeeded).
  HttpResponse Dispatch(const HttpRequest& request, bool managed_identity,
                        const std::function<bool()>& abort_connection, bool* dropped);
  // The error handler's body for a 4xx/5xx answered without one.
  void ErrorBody(const HttpRequest& request, httplib::Response& res);
  // The default fixture, or --fixture FILE (a fixture or a state document), into `cloud`.
  // False with *error when it is refused.
  bool LoadStartupState(Cloud* cloud, std::string* error);
  // A Cloud configured from the options (lifetimes, audit file, port, backup key).
  std::shared_ptr<Cloud> NewCloud(std::string* error);
  // Replaces the live cloud with one built from a state document; persists it.
  bool SwapTo(const nlohmann::json& state, std::string* error);
  // StateControl: /_emulator/state, /reset, /snapshots.
  nlohmann::json ExportState() const override;
  Status LoadState(const nlohmann::json& state) override;
  Status Reset() override;
  nlohmann::json ListSnapshots() const override;
  StatusOr<nlohmann::json> TakeSnapshot(const std::string& name) override;
  Status DeleteSnapshot(const std::string& name) override;
  Status RestoreSnapshot(const std::string& name) override;
  // Writes the live state to the data dir's database (after an acknowledged mutation).
  bool Persist(std::string* error);

  struct Live {
    std::shared_ptr<Cloud> cloud;
    std::unique_ptr<Router> router;
  };

  Options options_;
  bool log_requests_ = false;
  Endpoints endpoints_;
  std::shared_ptr<Live> live_;  // swapped atomically by reset/restore; requests hold their own
  nlohmann::json startup_state_;
  std::string backup_key_;
  StateStore store_;
  mutable std::mutex snapshots_mu_;
  std::map<std::string, std::pair<int64_t, nlohmann::json>> snapshots_;
  std::vector<std::unique_ptr<httplib::Server>> servers_;
  std::vector<std::thread> threads_;
};

}  // namespace crosskey::server
