#include "emulator/token/token_validator.h"

#include "emulator/crypto/encoding.h"
#include "emulator/crypto/jwt.h"

namespace crosskey::token {
namespace {
std::string Str(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
int64_t Int(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}
}  // namespace

ValidationResult TokenValidator::Validate(const std::string& compact, Api api) const {
  ValidationResult result;
  if (auto seen = verified_.Find(compact)) {
    result.token = std::move(*seen);
  } else {
    std::string error;
    auto jwt = crypto::ParseJwt(compact, &error);
    if (!jwt) return {TokenProblem::kMalformed, "The token is malformed: " + error, {}};
    auto key = keys_->ByKid(Str(jwt->header, "kid"));
    if (!key || !crypto::VerifyJwtRs256(*key->key, *jwt)) {
      return {TokenProblem::kBadSignature, "The token signature is invalid.", {}};
    }
    const auto& p = jwt->payload;
    AccessToken& t = result.token;
    t.raw_hash = crypto::Sha256(compact);
    t.tenant_id = Str(p, "tid");
    t.object_id = Str(p, "oid");
    t.subject = Str(p, "sub");
    t.app_id = Str(p, "appid").empty() ? Str(p, "azp") : Str(p, "appid");
    t.audience = Str(p, "aud");
    t.issuer = Str(p, "iss");
    t.upn = Str(p, "upn");
    t.id_type = Str(p, "idtyp");
    t.uti = Str(p, "uti");
    t.issued_at = Int(p, "iat");
    t.not_before = Int(p, "nbf");
    t.expires_at = Int(p, "exp");
    if (t.tenant_id != key->tenant_id || (t.issuer != V1Issuer(t.tenant_id) && t.issuer != V2Issuer(t.tenant_id))) {
      return {TokenProblem::kBadIssuer, "Invalid issuer '" + t.issuer + "'.", t};
    }
    // Every plane keys authorization on oid; an empty one would read as "the emulator itself".
    if (t.object_id.empty()) return {TokenProblem::kMalformed, "The token has no oid claim.", {}};
    verified_.Put(compact, t);
  }
  const AccessToken& t = result.token;
  int64_t now = clock_->Now();
  // `now - skew` cannot overflow as `exp + skew` could for an exp near 2^63.
  if (now - kClockSkewSeconds > t.expires_at) {
    return {TokenProblem::kExpired, "The token is expired.", t};
  }
  if (now + kClockSkewSeconds < t.not_before) {
    return {TokenProblem::kNotYetValid, "The token is not yet valid.", t};
  }
  if (ClassifyAudience(t.audience, domain_) != api) {
    return {TokenProblem::kWrongAudience, "Invalid audience '" + t.audience + "'.", t};
  }
  return result;
}

}  // namespace crosskey::token
