#pragma once
// The errors each emulated platform service returns when it cannot use its customer-managed
// key, one factory namespace per service (sources in errors.cc). `cause` is the error the
// consumer met on the way (an AADSTS text or a Key Vault error), appended to the message so
// a rehearsal shows which link broke.
// Thread-safety: free functions.
#include <string>

#include "emulator/common/status.h"

namespace crosskey::consumer::errors {

// Which link of the chain failed, read from a cause ("code[/inner]: message"): each service
// names the same failures with its own codes (Storage's two errors, Cosmos DB's substatus,
// SQL's troubleshoot-tde codes).
enum class KeyFailure {
  kToken,      // the exchange was refused (AADSTS, invalid_client, the UAMI gone)
  kVaultGone,  // the vault does not exist
  kKeyGone,    // the key does not exist
  kKeyState,   // the key is disabled, expired or not yet valid
  kRefused,    // Key Vault refused the caller (RBAC, access policies)
  kWrapFailed, // Key Vault could not wrap or unwrap
  kOther,
};
KeyFailure ClassifyKeyFailure(const std::string& cause);

// Configuration errors shared by every consumer kind (ARM 400 shape).
Error InvalidProperty(const std::string& message);
Error ResourceNotFound(const std::string& type_and_name, const std::string& group);
Error DataItemNotFound(const std::string& item);
// A state document's consumer part (records, settings) cannot be imported (400).
Error InvalidState(const std::string& what);
// POST {id}/{action} for an action the resource type does not have (400, ARM's InvalidAction).
Error ActionNotSupported(const std::string& type, const std::string& action);
// Sealing or opening stored bytes with the resource's DEK failed (500 InternalError, Storage's
// code for a server fault): a crosskey bug or corrupt state, never the caller's doing.
Error SealingFailed(const std::string& what);

namespace storage {
// ARM PUT/PATCH refused because the key cannot be reached.
Error KeyVaultAuthenticationFailure(const std::string& cause);
// Data plane while the account's key is inaccessible.
Error KeyVaultEncryptionKeyNotFound(const std::string& cause);
Error KeyVaultAccessTokenCannotBeAcquired(const std::string& cause);
}  // namespace storage

namespace cosmos {
Error InvalidKeyVaultKeyUri(const std::string& uri);
Error KeyVaultAccessFailed(const std::string& cause);  // ARM PUT
struct Substatus {
  int code;
  const char* name;
};
Substatus RevokedSubstatus(const std::string& cause);
Error AccountRevoked(const std::string& cause);        // data plane (403)
}  // namespace cosmos

namespace compute {
Error KeyVaultRegionMismatch(const std::string& vault_location, const std::string& set_location);
Error KeyVaultAccessForbidden(const std::string& cause);  // DES PUT
Error DiskEncryptionSetNotFound(const std::string& id);
Error DiskInaccessible(const std::string& cause);  // data plane (409)
}  // namespace compute

namespace sql {
Error TdeProtectorInaccessible(const std::string& cause);  // server, key and protector writes
Error RevalidationFailed(const std::string& cause);        // POST .../encryptionProtector/current/revalidate
Error DatabaseInaccessible(const std::string& database, const std::string& cause);
Error ServerNotFound(const std::string& name);
// A server key named otherwise than {vault}_{key}_{version} of its uri (400).
Error InvalidServerKeyName(const std::string& name, const std::string& expected);
// The protector names a server key the server does not have (troubleshoot-tde: ServerKeyNotFound).
Error ServerKeyNotFound(const std::string& key, const std::string& server);
// Deleting the built-in key or the key the protector uses (400).
Error ServerKeyInUse(const std::string& key);
}  // namespace sql

}  // namespace crosskey::consumer::errors
