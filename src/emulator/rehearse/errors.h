#pragma once
// Named factories for the errors of `crosskey rehearse` (scenario parsing, the planes client,
// revocations and restores). They are shown on the timeline as a step's detail, never sent.
// Thread-safety: free functions.
#include <string>

#include "emulator/common/status.h"

namespace crosskey::rehearse::errors {

// A scenario file's field at `path` (a JSON path, "$.steps[2].advance") is unusable (400).
Error InvalidScenario(const std::string& file, const std::string& path, const std::string& reason);

// GET /_emulator/bootstrap failed, so no admin credentials are known (502).
Error BootstrapUnavailable(const std::string& cause);
// The bootstrap lists no admin app for the tenant a step needs (404).
Error TenantNotBootstrapped(const std::string& tenant_id);
// The token endpoint refused the bootstrap admin's client-credentials grant; `status` is the
// endpoint's (0 when it did not answer: 502).
Error TokenRefused(int status, const std::string& scope, const std::string& cause);

// GET /_emulator/consumers failed (502).
Error ConsumersUnavailable(const std::string& cause);
// No consumer has the scenario's name or ARM id (404).
Error ConsumerNotFound(const std::string& ref);

// A plane refused a call a revocation or restore makes; `status` is the plane's (0 when it
// did not answer: 502), `what` the action, `cause` the plane's error text.
Error ActionFailed(int status, const std::string& what, const std::string& cause);
// The chain has nothing the revocation could remove (no service principal, application, role
// assignment or federated credential to act on) (404).
Error NothingToRevoke(const std::string& message);
// A restore needs what this rehearsal's revocation removed, and none was removed (409).
Error NothingToRestore(const std::string& message);
// The consumer has no customer-managed key chain to revoke or restore (400).
Error NoCustomerKey(const std::string& consumer);
// The path is none of RevocationPaths() (400).
Error UnknownRevocationPath(const std::string& path);

}  // namespace crosskey::rehearse::errors
