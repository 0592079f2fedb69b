#pragma once
// Byte encodings and randomness used across planes (JWT, JWK, Key Vault bodies).
// Thread-safety: free functions, safe to call concurrently.
#include <optional>
#include <string>
#include <string_view>

namespace crosskey::crypto {

// base64url without padding (RFC 7515 §2).
std::string Base64UrlEncode(std::string_view bytes);
// Accepts base64url with or without padding; nullopt on any character outside the alphabet
// or an impossible length.
std::optional<std::string> Base64UrlDecode(std::string_view text);
// Standard base64 with padding.
std::string Base64Encode(std::string_view bytes);
// Accepts standard base64 (padding optional, whitespace ignored); nullopt when malformed.
std::optional<std::string> Base64Decode(std::string_view text);

std::string HexEncode(std::string_view bytes);  // lower-case
std::string RandomBytes(size_t n);              // CSPRNG (RAND_bytes)
std::string Sha256(std::string_view data);      // raw 32-byte digest
std::string Sha1(std::string_view data);        // raw 20-byte digest
std::string Md5(std::string_view data);         // raw 16-byte digest (Storage Content-MD5 only)
std::string HmacSha256(std::string_view key, std::string_view data);

}  // namespace crosskey::crypto
