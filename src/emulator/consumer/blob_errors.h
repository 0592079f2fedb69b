#pragma once
// The errors of the emulated Azure Blob data plane (blob_store.h, http/blob_routes.h), with
// the codes, statuses and messages Azure Storage returns (sources in blob_errors.cc). The wire
// mapper renders them as Storage XML; `details` become extra XML elements
// (AuthenticationErrorDetail, HeaderName, ...) and `headers` extra response headers.
// Thread-safety: free functions.
#include <cstdint>
#include <string>

#include "emulator/common/status.h"

namespace crosskey::consumer::errors::blob {

// Authentication (401 carry the Bearer challenge storage sends).
Error NoAuthenticationInformation(const std::string& challenge);
Error InvalidAuthenticationInfo(const std::string& detail, const std::string& challenge);
Error AuthenticationFailed(const std::string& detail);
Error KeyBasedAuthenticationNotPermitted();
// Authorization: the caller's roles do not grant the (data) action.
Error AuthorizationPermissionMismatch();

// Request shape.
Error InvalidHeaderValue(const std::string& name, const std::string& value);
Error MissingRequiredHeader(const std::string& name);
Error InvalidQueryParameterValue(const std::string& name, const std::string& value);
Error InvalidResourceName();
Error OutOfRangeInput();
Error InvalidRange(int64_t size);
Error Md5Mismatch(const std::string& user_md5_b64, const std::string& server_md5_b64);
Error RequestBodyTooLarge();
Error NotImplemented(const std::string& what);

// Resources and conditions.
Error ResourceNotFound();
Error ContainerNotFound();
Error ContainerAlreadyExists();
Error BlobNotFound();
Error PublicAccessNotPermitted();
Error ConditionNotMet(bool read);

}  // namespace crosskey::consumer::errors::blob
