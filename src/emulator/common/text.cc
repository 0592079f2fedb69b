#include "emulator/common/text.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>

#include <openssl/rand.h>
#include <openssl/sha.h>


namespace crosskey {
namespace {
// ASCII case folding, inline: what std::tolower does in the "C" locale (the process never
// changes it), without a library call per character on the per-request paths.
inline char FoldAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }
}  // namespace

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = FoldAscii(c);
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (FoldAscii(a[i]) != FoldAscii(b[i])) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::string TrimSlashes(std::string_view s) {
  while (!s.empty() && s.front() == '/') s.remove_prefix(1);
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return std::string(s);
}

namespace {
// OpenSSL directly, not crypto/: the crypto module builds on common, never the other way.
std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0x0f];
  }
  return out;
}

std::string Random(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) std::abort();
  return out;
}

std::string FormatGuid(std::string bytes) {
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
  std::string hex = Hex(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}
}  // namespace

std::string NewGuid() { return FormatGuid(Random(16)); }

std::string NewRequestId() {
  thread_local std::mt19937_64 gen = [] {
    std::string seed = Random(16);
    std::seed_seq seq(seed.begin(), seed.end());
    return std::mt19937_64(seq);
  }();
  std::string bytes(16, '\0');
  uint64_t a = gen(), b = gen();
  std::memcpy(bytes.data(), &a, 8);
  std::memcpy(bytes.data() + 8, &b, 8);
  return FormatGuid(std::move(bytes));
}

std::string GuidFromName(std::string_view seed, std::string_view name) {
  std::string input(seed);
  input += '\0';
  input += name;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return FormatGuid(std::string(reinterpret_cast<const char*>(digest), 16));
}

bool IsGuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

std::string RandomHex(size_t bytes) { return Hex(Random(bytes)); }

std::string UrlDecode(std::string_view s, bool plus_as_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  size_t run = 0;  // start of the pending run of bytes copied as they are
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.append(s.data() + run, i - run);
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
      run = i + 1;
    } else if (c == '+' && plus_as_space) {
      out.append(s.data() + run, i - run);
      out += ' ';
      run = i + 1;
    }
  }
  out.append(s.data() + run, s.size() - run);
  return out;
}

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> out;
  for (const auto& part : Split(query, '&')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string name = UrlDecode(part.substr(0, eq), true);
    std::string value = eq == std::string::npos ? "" : UrlDecode(part.substr(eq + 1), true);
    out.emplace(std::move(name), std::move(value));
  }
  return out;
}

namespace {
std::string FormatUtc(long long epoch_seconds, const char* format) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}
}  // namespace

std::string IsoTime(long long epoch_seconds) {
  // Every audit record carries one, and records come many to the second: format once a second.
  thread_local long long cached_epoch = -1;
  thread_local std::string cached;
  if (epoch_seconds != cached_epoch) {
    cached = FormatUtc(epoch_seconds, "%Y-%m-%dT%H:%M:%SZ");
    cached_epoch = epoch_seconds;
  }
  return cached;
}
const char* HttpStatusName(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "NoContent";
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 409: return "Conflict";
    case 429: return "TooManyRequests";
    case 500: return "InternalServerError";
    case 501: return "NotImplemented";
    case 502: return "BadGateway";
    case 503: return "ServiceUnavailable";
    case 504: return "GatewayTimeout";
    default: return "";
  }
}

std::string HttpDate(long long epoch_seconds) { return FormatUtc(epoch_seconds, "%a, %d %b %Y %H:%M:%S GMT"); }

}  // namespace crosskey
