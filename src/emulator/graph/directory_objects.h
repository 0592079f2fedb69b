#pragma once
// Entra directory objects as the emulator stores them. Values are copied out of the
// Directory, never shared mutable.
// Thread-safety: value types.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "emulator/crypto/key_material.h"

namespace crosskey::graph {

struct PasswordCredential {
  std::string key_id;
  std::string display_name;
  std::string secret_sha256;  // the secret itself is shown once, at creation
  std::string hint;           // first three characters, as Graph returns
  int64_t start = 0;
  int64_t end = 0;
};

struct KeyCredential {
  std::string key_id;
  std::string display_name;
  std::string key_b64der;        // the certificate, base64 DER
  std::string thumbprint_sha1;   // raw bytes; base64url of it is the JWT x5t
  std::shared_ptr<const crypto::KeyMaterial> public_key;
  int64_t start = 0;
  int64_t end = 0;
};

struct FederatedCredential {
  std::string id;
  std::string name;
  std::string issuer;
  std::string subject;
  std::string description;
  std::vector<std::string> audiences;
};

struct Application {
  std::string object_id;
  std::string app_id;
  std::string display_name;
  std::string sign_in_audience = "AzureADMyOrg";
  std::string home_tenant_id;
  int64_t created = 0;
  int64_t deleted = 0;  // soft-deleted at (deleted items only), 0 while live
  std::vector<PasswordCredential> passwords;
  std::vector<KeyCredential> keys;
  std::vector<FederatedCredential> federated_credentials;

  bool IsMultiTenant() const {
    return sign_in_audience == "AzureADMultipleOrgs" || sign_in_audience == "AzureADandPersonalMicrosoftAccount";
  }
};

enum class PrincipalKind { kApplication, kManagedIdentity };

struct ServicePrincipal {
  std::string object_id;
  std::string app_id;
  std::string tenant_id;
  std::string display_name;
  bool account_enabled = true;
  PrincipalKind kind = PrincipalKind::kApplication;
  std::string app_owner_tenant_id;
  std::string managed_identity_resource_id;  // ARM id of a user-assigned identity
  bool global_admin = false;
  int64_t created = 0;
  int64_t deleted = 0;  // soft-deleted at (deleted items only), 0 while live
};

struct User {
  std::string object_id;
  std::string user_principal_name;
  std::string display_name;
  std::string password;
  bool account_enabled = true;
  bool global_admin = false;
};

// Graph policies/authorizationPolicy, the part the seeds use.
struct AuthorizationPolicy {
  bool allowed_to_create_apps = true;
  // Non-empty: plain users may consent to (install) applications themselves.
  std::vector<std::string> permission_grant_policies_assigned = {"ManagePermissionGrantsForSelf.microsoft-user-default-legacy"};
};

struct Tenant {
  std::string tenant_id;
  std::string name;          // short label: "provider", "customer"
  std::string display_name;
  std::string default_domain;
  AuthorizationPolicy authorization_policy;
};

// Who is calling Graph (from a validated access token).
struct GraphCaller {
  std::string tenant_id;
  std::string object_id;
  std::string app_id;
  bool is_user = false;
  std::string request_id;      // the request that acted, for the directory audit log
  std::string correlation_id;  // its token's uti
};

}  // namespace crosskey::graph
