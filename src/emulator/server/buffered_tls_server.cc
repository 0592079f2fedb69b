#include "emulator/server/buffered_tls_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstring>
#include <string>

#include <openssl/ssl.h>

namespace crosskey::server {
namespace {

constexpr size_t kReadBuffer = 16 * 1024;  // one TLS record's worth of plaintext
constexpr size_t kFlushAt = 16 * 1024;     // larger bodies leave in chunks of this size
constexpr int kKeepAliveSliceMs = 50;      // how often an idle connection checks for stop()

int ToMs(time_t sec, time_t usec) {
  long long ms = static_cast<long long>(sec) * 1000 + usec / 1000;
  return static_cast<int>(std::clamp<long long>(ms, 1, INT_MAX));
}

int PollFd(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  int r;
  do {
    r = ::poll(&p, 1, timeout_ms);
  } while (r < 0 && errno == EINTR);
  return r;
}

void SetBlocking(int fd, bool blocking) {
  int flags = ::fcntl(fd, F_GETFL, 0);
  ::fcntl(fd, F_SETFL, blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK));
}

void SetTimeout(int fd, int option, time_t sec, time_t usec) {
  timeval tv{};
  tv.tv_sec = sec;
  tv.tv_usec = static_cast<suseconds_t>(usec);
  ::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof(tv));
}

// Numeric address of one end of the socket, as httplib reports it.
void Address(int fd, bool peer, std::string* ip, int* port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  int r = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
               : ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (r != 0) return;
  char host[NI_MAXHOST];
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof(host), nullptr, 0, NI_NUMERICHOST) == 0) {
    *ip = host;
  }
  if (addr.ss_family == AF_INET) *port = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) *port = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
}

// Retries an SSL call that wants the socket readable or writable, within `timeout_ms` per wait.
template <typename Fn>
int SslRetry(SSL* ssl, int fd, int timeout_ms, Fn fn) {
  for (;;) {
    int r = fn();
    if (r > 0) return r;
    int err = SSL_get_error(ssl, r);
    short events = err == SSL_ERROR_WANT_READ ? POLLIN : err == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
    if (events == 0 || PollFd(fd, events, timeout_ms) <= 0) return r;
  }
}

// A connection's TLS stream: reads whole records into a buffer (httplib asks for one byte at
// a time while it reads headers) and collects writes until the response is complete.
class TlsStream final : public httplib::Stream {
 public:
  TlsStream(int fd, SSL* ssl, int read_ms, int write_ms) : fd_(fd), ssl_(ssl), read_ms_(read_ms), write_ms_(write_ms) {
    buf_.resize(kReadBuffer);
  }

  bool is_readable() const override {
    return pos_ < end_ || SSL_pending(ssl_) > 0 || PollFd(fd_, POLLIN, read_ms_) > 0;
  }
  bool is_writable() const override { return PollFd(fd_, POLLOUT, write_ms_) > 0; }

  ssize_t read(char* ptr, size_t size) override {
    if (pos_ == end_) {
      ssize_t n = Fill();
      if (n <= 0) return n;
    }
    size_t n = std::min(size, end_ - pos_);
    std::memcpy(ptr, buf_.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (failed_) return -1;
    out_.append(ptr, size);
    if (out_.size() >= kFlushAt && !Flush()) return -1;
    return static_cast<ssize_t>(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    if (remote_port_ < 0) Address(fd_, true, &remote_ip_, &remote_port_);
    ip = remote_ip_;
    port = remote_port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    if (local_port_ < 0) Address(fd_, false, &local_ip_, &local_port_);
    ip = local_ip_;
    port = local_port_;
  }
  socket_t socket() const override { return fd_; }

  // Sends what the response wrote; false when the connection failed.
  bool Flush() {
    if (failed_) return false;
    size_t off = 0;
    while (off < out_.size()) {
      int chunk = static_cast<int>(std::min<size_t>(out_.size() - off, INT_MAX));
      const char* data = out_.data() + off;
      int n = SslRetry(ssl_, fd_, write_ms_, [&] { return SSL_write(ssl_, data, chunk); });
      if (n <= 0) {
        failed_ = true;
        break;
      }
      off += static_cast<size_t>(n);
    }
    out_.clear();
    return !failed_;
  }

  // Bytes of a further request already read (a pipelining client): no need to wait for the socket.
  bool HasBufferedInput() const { return pos_ < end_ || SSL_pending(ssl_) > 0; }
  // The caller just saw the socket readable: the next fill need not poll again.
  void MarkReadable() { readable_ = true; }

 private:
  ssize_t Fill() {
    // A reply written before more input is read (100 Continue) must leave first.
    if (!out_.empty() && !Flush()) return -1;
    if (!readable_ && SSL_pending(ssl_) == 0 && PollFd(fd_, POLLIN, read_ms_) <= 0) return -1;
    readable_ = false;
    int n = SslRetry(ssl_, fd_, read_ms_, [&] { return SSL_read(ssl_, buf_.data(), static_cast<int>(buf_.size())); });
    if (n <= 0) {
      // A clean close_notify or EOF ends the stream (0); anything else is an error (-1).
      int err = SSL_get_error(ssl_, n);
      return err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && n == 0) ? 0 : -1;
    }
    pos_ = 0;
    end_ = static_cast<size_t>(n);
    return n;
  }

  int fd_;
  SSL* ssl_;
  int read_ms_, write_ms_;
  std::string buf_;
  size_t pos_ = 0, end_ = 0;
  std::string out_;
  bool failed_ = false;
  bool readable_ = false;
  mutable std::string remote_ip_, local_ip_;
  mutable int remote_port_ = -1, local_port_ = -1;
};

}  // namespace

bool BufferedTlsServer::WaitForNextRequest(socket_t sock) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(keep_alive_timeout_sec_);
  while (svr_sock_ != INVALID_SOCKET) {
    int r = PollFd(sock, POLLIN, kKeepAliveSliceMs);
    if (r != 0) return r > 0;
    if (std::chrono::steady_clock::now() >= deadline) return false;
  }
  return false;
}

bool BufferedTlsServer::process_and_close_socket(socket_t sock) {
  int read_ms = ToMs(read_timeout_sec_, read_timeout_usec_);
  int write_ms = ToMs(write_timeout_sec_, write_timeout_usec_);
  // Guards for the blocking reads and writes after the handshake.
  SetTimeout(sock, SO_RCVTIMEO, read_timeout_sec_, read_timeout_usec_);
  SetTimeout(sock, SO_SNDTIMEO, write_timeout_sec_, write_timeout_usec_);
  bool ret = false;
  SSL* ssl = SSL_new(ssl_context());
  if (ssl && SSL_set_fd(ssl, sock) == 1) {
    SetBlocking(sock, false);
    bool accepted = SslRetry(ssl, sock, read_ms, [&] { return SSL_accept(ssl); }) == 1;
    SetBlocking(sock, true);
    if (accepted) {
      TlsStream strm(sock, ssl, read_ms, write_ms);
      size_t count = keep_alive_max_count_;
      while (count > 0 && (strm.HasBufferedInput() || WaitForNextRequest(sock))) {
        strm.MarkReadable();
        bool connection_closed = false;
        ret = process_request(strm, count == 1, connection_closed, [ssl](httplib::Request& req) { req.ssl = ssl; });
        if (!strm.Flush()) ret = false;
        if (!ret || connection_closed) break;
        count--;
      }
      if (ret) SSL_shutdown(ssl);
    }
  }
  if (ssl) SSL_free(ssl);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

}  // namespace crosskey::server
