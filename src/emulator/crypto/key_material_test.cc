// Keys and their crypto: RSA, AES (key wrap, GCM, CBC), signatures, JWK and PEM import and
// export, certificates (key_material.h).
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

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

const unsigned char* U(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }


// ---------------------------------------------------------------- RSA

class RsaTest : public ::testing::TestWithParam<int> {
 protected:
  static void SetUpTestSuite() {
    for (int bits : {2048, 3072, 4096}) keys_[bits] = KeyMaterial::GenerateRsa(bits);
  }
  static void TearDownTestSuite() { keys_.clear(); }
  static std::shared_ptr<const KeyMaterial> Key(int bits) { return keys_[bits]; }

 private:
  static inline std::map<int, std::shared_ptr<const KeyMaterial>> keys_;
};

// Raw OpenSSL EVP encrypt/decrypt, independent of KeyMaterial.
std::string RawRsa(EVP_PKEY* pkey, const std::string& alg, const std::string& in, bool encrypt) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
  EXPECT_EQ(encrypt ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx), 1);
  if (alg == "RSA1_5") {
    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING);
  } else {
    const EVP_MD* md = alg == "RSA-OAEP" ? EVP_sha1() : EVP_sha256();
    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING);
    EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md);
    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md);
  }
  size_t len = 0;
  auto run = encrypt ? EVP_PKEY_encrypt : EVP_PKEY_decrypt;
  EXPECT_EQ(run(ctx, nullptr, &len, U(in), in.size()), 1);
  std::string out(len, '\0');
  int rc = run(ctx, reinterpret_cast<unsigned char*>(out.data()), &len, U(in), in.size());
  EVP_PKEY_CTX_free(ctx);
  EXPECT_EQ(rc, 1);
  out.resize(len);
  return out;
}

TEST_P(RsaTest, WrapUnwrapAllAlgorithmsAndInterop) {
  auto key = Key(GetParam());
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->type(), KeyType::kRsa);
  EXPECT_EQ(key->bits(), GetParam());
  EXPECT_TRUE(key->has_private());
  std::string cek = RandomBytes(32);
  std::string error;
  for (std::string alg : {"RSA-OAEP", "RSA-OAEP-256", "RSA1_5"}) {
    SCOPED_TRACE(alg);
    auto wrapped = key->WrapKey(alg, cek, &error);
    ASSERT_TRUE(wrapped) << error;
    EXPECT_EQ(wrapped->size(), static_cast<size_t>(GetParam() / 8));
    EXPECT_EQ(key->UnwrapKey(alg, *wrapped, &error), cek) << error;
    // KeyMaterial -> raw OpenSSL.
    EXPECT_EQ(RawRsa(key->pkey(), alg, *wrapped, false), cek);
    // Raw OpenSSL -> KeyMaterial.
    EXPECT_EQ(key->UnwrapKey(alg, RawRsa(key->pkey(), alg, cek, true), &error), cek) << error;
    // Encrypt/Decrypt share the RSA algorithms.
    auto encrypted = key->Encrypt(alg, "hello", {}, &error);
    ASSERT_TRUE(encrypted) << error;
    EXPECT_EQ(key->Decrypt(alg, encrypted->value, {}, &error), "hello");
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, RsaTest, ::testing::Values(2048, 3072, 4096));

TEST(RsaMiscTest, RejectsBadInputs) {
  EXPECT_EQ(KeyMaterial::GenerateRsa(1024), nullptr);
  EXPECT_EQ(KeyMaterial::GenerateRsa(2048, 65536), nullptr);
  auto e3 = KeyMaterial::GenerateRsa(2048, 3);
  ASSERT_NE(e3, nullptr);
  EXPECT_EQ(e3->PublicJwk()["e"], "Aw");
  auto key = KeyMaterial::GenerateRsa(2048);
  ASSERT_NE(key, nullptr);
  std::string error;
  auto wrapped = key->WrapKey("RSA-OAEP-256", RandomBytes(32), &error);
  ASSERT_TRUE(wrapped);
  std::string tampered = *wrapped;
  tampered[10] ^= 1;
  error.clear();
  EXPECT_FALSE(key->UnwrapKey("RSA-OAEP-256", tampered, &error));
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(key->UnwrapKey("RSA-OAEP-256", "short", &error));
  EXPECT_FALSE(key->WrapKey("RSA-OAEP", std::string(300, 'x'), &error));  // longer than the modulus
  EXPECT_FALSE(key->WrapKey("A256KW", RandomBytes(32), &error));
  EXPECT_FALSE(key->WrapKey("RSA-OAEP-512", RandomBytes(32), &error));
  EXPECT_FALSE(key->Encrypt("A256GCM", "x", {}, &error));

  // A public-only key wraps but cannot unwrap.
  auto pub = KeyMaterial::FromJwk(key->PublicJwk(), &error);
  ASSERT_NE(pub, nullptr) << error;
  EXPECT_FALSE(pub->has_private());
  auto again = pub->WrapKey("RSA-OAEP", "0123456789abcdef", &error);
  ASSERT_TRUE(again);
  EXPECT_EQ(key->UnwrapKey("RSA-OAEP", *again, &error), "0123456789abcdef");
  EXPECT_FALSE(pub->UnwrapKey("RSA-OAEP", *again, &error));
  EXPECT_FALSE(pub->SignDigest("RS256", Sha256("x"), &error));
}

// ---------------------------------------------------------------- oct / AES

struct KwVector {
  const char* alg;
  const char* kek;
  const char* wrapped;
};

// RSA contexts are kept per thread, keyed by key and operation: more keys than the cache
// holds, in turn, with a failed decryption in between, must each still use their own key.
TEST(RsaTest, PerThreadContextsStayWithTheirKey) {
  std::vector<std::shared_ptr<const KeyMaterial>> keys;
  for (int i = 0; i < 10; ++i) keys.push_back(KeyMaterial::GenerateRsa(2048));
  std::string cek = RandomBytes(32), error;
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < keys.size(); ++i) {
      for (const char* alg : {"RSA-OAEP-256", "RSA-OAEP", "RSA1_5"}) {
        auto wrapped = keys[i]->WrapKey(alg, cek, &error);
        ASSERT_TRUE(wrapped) << error;
        // A wrong key fails the OAEP check (PKCS#1 v1.5 can, rarely, pass its padding check).
        auto wrong = keys[(i + 1) % keys.size()]->UnwrapKey(alg, *wrapped, &error);
        if (std::string(alg) != "RSA1_5") EXPECT_FALSE(wrong) << alg;
        auto back = keys[i]->UnwrapKey(alg, *wrapped, &error);
        ASSERT_TRUE(back) << alg << ": " << error;
        EXPECT_EQ(*back, cek);
      }
    }
  }
}

TEST(AesTest, KeyWrapMatchesRfc3394Vectors) {
  const std::string data = Unhex("00112233445566778899AABBCCDDEEFF");
  const KwVector vectors[] = {
      {"A128KW", "000102030405060708090A0B0C0D0E0F", "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5"},
      {"A192KW", "000102030405060708090A0B0C0D0E0F1011121314151617",
       "96778B25AE6CA435F92B5B97C050AED2468AB8A17AD84E5D"},
      {"A256KW", "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
       "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7"},
  };
  for (const KwVector& v : vectors) {
    SCOPED_TRACE(v.alg);
    auto key = KeyMaterial::FromOctBytes(Unhex(v.kek));
    ASSERT_NE(key, nullptr);
    std::string error;
    auto wrapped = key->WrapKey(v.alg, data, &error);
    ASSERT_TRUE(wrapped) << error;
    EXPECT_EQ(*wrapped, Unhex(v.wrapped));
    EXPECT_EQ(key->UnwrapKey(v.alg, *wrapped, &error), data) << error;
    std::string tampered = *wrapped;
    tampered[3] ^= 0x80;
    error.clear();
    EXPECT_FALSE(key->UnwrapKey(v.alg, tampered, &error));
    EXPECT_FALSE(error.empty());
  }
}

TEST(AesTest, KeyWrapRejectsMismatchAndBadLengths) {
  auto key = KeyMaterial::GenerateOct(256);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->bits(), 256);
  std::string error;
  EXPECT_FALSE(key->WrapKey("A128KW", RandomBytes(16), &error));
  EXPECT_FALSE(key->WrapKey("A256KW", RandomBytes(15), &error));
  EXPECT_FALSE(key->WrapKey("A256KW", RandomBytes(8), &error));
  EXPECT_FALSE(key->UnwrapKey("A256KW", RandomBytes(16), &error));
  EXPECT_FALSE(key->WrapKey("RSA-OAEP", RandomBytes(16), &error));
  EXPECT_FALSE(key->Encrypt("A256KW", RandomBytes(16), {}, &error));
  EXPECT_FALSE(key->WrapKey("A256GCM", RandomBytes(16), &error));
  EXPECT_EQ(KeyMaterial::GenerateOct(100), nullptr);
  EXPECT_EQ(KeyMaterial::FromOctBytes("short"), nullptr);
}

TEST(AesTest, GcmKnownAnswer) {
  // McGrew & Viega GCM spec, test case 2.
  auto key = KeyMaterial::FromOctBytes(std::string(16, '\0'));
  SymmetricParams params;
  params.iv = std::string(12, '\0');
  std::string error;
  auto out = key->Encrypt("A128GCM", std::string(16, '\0'), params, &error);
  ASSERT_TRUE(out) << error;
  EXPECT_EQ(HexEncode(out->value), "0388dace60b6a392f328c2b971b2fe78");
  EXPECT_EQ(HexEncode(out->tag), "ab6e47d42cec13bdf53a67b21257bddf");
}

TEST(AesTest, GcmRoundTripAndTamperDetection) {
  for (int bits : {128, 192, 256}) {
    std::string alg = "A" + std::to_string(bits) + "GCM";
    SCOPED_TRACE(alg);
    auto key = KeyMaterial::GenerateOct(bits);
    std::string error;
    SymmetricParams enc;
    enc.aad = "header";
    auto out = key->Encrypt(alg, "attack at dawn", enc, &error);
    ASSERT_TRUE(out) << error;
    EXPECT_EQ(out->iv.size(), 12u);
    EXPECT_EQ(out->tag.size(), 16u);
    SymmetricParams dec{out->iv, "header", out->tag};
    EXPECT_EQ(key->Decrypt(alg, out->value, dec, &error), "attack at dawn");

    std::string bad_ct = out->value;
    bad_ct[0] ^= 1;
    EXPECT_FALSE(key->Decrypt(alg, bad_ct, dec, &error));
    SymmetricParams bad_tag = dec;
    bad_tag.tag[15] ^= 1;
    EXPECT_FALSE(key->Decrypt(alg, out->value, bad_tag, &error));
    SymmetricParams bad_aad = dec;
    bad_aad.aad = "other";
    EXPECT_FALSE(key->Decrypt(alg, out->value, bad_aad, &error));
    SymmetricParams no_tag = dec;
    no_tag.tag.clear();
    EXPECT_FALSE(key->Decrypt(alg, out->value, no_tag, &error));
    SymmetricParams short_iv = dec;
    short_iv.iv = "123";
    EXPECT_FALSE(key->Decrypt(alg, out->value, short_iv, &error));
  }
  auto key = KeyMaterial::GenerateOct(128);
  std::string error;
  EXPECT_FALSE(key->Encrypt("A256GCM", "x", {}, &error));
  auto empty = key->Encrypt("A128GCM", "", {}, &error);
  ASSERT_TRUE(empty) << error;
  EXPECT_EQ(key->Decrypt("A128GCM", "", {empty->iv, "", empty->tag}, &error), "");
}

TEST(AesTest, CbcAndCbcPad) {
  for (int bits : {128, 192, 256}) {
    std::string cbc = "A" + std::to_string(bits) + "CBC";
    std::string cbcpad = cbc + "PAD";
    SCOPED_TRACE(cbc);
    auto key = KeyMaterial::GenerateOct(bits);
    std::string error;

    std::string block_aligned = RandomBytes(32);
    auto out = key->Encrypt(cbc, block_aligned, {}, &error);
    ASSERT_TRUE(out) << error;
    EXPECT_EQ(out->value.size(), 32u);
    EXPECT_EQ(out->iv.size(), 16u);
    EXPECT_EQ(key->Decrypt(cbc, out->value, {out->iv, "", ""}, &error), block_aligned);
    EXPECT_FALSE(key->Encrypt(cbc, "not a block", {}, &error));
    EXPECT_FALSE(key->Decrypt(cbc, out->value, {}, &error));  // iv required
    std::string tampered = out->value;
    tampered[0] ^= 1;
    auto garbled = key->Decrypt(cbc, tampered, {out->iv, "", ""}, &error);
    ASSERT_TRUE(garbled);
    EXPECT_NE(*garbled, block_aligned);

    SymmetricParams given_iv;
    given_iv.iv = RandomBytes(16);
    auto padded = key->Encrypt(cbcpad, "hello", given_iv, &error);
    ASSERT_TRUE(padded) << error;
    EXPECT_EQ(padded->value.size(), 16u);
    EXPECT_EQ(padded->iv, given_iv.iv);
    EXPECT_EQ(key->Decrypt(cbcpad, padded->value, given_iv, &error), "hello");
    EXPECT_FALSE(key->Decrypt(cbcpad, padded->value.substr(0, 15), given_iv, &error));

    // A block ending in 0x00 is never valid PKCS#7 padding.
    auto zero_tail = key->Encrypt(cbc, std::string(16, '\0'), given_iv, &error);
    ASSERT_TRUE(zero_tail);
    error.clear();
    EXPECT_FALSE(key->Decrypt(cbcpad, zero_tail->value, given_iv, &error));
    EXPECT_FALSE(error.empty());
  }
}

// ---------------------------------------------------------------- signatures

struct SignCase {
  const char* alg;
  const char* crv;  // nullptr: RSA
  size_t digest_len;
};

std::shared_ptr<const KeyMaterial> KeyFor(const SignCase& c) {
  static auto rsa = KeyMaterial::GenerateRsa(2048);
  return c.crv == nullptr ? rsa : KeyMaterial::GenerateEc(c.crv);
}

TEST(SignTest, EveryAlgorithmSignsAndVerifies) {
  const SignCase cases[] = {{"RS256", nullptr, 32},  {"RS384", nullptr, 48}, {"RS512", nullptr, 64},
                            {"PS256", nullptr, 32},  {"PS384", nullptr, 48}, {"PS512", nullptr, 64},
                            {"ES256", "P-256", 32},  {"ES384", "P-384", 48}, {"ES512", "P-521", 64},
                            {"ES256K", "P-256K", 32}};
  for (const SignCase& c : cases) {
    SCOPED_TRACE(c.alg);
    auto key = KeyFor(c);
    ASSERT_NE(key, nullptr);
    std::string error;
    std::string digest = RandomBytes(c.digest_len);
    auto sig = key->SignDigest(c.alg, digest, &error);
    ASSERT_TRUE(sig) << error;
    EXPECT_EQ(key->VerifyDigest(c.alg, digest, *sig, &error), std::optional<bool>(true)) << error;
    std::string other = digest;
    other[0] ^= 1;
    EXPECT_EQ(key->VerifyDigest(c.alg, other, *sig, &error), std::optional<bool>(false));
    std::string bad_sig = *sig;
    bad_sig[bad_sig.size() / 2] ^= 1;
    EXPECT_EQ(key->VerifyDigest(c.alg, digest, bad_sig, &error), std::optional<bool>(false));
    EXPECT_EQ(key->VerifyDigest(c.alg, digest, "short", &error), std::optional<bool>(false));
    // Wrong digest length is a usage error, not a wrong signature.
    error.clear();
    EXPECT_FALSE(key->SignDigest(c.alg, digest + "x", &error));
    EXPECT_FALSE(error.empty());
    EXPECT_FALSE(key->VerifyDigest(c.alg, digest.substr(1), *sig, &error).has_value());

    auto msg_sig = key->SignMessage(c.alg, "payload", &error);
    ASSERT_TRUE(msg_sig) << error;
    EXPECT_TRUE(key->VerifyMessage(c.alg, "payload", *msg_sig));
    EXPECT_FALSE(key->VerifyMessage(c.alg, "payloaD", *msg_sig));

    // A public-only copy verifies.
    auto pub = KeyMaterial::FromJwk(key->PublicJwk(), &error);
    ASSERT_NE(pub, nullptr) << error;
    EXPECT_TRUE(pub->VerifyMessage(c.alg, "payload", *msg_sig));
  }
}

TEST(SignTest, EcSignatureLengthsAreRawRS) {
  const std::pair<const char*, size_t> expected[] = {{"P-256", 64}, {"P-384", 96}, {"P-521", 132}, {"P-256K", 64}};
  const char* algs[] = {"ES256", "ES384", "ES512", "ES256K"};
  for (size_t i = 0; i < 4; ++i) {
    auto key = KeyMaterial::GenerateEc(expected[i].first);
    ASSERT_NE(key, nullptr);
    EXPECT_EQ(key->curve(), expected[i].first);
    std::string error;
    for (int round = 0; round < 8; ++round) {  // exercises r or s with leading zero bytes
      std::string message = std::to_string(round);
      auto sig = key->SignMessage(algs[i], message, &error);
      ASSERT_TRUE(sig) << error;
      EXPECT_EQ(sig->size(), expected[i].second);
      EXPECT_TRUE(key->VerifyMessage(algs[i], message, *sig));
    }
  }
  EXPECT_EQ(KeyMaterial::GenerateEc("P-999"), nullptr);
}

TEST(SignTest, AlgorithmMustFitKey) {
  auto p256 = KeyMaterial::GenerateEc("P-256");
  auto p384 = KeyMaterial::GenerateEc("P-384");
  auto rsa = KeyMaterial::GenerateRsa(2048);
  auto oct = KeyMaterial::GenerateOct(256);
  std::string d32 = Sha256("x");
  std::string error;
  EXPECT_FALSE(p256->SignDigest("RS256", d32, &error));
  EXPECT_FALSE(p256->SignDigest("ES256K", d32, &error));
  EXPECT_FALSE(p384->SignDigest("ES256", d32, &error));
  EXPECT_FALSE(rsa->SignDigest("ES256", d32, &error));
  EXPECT_FALSE(oct->SignDigest("RS256", d32, &error));
  EXPECT_FALSE(rsa->SignDigest("HS256", d32, &error));
  EXPECT_FALSE(rsa->VerifyDigest("ES256", d32, std::string(64, 'a'), &error).has_value());
  EXPECT_FALSE(rsa->VerifyMessage("none", "x", ""));
}

TEST(SignTest, InteropWithRawOpenSsl) {
  auto key = KeyMaterial::GenerateRsa(2048);
  std::string error;
  auto sig = key->SignMessage("RS256", "interop", &error);
  ASSERT_TRUE(sig);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, key->pkey()), 1);
  EXPECT_EQ(EVP_DigestVerify(md, U(*sig), sig->size(), reinterpret_cast<const unsigned char*>("interop"), 7), 1);
  EVP_MD_CTX_free(md);

  // PS256 from raw OpenSSL with salt = digest length verifies through KeyMaterial.
  md = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  ASSERT_EQ(EVP_DigestSignInit(md, &pctx, EVP_sha256(), nullptr, key->pkey()), 1);
  EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
  EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  size_t len = 0;
  ASSERT_EQ(EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>("pss"), 3), 1);
  std::string pss(len, '\0');
  ASSERT_EQ(EVP_DigestSign(md, reinterpret_cast<unsigned char*>(pss.data()), &len,
                           reinterpret_cast<const unsigned char*>("pss"), 3),
            1);
  EVP_MD_CTX_free(md);
  pss.resize(len);
  EXPECT_TRUE(key->VerifyMessage("PS256", "pss", pss));
}

TEST(SignTest, ConcurrentUseOfOneKey) {
  auto rsa = KeyMaterial::GenerateRsa(2048);
  auto ec = KeyMaterial::GenerateEc("P-256");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::string msg = std::to_string(t * 100 + i);
        std::string error;
        auto a = rsa->SignMessage("PS256", msg, &error);
        auto b = ec->SignMessage("ES256", msg, &error);
        if (!a || !b || !rsa->VerifyMessage("PS256", msg, *a) || !ec->VerifyMessage("ES256", msg, *b)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// ---------------------------------------------------------------- JWK / PEM

void ExpectNoPrivateMembers(const json& jwk) {
  for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "k"}) EXPECT_FALSE(jwk.contains(member)) << member;
}

TEST(JwkTest, PublicJwkHasOnlyPublicMembers) {
  auto rsa = KeyMaterial::GenerateRsa(2048);
  json jwk = rsa->PublicJwk();
  ExpectNoPrivateMembers(jwk);
  EXPECT_EQ(jwk["kty"], "RSA");
  EXPECT_EQ(jwk["e"], "AQAB");
  EXPECT_EQ(Base64UrlDecode(jwk["n"].get<std::string>())->size(), 256u);
  EXPECT_EQ(jwk.size(), 3u);

  for (auto [crv, bytes] :
       {std::pair<const char*, size_t>{"P-256", 32}, {"P-384", 48}, {"P-521", 66}, {"P-256K", 32}}) {
    auto ec = KeyMaterial::GenerateEc(crv);
    json e = ec->PublicJwk();
    ExpectNoPrivateMembers(e);
    EXPECT_EQ(e["kty"], "EC");
    EXPECT_EQ(e["crv"], crv);
    EXPECT_EQ(Base64UrlDecode(e["x"].get<std::string>())->size(), bytes);
    EXPECT_EQ(Base64UrlDecode(e["y"].get<std::string>())->size(), bytes);
    EXPECT_EQ(Base64UrlDecode(ec->PrivateJwk()["d"].get<std::string>())->size(), bytes);
    EXPECT_EQ(e.size(), 4u);
  }

  auto oct = KeyMaterial::GenerateOct(128);
  EXPECT_EQ(oct->PublicJwk(), json({{"kty", "oct"}}));
  EXPECT_EQ(Base64UrlDecode(oct->PrivateJwk()["k"].get<std::string>())->size(), 16u);
}

TEST(JwkTest, PrivateJwkImportRoundTrips) {
  std::vector<std::shared_ptr<const KeyMaterial>> keys = {
      KeyMaterial::GenerateRsa(2048),   KeyMaterial::GenerateEc("P-256"),  KeyMaterial::GenerateEc("P-384"),
      KeyMaterial::GenerateEc("P-521"), KeyMaterial::GenerateEc("P-256K"), KeyMaterial::GenerateOct(192)};
  for (const auto& key : keys) {
    json priv = key->PrivateJwk();
    SCOPED_TRACE(priv["kty"].get<std::string>());
    std::string error;
    auto imported = KeyMaterial::FromJwk(priv, &error);
    ASSERT_NE(imported, nullptr) << error;
    EXPECT_TRUE(imported->has_private());
    EXPECT_EQ(imported->type(), key->type());
    EXPECT_EQ(imported->bits(), key->bits());
    EXPECT_EQ(imported->PublicJwk(), key->PublicJwk());
    EXPECT_EQ(imported->PrivateJwk(), priv);

    json hsm = priv;
    hsm["kty"] = priv["kty"].get<std::string>() + "-HSM";
    EXPECT_NE(KeyMaterial::FromJwk(hsm, &error), nullptr) << error;
  }
  // Cross-check: the imported RSA key signs, the original verifies.
  std::string error;
  auto imported = KeyMaterial::FromJwk(keys[0]->PrivateJwk(), &error);
  auto sig = imported->SignMessage("RS256", "x", &error);
  ASSERT_TRUE(sig);
  EXPECT_TRUE(keys[0]->VerifyMessage("RS256", "x", *sig));
}

TEST(JwkTest, RsaPrivateJwkWithoutCrtFactors) {
  auto key = KeyMaterial::GenerateRsa(2048);
  json jwk = key->PrivateJwk();
  for (const char* member : {"p", "q", "dp", "dq", "qi"}) jwk.erase(member);
  std::string error;
  auto imported = KeyMaterial::FromJwk(jwk, &error);
  ASSERT_NE(imported, nullptr) << error;
  auto sig = imported->SignMessage("PS256", "x", &error);
  ASSERT_TRUE(sig) << error;
  EXPECT_TRUE(key->VerifyMessage("PS256", "x", *sig));
  jwk.erase("d");
  jwk["p"] = key->PrivateJwk()["p"];
  EXPECT_EQ(KeyMaterial::FromJwk(jwk, &error), nullptr);
}

TEST(JwkTest, RejectsMalformedJwks) {
  auto rsa = KeyMaterial::GenerateRsa(2048);
  auto ec = KeyMaterial::GenerateEc("P-256");
  auto other_ec = KeyMaterial::GenerateEc("P-256");
  json rsa_priv = rsa->PrivateJwk();
  json ec_priv = ec->PrivateJwk();

  std::vector<json> bad;
  bad.push_back(json::array());
  bad.push_back(json("string"));
  bad.push_back(json::object());
  bad.push_back({{"kty", 7}});
  bad.push_back({{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "AAAA"}});
  bad.push_back({{"kty", "oct"}, {"k", "!!!"}});
  bad.push_back({{"kty", "oct"}, {"k", Base64UrlEncode("short")}});
  bad.push_back({{"kty", "oct"}});
  bad.push_back({{"kty", "RSA"}, {"e", "AQAB"}});
  bad.push_back({{"kty", "RSA"}, {"n", 12}, {"e", "AQAB"}});
  bad.push_back({{"kty", "RSA"}, {"n", "not*base64"}, {"e", "AQAB"}});
  json mismatched_rsa = rsa_priv;
  mismatched_rsa["d"] = Base64UrlEncode(RandomBytes(256));
  bad.push_back(mismatched_rsa);
  json partial_crt = rsa_priv;
  partial_crt.erase("qi");
  bad.push_back(partial_crt);
  json ec_bad_crv = ec_priv;
  ec_bad_crv["crv"] = "P-192";
  bad.push_back(ec_bad_crv);
  json ec_short = ec_priv;
  ec_short["x"] = Base64UrlEncode(RandomBytes(31));
  bad.push_back(ec_short);
  json ec_off_curve = ec->PublicJwk();
  std::string y = *Base64UrlDecode(ec_off_curve["y"].get<std::string>());
  y[31] ^= 1;
  ec_off_curve["y"] = Base64UrlEncode(y);
  bad.push_back(ec_off_curve);
  json ec_wrong_d = ec_priv;
  ec_wrong_d["d"] = other_ec->PrivateJwk()["d"];
  bad.push_back(ec_wrong_d);
  json ec_missing_y = ec->PublicJwk();
  ec_missing_y.erase("y");
  bad.push_back(ec_missing_y);

  for (const json& jwk : bad) {
    std::string error;
    EXPECT_EQ(KeyMaterial::FromJwk(jwk, &error), nullptr) << jwk.dump();
    EXPECT_FALSE(error.empty()) << jwk.dump();
  }
  EXPECT_EQ(KeyMaterial::FromJwk(json::object(), nullptr), nullptr);  // null error pointer tolerated
}

TEST(PemTest, PrivateAndPublicPemRoundTrip) {
  for (auto key : {KeyMaterial::GenerateRsa(2048), KeyMaterial::GenerateEc("P-384")}) {
    std::string error;
    std::string priv_pem = key->PrivatePem();
    EXPECT_NE(priv_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
    auto priv = KeyMaterial::FromPem(priv_pem, &error);
    ASSERT_NE(priv, nullptr) << error;
    EXPECT_TRUE(priv->has_private());
    EXPECT_EQ(priv->PublicJwk(), key->PublicJwk());
    EXPECT_EQ(priv->curve(), key->curve());

    std::string pub_pem = key->PublicPem();
    EXPECT_NE(pub_pem.find("BEGIN PUBLIC KEY"), std::string::npos);
    auto pub = KeyMaterial::FromPem(pub_pem, &error);
    ASSERT_NE(pub, nullptr) << error;
    EXPECT_FALSE(pub->has_private());
    EXPECT_EQ(pub->PublicJwk(), key->PublicJwk());
    EXPECT_EQ(pub->PrivatePem(), "");
  }
  auto oct = KeyMaterial::GenerateOct(128);
  EXPECT_EQ(oct->PublicPem(), "");
  EXPECT_EQ(oct->PrivatePem(), "");
  std::string error;
  EXPECT_EQ(KeyMaterial::FromPem("garbage", &error), nullptr);
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(KeyMaterial::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", &error), nullptr);
  EXPECT_EQ(KeyMaterial::FromPem("", &error), nullptr);
}

TEST(PemTest, EncryptedPemFailsWithoutPrompting) {
  auto key = KeyMaterial::GenerateEc("P-256");
  BIO* bio = BIO_new(BIO_s_mem());
  char pass[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio, key->pkey(), EVP_aes_256_cbc(), pass, 6, nullptr, nullptr), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  std::string error;
  EXPECT_EQ(KeyMaterial::FromPem(pem, &error), nullptr);
}

TEST(CertificateTest, PemAndBase64DerGiveSameKeyAndThumbprint) {
  std::string error;
  auto tls = LoadOrCreateTlsMaterial("", {"localhost"}, &error);
  ASSERT_TRUE(tls) << error;
  std::string b64;
  std::istringstream lines(tls->ca_cert_pem);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("-----", 0) != 0) b64 += line;
  }
  std::string tp_pem, tp_der;
  auto from_pem = KeyMaterial::FromCertificate(tls->ca_cert_pem, &tp_pem, &error);
  auto from_der = KeyMaterial::FromCertificate(b64, &tp_der, &error);
  ASSERT_NE(from_pem, nullptr);
  ASSERT_NE(from_der, nullptr) << error;
  EXPECT_EQ(tp_pem, tp_der);
  EXPECT_EQ(tp_der, Sha1(*Base64Decode(b64)));
  EXPECT_EQ(from_der->curve(), "P-256");
  EXPECT_FALSE(from_der->has_private());
  EXPECT_EQ(KeyMaterial::FromCertificate("bm90IGEgY2VydA==", &tp_der, &error), nullptr);
  EXPECT_EQ(KeyMaterial::FromCertificate("***", &tp_der, &error), nullptr);
}

}  // namespace
}  // namespace crosskey::crypto
