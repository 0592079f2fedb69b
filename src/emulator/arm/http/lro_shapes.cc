#include "emulator/arm/http/lro_shapes.h"

#include "emulator/common/text.h"

namespace crosskey::arm::http {
namespace {

constexpr const char* kStorage = "Microsoft.Storage/storageAccounts";
constexpr const char* kCosmos = "Microsoft.DocumentDB/databaseAccounts";
constexpr const char* kDes = "Microsoft.Compute/diskEncryptionSets";
constexpr const char* kDisk = "Microsoft.Compute/disks";
constexpr const char* kSqlServer = "Microsoft.Sql/servers";
constexpr const char* kSqlDatabase = "Microsoft.Sql/servers/databases";
constexpr const char* kSqlKey = "Microsoft.Sql/servers/keys";
constexpr const char* kSqlProtector = "Microsoft.Sql/servers/encryptionProtector";

constexpr LroShape kShapes[] = {
    // Storage: create answers 202 + Location (asyncoperations, polled until 200 with the
    // account); a PUT of an existing account, PATCH and DELETE answer synchronously.
    {kStorage, "PUT", true, 202, "", "asyncoperations", true, false, false},
    // Cosmos DB: 200 with the account "Creating"/"Updating" and both headers (the SDK accepts
    // only 200); delete 202.
    {kCosmos, "PUT", false, 200, "operationsStatus", "operationResults", false, false, false},
    {kCosmos, "PATCH", false, 200, "operationsStatus", "operationResults", false, false, false},
    {kCosmos, "DELETE", false, 202, "operationsStatus", "operationResults", false, false, false},
    // Compute disks and disk encryption sets: 202 with the body, Azure-AsyncOperation and
    // Location on DiskOperations (the Location form adds ?monitor=true).
    {kDes, "PUT", false, 202, "DiskOperations", "DiskOperations", true, false, true},
    {kDes, "PATCH", false, 202, "DiskOperations", "DiskOperations", true, false, true},
    {kDes, "DELETE", false, 202, "DiskOperations", "DiskOperations", true, false, true},
    {kDisk, "PUT", false, 202, "DiskOperations", "DiskOperations", true, false, true},
    {kDisk, "PATCH", false, 202, "DiskOperations", "DiskOperations", true, false, true},
    {kDisk, "DELETE", false, 202, "DiskOperations", "DiskOperations", true, false, true},
    // SQL: 202 with Azure-AsyncOperation ({kind}AzureAsyncOperation) and Location
    // ({kind}OperationResults), both under the resource group (SDK recordings; the key and
    // protector segments follow the servers' pattern).
    {kSqlServer, "PUT", false, 202, "serverAzureAsyncOperation", "serverOperationResults", false, true, false},
    {kSqlServer, "PATCH", false, 202, "serverAzureAsyncOperation", "serverOperationResults", false, true, false},
    {kSqlServer, "DELETE", false, 202, "serverAzureAsyncOperation", "serverOperationResults", false, true, false},
    {kSqlDatabase, "PUT", false, 202, "databaseAzureAsyncOperation", "databaseOperationResults", false, true, false},
    {kSqlDatabase, "PATCH", false, 202, "databaseAzureAsyncOperation", "databaseOperationResults", false, true, false},
    {kSqlDatabase, "DELETE", false, 202, "databaseAzureAsyncOperation", "databaseOperationResults", false, true, false},
    {kSqlKey, "PUT", false, 202, "serverKeyAzureAsyncOperation", "serverKeyOperationResults", false, true, false},
    {kSqlKey, "DELETE", false, 202, "serverKeyAzureAsyncOperation", "serverKeyOperationResults", false, true, false},
    {kSqlProtector, "PUT", false, 202, "encryptionProtectorAzureAsyncOperation", "encryptionProtectorOperationResults",
     false, true, false},
};

std::string NamespaceOf(const char* type) {
  std::string t(type);
  return t.substr(0, t.find('/'));
}

}  // namespace

const LroShape* FindLroShape(const std::string& type, const std::string& verb) {
  for (const auto& shape : kShapes) {
    if (EqualsIgnoreCase(type, shape.type) && verb == shape.verb) return &shape;
  }
  return nullptr;
}

bool IsOperationSegment(const std::string& ns, const std::string& segment) {
  for (const auto& shape : kShapes) {
    if (!EqualsIgnoreCase(ns, NamespaceOf(shape.type))) continue;
    if (EqualsIgnoreCase(segment, shape.status_kind) || EqualsIgnoreCase(segment, shape.result_kind)) return true;
  }
  return false;
}

}  // namespace crosskey::arm::http
