#pragma once
// An httplib::SSLServer whose connections read TLS into a buffer and send each response as
// one write. cpp-httplib 0.11 reads the request line and headers one byte per SSL_read and
// sends the status line + headers and then the body as two SSL_writes (two TLS records, two
// sendmsg calls, each behind its own poll). Only the per-connection loop is replaced.
//
// Fast path: a "plain" request (HTTP/1.1, complete header block in at most 16 KB, no
// Transfer-Encoding / Expect / Content-Encoding / Range, identity coding not refused,
// Content-Length where a body is expected and within the payload limit, no obs-fold, no
// percent-escapes in header values) is parsed here from the buffered bytes, served by the
// fast handler and rendered here exactly as httplib renders it. Anything else is left
// unconsumed and goes to httplib's own Server::process_request as before.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <httplib.h>

namespace crosskey::server {

// A request parsed by the fast path.
struct PlainRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case, in arrival order
  std::string body;
  int fd = -1;  // the connection's socket
};

class BufferedTlsServer : public httplib::SSLServer {
 public:
  using httplib::SSLServer::SSLServer;

  // Fills `res` as the routed handler (and the error handler) would for httplib; false when
  // the connection is to end with no response (an injected drop).
  using FastHandler = std::function<bool(PlainRequest& request, httplib::Response& res)>;
  void set_fast_handler(FastHandler handler) { fast_handler_ = std::move(handler); }

 private:
  bool process_and_close_socket(socket_t sock) override;
  // Waits up to the keep-alive timeout for the next request; false when the server stops.
  bool WaitForNextRequest(socket_t sock) const;

  FastHandler fast_handler_;
};

}  // namespace crosskey::server
