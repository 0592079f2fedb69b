#include "emulator/graph/directory_service.h"

#include "emulator/graph/errors.h"

namespace crosskey::graph {
namespace {
// The id of the object a write touched: the new one's for a create.
template <typename T>
std::string TargetOf(const std::string& target, const StatusOr<T>& result) {
  if (!target.empty() || !result.ok()) return target;
  if constexpr (requires { result->object_id; }) return result->object_id;
  return target;
}
std::string TargetOf(const std::string& target, const Status&) { return target; }
// The write's result when the rule allowed it, else the refusal.
template <typename Result, typename Write>
Result Guarded(const Status& allowed, Write&& write) {
  if (!allowed.ok()) return allowed.error();
  return write();
}
}  // namespace

template <typename Result>
Result DirectoryService::Logged(const GraphCaller& caller, const char* category, const char* activity,
                                const std::string& target, Result result) const {
  if (!audit_) return result;
  nlohmann::json r = {{"category", "AuditLogs"},
                      {"operationName", activity},
                      {"auditCategory", category},
                      {"loggedByService", "Core Directory"},
                      {"tenantId", caller.tenant_id},
                      {"objectId", caller.object_id},
                      {"appId", caller.app_id},
                      {"initiatedBy", caller.is_user ? "user" : "app"},
                      {"targetId", TargetOf(target, result)},
                      {"result", result.ok() ? "success" : "failure"},
                      {"correlationId", caller.correlation_id},
                      {"requestId", caller.request_id}};
  if (!result.ok()) r["resultReason"] = result.error().code;
  audit_->Record(std::move(r));
  return result;
}

Status DirectoryService::RequireAdmin(const GraphCaller& caller) const {
  if (!IsAdmin(caller)) return errors::InsufficientPrivileges();
  return Status::Ok();
}

StatusOr<User> DirectoryService::AddUser(const GraphCaller& caller, User user) const {
  return Logged(caller, "UserManagement", "Add user", "", Guarded<StatusOr<User>>(RequireAdmin(caller), [&] {
                  return dir_->AddUser(caller.tenant_id, std::move(user));
                }));
}

StatusOr<User> DirectoryService::SetUserEnabled(const GraphCaller& caller, const std::string& user,
                                                bool enabled) const {
  return Logged(caller, "UserManagement", "Update user", user, Guarded<StatusOr<User>>(RequireAdmin(caller), [&] {
                  return dir_->SetUserEnabled(caller.tenant_id, user, enabled);
                }));
}

Status DirectoryService::SetAuthorizationPolicy(const GraphCaller& caller, const AuthorizationPolicy& policy) const {
  return Logged(
      caller, "Policy", "Update authorization policy", "authorizationPolicy",
      Guarded<Status>(RequireAdmin(caller), [&] { return dir_->SetAuthorizationPolicy(caller.tenant_id, policy); }));
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

StatusOr<Application> DirectoryService::CreateApplication(const GraphCaller& caller, const NewApplication& spec) const {
  return Logged(caller, "ApplicationManagement", "Add application", "",
                Guarded<StatusOr<Application>>(CanCreateApplication(caller),
                                               [&] { return dir_->CreateApplication(caller.tenant_id, spec); }));
}

StatusOr<Application> DirectoryService::UpdateApplication(const GraphCaller& caller, const std::string& object_id,
                                                          const std::function<Status(Application&)>& mutate) const {
  return Logged(caller, "ApplicationManagement", "Update application", object_id,
                Guarded<StatusOr<Application>>(RequireAdmin(caller), [&] {
                  return dir_->UpdateApplication(caller.tenant_id, object_id, mutate);
                }));
}

Status DirectoryService::DeleteApplication(const GraphCaller& caller, const std::string& object_id) const {
  return Logged(
      caller, "ApplicationManagement", "Delete application", object_id,
      Guarded<Status>(RequireAdmin(caller), [&] { return dir_->DeleteApplication(caller.tenant_id, object_id); }));
}

StatusOr<CreatedPassword> DirectoryService::AddPassword(const GraphCaller& caller, const std::string& object_id,
                                                        const NewPassword& spec) const {
  return Logged(caller, "ApplicationManagement", "Update application – Certificates and secrets management", object_id,
                Guarded<StatusOr<CreatedPassword>>(
                    RequireAdmin(caller), [&] { return dir_->AddPassword(caller.tenant_id, object_id, spec); }));
}

Status DirectoryService::ReplaceCertificates(
    const GraphCaller& caller, const std::string& object_id,
    const std::vector<std::pair<std::string, std::string>>& certificates) const {
  return Logged(caller, "ApplicationManagement", "Update application – Certificates and secrets management", object_id,
                Guarded<Status>(RequireAdmin(caller), [&]() -> Status {
                  auto cleared = dir_->UpdateApplication(caller.tenant_id, object_id, [](Application& a) -> Status {
                    a.keys.clear();
                    return Status::Ok();
                  });
                  if (!cleared.ok()) return cleared.error();
                  for (const auto& [display_name, key] : certificates) {
                    CK_RETURN_IF_ERROR(dir_->AddCertificate(caller.tenant_id, object_id, display_name, key));
                  }
                  return Status::Ok();
                }));
}

StatusOr<FederatedCredential> DirectoryService::AddFederatedCredential(const GraphCaller& caller,
                                                                       const std::string& app_object_id,
                                                                       FederatedCredential fic) const {
  return Logged(caller, "ApplicationManagement", "Update application – Certificates and secrets management",
                app_object_id, Guarded<StatusOr<FederatedCredential>>(RequireAdmin(caller), [&] {
                  return dir_->AddFederatedCredential(caller.tenant_id, app_object_id, std::move(fic));
                }));
}

StatusOr<FederatedCredential> DirectoryService::UpdateFederatedCredential(
    const GraphCaller& caller, const std::string& app_object_id, const std::string& id_or_name,
    const FederatedCredential& patch, bool has_issuer, bool has_subject, bool has_audiences,
    bool has_description) const {
  return Logged(caller, "ApplicationManagement", "Update application – Certificates and secrets management",
                app_object_id, Guarded<StatusOr<FederatedCredential>>(RequireAdmin(caller), [&] {
                  return dir_->UpdateFederatedCredential(caller.tenant_id, app_object_id, id_or_name, patch, has_issuer,
                                                         has_subject, has_audiences, has_description);
                }));
}

Status DirectoryService::DeleteFederatedCredential(const GraphCaller& caller, const std::string& app_object_id,
                                                   const std::string& id_or_name) const {
  return Logged(caller, "ApplicationManagement", "Update application – Certificates and secrets management",
                app_object_id, Guarded<Status>(RequireAdmin(caller), [&] {
                  return dir_->DeleteFederatedCredential(caller.tenant_id, app_object_id, id_or_name);
                }));
}

StatusOr<ServicePrincipal> DirectoryService::CreateServicePrincipal(const GraphCaller& caller,
                                                                    const std::string& app_id) const {
  return Logged(caller, "ApplicationManagement", "Add service principal", "",
                Guarded<StatusOr<ServicePrincipal>>(CanCreateServicePrincipal(caller), [&] {
                  return dir_->CreateServicePrincipal(caller.tenant_id, app_id);
                }));
}

StatusOr<ServicePrincipal> DirectoryService::SetServicePrincipalEnabled(const GraphCaller& caller,
                                                                        const std::string& object_id,
                                                                        bool enabled) const {
  return Logged(caller, "ApplicationManagement", "Update service principal", object_id,
                Guarded<StatusOr<ServicePrincipal>>(RequireAdmin(caller), [&] {
                  return dir_->SetServicePrincipalEnabled(caller.tenant_id, object_id, enabled);
                }));
}

Status DirectoryService::RestoreDeletedItem(const GraphCaller& caller, const std::string& object_id) const {
  const bool app = dir_->FindDeletedApplication(caller.tenant_id, object_id).has_value();
  return Logged(caller, "ApplicationManagement", app ? "Restore application" : "Restore service principal", object_id,
                Guarded<Status>(RequireAdmin(caller),
                                [&] { return dir_->RestoreDeletedItem(caller.tenant_id, object_id); }));
}

Status DirectoryService::PurgeDeletedItem(const GraphCaller& caller, const std::string& object_id) const {
  const bool app = dir_->FindDeletedApplication(caller.tenant_id, object_id).has_value();
  return Logged(caller, "ApplicationManagement", app ? "Hard Delete application" : "Hard delete service principal",
                object_id,
                Guarded<Status>(RequireAdmin(caller), [&] { return dir_->PurgeDeletedItem(caller.tenant_id, object_id); }));
}

Status DirectoryService::DeleteServicePrincipal(const GraphCaller& caller, const std::string& object_id) const {
  return Logged(
      caller, "ApplicationManagement", "Delete service principal", object_id,
      Guarded<Status>(RequireAdmin(caller), [&] { return dir_->DeleteServicePrincipal(caller.tenant_id, object_id); }));
}

}  // namespace crosskey::graph
