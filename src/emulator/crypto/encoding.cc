#include "emulator/crypto/encoding.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>

namespace crosskey::crypto {
namespace {

constexpr char kStdAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Encode(std::string_view bytes, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                 static_cast<uint8_t>(bytes[i + 2]);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

int SextetValue(char c, bool url) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (url) {
    if (c == '-') return 62;
    if (c == '_') return 63;
  } else {
    if (c == '+') return 62;
    if (c == '/') return 63;
  }
  return -1;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

std::optional<std::string> Decode(std::string_view text, bool url) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 3);
  uint32_t acc = 0;
  size_t sextets = 0;
  size_t pads = 0;
  for (char c : text) {
    // Standard base64 is often line-wrapped (PEM bodies, certificates pasted into JSON).
    if (!url && IsSpace(c)) continue;
    if (c == '=') {
      ++pads;
      continue;
    }
    if (pads > 0) return std::nullopt;  // data after padding
    int v = SextetValue(c, url);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    ++sextets;
    if (sextets % 4 == 0) {
      out += static_cast<char>((acc >> 16) & 0xff);
      out += static_cast<char>((acc >> 8) & 0xff);
      out += static_cast<char>(acc & 0xff);
      acc = 0;
    }
  }
  size_t rest = sextets % 4;
  if (rest == 1) return std::nullopt;
  if (pads > 0 && (pads > 2 || (sextets + pads) % 4 != 0)) return std::nullopt;
  if (rest == 2) {
    out += static_cast<char>((acc >> 4) & 0xff);
  } else if (rest == 3) {
    out += static_cast<char>((acc >> 10) & 0xff);
    out += static_cast<char>((acc >> 2) & 0xff);
  }
  return out;
}

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), buf, &len, md, nullptr) != 1) std::abort();
  return std::string(reinterpret_cast<char*>(buf), len);
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) { return Encode(bytes, kUrlAlphabet, false); }
std::optional<std::string> Base64UrlDecode(std::string_view text) { return Decode(text, true); }
std::string Base64Encode(std::string_view bytes) { return Encode(bytes, kStdAlphabet, true); }
std::optional<std::string> Base64Decode(std::string_view text) { return Decode(text, false); }

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    out += kHex[(static_cast<uint8_t>(c) >> 4) & 0xf];
    out += kHex[static_cast<uint8_t>(c) & 0xf];
  }
  return out;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  // A failing CSPRNG leaves no safe way to continue (keys, IVs and secrets depend on it).
  for (size_t off = 0; off < n;) {
    int chunk = static_cast<int>(std::min<size_t>(n - off, std::numeric_limits<int>::max()));
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data() + off), chunk) != 1) std::abort();
    off += static_cast<size_t>(chunk);
  }
  return out;
}

std::string Sha256(std::string_view data) { return Digest(EVP_sha256(), data); }
std::string Sha1(std::string_view data) { return Digest(EVP_sha1(), data); }
std::string Md5(std::string_view data) { return Digest(EVP_md5(), data); }

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (key.size() > static_cast<size_t>(std::numeric_limits<int>::max())) std::abort();
  // A null key pointer would mean "reuse the previous key" to HMAC; an empty key is valid.
  static const unsigned char kEmptyKey = 0;
  const void* key_data = key.empty() ? &kEmptyKey : static_cast<const void*>(key.data());
  if (HMAC(EVP_sha256(), key_data, static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), buf, &len) == nullptr) {
    std::abort();
  }
  return std::string(reinterpret_cast<char*>(buf), len);
}

}  // namespace crosskey::crypto
