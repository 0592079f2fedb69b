#pragma once
// How each resource provider answers a write: synchronously (200/201/204) or as a long-running
// operation, with the initial status, the headers that point at the operation
// (Azure-AsyncOperation: a status document; Location: the operation's result) and the URL
// segment each uses under /subscriptions/{s}[/resourceGroups/{g}]/providers/{namespace}/locations/{location}/.
// Sources: each provider's REST specification (Azure/azure-rest-api-specs) and the operation
// files of the Python management SDKs; docs/arm-operations.md lists the table.
// Thread-safety: constants.
#include <string>

namespace crosskey::arm::http {

struct LroShape {
  const char* type;         // resource type (case-insensitive)
  const char* verb;         // PUT, PATCH, DELETE
  bool only_when_created;   // PUT: asynchronous only for a new resource (Storage); else 200
  int initial_status;       // 202, or 200/201 with the body in its pending provisioningState
  const char* status_kind;  // Azure-AsyncOperation URL segment, "" for none
  const char* result_kind;  // Location URL segment, "" for none
  bool result_monitor;      // the Location URL carries ?monitor=true (same segment as status)
  bool group_scoped;        // the URLs sit under /resourceGroups/{g} (SQL)
  bool body_on_202;         // a 202 carries the resource in its pending state (Compute)
};

// The shape of `verb` on `type`, or nullptr when the provider answers synchronously.
const LroShape* FindLroShape(const std::string& type, const std::string& verb);
// Whether `segment` (the path segment after locations/{location}/) names an operation URL of
// provider `ns`.
bool IsOperationSegment(const std::string& ns, const std::string& segment);

}  // namespace crosskey::arm::http
