// Base64, base64url, digests, HMAC and random bytes (encoding.h).
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

// ---------------------------------------------------------------- encoding

TEST(EncodingTest, Base64UrlKnownValues) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode(std::string("\xfb\xff\xbf", 3)), "-_-_");
  EXPECT_EQ(Base64Encode(std::string("\xfb\xff\xbf", 3)), "+/+/");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
}

TEST(EncodingTest, Base64UrlRoundTripsEveryLength) {
  for (size_t n = 0; n < 70; ++n) {
    std::string bytes = RandomBytes(n);
    ASSERT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes) << n;
    ASSERT_EQ(Base64Decode(Base64Encode(bytes)), bytes) << n;
    EXPECT_EQ(Base64UrlEncode(bytes).find('='), std::string::npos);
  }
}

TEST(EncodingTest, Base64UrlAcceptsPadding) {
  EXPECT_EQ(Base64UrlDecode("Zg=="), "f");
  EXPECT_EQ(Base64UrlDecode("Zm8="), "fo");
  EXPECT_EQ(Base64UrlDecode("Zg"), "f");
}

TEST(EncodingTest, Base64UrlRejectsMalformed) {
  for (const char* bad : {"Z", "Zm9vY", "Zg=", "Zg===", "Zm9v+", "Zm9v/", "Zm9v!", "Zg==Zg", "Zm 9v", "Zm9v\n"}) {
    EXPECT_FALSE(Base64UrlDecode(bad).has_value()) << bad;
  }
}

TEST(EncodingTest, Base64StandardIgnoresWhitespaceAndRejectsUrlAlphabet) {
  EXPECT_EQ(Base64Decode("Zm9v\nYmFy\r\n"), "foobar");
  EXPECT_EQ(Base64Decode("Zm8"), "fo");
  EXPECT_FALSE(Base64Decode("-_-_").has_value());
  EXPECT_FALSE(Base64Decode("Zm9v*").has_value());
  EXPECT_FALSE(Base64Decode("Z").has_value());
}

TEST(EncodingTest, DigestsAndHmacMatchKnownAnswers) {
  EXPECT_EQ(HexEncode(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  // RFC 4231 test case 2.
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HmacSha256("", "x").size(), 32u);
}

TEST(EncodingTest, RandomBytes) {
  EXPECT_EQ(RandomBytes(0), "");
  EXPECT_EQ(RandomBytes(33).size(), 33u);
  EXPECT_NE(RandomBytes(16), RandomBytes(16));
}
}  // namespace
}  // namespace crosskey::crypto
