#pragma once
// Compact JWS (JWT) encoding, parsing and RS256 verification.
// Thread-safety: free functions, safe to call concurrently.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "emulator/crypto/key_material.h"

namespace crosskey::crypto {

struct ParsedJwt {
  nlohmann::json header;
  nlohmann::json payload;
  std::string signing_input;  // "b64(header).b64(payload)"
  std::string signature;      // raw bytes
};

// Splits and decodes a compact JWS. nullopt with *error set when it is not three base64url
// parts, or header/payload are not JSON objects.
std::optional<ParsedJwt> ParseJwt(std::string_view token, std::string* error);

// Builds header {"typ":"JWT","alg":"RS256","kid":kid[,"x5t":x5t]} + payload, signed with key.
std::string SignJwtRs256(const KeyMaterial& key, const std::string& kid, const nlohmann::json& payload,
                         const std::string& x5t = "");
// The same from a payload already written as JSON text (JsonObjectWriter), for the token
// endpoint's hot path.
std::string SignJwtRs256Text(const KeyMaterial& key, const std::string& kid, std::string_view payload_json,
                             const std::string& x5t);

// True only when header.alg is exactly "RS256" and the signature verifies with key.
// alg "none", HS256 and everything else are refused.
bool VerifyJwtRs256(const KeyMaterial& key, const ParsedJwt& jwt);

}  // namespace crosskey::crypto
