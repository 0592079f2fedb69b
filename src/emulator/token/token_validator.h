#pragma once
// Validates bearer tokens the emulator issued: RS256 signature by kid against the issuing
// tenant's key (never alg none or HS256), issuer/tid consistency, lifetime with clock skew,
// audience class. Signature checks are cached by the token's whole text (a hit is the very
// token once verified, byte for byte); lifetime and audience are re-checked on every call.
// Thread-safety: all methods safe to call concurrently.
#include <memory>
#include <string>

#include "emulator/common/clock.h"
#include "emulator/common/status.h"
#include "emulator/token/access_token.h"
#include "emulator/token/audience.h"
#include "emulator/token/signing_keys.h"
#include "emulator/token/verified_text_cache.h"

namespace crosskey::token {

enum class TokenProblem { kNone, kMalformed, kBadSignature, kBadIssuer, kExpired, kNotYetValid, kWrongAudience };

struct ValidationResult {
  TokenProblem problem = TokenProblem::kNone;
  std::string detail;
  AccessToken token;  // filled when problem is kNone (and for kWrongAudience/kBadIssuer where known)
  bool ok() const { return problem == TokenProblem::kNone; }
};

class TokenValidator {
 public:
  static constexpr int64_t kClockSkewSeconds = 300;  // Entra/Key Vault tolerate 5 minutes

  TokenValidator(const SigningKeyRing* keys, const Clock* clock, std::string domain)
      : keys_(keys), clock_(clock), domain_(std::move(domain)) {}

  // Full validation for `api`. Issuer must be the v1 or v2 issuer of the tenant owning the kid.
  ValidationResult Validate(const std::string& compact, Api api) const;

 private:
  const SigningKeyRing* keys_;
  const Clock* clock_;
  std::string domain_;
  // Entries hold the token text (~1.3 KB) and its claims: at most ~30 MB.
  mutable VerifiedTextCache<AccessToken, 16384> verified_;  // key: the compact token
};

}  // namespace crosskey::token
