// The Blob plane's block blob operations: put, get (with ranges), get properties, delete
// (blob_call.h).
#include "emulator/common/text.h"
#include "emulator/consumer/blob_errors.h"
#include "emulator/consumer/http/blob_call.h"
#include "emulator/crypto/encoding.h"

namespace crosskey::consumer::http {
namespace blob_errors = errors::blob;
namespace {

StatusOr<BlobUpload> ReadUpload(const BlobCall& call) {
  const HttpRequest& request = call.request;
  std::string type = request.Header("x-ms-blob-type");
  if (type.empty()) return blob_errors::MissingRequiredHeader("x-ms-blob-type");
  if (type != "BlockBlob") return blob_errors::NotImplemented(call.What() + " x-ms-blob-type=" + type);
  if (!request.Header("x-ms-copy-source").empty()) return blob_errors::NotImplemented(call.What() + " (copy)");
  BlobUpload up;
  up.content = request.body;
  std::string type_header = request.Header("x-ms-blob-content-type");
  if (type_header.empty()) type_header = request.Header("content-type");
  if (!type_header.empty()) up.settings.content_type = type_header;
  up.settings.content_encoding = request.Header("x-ms-blob-content-encoding");
  up.settings.content_language = request.Header("x-ms-blob-content-language");
  up.settings.content_disposition = request.Header("x-ms-blob-content-disposition");
  up.settings.cache_control = request.Header("x-ms-blob-cache-control");
  up.metadata = Metadata(request);
  up.conditions = Conditions(request);
  std::string md5 = request.Header("content-md5");
  if (!md5.empty()) {
    auto raw = crypto::Base64Decode(md5);
    if (!raw || raw->size() != 16) return blob_errors::InvalidHeaderValue("Content-MD5", md5);
    up.content_md5 = *raw;
  }
  return up;
}

void AddMd5(const std::string& md5, const char* header, HttpResponse* r) {
  if (!md5.empty()) r->headers.emplace_back(header, crypto::Base64Encode(md5));
}

// x-ms-range wins over Range ("Specify the range header for Blob service operations"); a
// malformed x-ms-range is refused, a malformed Range ignored as HTTP allows.
StatusOr<std::optional<ByteRange>> ReadRange(const HttpRequest& request) {
  std::string ms_range = request.Header("x-ms-range");
  if (!ms_range.empty()) {
    auto range = ParseRange(ms_range);
    if (!range) return blob_errors::InvalidHeaderValue("x-ms-range", ms_range);
    return std::optional<ByteRange>(range);
  }
  if (request.method == "GET" && !request.Header("range").empty()) return ParseRange(request.Header("range"));
  return std::optional<ByteRange>();
}
}  // namespace

StatusOr<HttpResponse> PutBlob(const BlobCall& call) {
  CK_ASSIGN_OR_RETURN(auto up, ReadUpload(call));
  CK_ASSIGN_OR_RETURN(auto b, call.blobs().PutBlob(call.account, call.caller, call.container, call.blob, up));
  HttpResponse r = Empty(201);
  r.headers = {{"ETag", b.properties.etag},
               {"Last-Modified", HttpDate(b.properties.last_modified)},
               {"Content-MD5", crypto::Base64Encode(b.properties.content_md5)},
               {"x-ms-request-server-encrypted", "true"}};
  return r;
}

// GET and HEAD. HEAD reads the content too: its Content-Length must be the blob's size, and
// the listener never sends a HEAD body.
StatusOr<HttpResponse> GetBlob(const BlobCall& call) {
  CK_ASSIGN_OR_RETURN(auto range, ReadRange(call.request));
  CK_ASSIGN_OR_RETURN(auto b, call.blobs().GetBlob(call.account, call.caller, call.container, call.blob,
                                                   Conditions(call.request), true));
  HttpResponse r;
  r.status = 200;
  AddBlobProperties(b.properties, &r);
  if (call.request.method == "HEAD") {
    r.headers.emplace_back("x-ms-access-tier", "Hot");
    r.headers.emplace_back("x-ms-access-tier-inferred", "true");
  }
  if (call.request.method == "HEAD" || !range) {
    AddMd5(b.properties.content_md5, "Content-MD5", &r);
    r.body = std::move(b.content);
    return r;
  }
  int64_t size = b.properties.size;
  if (range->start >= size) return blob_errors::InvalidRange(size);
  int64_t end = std::min(range->end.value_or(size - 1), size - 1);
  r.status = 206;
  r.headers.emplace_back("Content-Range", "bytes " + std::to_string(range->start) + "-" + std::to_string(end) + "/" +
                                              std::to_string(size));
  AddMd5(b.properties.content_md5, "x-ms-blob-content-md5", &r);
  r.body = b.content.substr(static_cast<size_t>(range->start), static_cast<size_t>(end - range->start + 1));
  return r;
}

StatusOr<HttpResponse> DeleteBlob(const BlobCall& call) {
  CK_RETURN_IF_ERROR(
      call.blobs().DeleteBlob(call.account, call.caller, call.container, call.blob, Conditions(call.request)));
  return Empty(202);
}

}  // namespace crosskey::consumer::http
