#pragma once
// An httplib::SSLServer whose connections read TLS into a buffer and send each response as
// one write. cpp-httplib 0.11 reads the request line and headers one byte per SSL_read and
// sends the status line + headers and then the body as two SSL_writes (two TLS records, two
// sendmsg calls, each behind its own poll). Only the per-connection loop is replaced:
// request parsing, routing, handlers and response rendering stay httplib's own
// (Server::process_request, protected in 0.11).
#include <httplib.h>

namespace crosskey::server {

class BufferedTlsServer : public httplib::SSLServer {
 public:
  using httplib::SSLServer::SSLServer;

 private:
  bool process_and_close_socket(socket_t sock) override;
  // Waits up to the keep-alive timeout for the next request; false when the server stops.
  bool WaitForNextRequest(socket_t sock) const;
};

}  // namespace crosskey::server
