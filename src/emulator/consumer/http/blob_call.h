#pragma once
// What the Blob plane's handlers share: the call they are given, the handler type, the route
// table, and the Storage wire helpers (XML escaping, common headers, ranges, metadata, blob
// properties) and the Storage XML error mapper.
// Thread-safety: BlobCall is a view over the request being served; the rest are free functions.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/cloud/cloud.h"
#include "emulator/common/http/route_table.h"
#include "emulator/common/http_types.h"

namespace crosskey::consumer::http {

struct BlobCall {
  Cloud& cloud;
  const HttpRequest& request;
  const BlobAccount& account;
  const BlobCaller& caller;
  std::string container;  // the path's first segment
  std::string blob;       // the rest of the path after the container, as sent
  BlobService& blobs() const { return cloud.blobs; }
  // "METHOD /path[ comp=X]": what a NotImplemented names.
  std::string What() const;
};

using BlobHandler = StatusOr<HttpResponse> (*)(const BlobCall&);
const wire::RouteTable<BlobHandler>& BlobRouteTable();

// Storage XML error body with x-ms-error-code (and the request's x-ms-version echoed).
HttpResponse RenderStorageError(const Error& error, const HttpRequest& request, int64_t now);

// ---- wire helpers (blob_wire.cc)
std::string Xml(std::string_view s);
std::string Element(const std::string& name, std::string_view value);
bool IsVersionDate(const std::string& v);
void AddCommonHeaders(const HttpRequest& request, int64_t now, HttpResponse* r);
HttpResponse Empty(int status);
struct ByteRange {
  int64_t start = 0;
  std::optional<int64_t> end;  // inclusive
};
// "bytes=start-[end]"; nullopt when malformed (suffix ranges "bytes=-n" are not accepted).
std::optional<ByteRange> ParseRange(const std::string& value);
std::map<std::string, std::string> Metadata(const HttpRequest& request);
void AddMetadata(const std::map<std::string, std::string>& metadata, HttpResponse* r);
BlobConditions Conditions(const HttpRequest& request);
void AddBlobProperties(const StoredBlob& b, HttpResponse* r);
std::string BlobXml(const BlobView& v, bool with_metadata);

// ---- handlers
StatusOr<HttpResponse> CreateContainer(const BlobCall& call);
StatusOr<HttpResponse> GetContainerProperties(const BlobCall& call);
StatusOr<HttpResponse> DeleteContainer(const BlobCall& call);
StatusOr<HttpResponse> ListBlobs(const BlobCall& call);
StatusOr<HttpResponse> PutBlob(const BlobCall& call);
StatusOr<HttpResponse> GetBlob(const BlobCall& call);
StatusOr<HttpResponse> DeleteBlob(const BlobCall& call);

}  // namespace crosskey::consumer::http
