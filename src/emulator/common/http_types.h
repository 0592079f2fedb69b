#pragma once
// Library-neutral HTTP request/response used by every plane's wire adapter, so adapters are
// testable without sockets and only server/ sees cpp-httplib.
// Thread-safety: value types.
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crosskey {

struct HttpRequest {
  std::string method;                        // upper-case
  std::string host;                          // Host header without port, lower-case
  int host_port = 0;                         // port from the Host header, 0 when absent
  std::string path;                          // percent-decoded path
  std::map<std::string, std::string> query;  // names and values percent-decoded
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;
  std::string request_id;  // x-ms-request-id assigned by the server

  std::string Header(const std::string& lower_name) const { return std::string(HeaderView(lower_name)); }
  // The same without a copy; valid while the request lives.
  std::string_view HeaderView(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string_view() : std::string_view(it->second);
  }
  std::string Query(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
  // "host[:port]" exactly as the client addressed us (for URLs we hand back).
  std::string Authority() const { return host_port ? host + ":" + std::to_string(host_port) : host; }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace crosskey
