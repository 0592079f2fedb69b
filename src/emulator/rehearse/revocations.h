#pragma once
// The eight revocation paths of a consumer's CMK chain, each done — and undone — the way an
// operator does it, through the planes as the owning tenant's admin:
//   key-disabled   Key Vault PATCH enabled=false            / enabled=true
//   key-deleted    Key Vault DELETE (soft delete)            / POST deletedkeys/{name}/recover
//   key-purged     DELETE if needed, then purge (refused under purge protection until the
//                  scheduled purge date)                     / a new key of the same name (the
//                  old DEK stays unreadable: that is the lesson)
//   key-expired    PATCH exp = now on the emulator clock     / exp = now + 1 year
//   role-removed   ARM DELETE of the SP's role assignments on the vault / PUT them back
//   sp-disabled    Graph PATCH accountEnabled=false          / true
//   sp-deleted     Graph DELETE (Entra keeps it 30 days)      / restore it from deleted items: the
//                  same object id, so its role assignments apply again
//   fic-removed    Graph DELETE of the app's FICs trusting the UAMI / POST them back
//   uami-deleted   ARM DELETE of the UAMI                     / a new UAMI of the same name, the
//                  FICs re-pointed at its principal id, and the consumer PUT again (its client
//                  id changed)
// Thread-safety: one runner thread.
#include <map>
#include <string>
#include <vector>

#include "emulator/rehearse/planes.h"

namespace crosskey::rehearse {

// A row of GET /_emulator/consumers.
struct ConsumerView {
  std::string id, name, kind, owner_id, state;
  Json chain;   // vault, vaultId, vaultTenantId, tenantId, keyName, identity*, federatedClientId
  Json error;   // the platform's last error (null when healthy)
  Json raw;
};

class Revocations {
 public:
  explicit Revocations(Planes* planes) : planes_(planes) {}
  // A short account of what was done. Errors: the refusing plane's error as text (code
  // "ActionFailed", message "HTTP 409 Conflict: ...").
  StatusOr<std::string> Revoke(const std::string& path, const ConsumerView& c);
  StatusOr<std::string> Restore(const std::string& path, const ConsumerView& c);
  // A SQL consumer's recovery past the auto-heal window: POST
  // {server}/encryptionProtector/current/revalidate. Errors: ActionFailed (the TDE error).
  StatusOr<std::string> RevalidateProtector(const ConsumerView& c);

 private:
  struct Remembered {
    std::vector<Json> role_assignments;  // {id, roleDefinitionId, scope}
    std::vector<Json> fics;              // {name, issuer, subject, audiences, description}
    Json uami;                           // the deleted identity's GET body
    std::string deleted_sp;              // the service principal deleted (soft: restorable)
  };
  StatusOr<std::string> SetKey(const ConsumerView& c, const Json& attributes, const std::string& what);
  StatusOr<std::string> ServicePrincipalId(const ConsumerView& c);
  StatusOr<std::string> ApplicationObjectId(const ConsumerView& c);
  StatusOr<std::vector<Json>> RoleAssignmentsOf(const ConsumerView& c, const std::string& principal_id);
  StatusOr<std::string> AssignRoles(const ConsumerView& c, const std::string& principal_id, bool fresh_names);
  StatusOr<std::string> PutConsumerAgain(const ConsumerView& c);

  Planes* planes_;
  std::map<std::string, Remembered> remembered_;  // by consumer owner id
};

}  // namespace crosskey::rehearse
