#include "emulator/arm/activity_record.h"

namespace crosskey::arm {

void RecordActivity(AuditLog* audit, const ActivityEntry& entry) {
  nlohmann::json r = {{"category", "Activity"},
                      {"operationName", entry.operation_id.empty() ? std::string("Unknown") : entry.operation_id},
                      {"operationId", entry.operation_id},
                      {"tenantId", entry.tenant_id},
                      {"objectId", entry.object_id},
                      {"appId", entry.app_id},
                      {"caller", entry.caller},
                      {"scope", entry.scope},
                      {"httpStatusCode", entry.http_status},
                      {"result", entry.http_status < 400 ? "Succeeded" : "Failed"},
                      {"correlationId", entry.correlation_id},
                      {"requestId", entry.request_id}};
  if (!entry.error_code.empty()) r["error"] = entry.error_code;
  audit->Record(std::move(r));
}

}  // namespace crosskey::arm
