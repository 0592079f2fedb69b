#include "emulator/consumer/blob_errors.h"

// Sources:
// [common] "Common REST API error codes" (Azure Storage),
//   https://learn.microsoft.com/rest/api/storageservices/common-rest-api-error-codes
// [blob]   "Azure Blob Storage error codes",
//   https://learn.microsoft.com/rest/api/storageservices/blob-service-error-codes
// Wire captures quoted in issue threads where the tables say less than the service sends.
namespace crosskey::consumer::errors::blob {
namespace {
Error WithDetail(Error e, const char* element, const std::string& value) {
  e.details.emplace_back(element, value);
  return e;
}
Error WithChallenge(Error e, const std::string& challenge) {
  if (!challenge.empty()) e.headers.emplace_back("WWW-Authenticate", challenge);
  return e;
}
constexpr const char* kRefer =
    "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.";
}  // namespace

// [common] NoAuthenticationInformation 401, same text as InvalidAuthenticationInfo.
Error NoAuthenticationInformation(const std::string& challenge) {
  return WithChallenge(MakeError(401, "NoAuthenticationInformation", kRefer), challenge);
}
// [common] InvalidAuthenticationInfo 401; the AuthenticationErrorDetail texts ("Issuer
// validation failed. Issuer did not match.", "Audience validation failed. Audience did not
// match.") as captured in Azure/azure-sdk-for-net#10529 and Azure/AzureStor#119, with the
// challenge "Bearer authorization_uri=https://login.microsoftonline.com/{tenant}/oauth2/authorize
// resource_id=https://storage.azure.com".
Error InvalidAuthenticationInfo(const std::string& detail, const std::string& challenge) {
  return WithChallenge(
      WithDetail(MakeError(401, "InvalidAuthenticationInfo", kRefer), "AuthenticationErrorDetail", detail), challenge);
}
// [common] AuthenticationFailed 403. A bearer token with no x-ms-version (or one before
// 2017-11-09) gets the detail "Authentication scheme Bearer is not supported in this version."
// (microsoft/typespec#7216, microsoft/AzureStorageExplorer#3586; the version rule is in
// "Versioning for Azure Storage").
Error AuthenticationFailed(const std::string& detail) {
  return WithDetail(MakeError(403, "AuthenticationFailed",
                              "Server failed to authenticate the request. Make sure the value of Authorization header "
                              "is formed correctly including the signature."),
                    "AuthenticationErrorDetail", detail);
}
// What an account with allowSharedKeyAccess=false answers to SharedKey/SAS ("Troubleshoot 403
// errors in Azure Blob Storage"): the emulated accounts accept Microsoft Entra tokens only.
Error KeyBasedAuthenticationNotPermitted() {
  return MakeError(403, "KeyBasedAuthenticationNotPermitted",
                   "Key based authentication is not permitted on this storage account.");
}
// [blob]/[common] AuthorizationPermissionMismatch 403 (wire text in Azure/azure-sdk-for-java#37681).
Error AuthorizationPermissionMismatch() {
  return MakeError(403, "AuthorizationPermissionMismatch",
                   "This request is not authorized to perform this operation using this permission.");
}

// [common] InvalidHeaderValue 400 with HeaderName/HeaderValue elements (Azure/azure-rest-api-specs#8947).
Error InvalidHeaderValue(const std::string& name, const std::string& value) {
  return WithDetail(WithDetail(MakeError(400, "InvalidHeaderValue",
                                         "The value for one of the HTTP headers is not in the correct format."),
                               "HeaderName", name),
                    "HeaderValue", value);
}
// [common] MissingRequiredHeader 400.
Error MissingRequiredHeader(const std::string& name) {
  return WithDetail(
      MakeError(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified."),
      "HeaderName", name);
}
// [common] InvalidQueryParameterValue 400.
Error InvalidQueryParameterValue(const std::string& name, const std::string& value) {
  return WithDetail(
      WithDetail(MakeError(400, "InvalidQueryParameterValue",
                           "Value for one of the query parameters specified in the request URI is invalid."),
                 "QueryParameterName", name),
      "QueryParameterValue", value);
}
// [common] InvalidResourceName 400 (container names: "Naming and referencing containers, blobs,
// and metadata").
Error InvalidResourceName() {
  return MakeError(400, "InvalidResourceName", "The specified resource name contains invalid characters.");
}
// [common] OutOfRangeInput 400 (e.g. a blob name over 1,024 characters).
Error OutOfRangeInput() { return MakeError(400, "OutOfRangeInput", "One of the request inputs is out of range."); }
// [common] InvalidRange 416; the Content-Range "bytes */{size}" tells the client the size.
Error InvalidRange(int64_t size) {
  Error e = MakeError(416, "InvalidRange", "The range specified is invalid for the current size of the resource.");
  e.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
  return e;
}
// [common] Md5Mismatch 400 with UserSpecifiedMd5/ServerCalculatedMd5 elements.
Error Md5Mismatch(const std::string& user_md5_b64, const std::string& server_md5_b64) {
  return WithDetail(WithDetail(MakeError(400, "Md5Mismatch",
                                         "The MD5 value specified in the request did not match with the MD5 value "
                                         "calculated by the server."),
                               "UserSpecifiedMd5", user_md5_b64),
                    "ServerCalculatedMd5", server_md5_b64);
}
// [common] RequestBodyTooLarge 413.
Error RequestBodyTooLarge() {
  return MakeError(413, "RequestBodyTooLarge",
                   "The request body is too large and exceeds the maximum permissible limit.");
}
// crosskey's own: an operation of the Blob REST API the emulator does not serve (never a fake 200).
Error NotImplemented(const std::string& what) {
  return MakeError(501, "NotImplemented", "crosskey does not emulate this Blob operation: " + what + ".");
}

// [common] ResourceNotFound 404: used for an unknown account name (Azure's DNS would not resolve it).
Error ResourceNotFound() { return MakeError(404, "ResourceNotFound", "The specified resource does not exist."); }
// [blob] ContainerNotFound 404, ContainerAlreadyExists 409, BlobNotFound 404.
Error ContainerNotFound() { return MakeError(404, "ContainerNotFound", "The specified container does not exist."); }
Error ContainerAlreadyExists() {
  return MakeError(409, "ContainerAlreadyExists", "The specified container already exists.");
}
Error BlobNotFound() { return MakeError(404, "BlobNotFound", "The specified blob does not exist."); }
// [blob] PublicAccessNotPermitted 409: accounts default to allowBlobPublicAccess=false.
Error PublicAccessNotPermitted() {
  return MakeError(409, "PublicAccessNotPermitted", "Public access is not permitted on this storage account.");
}
// [common] ConditionNotMet: 304 for a read, 412 for a write.
Error ConditionNotMet(bool read) {
  return read
             ? MakeError(304, "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met.")
             : MakeError(412, "ConditionNotMet",
                         "The condition specified using HTTP conditional header(s) is not met.");
}

}  // namespace crosskey::consumer::errors::blob
