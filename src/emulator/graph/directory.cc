#include "emulator/graph/directory.h"

#include <mutex>

#include "emulator/common/text.h"
#include "emulator/crypto/encoding.h"
#include "emulator/graph/errors.h"

namespace crosskey::graph {
namespace {
constexpr size_t kMaxFederatedCredentialsPerApp = 20;  // Entra's documented limit
constexpr int64_t kTwoYears = 2LL * 365 * 24 * 3600;

std::string OrNewGuid(const std::string& id) { return id.empty() ? NewGuid() : ToLower(id); }

FederatedCredential* FindFic(Application& app, const std::string& id_or_name) {
  for (auto& f : app.federated_credentials) {
    if (EqualsIgnoreCase(f.id, id_or_name) || f.name == id_or_name) return &f;
  }
  return nullptr;
}

Status ValidateFic(const FederatedCredential& fic) {
  if (fic.name.empty()) return errors::BadRequest("Property 'name' is required for a federated identity credential.");
  if (fic.issuer.empty()) return errors::BadRequest("Property 'issuer' is required for a federated identity credential.");
  if (fic.subject.empty()) return errors::BadRequest("Property 'subject' is required for a federated identity credential.");
  if (fic.audiences.size() != 1) {
    return errors::BadRequest("Property 'audiences' must contain exactly one audience.");
  }
  return Status::Ok();
}
}  // namespace

Directory::TenantData* Directory::Find(const std::string& tenant_id) {
  auto it = tenants_.find(ToLower(tenant_id));
  return it == tenants_.end() ? nullptr : &it->second;
}
const Directory::TenantData* Directory::Find(const std::string& tenant_id) const {
  auto it = tenants_.find(ToLower(tenant_id));
  return it == tenants_.end() ? nullptr : &it->second;
}

Status Directory::AddTenant(const Tenant& tenant) {
  std::unique_lock lock(mu_);
  if (!IsGuid(tenant.tenant_id)) return errors::BadRequest("Tenant id '" + tenant.tenant_id + "' is not a GUID.");
  auto key = ToLower(tenant.tenant_id);
  if (tenants_.count(key)) return errors::BadRequest("Tenant '" + tenant.tenant_id + "' already exists.");
  TenantData data;
  data.tenant = tenant;
  data.tenant.tenant_id = key;
  tenants_.emplace(key, std::move(data));
  return Status::Ok();
}

std::optional<Tenant> Directory::FindTenant(const std::string& tenant_id) const {
  std::shared_lock lock(mu_);
  const auto* t = Find(tenant_id);
  if (!t) return std::nullopt;
  return t->tenant;
}

std::vector<Tenant> Directory::ListTenants() const {
  std::shared_lock lock(mu_);
  std::vector<Tenant> out;
  for (const auto& [_, t] : tenants_) out.push_back(t.tenant);
  return out;
}

Status Directory::SetAuthorizationPolicy(const std::string& tenant_id, const AuthorizationPolicy& policy) {
  std::unique_lock lock(mu_);
  auto* t = Find(tenant_id);
  if (!t) return errors::TenantNotFound(tenant_id);
  t->tenant.authorization_policy = policy;
  return Status::Ok();
}

StatusOr<Application> Directory::CreateApplication(const std::string& tenant_id, const NewApplication& spec) {
  static const char* kAudiences[] = {"AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount",
                                     "PersonalMicrosoftAccount"};
  bool known = false;
  for (const char* a : kAudiences) known |= spec.sign_in_audience == a;
  if (!known) return errors::BadRequest("Invalid value specified for property 'signInAudience' of resource 'Application'.");
  std::unique_lock lock(mu_);
  auto* t = Find(tenant_id);
  if (!t) return errors::TenantNotFound(tenant_id);
  Application app;
  app.object_id = OrNewGuid(spec.object_id);
  app.app_id = OrNewGuid(spec.app_id);
  app.display_name = spec.display_name;
  app.sign_in_audience = spec.sign_in_audience;
  app.home_tenant_id = t->tenant.tenant_id;
  app.created = clock_->Now();
  for (const auto& [_, other] : tenants_) {
    for (const auto& [__, a] : other.applications) {
      if (a.app_id == app.app_id || a.object_id == app.object_id) {
        return errors::BadRequest("An application with appId or id '" + app.app_id + "' already exists.");
      }
    }
  }
  t->applications[app.object_id] = app;
  return app;
}

std::optional<Application> Directory::FindApplication(const std::string& tenant_id,
                                                       const std::string& object_id) const {
  std::shared_lock lock(mu_);
  const auto* t = Find(tenant_id);
  if (!t) return std::nullopt;
  auto it = t->applications.find(ToLower(object_id));
  if (it == t->applications.end()) return std::nullopt;
  return it->second;
}

std::optional<Application> Directory::FindApplicationByAppId(const std::string& app_id) const {
  std::shared_lock lock(mu_);
  auto wanted = ToLower(app_id);
  for (const auto& [_, t] : tenants_) {
    for (const auto& [__, a] : t.applications) {
      if (a.app_id == wanted) return a;
    }
  }
  return std::nullopt;
}

std::vector<Application> Directory::ListApplications(const std::string& tenant_id) const {
  std::shared_lock lock(mu_);
  std::vector<Application> out;
  if (const auto* t = Find(tenant_id)) {
    for (const auto& [_, a] : t->applications) out.push_back(a);
  }
  return out;
}

StatusOr<Application> Directory::UpdateApplication(const std::string& tenant_id, const std::string& object_id,
                                                   const std::function<Status(Application&)>& mutate) {
  std::unique_lock lock(mu_);
  auto* t = Find(tenant_id);
  if (!t) return errors::TenantNotFound(tenant_id);
  auto it = t->applications.find(ToLower(object_id));
  if (it == t->applications.end()) return errors::ResourceNotFound(object_id);
  Application copy = it->second;  // mutate a copy: a refused change leaves nothing half-written
  CK_RETURN_IF_ERROR(mutate(copy));
  it->second = copy;
  return copy;
}

Status Directory::DeleteApplication(const std::string& tenant_id, const std::string& object_id) {
  std::unique_lock lock(mu_);
  auto* t = Find(tenant_id);
  if (!t) return errors::TenantNotFound(tenant_id);
  auto it = t->applications.find(ToLower(object_id));
  if (it == t->applications.end()) return errors::ResourceNotFound(object_id);
  PurgeExpiredLocked(t);
  Application deleted = std::move(it->second);
  t->applications.erase(it);
  deleted.deleted = clock_->Now();
  t->deleted_applications[ToLower(deleted.object_id)] = std::move(deleted);
  return Status::Ok();
}

StatusOr<CreatedPassword> Directory::AddPassword(const std::string& tenant_id, const std::string& object_id,
                                                 const NewPassword& spec) {
  CreatedPassword created;
  created.secret_text = spec.secret.empty() ? crypto::Base64UrlEncode(crypto::RandomBytes(30)) : spec.secret;
  auto& cred = created.credential;
  cred.key_id = OrNewGuid(spec.key_id);
  cred.display_name = spec.display_name;
  cred.secret_sha256 = crypto::Sha256(created.secret_text);
  cred.hint = created.secret_text.substr(0, 3);
  cred.start = clock_->Now();
  cred.end = spec.end ? spec.end : cred.start + kTwoYears;
  auto updated = UpdateApplication(tenant_id, object_id, [&](Application& app) {
    app.passwords.push_back(cred);
    return Status::Ok();
  });
  if (!updated.ok()) return updated.error();
  return created;
}

StatusOr<KeyCredential> Directory::AddCertificate(const std::string& tenant_id, const std::string& object_id,
                                                  const std::string& display_name, const std::string& certificate) {
  KeyCredential cred;
  std::string error;
  cred.public_key = crypto::KeyMaterial::FromCertificate(certificate, &cred.thumbprint_sha1, &error);
  if (!cred.public_key) return errors::BadRequest("Invalid certificate: " + error);
  cred.key_id = NewGuid();
  cred.display_name = display_name;
  cred.key_b64der = certificate;
  cred.start = clock_->Now();
  cred.end = cred.start + kTwoYears;
  auto updated = UpdateApplication(tenant_id, object_id, [&](Application& app) {
    app.keys.push_back(cred);
    return Status::Ok();
  });
  if (!updated.ok()) return updated.error();
  return cred;
}

StatusOr<FederatedCredential> Directory::AddFederatedCredential(const std::string& tenant_id,
                                                                const std::string& app_object_id,
                                                                FederatedCredential fic) {
  CK_RETURN_IF_ERROR(ValidateFic(fic));
  fic.id = OrNewGuid(fic.id);
  auto updated = UpdateApplication(tenant_id, app_object_id, [&](Application& app) -> Status {
    for (const auto& f : app.federated_credentials) {
      if (f.name == fic.name) return errors::FederatedCredentialNameExists(fic.name);
    }
    if (app.federated_credentials.size() >= kMaxFederatedCredentialsPerApp) return errors::FederatedCredentialLimit();
    app.federated_credentials.push_back(fic);
    return Status::Ok();
  });
  if (!updated.ok()) return updated.error();
  return fic;
}

StatusOr<FederatedCredential> Directory::UpdateFederatedCredential(
    const std::string& tenant_id, const std::string& app_object_id, const std::string& id_or_name,
    const FederatedCredential& patch, bool has_issuer, bool has_subject, bool has_audiences, bool has_description) {
  FederatedCredential result;
  auto updated = UpdateApplication(tenant_id, app_object_id, [&](Application& app) -> Status {
    auto* f = FindFic(app, id_or_name);
    if (!f) return errors::ResourceNotFound(id_or_name);
    FederatedCredential next = *f;
    if (has_issuer) next.issuer = patch.issuer;
    if (has_subject) next.subject = patch.subject;
    if (has_audiences) next.audiences = patch.audiences;
    if (has_description) next.description = patch.description;
    CK_RETURN_IF_ERROR(ValidateFic(next));
    *f = next;
    result = next;
    return Status::Ok();
  });
  if (!updated.ok()) return updated.error();
  return result;
}

Status Directory::DeleteFederatedCredential(const std::string& tenant_id, const std::string& app_object_id,
                                            const std::string& id_or_name) {
  auto updated = UpdateApplication(tenant_id, app_object_id, [&](Application& app) -> Status {
    auto& v = app.federated_credentials;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (EqualsIgnoreCase(it->id, id_or_name) || it->name == id_or_name) {
        v.erase(it);
        return Status::Ok();
      }
    }
    return errors::ResourceNotFound(id_or_name);
  });
  if (!updated.ok()) return updated.error();
  return Status::Ok();
}

StatusOr<ServicePrincipal> Directory::CreateServicePrincipal(const std::string& tenant_id, const std::string& app_id,
                                                             const std::string& object_id) {
  auto app = FindApplicationByAppId(app_id);
  std::unique_lock lock(mu_);
  auto* t = Find(tenant_id);
  if (!t) return errors::TenantNotFound(tenant_id);
  if (!app || (!app->IsMultiTenant() && app->home_tenant_id != t->tenant.tenant_id)) {
    return errors::AppNotValidForServicePrincipal(app_id);
  }
  for (const auto& [_, sp] : t->principals) {
    if (sp.app_id == app->app_id) return errors::ServicePrincipalExists(app_id);
  }
  ServicePrincipal sp;
  sp.object_id = OrNewGuid(object_id);
  sp.app_id = app->app_id;
  sp.tenant_id = t->tenant.tenant_id;
  sp.display_name = app->display_name;
  sp.app_owner_tenant_id = app->home_tenant_id;
  sp.created = clock_->Now();
  t->principals[sp.object_id] = sp;
  return sp;
}

StatusOr<ServicePrincipal> Directory::CreateManagedIdentityPrincipal(const std::string& tenant_id,
                                                                     const std::string& display_name,
                                                                     const std::string& resource_id,
                                                                     const std::string& object_id,
                                                                     const std::string& client_id) {
  std::unique_lock lock(mu_);
  auto* t = Find(tenant_id);
  if (!t) return errors::TenantNotFound(tenant_id);
  ServicePrincipal sp;
  sp.object_id = OrNewGuid(object_id);
  sp.app_id = OrNewGuid(client_id);
  sp.tenant_id = t->tenant.tenant_id;
  sp.display_name = display_name;
  sp.kind = PrincipalKind::kManagedIdentity;
  sp.app_owner_tenant_id = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";  // Microsoft Services, as Azure reports
  sp.managed_identity_resource_id = resource_id;
  sp.created = clock_->Now();
  t->principals[sp.object_id] = sp;
  return sp;
}

std::optional<ServicePrincipal> Directory::FindServicePrincipal(const std::string& tenant_id,
                                                                const std::string& object_id) const {
  std::shared_lock lock(mu_);
  const auto* t = Find(tenant_id);
  if (!t) return std::nullopt;
  auto it = t->principals.find(ToLower(object_id));
  if (it == t->principals.end()) return std::nullopt;
  return it->second;
}

std::optional<ServicePrincipal> Directory::FindServicePrincipalByAppId(const std::string& tenant_id,
                                                                       const std::string& app_id) const {
  std::shared_lock lock(mu_);
  const auto* t = Find(tenant_id);
  if (!t) return std::nullopt;
  auto wanted = ToLower(app_id);
  for (const auto& [_, sp] : t->principals) {
    if (sp.app_id == wanted) return sp;
  }
  return std::nullopt;
}

std::optional<ServicePrincipal> Directory::FindManagedIdentity(const std::string& client_id,
                                                               const std::string& object_id,
                                                               const std::string& resource_id) const {
  std::shared_lock lock(mu_);
  for (const auto& [_, t] : tenants_) {
    for (const auto& [__, sp] : t.principals) {
      if (sp.kind != PrincipalKind::kManagedIdentity) continue;
      if ((!client_id.empty() && EqualsIgnoreCase(sp.app_id, client_id)) ||
          (!object_id.empty() && EqualsIgnoreCase(sp.object_id, object_id)) ||
          (!resource_id.empty() && EqualsIgnoreCase(sp.managed_identity_resource_id, resource_id))) {
        return sp;
      }
    }
  }
  return std::nullopt;
}

std::vector<ServicePrincipal> Directory::ListServicePrincipals(const std::string& tenant_id) const {
  std::shared_lock lock(mu_);
  std::vector<ServicePrincipal> out;
  if (const auto* t = Find(tenant_id)) {
    for (const auto& [_, sp] : t->principals) out.push_back(sp);
  }
  return out;
}

StatusOr<ServicePrincipal> Directory::SetServicePrincipalEnabled(const std::string& tenant_id,
                                                                 const std::string& object_id, bool enabled) {
  std::unique_lock lock(mu_);
  auto* t = Find(tenant_id);
  if (!t) return errors::TenantNotFound(tenant_id);
  auto it = t->principals.find(ToLower(object_id));
  if (it == t->principals.end()) return errors::ResourceNotFound(object_id);
  it->second.account_enabled = enabled;
  return it->second;
}

Status Directory::DeleteServicePrincipal(const std::string& tenant_id, const std::string& object_id) {
  std::unique_lock lock(mu_);
  auto* t = Find(tenant_id);
  if (!t) return errors::TenantNotFound(tenant_id);
  auto it = t->principals.find(ToLower(object_id));
  if (it == t->principals.end()) return errors::ResourceNotFound(object_id);
  PurgeExpiredLocked(t);
  ServicePrincipal deleted = std::move(it->second);
  t->principals.erase(it);
  if (deleted.kind != PrincipalKind::kManagedIdentity) {
    deleted.deleted = clock_->Now();
    t->deleted_principals[ToLower(deleted.object_id)] = std::move(deleted);
  }
  return Status::Ok();
}

void Directory::PurgeExpiredLocked(TenantData* t) {
  const int64_t cutoff = clock_->Now() - kDeletedRetention;
  std::erase_if(t->deleted_applications, [&](const auto& kv) { return kv.second.deleted <= cutoff; });
  std::erase_if(t->deleted_principals, [&](const auto& kv) { return kv.second.deleted <= cutoff; });
}

namespace {
// The deleted items of one map still within their retention on the clock.
template <typename T>
std::vector<T> Retained(const std::map<std::string, T>* deleted, int64_t cutoff) {
  std::vector<T> out;
  if (!deleted) return out;
  for (const auto& [_, item] : *deleted)
    if (item.deleted > cutoff) out.push_back(item);
  return out;
}

template <typename T>
std::optional<T> WithObjectId(std::vector<T> items, const std::string& object_id) {
  for (auto& item : items)
    if (EqualsIgnoreCase(item.object_id, object_id)) return std::move(item);
  return std::nullopt;
}
}  // namespace

std::vector<Application> Directory::ListDeletedApplications(const std::string& tenant_id) const {
  std::shared_lock lock(mu_);
  const auto* t = Find(tenant_id);
  return Retained(t ? &t->deleted_applications : nullptr, clock_->Now() - kDeletedRetention);
}

std::vector<ServicePrincipal> Directory::ListDeletedServicePrincipals(const std::string& tenant_id) const {
  std::shared_lock lock(mu_);
  const auto* t = Find(tenant_id);
  return Retained(t ? &t->deleted_principals : nullptr, clock_->Now() - kDeletedRetention);
}

std::optional<Application> Directory::FindDeletedApplication(const std::string& tenant_id,
                                                             const std::string& object_id) const {
  return WithObjectId(ListDeletedApplications(tenant_id), object_id);
}

std::optional<ServicePrincipal> Directory::FindDeletedServicePrincipal(const std::string& tenant_id,
                                                                       const std::string& object_id) const {
  return WithObjectId(ListDeletedServicePrincipals(tenant_id), object_id);
}

Status Directory::RestoreDeletedItem(const std::string& tenant_id, const std::string& object_id) {
  std::unique_lock lock(mu_);
  auto* t = Find(tenant_id);
  if (!t) return errors::TenantNotFound(tenant_id);
  PurgeExpiredLocked(t);
  const std::string key = ToLower(object_id);
  if (auto a = t->deleted_applications.find(key); a != t->deleted_applications.end()) {
    a->second.deleted = 0;
    t->applications[key] = std::move(a->second);
    t->deleted_applications.erase(a);
    return Status::Ok();
  }
  auto sp = t->deleted_principals.find(key);
  if (sp == t->deleted_principals.end()) return errors::ResourceNotFound(object_id);
  for (const auto& [_, live] : t->principals) {
    if (!live.app_id.empty() && EqualsIgnoreCase(live.app_id, sp->second.app_id)) {
      return errors::BadRequest("Request contains a property with duplicate values: a service principal for appId '" +
                                live.app_id + "' already exists in this tenant.");
    }
  }
  sp->second.deleted = 0;
  t->principals[key] = std::move(sp->second);
  t->deleted_principals.erase(sp);
  return Status::Ok();
}

Status Directory::PurgeDeletedItem(const std::string& tenant_id, const std::string& object_id) {
  std::unique_lock lock(mu_);
  auto* t = Find(tenant_id);
  if (!t) return errors::TenantNotFound(tenant_id);
  PurgeExpiredLocked(t);
  const std::string key = ToLower(object_id);
  if (!t->deleted_applications.erase(key) && !t->deleted_principals.erase(key)) {
    return errors::ResourceNotFound(object_id);
  }
  return Status::Ok();
}

Status Directory::SetServicePrincipalAdmin(const std::string& tenant_id, const std::string& object_id, bool admin) {
  std::unique_lock lock(mu_);
  auto* t = Find(tenant_id);
  if (!t) return errors::TenantNotFound(tenant_id);
  auto it = t->principals.find(ToLower(object_id));
  if (it == t->principals.end()) return errors::ResourceNotFound(object_id);
  it->second.global_admin = admin;
  return Status::Ok();
}

StatusOr<User> Directory::AddUser(const std::string& tenant_id, User user) {
  std::unique_lock lock(mu_);
  auto* t = Find(tenant_id);
  if (!t) return errors::TenantNotFound(tenant_id);
  user.object_id = OrNewGuid(user.object_id);
  for (const auto& [_, u] : t->users) {
    if (EqualsIgnoreCase(u.user_principal_name, user.user_principal_name)) {
      return errors::BadRequest("Another object with the same value for property userPrincipalName already exists.");
    }
  }
  t->users[user.object_id] = user;
  return user;
}

std::optional<User> Directory::FindUser(const std::string& tenant_id, const std::string& object_id_or_upn) const {
  std::shared_lock lock(mu_);
  const auto* t = Find(tenant_id);
  if (!t) return std::nullopt;
  for (const auto& [_, u] : t->users) {
    if (EqualsIgnoreCase(u.object_id, object_id_or_upn) || EqualsIgnoreCase(u.user_principal_name, object_id_or_upn)) {
      return u;
    }
  }
  return std::nullopt;
}

StatusOr<User> Directory::SetUserEnabled(const std::string& tenant_id, const std::string& object_id_or_upn,
                                         bool enabled) {
  std::unique_lock lock(mu_);
  auto* t = Find(tenant_id);
  if (!t) return errors::TenantNotFound(tenant_id);
  for (auto& [_, u] : t->users) {
    if (EqualsIgnoreCase(u.object_id, object_id_or_upn) || EqualsIgnoreCase(u.user_principal_name, object_id_or_upn)) {
      u.account_enabled = enabled;
      return u;
    }
  }
  return errors::ResourceNotFound(object_id_or_upn);
}

std::vector<User> Directory::ListUsers(const std::string& tenant_id) const {
  std::shared_lock lock(mu_);
  std::vector<User> out;
  if (const auto* t = Find(tenant_id)) {
    for (const auto& [_, u] : t->users) out.push_back(u);
  }
  return out;
}

bool Directory::PrincipalExists(const std::string& tenant_id, const std::string& object_id) const {
  std::shared_lock lock(mu_);
  const auto* t = Find(tenant_id);
  if (!t) return false;
  auto key = ToLower(object_id);
  return t->principals.count(key) || t->users.count(key);
}

bool Directory::IsGlobalAdmin(const std::string& tenant_id, const std::string& object_id) const {
  std::shared_lock lock(mu_);
  const auto* t = Find(tenant_id);
  if (!t) return false;
  auto key = ToLower(object_id);
  if (auto it = t->principals.find(key); it != t->principals.end()) return it->second.global_admin;
  if (auto it = t->users.find(key); it != t->users.end()) return it->second.global_admin;
  return false;
}

}  // namespace crosskey::graph
