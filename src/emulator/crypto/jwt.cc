#include "emulator/crypto/jwt.h"

#include <vector>

#include "emulator/common/bounded_json.h"
#include "emulator/common/json_writer.h"
#include "emulator/crypto/encoding.h"

namespace crosskey::crypto {
namespace {

using json = nlohmann::json;

void SetError(std::string* error, std::string_view message) {
  if (error != nullptr) *error = std::string(message);
}

std::optional<json> DecodeJsonObject(std::string_view part) {
  std::optional<std::string> text = Base64UrlDecode(part);
  if (!text) return std::nullopt;
  std::string ignored;
  auto value = ParseBoundedJson(*text, &ignored);  // a token segment is caller-controlled
  if (!value || !value->is_object()) return std::nullopt;
  return value;
}

// Claims can carry caller-controlled strings; replacing invalid UTF-8 keeps dump() from
// throwing inside a token endpoint.
std::string Dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::optional<ParsedJwt> ParseJwt(std::string_view token, std::string* error) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = token.find('.', start);
    parts.push_back(token.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos || parts.size() > 3) break;
    start = dot + 1;
  }
  if (parts.size() != 3) {
    SetError(error, "token must have three dot-separated parts");
    return std::nullopt;
  }
  ParsedJwt jwt;
  std::optional<json> header = DecodeJsonObject(parts[0]);
  if (!header) {
    SetError(error, "token header is not a base64url JSON object");
    return std::nullopt;
  }
  std::optional<json> payload = DecodeJsonObject(parts[1]);
  if (!payload) {
    SetError(error, "token payload is not a base64url JSON object");
    return std::nullopt;
  }
  std::optional<std::string> signature = Base64UrlDecode(parts[2]);
  if (!signature) {
    SetError(error, "token signature is not base64url");
    return std::nullopt;
  }
  jwt.header = std::move(*header);
  jwt.payload = std::move(*payload);
  jwt.signing_input = std::string(token.substr(0, parts[0].size() + 1 + parts[1].size()));
  jwt.signature = std::move(*signature);
  return jwt;
}

std::string SignJwtRs256(const KeyMaterial& key, const std::string& kid, const nlohmann::json& payload,
                         const std::string& x5t) {
  return SignJwtRs256Text(key, kid, Dump(payload), x5t);
}

std::string SignJwtRs256Text(const KeyMaterial& key, const std::string& kid, std::string_view payload_json,
                             const std::string& x5t) {
  JsonObjectWriter header;
  header.Str("typ", "JWT").Str("alg", "RS256").Str("kid", kid);
  if (!x5t.empty()) header.Str("x5t", x5t);
  std::string signing_input = Base64UrlEncode(std::move(header).Finish()) + "." + Base64UrlEncode(payload_json);
  std::string error;
  std::optional<std::string> signature = key.SignMessage("RS256", signing_input, &error);
  if (!signature) return std::string();
  return signing_input + "." + Base64UrlEncode(*signature);
}

bool VerifyJwtRs256(const KeyMaterial& key, const ParsedJwt& jwt) {
  auto alg = jwt.header.find("alg");
  if (alg == jwt.header.end() || !alg->is_string() || alg->get_ref<const std::string&>() != "RS256") return false;
  if (key.type() != KeyType::kRsa) return false;
  return key.VerifyMessage("RS256", jwt.signing_input, jwt.signature);
}

}  // namespace crosskey::crypto
