// JWT sign, parse and verify, and the unsafe tokens it refuses (jwt.h).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "emulator/crypto/encoding.h"
#include "emulator/crypto/jwt.h"
#include "emulator/crypto/key_material.h"
#include "emulator/crypto/tls_material.h"

namespace crosskey::crypto {
namespace {

using json = nlohmann::json;

// ---------------------------------------------------------------- JWT

TEST(JwtTest, SignParseVerify) {
  auto key = KeyMaterial::GenerateRsa(2048);
  json claims = {{"aud", "api://x"}, {"iss", "https://login"}, {"exp", 1700000000}, {"roles", {"a", "b"}}};
  std::string token = SignJwtRs256(*key, "kid-1", claims, "thumb");
  std::string error;
  auto jwt = ParseJwt(token, &error);
  ASSERT_TRUE(jwt) << error;
  EXPECT_EQ(jwt->header["alg"], "RS256");
  EXPECT_EQ(jwt->header["typ"], "JWT");
  EXPECT_EQ(jwt->header["kid"], "kid-1");
  EXPECT_EQ(jwt->header["x5t"], "thumb");
  EXPECT_EQ(jwt->payload, claims);
  EXPECT_EQ(jwt->signing_input, token.substr(0, token.rfind('.')));
  EXPECT_EQ(jwt->signature.size(), 256u);
  EXPECT_TRUE(VerifyJwtRs256(*key, *jwt));

  std::string no_x5t = SignJwtRs256(*key, "kid-1", claims);
  EXPECT_FALSE(ParseJwt(no_x5t, &error)->header.contains("x5t"));

  auto other = KeyMaterial::GenerateRsa(2048);
  EXPECT_FALSE(VerifyJwtRs256(*other, *jwt));
  auto ec = KeyMaterial::GenerateEc("P-256");
  EXPECT_FALSE(VerifyJwtRs256(*ec, *jwt));
  EXPECT_EQ(SignJwtRs256(*ec, "k", claims), "");
}

TEST(JwtTest, RefusesUnsafeOrTamperedTokens) {
  auto key = KeyMaterial::GenerateRsa(2048);
  json claims = {{"sub", "alice"}};
  std::string token = SignJwtRs256(*key, "kid", claims);
  size_t dot1 = token.find('.');
  size_t dot2 = token.rfind('.');
  std::string header_b64 = token.substr(0, dot1);
  std::string sig_b64 = token.substr(dot2 + 1);
  std::string error;

  // alg none.
  std::string none = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." + Base64UrlEncode(claims.dump()) + ".";
  auto parsed_none = ParseJwt(none, &error);
  ASSERT_TRUE(parsed_none) << error;
  EXPECT_FALSE(VerifyJwtRs256(*key, *parsed_none));

  // HS256 keyed with the public key (classic algorithm confusion).
  std::string hs_input = Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})") + "." + Base64UrlEncode(claims.dump());
  std::string hs = hs_input + "." + Base64UrlEncode(HmacSha256(key->PublicPem(), hs_input));
  auto parsed_hs = ParseJwt(hs, &error);
  ASSERT_TRUE(parsed_hs);
  EXPECT_FALSE(VerifyJwtRs256(*key, *parsed_hs));

  // RS256 signature relabelled with a different header alg.
  std::string relabeled_input = Base64UrlEncode(R"({"alg":"rs256","kid":"kid"})") + token.substr(dot1, dot2 - dot1);
  auto parsed_relabeled = ParseJwt(relabeled_input + "." + sig_b64, &error);
  ASSERT_TRUE(parsed_relabeled);
  EXPECT_FALSE(VerifyJwtRs256(*key, *parsed_relabeled));

  // Tampered payload.
  std::string tampered = header_b64 + "." + Base64UrlEncode(R"({"sub":"mallory"})") + "." + sig_b64;
  auto parsed_tampered = ParseJwt(tampered, &error);
  ASSERT_TRUE(parsed_tampered);
  EXPECT_FALSE(VerifyJwtRs256(*key, *parsed_tampered));

  // Structural rejects.
  for (const std::string& bad :
       {token.substr(0, dot2), token + ".x", std::string(""), std::string(".."), header_b64 + ".!!!." + sig_b64,
        header_b64 + "." + Base64UrlEncode("[1,2]") + "." + sig_b64,
        header_b64 + "." + Base64UrlEncode("not json") + "." + sig_b64, header_b64 + ".." + sig_b64,
        token.substr(0, dot2) + ".a+b/"}) {
    error.clear();
    EXPECT_FALSE(ParseJwt(bad, &error).has_value()) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

// ---------------------------------------------------------------- certificates and TLS

}  // namespace
}  // namespace crosskey::crypto
