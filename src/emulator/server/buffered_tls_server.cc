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
#include <string_view>

#include <openssl/ssl.h>

#include "emulator/server/control_errors.h"

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
    return pos_ < end_ || SSL_has_pending(ssl_) > 0 || PollFd(fd_, POLLIN, read_ms_) > 0;
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
  bool HasBufferedInput() const { return pos_ < end_ || SSL_has_pending(ssl_) > 0; }
  // The caller just saw the socket readable: the next fill need not poll again.
  void MarkReadable() { readable_ = true; }

  // Appends the next TLS record's plaintext to the buffered input, keeping what is not yet
  // consumed; returns the bytes added, 0 at a clean end of stream, -1 on error or timeout.
  ssize_t ReadMore() {
    // A reply written before more input is read (100 Continue) must leave first.
    if (!out_.empty() && !Flush()) return -1;
    if (pos_ == end_) {
      pos_ = end_ = 0;
    } else if (pos_ > 0) {
      std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
      end_ -= pos_;
      pos_ = 0;
    }
    if (buf_.size() - end_ < kReadBuffer) buf_.resize(end_ + kReadBuffer);
    if (!readable_ && SSL_has_pending(ssl_) == 0 && PollFd(fd_, POLLIN, read_ms_) <= 0) return -1;
    readable_ = false;
    char* dst = buf_.data() + end_;
    int n = SslRetry(ssl_, fd_, read_ms_, [&] { return SSL_read(ssl_, dst, static_cast<int>(kReadBuffer)); });
    if (n <= 0) {
      // A clean close_notify or EOF ends the stream (0); anything else is an error (-1).
      int err = SSL_get_error(ssl_, n);
      return err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && n == 0) ? 0 : -1;
    }
    end_ += static_cast<size_t>(n);
    return n;
  }

  // The bytes read and not yet consumed; Consume(n) takes n of them.
  std::string_view Buffered() const { return std::string_view(buf_.data() + pos_, end_ - pos_); }
  void Consume(size_t n) { pos_ += std::min(n, end_ - pos_); }

 private:
  ssize_t Fill() {
    if (pos_ == end_) pos_ = end_ = 0;
    return ReadMore();
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


// ---- fast path for plain requests

constexpr size_t kMaxHeaderBlock = 16 * 1024;  // larger header blocks go to httplib
constexpr size_t kMaxLine = 8 * 1024;           // httplib's request-line and header-line limits

// The reason phrases httplib 0.11 sends (detail::status_message).
const char* StatusMessage(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocol";
    case 102: return "Processing";
    case 103: return "Early Hints";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 207: return "Multi-Status";
    case 208: return "Already Reported";
    case 226: return "IM Used";
    case 300: return "Multiple Choice";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 305: return "Use Proxy";
    case 306: return "unused";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 418: return "I'm a teapot";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Entity";
    case 423: return "Locked";
    case 424: return "Failed Dependency";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 506: return "Variant Also Negotiates";
    case 507: return "Insufficient Storage";
    case 508: return "Loop Detected";
    case 510: return "Not Extended";
    case 511: return "Network Authentication Required";
    default: return "Internal Server Error";
  }
}

bool IsTokenChar(unsigned char c) {
  return c > 32 && c < 127 && std::strchr("()<>@,;:\\\"/[]?={}", c) == nullptr;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool ContainsIgnoreCase(std::string_view s, std::string_view needle) {
  if (needle.size() > s.size()) return false;
  for (size_t i = 0; i + needle.size() <= s.size(); i++) {
    size_t j = 0;
    while (j < needle.size() && Lower(s[i + j]) == needle[j]) j++;
    if (j == needle.size()) return true;
  }
  return false;
}

// `METHOD target HTTP/1.1` with a method we route and a target httplib parses and routes the
// same way (at most one '?', no escaped CR/LF, which httplib's ".*" routes do not match).
bool ParseRequestLine(std::string_view line, std::string* method, std::string* target) {
  if (line.size() + 2 > kMaxLine) return false;
  auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return false;
  auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return false;
  std::string_view m = line.substr(0, sp1), t = line.substr(sp1 + 1, sp2 - sp1 - 1), v = line.substr(sp2 + 1);
  if (v != "HTTP/1.1") return false;
  if (m != "GET" && m != "POST" && m != "PUT" && m != "PATCH" && m != "DELETE" && m != "HEAD" && m != "OPTIONS") {
    return false;
  }
  size_t questions = 0;
  for (unsigned char c : t) {
    if (c <= 32 || c >= 127) return false;
    if (c == '?') questions++;
  }
  if (questions > 1) return false;
  if (ContainsIgnoreCase(t, "%0a") || ContainsIgnoreCase(t, "%0d") || ContainsIgnoreCase(t, "%u")) return false;
  method->assign(m);
  target->assign(t);
  return true;
}

enum class Parsed { kPlain, kFallback, kClosed };

// Reads until the buffered input holds a whole header block (*block), checking the request
// line as soon as it is complete; kFallback for anything httplib must see, kClosed when the
// input ends first.
Parsed PeekHeaderBlock(TlsStream& strm, PlainRequest* req, std::string_view* block) {
  for (;;) {
    std::string_view v = strm.Buffered();
    auto eol = v.find("\r\n");
    if (eol != std::string_view::npos) {
      if (!ParseRequestLine(v.substr(0, eol), &req->method, &req->target)) return Parsed::kFallback;
    } else if (v.find('\n') != std::string_view::npos || v.size() + 2 > kMaxLine) {
      return Parsed::kFallback;
    }
    auto end = v.find("\r\n\r\n");
    if (end != std::string_view::npos) {
      *block = v.substr(0, end + 4);
      return Parsed::kPlain;
    }
    if (v.size() >= kMaxHeaderBlock) return Parsed::kFallback;
    if (strm.ReadMore() <= 0) return Parsed::kClosed;
  }
}

// Every line ends in CRLF; no bare CR or LF, no control characters but HT.
bool CleanLineEndings(std::string_view block) {
  for (size_t i = 0; i < block.size(); i++) {
    unsigned char c = static_cast<unsigned char>(block[i]);
    if (c == '\r') {
      if (i + 1 >= block.size() || block[i + 1] != '\n') return false;
      i++;
    } else if ((c < 32 && c != '\t') || c == 127) {
      return false;
    }
  }
  return true;
}

// A Content-Length httplib would read the same way: digits only, within the body limit
// (beyond it httplib answers 413).
bool ParseContentLength(std::string_view value, size_t max_body, size_t* length) {
  if (value.empty() || value.size() > 10) return false;
  *length = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return false;
    *length = *length * 10 + static_cast<size_t>(c - '0');
  }
  return *length <= max_body;
}

// The headers a fast-path answer would treat as httplib does; false leaves the request to httplib.
bool FastPathHeader(const std::string& name, std::string_view value) {
  // httplib percent-decodes header values; leave those requests to it.
  if (value.find('%') != std::string_view::npos) return false;
  if (name == "transfer-encoding" || name == "expect" || name == "content-encoding" || name == "range") return false;
  // A client that accepts gzip or br also accepts the identity coding (RFC 9110 12.5.3), so
  // the fast path answers uncompressed: the answers here are small JSON and compressing them
  // costs more CPU than it saves on loopback. Only a client refusing identity goes to httplib.
  return !(name == "accept-encoding" && value.find("identity;q=0") != std::string_view::npos);
}

// Parses a plain request from the buffered input (reading more records while the header block
// is incomplete) without consuming anything; kFallback leaves the input for httplib, kClosed
// means the input ended (or timed out) before the header block did.
Parsed PeekPlain(TlsStream& strm, size_t max_body, PlainRequest* req, size_t* header_bytes, size_t* body_bytes,
                 bool* close) {
  std::string_view block;
  Parsed peeked = PeekHeaderBlock(strm, req, &block);
  if (peeked != Parsed::kPlain) return peeked;
  if (!CleanLineEndings(block)) return Parsed::kFallback;
  bool body_method = req->method == "POST" || req->method == "PUT" || req->method == "PATCH" || req->method == "DELETE";
  bool has_length = false;
  bool seen_connection = false;
  size_t length = 0;
  *close = false;
  req->headers.clear();
  size_t pos = block.find("\r\n") + 2;
  while (pos < block.size() - 2) {
    size_t eol = block.find("\r\n", pos);
    std::string_view line = block.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.size() + 2 > kMaxLine) return Parsed::kFallback;
    if (line.empty() || line[0] == ' ' || line[0] == '\t') return Parsed::kFallback;  // obs-fold
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return Parsed::kFallback;
    std::string name(line.substr(0, colon));
    for (char& c : name) {
      if (!IsTokenChar(static_cast<unsigned char>(c))) return Parsed::kFallback;
      c = Lower(c);
    }
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (!FastPathHeader(name, value)) return Parsed::kFallback;
    if (name == "content-length") {
      if (has_length || !ParseContentLength(value, max_body, &length)) return Parsed::kFallback;
      has_length = true;
    }
    if (name == "connection" && !seen_connection) {
      seen_connection = true;
      *close = value == "close";
    }
    if (value.empty()) continue;  // httplib drops empty headers
    req->headers.emplace_back(std::move(name), std::string(value));
  }
  // httplib reads a body only for these methods, and to the end of the stream without a length.
  if (body_method ? !has_length : (has_length && length > 0)) return Parsed::kFallback;
  *header_bytes = block.size();
  *body_bytes = length;
  return Parsed::kPlain;
}

// The response as httplib's write_response_core renders a routed handler's answer.
void Render(const PlainRequest& req, httplib::Response& res, bool close, time_t keep_alive_sec, size_t keep_alive_max,
            std::string* out) {
  if (res.status == -1) res.status = 200;
  if (!res.body.empty()) res.set_header("Content-Length", std::to_string(res.body.size()));
  if (close) {
    res.set_header("Connection", "close");
  } else {
    res.set_header("Keep-Alive", "timeout=" + std::to_string(keep_alive_sec) + ", max=" + std::to_string(keep_alive_max));
  }
  if (!res.has_header("Content-Type") && !res.body.empty()) res.set_header("Content-Type", "text/plain");
  if (!res.has_header("Content-Length") && res.body.empty()) res.set_header("Content-Length", "0");
  bool head = req.method == "HEAD";
  if (!res.has_header("Accept-Ranges") && head) res.set_header("Accept-Ranges", "bytes");
  out->clear();
  out->reserve(256 + (head ? 0 : res.body.size()));
  out->append("HTTP/1.1 ").append(std::to_string(res.status)).append(" ").append(StatusMessage(res.status)).append("\r\n");
  for (const auto& [k, v] : res.headers) out->append(k).append(": ").append(v).append("\r\n");
  out->append("\r\n");
  if (!head) out->append(res.body);
}

// The server side of the TLS handshake on `sock`, within read_ms per wait.
bool AcceptTls(SSL* ssl, int sock, int read_ms) {
  if (SSL_set_fd(ssl, sock) != 1) return false;
  // One read() per request instead of two (a record's 5-byte header, then its body): OpenSSL
  // reads what the socket has. Buffered bytes then show in SSL_has_pending, not SSL_pending,
  // which is why every "is more input here?" test above asks SSL_has_pending.
  SSL_set_read_ahead(ssl, 1);
  SetBlocking(sock, false);
  bool accepted = SslRetry(ssl, sock, read_ms, [&] { return SSL_accept(ssl); }) == 1;
  SetBlocking(sock, true);
  return accepted;
}

// One connection's fast path: its handler and limits, and the buffers its requests reuse.
class FastConnection {
 public:
  FastConnection(const BufferedTlsServer::FastHandler& handler, TlsStream& strm, int sock, size_t max_body,
                 time_t keep_alive_sec, size_t keep_alive_max)
      : handler_(handler), strm_(strm), sock_(sock), max_body_(max_body), keep_alive_sec_(keep_alive_sec),
        keep_alive_max_(keep_alive_max) {}

  // The next request: kPlain when answered (written to the stream), kFallback when left
  // unconsumed for httplib, kClosed when the connection must end with no answer (the input
  // ended, the body never arrived in full, or an injected drop). `last`: the keep-alive
  // budget's final request, answered with Connection: close.
  Parsed Serve(bool last, bool* connection_closed) {
    size_t header_bytes = 0, body_bytes = 0;
    Parsed parsed = PeekPlain(strm_, max_body_, &plain_, &header_bytes, &body_bytes, connection_closed);
    if (parsed != Parsed::kPlain) return parsed;
    strm_.Consume(header_bytes);
    if (!ReadBody(body_bytes)) return Parsed::kClosed;
    AddConnectionHeaders();
    httplib::Response res;
    if (!Answer(res)) return Parsed::kClosed;
    if (last) *connection_closed = true;
    Render(plain_, res, *connection_closed, keep_alive_sec_, keep_alive_max_, &rendered_);
    strm_.write(rendered_.data(), rendered_.size());
    return Parsed::kPlain;
  }

 private:
  // What is already buffered, then reads until `body_bytes` are in; false when the input ends first.
  bool ReadBody(size_t body_bytes) {
    std::string_view have = strm_.Buffered();
    size_t from_buffer = std::min(have.size(), body_bytes);
    plain_.body.assign(have.data(), from_buffer);
    strm_.Consume(from_buffer);
    while (plain_.body.size() < body_bytes) {
      char chunk[kReadBuffer];
      ssize_t n = strm_.read(chunk, std::min(sizeof(chunk), body_bytes - plain_.body.size()));
      if (n <= 0) return false;
      plain_.body.append(chunk, static_cast<size_t>(n));
    }
    return true;
  }

  // The pseudo-headers httplib adds to a request, so the handler sees what the httplib path
  // sees, and the socket an injected drop shuts down.
  void AddConnectionHeaders() {
    std::string ip;
    int port = 0;
    strm_.get_remote_ip_and_port(ip, port);
    plain_.headers.emplace_back("remote_addr", ip);
    plain_.headers.emplace_back("remote_port", std::to_string(port));
    strm_.get_local_ip_and_port(ip, port);
    plain_.headers.emplace_back("local_addr", ip);
    plain_.headers.emplace_back("local_port", std::to_string(port));
    plain_.fd = sock_;
  }

  // The handler's answer; a throw becomes the clean 500 the httplib path's exception handler
  // gives, so a bug never takes the process down. False: an injected drop.
  bool Answer(httplib::Response& res) {
    try {
      return handler_(plain_, res);
    } catch (...) {
      res = httplib::Response();
      HttpResponse crash = RenderControlError(control_errors::UnhandledException());
      res.status = crash.status;
      res.set_content(crash.body, crash.content_type);
      return true;
    }
  }

  const BufferedTlsServer::FastHandler& handler_;
  TlsStream& strm_;
  int sock_;
  size_t max_body_;
  time_t keep_alive_sec_;
  size_t keep_alive_max_;
  PlainRequest plain_;
  std::string rendered_;
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
  if (ssl && AcceptTls(ssl, sock, read_ms)) {
    TlsStream strm(sock, ssl, read_ms, write_ms);
    FastConnection fast(fast_handler_, strm, sock, payload_max_length_, keep_alive_timeout_sec_, keep_alive_max_count_);
    size_t count = keep_alive_max_count_;
    while (count > 0 && (strm.HasBufferedInput() || WaitForNextRequest(sock))) {
      strm.MarkReadable();
      bool connection_closed = false;
      Parsed parsed = fast_handler_ ? fast.Serve(count == 1, &connection_closed) : Parsed::kFallback;
      if (parsed == Parsed::kClosed) {
        ret = false;
        break;
      }
      if (parsed == Parsed::kPlain) {
        ret = true;
      } else {
        connection_closed = false;
        ret = process_request(strm, count == 1, connection_closed, [ssl](httplib::Request& req) { req.ssl = ssl; });
      }
      if (!strm.Flush()) ret = false;
      if (!ret || connection_closed) break;
      count--;
    }
    if (ret) SSL_shutdown(ssl);
  }
  if (ssl) SSL_free(ssl);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

}  // namespace crosskey::server
