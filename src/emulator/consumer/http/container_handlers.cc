// The Blob plane's container operations: create, get properties, delete, list blobs (blob_call.h).
#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"
#include "emulator/consumer/blob_errors.h"
#include "emulator/consumer/http/blob_call.h"

namespace crosskey::consumer::http {
namespace blob_errors = errors::blob;

StatusOr<HttpResponse> CreateContainer(const BlobCall& call) {
  bool public_access = !call.request.Header("x-ms-blob-public-access").empty();
  CK_ASSIGN_OR_RETURN(auto c, call.blobs().CreateContainer(call.account, call.caller, call.container,
                                                           Metadata(call.request), public_access));
  HttpResponse r = Empty(201);
  r.headers = {{"ETag", c.etag}, {"Last-Modified", HttpDate(c.last_modified)}};
  return r;
}

StatusOr<HttpResponse> GetContainerProperties(const BlobCall& call) {
  CK_ASSIGN_OR_RETURN(auto c, call.blobs().GetContainer(call.account, call.caller, call.container));
  HttpResponse r = Empty(200);
  r.headers = {{"ETag", c.etag},
               {"Last-Modified", HttpDate(c.last_modified)},
               {"x-ms-lease-status", "unlocked"},
               {"x-ms-lease-state", "available"},
               {"x-ms-has-immutability-policy", "false"},
               {"x-ms-has-legal-hold", "false"},
               {"x-ms-default-encryption-scope", "$account-encryption-key"},
               {"x-ms-deny-encryption-scope-override", "false"}};
  AddMetadata(c.metadata, &r);
  return r;
}

StatusOr<HttpResponse> DeleteContainer(const BlobCall& call) {
  CK_RETURN_IF_ERROR(call.blobs().DeleteContainer(call.account, call.caller, call.container));
  return Empty(202);
}

StatusOr<HttpResponse> ListBlobs(const BlobCall& call) {
  const HttpRequest& request = call.request;
  ListBlobsQuery q{request.Query("prefix"), request.Query("delimiter"), request.Query("marker"), 5000};
  for (const auto& item : Split(request.Query("include"), ',')) q.include_metadata |= EqualsIgnoreCase(item, "metadata");
  std::string max = request.Query("maxresults");
  if (!max.empty()) {
    bool digits = max.size() <= 9 && max.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || std::stoi(max) < 1) return blob_errors::InvalidQueryParameterValue("maxresults", max);
    q.max_results = std::min(std::stoi(max), 5000);
  }
  bool with_metadata = false;
  for (const auto& part : Split(request.Query("include"), ',')) with_metadata |= EqualsIgnoreCase(part, "metadata");
  CK_ASSIGN_OR_RETURN(auto listing, call.blobs().ListBlobs(call.account, call.caller, call.container, q));
  std::string x = "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"" +
                  Xml(wire::BaseUrl(request) + "/") + "\" ContainerName=\"" + Xml(call.container) + "\">";
  if (!q.prefix.empty()) x += Element("Prefix", q.prefix);
  if (!q.marker.empty()) x += Element("Marker", q.marker);
  if (!max.empty()) x += Element("MaxResults", std::to_string(q.max_results));
  if (!q.delimiter.empty()) x += Element("Delimiter", q.delimiter);
  x += "<Blobs>";
  for (const auto& b : listing.blobs) x += BlobXml(b, with_metadata);
  for (const auto& p : listing.prefixes) x += "<BlobPrefix>" + Element("Name", p) + "</BlobPrefix>";
  x += "</Blobs>" + Element("NextMarker", listing.next_marker) + "</EnumerationResults>";
  return wire::Text(200, "application/xml", std::move(x));
}

}  // namespace crosskey::consumer::http
