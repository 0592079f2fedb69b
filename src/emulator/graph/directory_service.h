#pragma once
// The directory as Microsoft Graph's callers reach it: every write checks Entra's rule first
// (Global Administrators write; a plain user may register an application while the tenant's
// authorization policy allows it, and install one while user consent is allowed), then calls
// the Directory, and writes Entra's directory audit record of the write, allowed or refused.
// Graph's HTTP adapter and in-process C++ users get the same checks and the same log.
// Thread-safety: stateless over the Directory, whose methods are safe to call concurrently.
#include <string>
#include <utility>
#include <vector>

#include "emulator/common/audit_log.h"
#include "emulator/graph/directory.h"

namespace crosskey::graph {

class DirectoryService {
 public:
  // `audit` may be null (no audit log).
  explicit DirectoryService(Directory* directory, AuditLog* audit = nullptr) : dir_(directory), audit_(audit) {}

  // Errors: InsufficientPrivileges unless the caller is a Global Administrator of its tenant.
  Status RequireAdmin(const GraphCaller& caller) const;
  bool IsAdmin(const GraphCaller& caller) const { return dir_->IsGlobalAdmin(caller.tenant_id, caller.object_id); }
  // Whether the caller may register an application / install one (create a service
  // principal). Errors: TenantNotFound, InsufficientPrivileges.
  Status CanCreateApplication(const GraphCaller& caller) const;
  Status CanCreateServicePrincipal(const GraphCaller& caller) const;

  // Every method acts in the caller's tenant and returns InsufficientPrivileges when the rule
  // above refuses, else the Directory's own errors.
  StatusOr<User> AddUser(const GraphCaller& caller, User user) const;
  StatusOr<User> SetUserEnabled(const GraphCaller& caller, const std::string& user, bool enabled) const;
  Status SetAuthorizationPolicy(const GraphCaller& caller, const AuthorizationPolicy& policy) const;
  StatusOr<Application> CreateApplication(const GraphCaller& caller, const NewApplication& spec) const;
  StatusOr<Application> UpdateApplication(const GraphCaller& caller, const std::string& object_id,
                                          const std::function<Status(Application&)>& mutate) const;
  Status DeleteApplication(const GraphCaller& caller, const std::string& object_id) const;
  StatusOr<CreatedPassword> AddPassword(const GraphCaller& caller, const std::string& object_id,
                                        const NewPassword& spec) const;
  // Replaces the application's certificates: each is read before any is stored.
  Status ReplaceCertificates(const GraphCaller& caller, const std::string& object_id,
                             const std::vector<std::pair<std::string, std::string>>& certificates) const;
  StatusOr<FederatedCredential> AddFederatedCredential(const GraphCaller& caller, const std::string& app_object_id,
                                                       FederatedCredential fic) const;
  StatusOr<FederatedCredential> UpdateFederatedCredential(const GraphCaller& caller, const std::string& app_object_id,
                                                          const std::string& id_or_name,
                                                          const FederatedCredential& patch, bool has_issuer,
                                                          bool has_subject, bool has_audiences,
                                                          bool has_description) const;
  Status DeleteFederatedCredential(const GraphCaller& caller, const std::string& app_object_id,
                                   const std::string& id_or_name) const;
  StatusOr<ServicePrincipal> CreateServicePrincipal(const GraphCaller& caller, const std::string& app_id) const;
  StatusOr<ServicePrincipal> SetServicePrincipalEnabled(const GraphCaller& caller, const std::string& object_id,
                                                        bool enabled) const;
  Status DeleteServicePrincipal(const GraphCaller& caller, const std::string& object_id) const;
  // Deleted items (Global Administrator). Errors: ResourceNotFound, BadRequest, InsufficientPrivileges.
  Status RestoreDeletedItem(const GraphCaller& caller, const std::string& object_id) const;
  Status PurgeDeletedItem(const GraphCaller& caller, const std::string& object_id) const;

  Directory& directory() const { return *dir_; }

 private:
  // Writes category AuditLogs as Entra's Core Directory logs it (activityDisplayName,
  // category ApplicationManagement / UserManagement / Policy, initiator, target, result) and
  // hands `result` back.
  template <typename Result>
  Result Logged(const GraphCaller& caller, const char* category, const char* activity, const std::string& target,
                Result result) const;
  Directory* dir_;
  AuditLog* audit_;
};

}  // namespace crosskey::graph
