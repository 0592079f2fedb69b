// The Blob plane's routes. Operation ids are the Blob REST API's operationIds
// (Azure/azure-rest-api-specs, storage data plane blob.json); the audit names are the
// StorageBlobLogs OperationName values ("Azure Blob Storage monitoring data reference").
#include "emulator/consumer/http/blob_call.h"

namespace crosskey::consumer::http {

const wire::RouteTable<BlobHandler>& BlobRouteTable() {
  using wire::Writes;
  static const wire::RouteTable<BlobHandler> kTable({
      {"PUT", "{container}", "Container_Create", "CreateContainer", Writes::kYes, CreateContainer,
       "restype=container,comp="},
      {"GET", "{container}", "Container_GetProperties", "GetContainerProperties", Writes::kNo,
       GetContainerProperties, "restype=container,comp="},
      {"HEAD", "{container}", "Container_GetProperties", "GetContainerProperties", Writes::kNo,
       GetContainerProperties, "restype=container,comp="},
      {"DELETE", "{container}", "Container_Delete", "DeleteContainer", Writes::kYes, DeleteContainer,
       "restype=container,comp="},
      {"GET", "{container}", "Container_ListBlobFlatSegment", "ListBlobs", Writes::kNo, ListBlobs,
       "restype=container,comp=list"},
      {"PUT", "{container}/{blob+}", "BlockBlob_Upload", "PutBlob", Writes::kYes, PutBlob, "comp=,-restype"},
      {"GET", "{container}/{blob+}", "Blob_Download", "GetBlob", Writes::kNo, GetBlob, "comp=,-restype"},
      {"HEAD", "{container}/{blob+}", "Blob_GetProperties", "GetBlobProperties", Writes::kNo, GetBlob,
       "comp=,-restype"},
      {"DELETE", "{container}/{blob+}", "Blob_Delete", "DeleteBlob", Writes::kYes, DeleteBlob, "comp=,-restype"},
  });
  return kTable;
}

}  // namespace crosskey::consumer::http
