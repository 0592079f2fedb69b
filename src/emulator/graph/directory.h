#pragma once
// The directory core: tenants and their applications, federated credentials, service
// principals and users. Graph's HTTP adapter, the token service, ARM (managed identities)
// and fixtures all go through these functions.
// Thread-safety: every method is safe to call concurrently (one shared_mutex; reads shared).
#include <functional>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/common/clock.h"
#include "emulator/common/status.h"
#include "emulator/graph/directory_objects.h"

namespace crosskey::graph {

struct NewApplication {
  std::string display_name;
  std::string sign_in_audience = "AzureADMyOrg";
  std::string app_id;     // empty: generated
  std::string object_id;  // empty: generated
};

struct NewPassword {
  std::string display_name;
  std::string secret;  // empty: generated
  std::string key_id;  // empty: generated
  int64_t end = 0;     // 0: two years from now
};

struct CreatedPassword {
  PasswordCredential credential;
  std::string secret_text;
};

class Directory {
 public:
  explicit Directory(const Clock* clock) : clock_(clock) {}

  // Tenants. Errors: BadRequest when the id exists already.
  Status AddTenant(const Tenant& tenant);
  std::optional<Tenant> FindTenant(const std::string& tenant_id) const;
  std::vector<Tenant> ListTenants() const;
  Status SetAuthorizationPolicy(const std::string& tenant_id, const AuthorizationPolicy& policy);

  // Applications live in their home tenant. Errors: TenantNotFound.
  StatusOr<Application> CreateApplication(const std::string& tenant_id, const NewApplication& spec);
  std::optional<Application> FindApplication(const std::string& tenant_id, const std::string& object_id) const;
  // By appId across every tenant (the token service looks apps up by client_id).
  std::optional<Application> FindApplicationByAppId(const std::string& app_id) const;
  std::vector<Application> ListApplications(const std::string& tenant_id) const;
  // Errors: ResourceNotFound.
  StatusOr<Application> UpdateApplication(const std::string& tenant_id, const std::string& object_id,
                                          const std::function<Status(Application&)>& mutate);
  Status DeleteApplication(const std::string& tenant_id, const std::string& object_id);
  StatusOr<CreatedPassword> AddPassword(const std::string& tenant_id, const std::string& object_id,
                                        const NewPassword& spec);
  // Errors: ResourceNotFound, BadRequest (certificate unreadable).
  StatusOr<KeyCredential> AddCertificate(const std::string& tenant_id, const std::string& object_id,
                                         const std::string& display_name, const std::string& certificate);

  // Federated identity credentials. Errors: ResourceNotFound (app), BadRequest (issuer/subject
  // missing, audiences not exactly one), FederatedCredentialNameExists, FederatedCredentialLimit.
  StatusOr<FederatedCredential> AddFederatedCredential(const std::string& tenant_id, const std::string& app_object_id,
                                                       FederatedCredential fic);
  StatusOr<FederatedCredential> UpdateFederatedCredential(const std::string& tenant_id,
                                                          const std::string& app_object_id,
                                                          const std::string& id_or_name,
                                                          const FederatedCredential& patch, bool has_issuer,
                                                          bool has_subject, bool has_audiences, bool has_description);
  Status DeleteFederatedCredential(const std::string& tenant_id, const std::string& app_object_id,
                                   const std::string& id_or_name);

  // Service principals. For an application: its app must be multi-tenant or homed in this
  // tenant (AppNotValidForServicePrincipal), one per app per tenant (ServicePrincipalExists).
  StatusOr<ServicePrincipal> CreateServicePrincipal(const std::string& tenant_id, const std::string& app_id,
                                                    const std::string& object_id = "");
  // A managed identity's principal (created by ARM with a user-assigned identity).
  StatusOr<ServicePrincipal> CreateManagedIdentityPrincipal(const std::string& tenant_id,
                                                            const std::string& display_name,
                                                            const std::string& resource_id,
                                                            const std::string& object_id = "",
                                                            const std::string& client_id = "");
  std::optional<ServicePrincipal> FindServicePrincipal(const std::string& tenant_id,
                                                       const std::string& object_id) const;
  std::optional<ServicePrincipal> FindServicePrincipalByAppId(const std::string& tenant_id,
                                                              const std::string& app_id) const;
  // Managed identities are looked up by clientId across tenants (the MI endpoint has no tenant).
  std::optional<ServicePrincipal> FindManagedIdentity(const std::string& client_id, const std::string& object_id,
                                                      const std::string& resource_id) const;
  std::vector<ServicePrincipal> ListServicePrincipals(const std::string& tenant_id) const;
  StatusOr<ServicePrincipal> SetServicePrincipalEnabled(const std::string& tenant_id, const std::string& object_id,
                                                        bool enabled);
  Status DeleteServicePrincipal(const std::string& tenant_id, const std::string& object_id);
  Status SetServicePrincipalAdmin(const std::string& tenant_id, const std::string& object_id, bool admin);

  // Deleted items: DeleteApplication and DeleteServicePrincipal (but a managed identity's,
  // which goes with its identity) keep the object for 30 days on the clock; restoring brings it
  // back with the same object id, so role assignments naming it apply again
  // (learn.microsoft.com/graph/api/resources/directory-deleteditems).
  static constexpr int64_t kDeletedRetention = 30 * 86400;
  std::vector<Application> ListDeletedApplications(const std::string& tenant_id) const;
  std::vector<ServicePrincipal> ListDeletedServicePrincipals(const std::string& tenant_id) const;
  std::optional<Application> FindDeletedApplication(const std::string& tenant_id, const std::string& object_id) const;
  std::optional<ServicePrincipal> FindDeletedServicePrincipal(const std::string& tenant_id,
                                                              const std::string& object_id) const;
  // Errors: ResourceNotFound, BadRequest (a live object has taken its appId meanwhile).
  Status RestoreDeletedItem(const std::string& tenant_id, const std::string& object_id);
  // Permanent delete. Errors: ResourceNotFound.
  Status PurgeDeletedItem(const std::string& tenant_id, const std::string& object_id);

  // Users. Errors: TenantNotFound, BadRequest (duplicate UPN).
  StatusOr<User> AddUser(const std::string& tenant_id, User user);
  std::optional<User> FindUser(const std::string& tenant_id, const std::string& object_id_or_upn) const;
  // Errors: TenantNotFound, ResourceNotFound.
  StatusOr<User> SetUserEnabled(const std::string& tenant_id, const std::string& object_id_or_upn, bool enabled);
  std::vector<User> ListUsers(const std::string& tenant_id) const;

  // Any principal (user or service principal) by object id in a tenant.
  bool PrincipalExists(const std::string& tenant_id, const std::string& object_id) const;
  bool IsGlobalAdmin(const std::string& tenant_id, const std::string& object_id) const;

  // Whole-directory state for /_emulator/state, snapshots and persistence (directory_state.cc).
  // Import expects an empty directory. Errors: BadRequest naming what is unreadable.
  nlohmann::json ExportState() const;
  Status ImportState(const nlohmann::json& state);

 private:
  struct TenantData {
    Tenant tenant;
    std::map<std::string, Application> applications;       // key: object id
    std::map<std::string, ServicePrincipal> principals;    // key: object id
    std::map<std::string, User> users;                     // key: object id
    std::map<std::string, Application> deleted_applications;     // key: object id
    std::map<std::string, ServicePrincipal> deleted_principals;  // key: object id
  };
  // Drops deleted items past their retention (callers hold mu_ exclusively).
  void PurgeExpiredLocked(TenantData* t);
  TenantData* Find(const std::string& tenant_id);
  const TenantData* Find(const std::string& tenant_id) const;

  const Clock* clock_;
  mutable std::shared_mutex mu_;
  std::map<std::string, TenantData> tenants_;  // key: lower-case tenant id
};

}  // namespace crosskey::graph
