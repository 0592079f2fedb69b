// The Storage wire helpers and the XML error mapper of the Blob plane (blob_call.h).
#include <ctime>

#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"
#include "emulator/consumer/http/blob_call.h"
#include "emulator/crypto/encoding.h"

namespace crosskey::consumer::http {


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


std::string BlobCall::What() const {
  std::string comp = request.Query("comp");
  return request.method + " " + request.path + (comp.empty() ? "" : " comp=" + comp);
}

}  // namespace crosskey::consumer::http
