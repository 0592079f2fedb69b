#include "emulator/consumer/http/blob_routes.h"

#include <ctime>
#include <optional>

#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"
#include "emulator/consumer/blob_errors.h"
#include "emulator/crypto/encoding.h"

namespace crosskey::consumer::http {
namespace {
namespace blob_errors = errors::blob;

constexpr const char* kStorageResource = "https://storage.azure.com";
// The oldest version that accepts Microsoft Entra bearer tokens ("Versioning for Azure Storage").
constexpr const char* kFirstBearerVersion = "2017-11-09";

std::string Xml(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Element(const std::string& name, std::string_view value) {
  return value.empty() ? "<" + name + " />" : "<" + name + ">" + Xml(value) + "</" + name + ">";
}

bool IsVersionDate(const std::string& v) {
  if (v.size() != 10 || v[4] != '-' || v[7] != '-') return false;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9')) return false;
  }
  return true;
}

// Headers every Blob answer carries: the version the client asked for and its request id.
void AddCommonHeaders(const HttpRequest& request, int64_t now, HttpResponse* r) {
  if (!request.Header("x-ms-version").empty()) r->headers.emplace_back("x-ms-version", request.Header("x-ms-version"));
  if (!request.Header("x-ms-client-request-id").empty()) {
    r->headers.emplace_back("x-ms-client-request-id", request.Header("x-ms-client-request-id"));
  }
  r->headers.emplace_back("Date", HttpDate(now));
}

HttpResponse Empty(int status) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/octet-stream";
  return r;
}

struct ByteRange {
  int64_t start = 0;
  std::optional<int64_t> end;  // inclusive
};
// "bytes=start-[end]"; nullopt when malformed (suffix ranges "bytes=-n" are not accepted).
std::optional<ByteRange> ParseRange(const std::string& value) {
  if (!StartsWithIgnoreCase(value, "bytes=")) return std::nullopt;
  std::string spec = value.substr(6);
  auto dash = spec.find('-');
  if (dash == std::string::npos || dash == 0 || spec.find(',') != std::string::npos) return std::nullopt;
  auto number = [](const std::string& s) -> std::optional<int64_t> {
    if (s.empty() || s.size() > 18) return std::nullopt;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
    }
    return std::stoll(s);
  };
  auto start = number(spec.substr(0, dash));
  if (!start) return std::nullopt;
  ByteRange r{*start, std::nullopt};
  std::string end = spec.substr(dash + 1);
  if (!end.empty()) {
    auto e = number(end);
    if (!e || *e < *start) return std::nullopt;
    r.end = *e;
  }
  return r;
}

std::map<std::string, std::string> Metadata(const HttpRequest& request) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : request.headers) {
    if (StartsWithIgnoreCase(name, "x-ms-meta-") && name.size() > 10) out[name.substr(10)] = value;
  }
  return out;
}

void AddMetadata(const std::map<std::string, std::string>& metadata, HttpResponse* r) {
  for (const auto& [k, v] : metadata) r->headers.emplace_back("x-ms-meta-" + k, v);
}

BlobConditions Conditions(const HttpRequest& request) {
  return BlobConditions{request.Header("if-match"), request.Header("if-none-match")};
}

// The system properties Get Blob and Get Blob Properties return.
void AddBlobProperties(const StoredBlob& b, HttpResponse* r) {
  r->content_type = b.settings.content_type.empty() ? "application/octet-stream" : b.settings.content_type;
  auto& h = r->headers;
  h.emplace_back("ETag", b.etag);
  h.emplace_back("Last-Modified", HttpDate(b.last_modified));
  h.emplace_back("x-ms-creation-time", HttpDate(b.created));
  h.emplace_back("x-ms-blob-type", "BlockBlob");
  h.emplace_back("x-ms-lease-status", "unlocked");
  h.emplace_back("x-ms-lease-state", "available");
  h.emplace_back("x-ms-server-encrypted", "true");
  h.emplace_back("Accept-Ranges", "bytes");
  for (const auto& [name, value] : {std::pair{"Content-Encoding", &b.settings.content_encoding},
                                    std::pair{"Content-Language", &b.settings.content_language},
                                    std::pair{"Content-Disposition", &b.settings.content_disposition},
                                    std::pair{"Cache-Control", &b.settings.cache_control}}) {
    if (!value->empty()) h.emplace_back(name, *value);
  }
  AddMetadata(b.metadata, r);
}

std::string BlobXml(const BlobView& v, bool with_metadata) {
  const StoredBlob& b = v.properties;
  std::string x = "<Blob>" + Element("Name", v.name) + "<Properties>";
  x += Element("Creation-Time", HttpDate(b.created)) + Element("Last-Modified", HttpDate(b.last_modified));
  x += Element("Etag", b.etag.size() >= 2 ? b.etag.substr(1, b.etag.size() - 2) : b.etag);
  x += Element("Content-Length", std::to_string(b.size)) + Element("Content-Type", b.settings.content_type);
  x += Element("Content-Encoding", b.settings.content_encoding) +
       Element("Content-Language", b.settings.content_language);
  x += Element("Content-MD5", crypto::Base64Encode(b.content_md5));
  x += Element("Cache-Control", b.settings.cache_control) +
       Element("Content-Disposition", b.settings.content_disposition);
  x += "<BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred>"
       "<LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted>"
       "</Properties>";
  if (with_metadata) {
    x += "<Metadata>";
    for (const auto& [k, val] : b.metadata) x += Element(k, val);
    x += "</Metadata>";
  }
  return x + "</Blob>";
}
}  // namespace

HttpResponse RenderStorageError(const Error& error, const HttpRequest& request, int64_t now) {
  HttpResponse r;
  r.status = error.http_status;
  r.content_type = "application/xml";
  // Time as the service writes it: ISO 8601 with seven fractional digits.
  std::string time = IsoTime(now);
  time.insert(time.size() - 1, ".0000000");
  if (error.http_status != 304 && request.method != "HEAD") {
    r.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error>" + Element("Code", error.code) + "<Message>" +
             Xml(error.message) + "\nRequestId:" + request.request_id + "\nTime:" + time + "</Message>";
    for (const auto& [name, value] : error.details) r.body += Element(name, value);
    r.body += "</Error>";
  }
  r.headers.emplace_back("x-ms-error-code", error.code);
  for (const auto& h : error.headers) r.headers.push_back(h);
  AddCommonHeaders(request, now, &r);
  return r;
}

// StorageBlobLogs operation names ("Azure Blob Storage monitoring data reference").
std::string BlobOperationName(const HttpRequest& request) {
  auto seg = wire::PathSegments(request.path);
  const std::string& m = request.method;
  std::string comp = request.Query("comp");
  bool container = request.Query("restype") == "container";
  if (seg.size() == 1 && container && comp.empty()) {
    if (m == "PUT") return "CreateContainer";
    if (m == "DELETE") return "DeleteContainer";
    return "GetContainerProperties";
  }
  if (seg.size() == 1 && container && comp == "list") return "ListBlobs";
  if (seg.size() >= 2 && comp.empty()) {
    if (m == "PUT") return "PutBlob";
    if (m == "DELETE") return "DeleteBlob";
    if (m == "HEAD") return "GetBlobProperties";
    if (m == "GET") return "GetBlob";
  }
  return "Unknown";
}

std::string BlobRoutes::AccountOf(const HttpRequest& request) const {
  std::string suffix = ".blob." + ToLower(cloud_->config().domain);
  if (request.host.size() <= suffix.size() || !EndsWith(request.host, suffix)) return "";
  std::string account = request.host.substr(0, request.host.size() - suffix.size());
  return account.find('.') == std::string::npos ? account : "";
}

// The challenge storage sends (Azure/AzureStor#119): the SDK's challenge policy takes the
// tenant from authorization_uri and the scope from resource_id.
std::string BlobRoutes::Challenge(const std::string& tenant) const {
  std::string login = "https://login." + cloud_->config().domain;
  if (cloud_->https_port() != 443) login += ":" + std::to_string(cloud_->https_port());
  return "Bearer authorization_uri=" + login + "/" + tenant + "/oauth2/authorize resource_id=" + kStorageResource;
}

HttpResponse BlobRoutes::Handle(const HttpRequest& request, const std::string& account_name) const {
  int64_t now = cloud_->clock.Now();
  auto account = cloud_->blobs.Account(account_name);
  if (!account.ok()) return RenderStorageError(account.error(), request, now);
  BlobCaller caller;
  std::string correlation;
  auto result = [&]() -> StatusOr<HttpResponse> {
    std::string version = request.Header("x-ms-version");
    if (!version.empty() && !IsVersionDate(version)) return blob_errors::InvalidHeaderValue("x-ms-version", version);
    std::string challenge = Challenge(account->tenant_id);
    if (request.Header("authorization").empty()) return blob_errors::NoAuthenticationInformation(challenge);
    auto token = wire::BearerToken(request);
    if (!token) return blob_errors::KeyBasedAuthenticationNotPermitted();
    if (version.empty() || version < kFirstBearerVersion) {
      return blob_errors::AuthenticationFailed("Authentication scheme Bearer is not supported in this version.");
    }
    auto v = cloud_->validator.Validate(*token, token::Api::kStorage);
    switch (v.problem) {
      case token::TokenProblem::kNone:
        break;
      case token::TokenProblem::kWrongAudience:
        return blob_errors::InvalidAuthenticationInfo("Audience validation failed. Audience did not match.", challenge);
      case token::TokenProblem::kBadIssuer:
        return blob_errors::InvalidAuthenticationInfo("Issuer validation failed. Issuer did not match.", challenge);
      case token::TokenProblem::kExpired:
        return blob_errors::InvalidAuthenticationInfo("Lifetime validation failed. The token is expired.", challenge);
      case token::TokenProblem::kNotYetValid:
        return blob_errors::InvalidAuthenticationInfo("Lifetime validation failed. The token is not yet valid.",
                                                      challenge);
      default:
        return blob_errors::InvalidAuthenticationInfo("Signature validation failed. " + v.detail, challenge);
    }
    // A token from another tenant (e.g. the customer's) is refused like a foreign issuer.
    if (!EqualsIgnoreCase(v.token.tenant_id, account->tenant_id)) {
      return blob_errors::InvalidAuthenticationInfo("Issuer validation failed. Issuer did not match.", challenge);
    }
    caller = BlobCaller{v.token.tenant_id, v.token.object_id, v.token.app_id, ""};
    correlation = v.token.uti;
    return Dispatch(request, *account, caller);
  }();
  HttpResponse response = result.ok() ? std::move(result).value() : RenderStorageError(result.error(), request, now);
  if (result.ok()) AddCommonHeaders(request, now, &response);
  nlohmann::json record = {{"category", "StorageBlobLogs"},
                           {"operationName", BlobOperationName(request)},
                           {"accountName", account->name},
                           {"tenantId", account->tenant_id},
                           {"authenticationType", "OAuth"},
                           {"uri", request.path},
                           {"callerTenantId", caller.tenant_id},
                           {"objectId", caller.object_id},
                           {"appId", caller.app_id},
                           {"statusCode", response.status},
                           {"statusText", result.ok() ? "Success" : result.error().code},
                           {"correlationId", correlation},
                           {"requestId", request.request_id}};
  if (!caller.authorized_by.empty()) record["authorizedBy"] = caller.authorized_by;
  cloud_->audit.Record(std::move(record));
  return response;
}

StatusOr<HttpResponse> BlobRoutes::Dispatch(const HttpRequest& request, const BlobAccount& account,
                                            const BlobCaller& caller) const {
  auto& blobs = cloud_->blobs;
  const std::string& m = request.method;
  std::string path = request.path.empty() ? "" : request.path.substr(1);
  auto slash = path.find('/');
  std::string container = path.substr(0, slash);
  std::string blob = slash == std::string::npos ? "" : path.substr(slash + 1);
  std::string comp = request.Query("comp");
  bool restype_container = request.Query("restype") == "container";
  std::string what = m + " " + request.path + (comp.empty() ? "" : " comp=" + comp);

  if (container.empty()) return blob_errors::NotImplemented(what + " (account-level operations)");
  if (blob.empty()) {
    if (!restype_container) return blob_errors::NotImplemented(what + " (the $root container)");
    if (comp.empty() && m == "PUT") {
      bool public_access = !request.Header("x-ms-blob-public-access").empty();
      CK_ASSIGN_OR_RETURN(auto c, blobs.CreateContainer(account, caller, container, Metadata(request), public_access));
      HttpResponse r = Empty(201);
      r.headers = {{"ETag", c.etag}, {"Last-Modified", HttpDate(c.last_modified)}};
      return r;
    }
    if (comp.empty() && (m == "GET" || m == "HEAD")) {
      CK_ASSIGN_OR_RETURN(auto c, blobs.GetContainer(account, caller, container));
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
    if (comp.empty() && m == "DELETE") {
      CK_RETURN_IF_ERROR(blobs.DeleteContainer(account, caller, container));
      return Empty(202);
    }
    if (comp == "list" && m == "GET") {
      ListBlobsQuery q{request.Query("prefix"), request.Query("delimiter"), request.Query("marker"), 5000};
      std::string max = request.Query("maxresults");
      if (!max.empty()) {
        bool digits = max.size() <= 9 && max.find_first_not_of("0123456789") == std::string::npos;
        if (!digits || std::stoi(max) < 1) return blob_errors::InvalidQueryParameterValue("maxresults", max);
        q.max_results = std::min(std::stoi(max), 5000);
      }
      bool with_metadata = false;
      for (const auto& part : Split(request.Query("include"), ',')) with_metadata |= EqualsIgnoreCase(part, "metadata");
      CK_ASSIGN_OR_RETURN(auto listing, blobs.ListBlobs(account, caller, container, q));
      std::string x = "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"" +
                      Xml(wire::BaseUrl(request) + "/") + "\" ContainerName=\"" + Xml(container) + "\">";
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
    return blob_errors::NotImplemented(what);
  }
  if (!comp.empty() || request.query.count("restype")) return blob_errors::NotImplemented(what);
  if (m == "PUT") {
    std::string type = request.Header("x-ms-blob-type");
    if (type.empty()) return blob_errors::MissingRequiredHeader("x-ms-blob-type");
    if (type != "BlockBlob") return blob_errors::NotImplemented(what + " x-ms-blob-type=" + type);
    if (!request.Header("x-ms-copy-source").empty()) return blob_errors::NotImplemented(what + " (copy)");
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
    CK_ASSIGN_OR_RETURN(auto b, blobs.PutBlob(account, caller, container, blob, up));
    HttpResponse r = Empty(201);
    r.headers = {{"ETag", b.properties.etag},
                 {"Last-Modified", HttpDate(b.properties.last_modified)},
                 {"Content-MD5", crypto::Base64Encode(b.properties.content_md5)},
                 {"x-ms-request-server-encrypted", "true"}};
    return r;
  }
  if (m == "GET" || m == "HEAD") {
    // x-ms-range wins over Range ("Specify the range header for Blob service operations"); a
    // malformed x-ms-range is refused, a malformed Range ignored as HTTP allows.
    std::optional<ByteRange> range;
    std::string ms_range = request.Header("x-ms-range");
    if (!ms_range.empty()) {
      range = ParseRange(ms_range);
      if (!range) return blob_errors::InvalidHeaderValue("x-ms-range", ms_range);
    } else if (m == "GET" && !request.Header("range").empty()) {
      range = ParseRange(request.Header("range"));
    }
    // HEAD reads the content too: its Content-Length must be the blob's size, and the listener
    // never sends a HEAD body.
    CK_ASSIGN_OR_RETURN(auto b, blobs.GetBlob(account, caller, container, blob, Conditions(request), true));
    HttpResponse r;
    r.status = 200;
    AddBlobProperties(b.properties, &r);
    if (m == "HEAD") {
      r.headers.emplace_back("x-ms-access-tier", "Hot");
      r.headers.emplace_back("x-ms-access-tier-inferred", "true");
      if (!b.properties.content_md5.empty())
        r.headers.emplace_back("Content-MD5", crypto::Base64Encode(b.properties.content_md5));
      r.body = std::move(b.content);
      return r;
    }
    int64_t size = b.properties.size;
    if (!range) {
      if (!b.properties.content_md5.empty())
        r.headers.emplace_back("Content-MD5", crypto::Base64Encode(b.properties.content_md5));
      r.body = std::move(b.content);
      return r;
    }
    if (range->start >= size) return blob_errors::InvalidRange(size);
    int64_t end = std::min(range->end.value_or(size - 1), size - 1);
    r.status = 206;
    r.headers.emplace_back("Content-Range", "bytes " + std::to_string(range->start) + "-" + std::to_string(end) + "/" +
                                                std::to_string(size));
    if (!b.properties.content_md5.empty()) {
      r.headers.emplace_back("x-ms-blob-content-md5", crypto::Base64Encode(b.properties.content_md5));
    }
    r.body = b.content.substr(static_cast<size_t>(range->start), static_cast<size_t>(end - range->start + 1));
    return r;
  }
  if (m == "DELETE") {
    CK_RETURN_IF_ERROR(blobs.DeleteBlob(account, caller, container, blob, Conditions(request)));
    return Empty(202);
  }
  return blob_errors::NotImplemented(what);
}

}  // namespace crosskey::consumer::http
