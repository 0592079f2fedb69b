// KeyMaterial cryptographic operations: RSA encryption, AES modes and key wrap, signatures.
// A shared KeyMaterial stays immutable: contexts are built per call, or kept per thread
// (RSA encryption, the hot path of wrapKey/unwrapKey).
#include <openssl/rsa.h>

#include <climits>

#include "emulator/crypto/encoding.h"
#include "emulator/crypto/key_material.h"
#include "emulator/crypto/openssl_util.h"

namespace crosskey::crypto {
namespace {

using internal::BnPtr;
using internal::Bytes;
using internal::CipherCtxPtr;
using internal::CurveInfo;
using internal::EcdsaSigPtr;
using internal::MutableBytes;
using internal::PkeyCtxPtr;
using internal::SetError;

constexpr size_t kGcmIvBytes = 12;
constexpr size_t kGcmTagBytes = 16;
constexpr size_t kAesBlock = 16;

bool FitsInt(std::string_view s) { return s.size() <= static_cast<size_t>(INT_MAX) - 64; }

// ---- RSA encryption ----

enum class RsaPadding { kOaepSha1, kOaepSha256, kPkcs1 };

std::optional<RsaPadding> ParseRsaAlg(std::string_view alg) {
  if (alg == "RSA-OAEP") return RsaPadding::kOaepSha1;
  if (alg == "RSA-OAEP-256") return RsaPadding::kOaepSha256;
  if (alg == "RSA1_5") return RsaPadding::kPkcs1;
  return std::nullopt;
}

// A prepared RSA context (padding and OAEP digests set). Preparing one costs ~15% of an
// RSA-2048 encryption, so each thread keeps its last few, keyed by key and operation. A cached
// context holds a reference to its EVP_PKEY: the pointer cannot be reused for another key
// while the entry lives (a deleted key's material lingers until its entry is evicted).
struct RsaCtxEntry {
  EVP_PKEY* pkey = nullptr;
  RsaPadding padding = RsaPadding::kOaepSha256;
  bool encrypt = false;
  PkeyCtxPtr ctx;
};
constexpr size_t kRsaCtxCacheSize = 8;

PkeyCtxPtr NewRsaCtx(EVP_PKEY* pkey, RsaPadding padding, bool encrypt) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  bool ok = ctx && (encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) == 1;
  if (ok && padding == RsaPadding::kPkcs1) {
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1;
  } else if (ok) {
    const EVP_MD* md = padding == RsaPadding::kOaepSha1 ? EVP_sha1() : EVP_sha256();
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) == 1;
  }
  if (!ok) ctx.reset();
  return ctx;
}

// This thread's entry for (pkey, padding, encrypt), prepared on first use; nullptr on failure.
RsaCtxEntry* CachedRsaCtx(EVP_PKEY* pkey, RsaPadding padding, bool encrypt) {
  thread_local RsaCtxEntry cache[kRsaCtxCacheSize];
  thread_local size_t next_victim = 0;
  for (auto& e : cache) {
    if (e.ctx && e.pkey == pkey && e.padding == padding && e.encrypt == encrypt) return &e;
  }
  PkeyCtxPtr ctx = NewRsaCtx(pkey, padding, encrypt);
  if (!ctx) return nullptr;
  RsaCtxEntry& slot = cache[next_victim];
  next_victim = (next_victim + 1) % kRsaCtxCacheSize;
  slot = RsaCtxEntry{pkey, padding, encrypt, std::move(ctx)};
  return &slot;
}

std::optional<std::string> RsaCrypt(EVP_PKEY* pkey, RsaPadding padding, std::string_view input, bool encrypt,
                                    std::string* error) {
  RsaCtxEntry* entry = CachedRsaCtx(pkey, padding, encrypt);
  if (!entry) {
    SetError(error, "cannot set up RSA operation");
    return std::nullopt;
  }
  EVP_PKEY_CTX* ctx = entry->ctx.get();
  auto fail = [&](const char* message) -> std::optional<std::string> {
    entry->ctx.reset();  // a context that failed is not reused
    SetError(error, message);
    return std::nullopt;
  };
  auto run = encrypt ? EVP_PKEY_encrypt : EVP_PKEY_decrypt;
  // The output never exceeds the modulus; sizing by it saves the length-query call.
  size_t out_len = static_cast<size_t>(EVP_PKEY_get_size(pkey));
  std::string out(out_len, '\0');
  if (run(ctx, MutableBytes(out), &out_len, Bytes(input), input.size()) != 1) {
    return fail(encrypt ? "input too long for RSA key and padding" : "RSA decryption failed");
  }
  out.resize(out_len);
  return out;
}

// ---- AES ----

enum class AesMode { kKw, kGcm, kCbc, kCbcPad };
struct AesAlg {
  AesMode mode;
  size_t key_bytes;
};

// "A" + 128|192|256 + KW|GCM|CBC|CBCPAD.
std::optional<AesAlg> ParseAesAlg(std::string_view alg) {
  if (alg.size() < 6 || alg[0] != 'A') return std::nullopt;
  std::string_view size = alg.substr(1, 3);
  std::string_view suffix = alg.substr(4);
  AesAlg out{};
  if (size == "128") {
    out.key_bytes = 16;
  } else if (size == "192") {
    out.key_bytes = 24;
  } else if (size == "256") {
    out.key_bytes = 32;
  } else {
    return std::nullopt;
  }
  if (suffix == "KW") {
    out.mode = AesMode::kKw;
  } else if (suffix == "GCM") {
    out.mode = AesMode::kGcm;
  } else if (suffix == "CBC") {
    out.mode = AesMode::kCbc;
  } else if (suffix == "CBCPAD") {
    out.mode = AesMode::kCbcPad;
  } else {
    return std::nullopt;
  }
  return out;
}

// Ciphers fetched once: the legacy EVP_aes_*() handles make every EVP_CipherInit_ex look
// the implementation up again (~7% of an A256KW wrap).
const EVP_CIPHER* Fetch(const char* name) { return EVP_CIPHER_fetch(nullptr, name, nullptr); }

const EVP_CIPHER* AesCipher(const AesAlg& alg) {
  static const EVP_CIPHER* const kWrap[] = {Fetch("AES-128-WRAP"), Fetch("AES-192-WRAP"), Fetch("AES-256-WRAP")};
  static const EVP_CIPHER* const kGcm[] = {Fetch("AES-128-GCM"), Fetch("AES-192-GCM"), Fetch("AES-256-GCM")};
  static const EVP_CIPHER* const kCbc[] = {Fetch("AES-128-CBC"), Fetch("AES-192-CBC"), Fetch("AES-256-CBC")};
  size_t i = alg.key_bytes == 16 ? 0 : alg.key_bytes == 24 ? 1 : 2;
  switch (alg.mode) {
    case AesMode::kKw:
      return kWrap[i];
    case AesMode::kGcm:
      return kGcm[i];
    case AesMode::kCbc:
    case AesMode::kCbcPad:
      return kCbc[i];
  }
  return nullptr;
}

// RFC 3394: input is whole 64-bit blocks, at least two for wrap (three for the wrapped form).
std::optional<std::string> AesKeyWrap(const AesAlg& alg, std::string_view kek, std::string_view input, bool wrap,
                                      std::string* error) {
  size_t min_len = wrap ? 16 : 24;
  if (input.size() % 8 != 0 || input.size() < min_len || !FitsInt(input)) {
    SetError(error, wrap ? "key to wrap must be a multiple of 8 bytes, at least 16"
                         : "wrapped key must be a multiple of 8 bytes, at least 24");
    return std::nullopt;
  }
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) {
    SetError(error, "out of memory");
    return std::nullopt;
  }
  // The legacy EVP_aes_*_wrap ciphers refuse to initialise without this flag.
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  std::string out(input.size() + 8, '\0');
  int len = 0;
  if (EVP_CipherInit_ex(ctx.get(), AesCipher(alg), nullptr, Bytes(kek), nullptr, wrap ? 1 : 0) != 1 ||
      EVP_CipherUpdate(ctx.get(), MutableBytes(out), &len, Bytes(input), static_cast<int>(input.size())) <= 0 ||
      len < 0) {
    SetError(error, wrap ? "key wrap failed" : "key unwrap failed integrity check");
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(len));
  return out;
}

std::optional<CipherResult> AesGcm(const AesAlg& alg, std::string_view key, std::string_view input,
                                   const SymmetricParams& params, bool encrypt, std::string* error) {
  std::string iv = (encrypt && params.iv.empty()) ? RandomBytes(kGcmIvBytes) : params.iv;
  if (iv.size() != kGcmIvBytes) {
    SetError(error, "GCM iv must be 12 bytes");
    return std::nullopt;
  }
  if (!encrypt && params.tag.size() != kGcmTagBytes) {
    SetError(error, "GCM tag must be 16 bytes");
    return std::nullopt;
  }
  if (!FitsInt(input) || !FitsInt(params.aad)) {
    SetError(error, "input too large");
    return std::nullopt;
  }
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int enc = encrypt ? 1 : 0;
  bool ok = ctx && EVP_CipherInit_ex(ctx.get(), AesCipher(alg), nullptr, nullptr, nullptr, enc) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) == 1 &&
            EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(iv), enc) == 1;
  int len = 0;
  if (ok && !params.aad.empty()) {
    ok = EVP_CipherUpdate(ctx.get(), nullptr, &len, Bytes(params.aad), static_cast<int>(params.aad.size())) == 1;
  }
  std::string out(input.size() + kAesBlock, '\0');
  int total = 0;
  if (ok && !input.empty()) {
    ok = EVP_CipherUpdate(ctx.get(), MutableBytes(out), &len, Bytes(input), static_cast<int>(input.size())) == 1;
    total = len;
  }
  if (ok && !encrypt) {
    std::string tag = params.tag;  // the ctrl takes a non-const pointer
    ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag.size()), tag.data()) == 1;
  }
  if (!ok) {
    SetError(error, "AES-GCM operation failed");
    return std::nullopt;
  }
  if (EVP_CipherFinal_ex(ctx.get(), MutableBytes(out) + total, &len) != 1) {
    SetError(error, encrypt ? "AES-GCM operation failed" : "AES-GCM authentication failed");
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(total) + static_cast<size_t>(len));
  CipherResult result{std::move(out), std::move(iv), std::string()};
  if (encrypt) {
    result.tag.assign(kGcmTagBytes, '\0');
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagBytes), result.tag.data()) != 1) {
      SetError(error, "AES-GCM tag unavailable");
      return std::nullopt;
    }
  }
  return result;
}

std::optional<CipherResult> AesCbc(const AesAlg& alg, std::string_view key, std::string_view input,
                                   const SymmetricParams& params, bool encrypt, std::string* error) {
  std::string iv = (encrypt && params.iv.empty()) ? RandomBytes(kAesBlock) : params.iv;
  if (iv.size() != kAesBlock) {
    SetError(error, "CBC iv must be 16 bytes");
    return std::nullopt;
  }
  bool pad = alg.mode == AesMode::kCbcPad;
  // Unpadded CBC only takes whole blocks; padded ciphertext is whole blocks and never empty.
  if ((!pad || !encrypt) && input.size() % kAesBlock != 0) {
    SetError(error, "input must be a multiple of 16 bytes");
    return std::nullopt;
  }
  if (pad && !encrypt && input.empty()) {
    SetError(error, "ciphertext is empty");
    return std::nullopt;
  }
  if (!FitsInt(input)) {
    SetError(error, "input too large");
    return std::nullopt;
  }
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  std::string out(input.size() + kAesBlock, '\0');
  int len = 0;
  int total = 0;
  bool ok = ctx && EVP_CipherInit_ex(ctx.get(), AesCipher(alg), nullptr, Bytes(key), Bytes(iv), encrypt ? 1 : 0) == 1 &&
            EVP_CIPHER_CTX_set_padding(ctx.get(), pad ? 1 : 0) == 1;
  if (ok && !input.empty()) {
    ok = EVP_CipherUpdate(ctx.get(), MutableBytes(out), &len, Bytes(input), static_cast<int>(input.size())) == 1;
    total = len;
  }
  if (!ok || EVP_CipherFinal_ex(ctx.get(), MutableBytes(out) + total, &len) != 1) {
    SetError(error, pad && !encrypt ? "AES-CBC decryption failed (bad padding)" : "AES-CBC operation failed");
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(total) + static_cast<size_t>(len));
  return CipherResult{std::move(out), std::move(iv), std::string()};
}

// ---- Signatures ----

enum class SignFamily { kPkcs1, kPss, kEcdsa };
struct SignAlg {
  std::string_view name;
  SignFamily family;
  const EVP_MD* (*md)();
  std::string_view curve;  // ECDSA only
};

constexpr SignAlg kSignAlgs[] = {
    {"RS256", SignFamily::kPkcs1, EVP_sha256, ""},      {"RS384", SignFamily::kPkcs1, EVP_sha384, ""},
    {"RS512", SignFamily::kPkcs1, EVP_sha512, ""},      {"PS256", SignFamily::kPss, EVP_sha256, ""},
    {"PS384", SignFamily::kPss, EVP_sha384, ""},        {"PS512", SignFamily::kPss, EVP_sha512, ""},
    {"ES256", SignFamily::kEcdsa, EVP_sha256, "P-256"}, {"ES384", SignFamily::kEcdsa, EVP_sha384, "P-384"},
    {"ES512", SignFamily::kEcdsa, EVP_sha512, "P-521"}, {"ES256K", SignFamily::kEcdsa, EVP_sha256, "P-256K"},
};

const SignAlg* FindSignAlg(std::string_view name) {
  for (const SignAlg& alg : kSignAlgs) {
    if (alg.name == name) return &alg;
  }
  return nullptr;
}

// The algorithm must exist, fit the key, and the digest must be exactly the hash's size.
const SignAlg* CheckSignAlg(std::string_view name, KeyType type, const std::string& curve, std::string_view digest,
                            std::string* error) {
  const SignAlg* alg = FindSignAlg(name);
  if (alg == nullptr) {
    SetError(error, "unsupported signature algorithm");
    return nullptr;
  }
  bool fits = alg->family == SignFamily::kEcdsa ? (type == KeyType::kEc && curve == alg->curve) : type == KeyType::kRsa;
  if (!fits) {
    SetError(error, "signature algorithm does not fit the key");
    return nullptr;
  }
  if (digest.size() != static_cast<size_t>(EVP_MD_get_size(alg->md()))) {
    SetError(error, "digest length does not match the algorithm");
    return nullptr;
  }
  return alg;
}

bool ConfigureSignCtx(EVP_PKEY_CTX* ctx, const SignAlg& alg) {
  if (EVP_PKEY_CTX_set_signature_md(ctx, alg.md()) != 1) return false;
  switch (alg.family) {
    case SignFamily::kPkcs1:
      return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
    case SignFamily::kPss:
      return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, alg.md()) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) == 1;
    case SignFamily::kEcdsa:
      return true;
  }
  return false;
}

// JWS (RFC 7518 §3.4) wants r||s, each left-padded to the curve size; OpenSSL speaks DER.
std::optional<std::string> EcdsaDerToRaw(std::string_view der, size_t half) {
  const unsigned char* p = Bytes(der);
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return std::nullopt;
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(2 * half, '\0');
  if (BN_bn2binpad(r, MutableBytes(raw), static_cast<int>(half)) < 0 ||
      BN_bn2binpad(s, MutableBytes(raw) + half, static_cast<int>(half)) < 0) {
    return std::nullopt;
  }
  return raw;
}

std::optional<std::string> EcdsaRawToDer(std::string_view raw, size_t half) {
  if (raw.size() != 2 * half) return std::nullopt;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BnPtr r(BN_bin2bn(Bytes(raw), static_cast<int>(half), nullptr));
  BnPtr s(BN_bin2bn(Bytes(raw) + half, static_cast<int>(half), nullptr));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  (void)r.release();  // owned by sig now
  (void)s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

size_t CurveBytes(const std::string& curve) {
  const CurveInfo* info = internal::CurveByJwkName(curve);
  return info != nullptr ? info->bytes : 0;
}

std::optional<std::string> HashFor(std::string_view alg_name, std::string_view message, std::string* error) {
  const SignAlg* alg = FindSignAlg(alg_name);
  if (alg == nullptr) {
    SetError(error, "unsupported signature algorithm");
    return std::nullopt;
  }
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(message.data(), message.size(), buf, &len, alg->md(), nullptr) != 1) {
    SetError(error, "digest failed");
    return std::nullopt;
  }
  return std::string(reinterpret_cast<char*>(buf), len);
}

}  // namespace

std::optional<CipherResult> KeyMaterial::Encrypt(std::string_view alg, std::string_view plaintext,
                                                 const SymmetricParams& params, std::string* error) const {
  if (std::optional<RsaPadding> padding = ParseRsaAlg(alg)) {
    if (type_ != KeyType::kRsa) {
      SetError(error, "algorithm requires an RSA key");
      return std::nullopt;
    }
    std::optional<std::string> out = RsaCrypt(pkey_, *padding, plaintext, true, error);
    if (!out) return std::nullopt;
    return CipherResult{std::move(*out), std::string(), std::string()};
  }
  std::optional<AesAlg> aes = ParseAesAlg(alg);
  if (!aes || aes->mode == AesMode::kKw) {
    SetError(error, "unsupported encryption algorithm");
    return std::nullopt;
  }
  if (type_ != KeyType::kOct || oct_.size() != aes->key_bytes) {
    SetError(error, "algorithm does not fit the key size or type");
    return std::nullopt;
  }
  return aes->mode == AesMode::kGcm ? AesGcm(*aes, oct_, plaintext, params, true, error)
                                    : AesCbc(*aes, oct_, plaintext, params, true, error);
}

std::optional<std::string> KeyMaterial::Decrypt(std::string_view alg, std::string_view ciphertext,
                                                const SymmetricParams& params, std::string* error) const {
  if (std::optional<RsaPadding> padding = ParseRsaAlg(alg)) {
    if (type_ != KeyType::kRsa) {
      SetError(error, "algorithm requires an RSA key");
      return std::nullopt;
    }
    if (!has_private_) {
      SetError(error, "key has no private part");
      return std::nullopt;
    }
    return RsaCrypt(pkey_, *padding, ciphertext, false, error);
  }
  std::optional<AesAlg> aes = ParseAesAlg(alg);
  if (!aes || aes->mode == AesMode::kKw) {
    SetError(error, "unsupported encryption algorithm");
    return std::nullopt;
  }
  if (type_ != KeyType::kOct || oct_.size() != aes->key_bytes) {
    SetError(error, "algorithm does not fit the key size or type");
    return std::nullopt;
  }
  std::optional<CipherResult> out = aes->mode == AesMode::kGcm ? AesGcm(*aes, oct_, ciphertext, params, false, error)
                                                               : AesCbc(*aes, oct_, ciphertext, params, false, error);
  if (!out) return std::nullopt;
  return std::move(out->value);
}

std::optional<std::string> KeyMaterial::WrapKey(std::string_view alg, std::string_view key, std::string* error) const {
  if (std::optional<RsaPadding> padding = ParseRsaAlg(alg)) {
    if (type_ != KeyType::kRsa) {
      SetError(error, "algorithm requires an RSA key");
      return std::nullopt;
    }
    return RsaCrypt(pkey_, *padding, key, true, error);
  }
  std::optional<AesAlg> aes = ParseAesAlg(alg);
  if (!aes || aes->mode != AesMode::kKw) {
    SetError(error, "unsupported key wrap algorithm");
    return std::nullopt;
  }
  if (type_ != KeyType::kOct || oct_.size() != aes->key_bytes) {
    SetError(error, "algorithm does not fit the key size or type");
    return std::nullopt;
  }
  return AesKeyWrap(*aes, oct_, key, true, error);
}

std::optional<std::string> KeyMaterial::UnwrapKey(std::string_view alg, std::string_view wrapped,
                                                  std::string* error) const {
  if (std::optional<RsaPadding> padding = ParseRsaAlg(alg)) {
    if (type_ != KeyType::kRsa) {
      SetError(error, "algorithm requires an RSA key");
      return std::nullopt;
    }
    if (!has_private_) {
      SetError(error, "key has no private part");
      return std::nullopt;
    }
    return RsaCrypt(pkey_, *padding, wrapped, false, error);
  }
  std::optional<AesAlg> aes = ParseAesAlg(alg);
  if (!aes || aes->mode != AesMode::kKw) {
    SetError(error, "unsupported key wrap algorithm");
    return std::nullopt;
  }
  if (type_ != KeyType::kOct || oct_.size() != aes->key_bytes) {
    SetError(error, "algorithm does not fit the key size or type");
    return std::nullopt;
  }
  return AesKeyWrap(*aes, oct_, wrapped, false, error);
}

std::optional<std::string> KeyMaterial::SignDigest(std::string_view alg_name, std::string_view digest,
                                                   std::string* error) const {
  const SignAlg* alg = CheckSignAlg(alg_name, type_, curve_, digest, error);
  if (alg == nullptr) return std::nullopt;
  if (!has_private_) {
    SetError(error, "key has no private part");
    return std::nullopt;
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_, nullptr));
  size_t sig_len = 0;
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 || !ConfigureSignCtx(ctx.get(), *alg) ||
      EVP_PKEY_sign(ctx.get(), nullptr, &sig_len, Bytes(digest), digest.size()) != 1) {
    SetError(error, "cannot set up signing");
    return std::nullopt;
  }
  std::string sig(sig_len, '\0');
  if (EVP_PKEY_sign(ctx.get(), MutableBytes(sig), &sig_len, Bytes(digest), digest.size()) != 1) {
    SetError(error, "signing failed");
    return std::nullopt;
  }
  sig.resize(sig_len);
  if (alg->family != SignFamily::kEcdsa) return sig;
  std::optional<std::string> raw = EcdsaDerToRaw(sig, CurveBytes(curve_));
  if (!raw) SetError(error, "malformed ECDSA signature");
  return raw;
}

std::optional<bool> KeyMaterial::VerifyDigest(std::string_view alg_name, std::string_view digest,
                                              std::string_view signature, std::string* error) const {
  const SignAlg* alg = CheckSignAlg(alg_name, type_, curve_, digest, error);
  if (alg == nullptr) return std::nullopt;
  std::string der;
  if (alg->family == SignFamily::kEcdsa) {
    std::optional<std::string> converted = EcdsaRawToDer(signature, CurveBytes(curve_));
    if (!converted) {
      ERR_clear_error();
      return false;  // wrong length or garbage is a wrong signature, not a usage error
    }
    der = std::move(*converted);
    signature = der;
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_, nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 || !ConfigureSignCtx(ctx.get(), *alg)) {
    SetError(error, "cannot set up verification");
    return std::nullopt;
  }
  bool valid = EVP_PKEY_verify(ctx.get(), Bytes(signature), signature.size(), Bytes(digest), digest.size()) == 1;
  ERR_clear_error();
  return valid;
}

std::optional<std::string> KeyMaterial::SignMessage(std::string_view alg, std::string_view message,
                                                    std::string* error) const {
  std::optional<std::string> digest = HashFor(alg, message, error);
  if (!digest) return std::nullopt;
  return SignDigest(alg, *digest, error);
}

bool KeyMaterial::VerifyMessage(std::string_view alg, std::string_view message, std::string_view signature) const {
  std::string ignored;
  std::optional<std::string> digest = HashFor(alg, message, &ignored);
  if (!digest) return false;
  return VerifyDigest(alg, *digest, signature, &ignored).value_or(false);
}

}  // namespace crosskey::crypto
