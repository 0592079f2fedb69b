// TokenValidator: only RS256 by the issuing tenant's key, issuer/tid consistency, lifetime
// with 5 minutes of skew, audience class; the signature cache never skips lifetime checks.
#include "emulator/token/token_validator.h"

#include <limits>

#include <gtest/gtest.h>

#include "emulator/crypto/encoding.h"
#include "emulator/crypto/jwt.h"

namespace crosskey::token {
namespace {

using json = nlohmann::json;

constexpr const char* kTenantA = "aaaaaaaa-0000-4000-8000-000000000001";
constexpr const char* kTenantB = "bbbbbbbb-0000-4000-8000-000000000002";
constexpr int64_t kSkew = TokenValidator::kClockSkewSeconds;

std::string B64(const json& j) { return crypto::Base64UrlEncode(j.dump()); }

class TokenValidatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.Freeze(true);  // exact skew boundaries
    key_a_ = keys_.EnsureTenantKey(kTenantA);
    key_b_ = keys_.EnsureTenantKey(kTenantB);
  }

  json Claims(const std::string& tenant = kTenantA) const {
    int64_t now = clock_.Now();
    return {{"aud", "https://vault.azure.net"}, {"iss", V1Issuer(tenant)}, {"tid", tenant},
            {"oid", "0b0b0b0b-0000-4000-8000-000000000003"}, {"sub", "0b0b0b0b-0000-4000-8000-000000000003"},
            {"appid", "0c0c0c0c-0000-4000-8000-000000000004"}, {"idtyp", "app"},
            {"iat", now}, {"nbf", now}, {"exp", now + 3600}};
  }
  std::string Sign(const json& claims, const SigningKey& key) const {
    return crypto::SignJwtRs256(*key.key, key.kid, claims);
  }
  ValidationResult Validate(const std::string& token, Api api = Api::kKeyVault) const {
    return validator_.Validate(token, api);
  }

  Clock clock_;
  SigningKeyRing keys_;
  TokenValidator validator_{&keys_, &clock_, "crosskey.test"};
  SigningKey key_a_, key_b_;
};

TEST_F(TokenValidatorTest, AcceptsAWellFormedToken) {
  auto v = Validate(Sign(Claims(), key_a_));
  ASSERT_TRUE(v.ok()) << v.detail;
  EXPECT_EQ(v.token.tenant_id, kTenantA);
  EXPECT_EQ(v.token.object_id, "0b0b0b0b-0000-4000-8000-000000000003");
  EXPECT_EQ(v.token.app_id, "0c0c0c0c-0000-4000-8000-000000000004");
  EXPECT_EQ(v.token.issuer, V1Issuer(kTenantA));
  // The v2 issuer is as good as the v1 one.
  json v2 = Claims();
  v2["iss"] = V2Issuer(kTenantA);
  EXPECT_TRUE(Validate(Sign(v2, key_a_)).ok());
}

TEST_F(TokenValidatorTest, RejectsMalformed) {
  EXPECT_EQ(Validate("").problem, TokenProblem::kMalformed);
  EXPECT_EQ(Validate("abc.def").problem, TokenProblem::kMalformed);
  EXPECT_EQ(Validate("a.b.c").problem, TokenProblem::kMalformed);
}

TEST_F(TokenValidatorTest, RejectsAlgNone) {
  json header = {{"typ", "JWT"}, {"alg", "none"}, {"kid", key_a_.kid}};
  std::string unsigned_token = B64(header) + "." + B64(Claims()) + ".";
  EXPECT_EQ(Validate(unsigned_token).problem, TokenProblem::kBadSignature);
}

TEST_F(TokenValidatorTest, RejectsHs256SignedWithThePublicKey) {
  // The classic key-confusion attack: HMAC keyed with the (public) RSA key bytes.
  json header = {{"typ", "JWT"}, {"alg", "HS256"}, {"kid", key_a_.kid}};
  std::string input = B64(header) + "." + B64(Claims());
  for (const std::string& secret : {key_a_.key->PublicPem(), key_a_.key->PublicJwk().dump()}) {
    std::string token = input + "." + crypto::Base64UrlEncode(crypto::HmacSha256(secret, input));
    EXPECT_EQ(Validate(token).problem, TokenProblem::kBadSignature);
  }
}

TEST_F(TokenValidatorTest, RejectsTamperedPayload) {
  std::string token = Sign(Claims(), key_a_);
  size_t first = token.find('.'), second = token.rfind('.');
  json forged = Claims();
  forged["oid"] = "ffffffff-0000-4000-8000-00000000000f";
  std::string tampered = token.substr(0, first + 1) + B64(forged) + token.substr(second);
  EXPECT_EQ(Validate(tampered).problem, TokenProblem::kBadSignature);
  // One flipped signature byte as well.
  std::string flipped = token;
  flipped[second + 5] = flipped[second + 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Validate(flipped).problem, TokenProblem::kBadSignature);
}

TEST_F(TokenValidatorTest, RejectsUnknownKid) {
  auto stranger = crypto::KeyMaterial::GenerateRsa(2048);
  EXPECT_EQ(Validate(crypto::SignJwtRs256(*stranger, "unknown-kid", Claims())).problem, TokenProblem::kBadSignature);
  // A stranger's key claiming a known kid fails the signature check.
  EXPECT_EQ(Validate(crypto::SignJwtRs256(*stranger, key_a_.kid, Claims())).problem, TokenProblem::kBadSignature);
}

TEST_F(TokenValidatorTest, RejectsIssuerNotMatchingTheKidsTenant) {
  // Signed by A's key but claiming to come from tenant B.
  EXPECT_EQ(Validate(Sign(Claims(kTenantB), key_a_)).problem, TokenProblem::kBadIssuer);
  // tid A but issuer B.
  json claims = Claims();
  claims["iss"] = V1Issuer(kTenantB);
  EXPECT_EQ(Validate(Sign(claims, key_a_)).problem, TokenProblem::kBadIssuer);
  claims["iss"] = "https://evil.example.com/" + std::string(kTenantA) + "/";
  EXPECT_EQ(Validate(Sign(claims, key_a_)).problem, TokenProblem::kBadIssuer);
  // B's own key makes the B claims valid.
  EXPECT_TRUE(Validate(Sign(Claims(kTenantB), key_b_)).ok());
}

TEST_F(TokenValidatorTest, ExpiryHasFiveMinutesOfSkew) {
  json claims = Claims();
  claims["exp"] = clock_.Now() - kSkew;  // exactly at the edge: still accepted
  EXPECT_TRUE(Validate(Sign(claims, key_a_)).ok());
  claims["exp"] = clock_.Now() - kSkew - 1;
  EXPECT_EQ(Validate(Sign(claims, key_a_)).problem, TokenProblem::kExpired);
  // The extremes of int64: no overflow in the skew arithmetic (UBSan), and the answers follow
  // the values (far future: valid; far past: expired).
  claims["exp"] = std::numeric_limits<int64_t>::max();
  EXPECT_TRUE(Validate(Sign(claims, key_a_)).ok());
  claims["exp"] = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(Validate(Sign(claims, key_a_)).problem, TokenProblem::kExpired);
}

TEST_F(TokenValidatorTest, NotBeforeHasFiveMinutesOfSkew) {
  json claims = Claims();
  claims["nbf"] = clock_.Now() + kSkew;
  EXPECT_TRUE(Validate(Sign(claims, key_a_)).ok());
  claims["nbf"] = clock_.Now() + kSkew + 1;
  EXPECT_EQ(Validate(Sign(claims, key_a_)).problem, TokenProblem::kNotYetValid);
}

TEST_F(TokenValidatorTest, RejectsWrongAudienceClass) {
  std::string vault_token = Sign(Claims(), key_a_);
  EXPECT_TRUE(Validate(vault_token, Api::kKeyVault).ok());
  EXPECT_EQ(Validate(vault_token, Api::kArm).problem, TokenProblem::kWrongAudience);
  EXPECT_EQ(Validate(vault_token, Api::kGraph).problem, TokenProblem::kWrongAudience);
  json claims = Claims();
  claims["aud"] = "https://management.azure.com/";
  EXPECT_TRUE(Validate(Sign(claims, key_a_), Api::kArm).ok());
  EXPECT_EQ(Validate(Sign(claims, key_a_), Api::kKeyVault).problem, TokenProblem::kWrongAudience);
  claims["aud"] = "https://vault.crosskey.test:8443";  // the emulator's own name for Key Vault
  EXPECT_TRUE(Validate(Sign(claims, key_a_), Api::kKeyVault).ok());
  claims["aud"] = "https://example.com";
  EXPECT_EQ(Validate(Sign(claims, key_a_), Api::kKeyVault).problem, TokenProblem::kWrongAudience);
}

TEST_F(TokenValidatorTest, CachedTokenStillExpires) {
  std::string token = Sign(Claims(), key_a_);
  ASSERT_TRUE(Validate(token).ok());
  ASSERT_TRUE(Validate(token).ok());  // served from the signature cache
  clock_.Advance(3600 + kSkew);
  EXPECT_TRUE(Validate(token).ok());
  clock_.Advance(1);
  auto v = Validate(token);
  EXPECT_EQ(v.problem, TokenProblem::kExpired);
  // And the cache does not bypass the audience check either.
  clock_.Advance(-3600);
  EXPECT_EQ(Validate(token, Api::kArm).problem, TokenProblem::kWrongAudience);
}

TEST_F(TokenValidatorTest, RotatedTenantKeyInvalidatesOldTokens) {
  std::string token = Sign(Claims(), key_a_);
  ASSERT_TRUE(Validate(token).ok());
  keys_.EnsureTenantKey(kTenantA, crypto::KeyMaterial::GenerateRsa(2048));
  // A fresh token (not cached) under the old kid no longer finds its key.
  json claims = Claims();
  claims["uti"] = "fresh";
  EXPECT_EQ(Validate(Sign(claims, key_a_)).problem, TokenProblem::kBadSignature);
}

}  // namespace
}  // namespace crosskey::token
