#pragma once
// Azure's activity log record of one ARM write (PUT, PATCH, DELETE, POST), allowed or refused:
// operation id (Microsoft.KeyVault/vaults/write), caller, scope, status and result.
// Thread-safety: a free function over the thread-safe AuditLog.
#include <string>

#include "emulator/common/audit_log.h"

namespace crosskey::arm {

struct ActivityEntry {
  std::string operation_id;  // the resource provider operation; empty when no route matched (logged "Unknown")
  std::string tenant_id;
  std::string object_id;
  std::string app_id;
  std::string caller;  // UPN for users, object id for apps
  std::string scope;   // the resource id written
  int http_status = 0;
  std::string error_code;  // empty on success
  std::string correlation_id;
  std::string request_id;
};

// Writes category Activity (result Succeeded / Failed, error = the ARM error code).
void RecordActivity(AuditLog* audit, const ActivityEntry& entry);

}  // namespace crosskey::arm
