#include "emulator/graph/directory_service.h"

#include "emulator/graph/errors.h"

namespace crosskey::graph {

Status DirectoryService::RequireAdmin(const GraphCaller& caller) const {
  if (!IsAdmin(caller)) return errors::InsufficientPrivileges();
  return Status::Ok();
}

StatusOr<User> DirectoryService::AddUser(const GraphCaller& caller, User user) const {
  CK_RETURN_IF_ERROR(RequireAdmin(caller));
  return dir_->AddUser(caller.tenant_id, std::move(user));
}

StatusOr<User> DirectoryService::SetUserEnabled(const GraphCaller& caller, const std::string& user,
                                                bool enabled) const {
  CK_RETURN_IF_ERROR(RequireAdmin(caller));
  return dir_->SetUserEnabled(caller.tenant_id, user, enabled);
}

Status DirectoryService::SetAuthorizationPolicy(const GraphCaller& caller, const AuthorizationPolicy& policy) const {
  CK_RETURN_IF_ERROR(RequireAdmin(caller));
  return dir_->SetAuthorizationPolicy(caller.tenant_id, policy);
}

Status DirectoryService::CanCreateApplication(const GraphCaller& caller) const {
  auto tenant = dir_->FindTenant(caller.tenant_id);
  if (!tenant) return errors::TenantNotFound(caller.tenant_id);
  bool user_may = caller.is_user && tenant->authorization_policy.allowed_to_create_apps;
  if (!IsAdmin(caller) && !user_may) return errors::InsufficientPrivileges();
  return Status::Ok();
}

// Installing an application: admins always; plain users only while the tenant lets users
// consent (authorizationPolicy.permissionGrantPoliciesAssigned).
Status DirectoryService::CanCreateServicePrincipal(const GraphCaller& caller) const {
  auto tenant = dir_->FindTenant(caller.tenant_id);
  if (!tenant) return errors::TenantNotFound(caller.tenant_id);
  bool user_may = caller.is_user && !tenant->authorization_policy.permission_grant_policies_assigned.empty();
  if (!IsAdmin(caller) && !user_may) return errors::InsufficientPrivileges();
  return Status::Ok();
}

StatusOr<Application> DirectoryService::CreateApplication(const GraphCaller& caller,
                                                          const NewApplication& spec) const {
  CK_RETURN_IF_ERROR(CanCreateApplication(caller));
  return dir_->CreateApplication(caller.tenant_id, spec);
}

StatusOr<Application> DirectoryService::UpdateApplication(const GraphCaller& caller, const std::string& object_id,
                                                          const std::function<Status(Application&)>& mutate) const {
  CK_RETURN_IF_ERROR(RequireAdmin(caller));
  return dir_->UpdateApplication(caller.tenant_id, object_id, mutate);
}

Status DirectoryService::DeleteApplication(const GraphCaller& caller, const std::string& object_id) const {
  CK_RETURN_IF_ERROR(RequireAdmin(caller));
  return dir_->DeleteApplication(caller.tenant_id, object_id);
}

StatusOr<CreatedPassword> DirectoryService::AddPassword(const GraphCaller& caller, const std::string& object_id,
                                                        const NewPassword& spec) const {
  CK_RETURN_IF_ERROR(RequireAdmin(caller));
  return dir_->AddPassword(caller.tenant_id, object_id, spec);
}

Status DirectoryService::ReplaceCertificates(const GraphCaller& caller, const std::string& object_id,
                                             const std::vector<std::pair<std::string, std::string>>& certificates) const {
  CK_RETURN_IF_ERROR(RequireAdmin(caller));
  auto cleared = dir_->UpdateApplication(caller.tenant_id, object_id, [](Application& a) -> Status {
    a.keys.clear();
    return Status::Ok();
  });
  if (!cleared.ok()) return cleared.error();
  for (const auto& [display_name, key] : certificates) {
    CK_RETURN_IF_ERROR(dir_->AddCertificate(caller.tenant_id, object_id, display_name, key));
  }
  return Status::Ok();
}

StatusOr<FederatedCredential> DirectoryService::AddFederatedCredential(const GraphCaller& caller,
                                                                       const std::string& app_object_id,
                                                                       FederatedCredential fic) const {
  CK_RETURN_IF_ERROR(RequireAdmin(caller));
  return dir_->AddFederatedCredential(caller.tenant_id, app_object_id, std::move(fic));
}

StatusOr<FederatedCredential> DirectoryService::UpdateFederatedCredential(
    const GraphCaller& caller, const std::string& app_object_id, const std::string& id_or_name,
    const FederatedCredential& patch, bool has_issuer, bool has_subject, bool has_audiences,
    bool has_description) const {
  CK_RETURN_IF_ERROR(RequireAdmin(caller));
  return dir_->UpdateFederatedCredential(caller.tenant_id, app_object_id, id_or_name, patch, has_issuer, has_subject,
                                         has_audiences, has_description);
}

Status DirectoryService::DeleteFederatedCredential(const GraphCaller& caller, const std::string& app_object_id,
                                                   const std::string& id_or_name) const {
  CK_RETURN_IF_ERROR(RequireAdmin(caller));
  return dir_->DeleteFederatedCredential(caller.tenant_id, app_object_id, id_or_name);
}

StatusOr<ServicePrincipal> DirectoryService::CreateServicePrincipal(const GraphCaller& caller,
                                                                    const std::string& app_id) const {
  CK_RETURN_IF_ERROR(CanCreateServicePrincipal(caller));
  return dir_->CreateServicePrincipal(caller.tenant_id, app_id);
}

StatusOr<ServicePrincipal> DirectoryService::SetServicePrincipalEnabled(const GraphCaller& caller,
                                                                        const std::string& object_id,
                                                                        bool enabled) const {
  CK_RETURN_IF_ERROR(RequireAdmin(caller));
  return dir_->SetServicePrincipalEnabled(caller.tenant_id, object_id, enabled);
}

Status DirectoryService::DeleteServicePrincipal(const GraphCaller& caller, const std::string& object_id) const {
  CK_RETURN_IF_ERROR(RequireAdmin(caller));
  return dir_->DeleteServicePrincipal(caller.tenant_id, object_id);
}

}  // namespace crosskey::graph
