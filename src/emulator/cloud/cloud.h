#pragma once
// The whole fake cloud in one object: clock, directory, token service, ARM + RBAC, Key Vault.
// This is what a C++ user links to drive the three phases in-process; the HTTP server wraps
// exactly this object. No HTTP library here.
// Thread-safety: the member services are each safe for concurrent use.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/arm/async_operations.h"
#include "emulator/arm/rbac_engine.h"
#include "emulator/arm/resource_manager.h"
#include "emulator/common/audit_log.h"
#include "emulator/common/clock.h"
#include "emulator/consumer/blob_store.h"
#include "emulator/consumer/consumer_engine.h"
#include "emulator/deploy/deployment_service.h"
#include "emulator/graph/directory.h"
#include "emulator/keyvault/key_vault_service.h"
#include "emulator/token/signing_keys.h"
#include "emulator/token/token_service.h"
#include "emulator/token/token_validator.h"

namespace crosskey {

struct CloudConfig {
  std::string domain = "crosskey.test";
  int https_port = 8443;            // for URLs handed out (vaultUri, key ids); 443 is omitted
  std::string seed = "crosskey";    // deterministic ids of the default fixture
};

// What the default fixture created for one tenant (served by /_emulator/bootstrap).
struct BootstrapTenant {
  std::string name;
  std::string tenant_id;
  std::string subscription_id;
  std::string admin_username;
  std::string admin_password;
  std::string admin_user_object_id;
  std::string admin_app_id;
  std::string admin_app_secret;
  std::string admin_app_object_id;
  std::string admin_sp_object_id;
};

class Cloud {
 public:
  explicit Cloud(CloudConfig config);
  Cloud(const Cloud&) = delete;
  Cloud& operator=(const Cloud&) = delete;

  const CloudConfig& config() const { return config_; }
  void set_https_port(int port) { port_.store(port); }
  int https_port() const { return port_.load(); }
  // https://{vault}.vault.{domain}[:port] (no trailing slash).
  std::string VaultUrl(const std::string& vault) const;
  // The Key Vault challenge/audience resource: https://vault.{domain}[:port].
  std::string VaultResource(bool with_port) const;

  // Provider and customer tenants, each with a subscription, an admin user and an admin app
  // (Owner of the subscription, Global Administrator of the directory).
  Status LoadDefaultFixture();
  const std::vector<BootstrapTenant>& bootstrap() const { return bootstrap_; }
  void set_bootstrap(std::vector<BootstrapTenant> bootstrap) { bootstrap_ = std::move(bootstrap); }

  // The whole cloud as one JSON document ({"crosskeyState": 1, ...}): directory, signing keys,
  // ARM, RBAC, keys with their material, clock. GET /_emulator/state serves it, snapshots and
  // the data dir store it, and --fixture accepts it back (cloud_state.cc).
  nlohmann::json ExportState() const;
  // The same document as JSON text (what the durable store writes after every change), with
  // the Key Vault part from KeyVaultService::AppendStateText.
  std::string ExportStateText() const;
  // Into a fresh Cloud only. Errors: InvalidState naming the unreadable part.
  Status ImportState(const nlohmann::json& state);
  static constexpr int kStateVersion = 1;

  Clock clock;
  graph::Directory directory{&clock};
  token::SigningKeyRing signing_keys;
  token::TokenService tokens;
  token::TokenValidator validator;
  arm::RbacEngine rbac{&clock};
  arm::ResourceManager resources;
  // ARM's long-running operations (the asynchronous providers' accepted writes).
  arm::AsyncOperations operations{&clock};
  // Template deployments (Microsoft.Resources/deployments), applied through `resources`.
  deploy::DeploymentService deployments{&resources, &clock};
  keyvault::KeyVaultService keyvault;
  AuditLog audit{&clock};
  // Phase 3: emulated CMK consumers (Storage, Cosmos DB, disk encryption sets, SQL), served
  // through `resources` for their ARM types.
  consumer::ConsumerEngine consumers;
  // The Blob data plane of the emulated storage accounts ({account}.blob.{domain}).
  consumer::BlobService blobs;

 private:
  StatusOr<BootstrapTenant> AddFixtureTenant(const std::string& name, const std::string& domain);
  // The state document without its "keyvault" member (cloud_state.cc).
  nlohmann::json ExportStateButKeys() const;

  CloudConfig config_;
  std::atomic<int> port_;
  std::vector<BootstrapTenant> bootstrap_;
};

}  // namespace crosskey
