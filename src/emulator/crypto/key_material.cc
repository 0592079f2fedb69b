// KeyMaterial creation (generation and import) and export. The cryptographic operations
// live in key_material_ops.cc.
#include "emulator/crypto/key_material.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <climits>
#include <utility>

#include "emulator/crypto/encoding.h"
#include "emulator/crypto/openssl_util.h"

namespace crosskey::crypto {
namespace {

using internal::BioContents;
using internal::BioPtr;
using internal::BnPtr;
using internal::Bytes;
using internal::CurveInfo;
using internal::MutableBytes;
using internal::ParamBldPtr;
using internal::ParamPtr;
using internal::PkeyCtxPtr;
using internal::PkeyPtr;
using internal::SetError;
using internal::X509Ptr;

using json = nlohmann::json;

struct AsymmetricKind {
  KeyType type;
  std::string curve;  // EC only
};

// Only plain RSA and the four Key Vault curves are representable as a KeyMaterial.
std::optional<AsymmetricKind> Classify(EVP_PKEY* pkey, std::string* error) {
  if (EVP_PKEY_is_a(pkey, "RSA")) return AsymmetricKind{KeyType::kRsa, ""};
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[80] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &len) != 1) {
      SetError(error, "EC key without a named curve");
      return std::nullopt;
    }
    const CurveInfo* curve = internal::CurveByGroupName(group);
    if (curve == nullptr) {
      SetError(error, "unsupported EC curve");
      return std::nullopt;
    }
    return AsymmetricKind{KeyType::kEc, std::string(curve->jwk_name)};
  }
  SetError(error, "unsupported key type");
  return std::nullopt;
}

BnPtr GetBn(EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return BnPtr(bn);
}

// Minimal big-endian (RSA members, RFC 7518 §6.3).
std::string BnMinimal(const BIGNUM* bn) {
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, MutableBytes(out));
  return out;
}

// Fixed width (EC members, RFC 7518 §6.2).
std::string BnPadded(const BIGNUM* bn, size_t width) {
  std::string out(width, '\0');
  if (BN_bn2binpad(bn, MutableBytes(out), static_cast<int>(width)) < 0) return std::string();
  return out;
}

BnPtr BnFromBytes(std::string_view bytes) {
  return BnPtr(BN_bin2bn(Bytes(bytes), static_cast<int>(bytes.size()), nullptr));
}

// Reads an optional base64url member. False when present but not a valid base64url string;
// *out stays empty when absent.
bool ReadB64Member(const json& jwk, const char* name, std::string* out, std::string* error) {
  out->clear();
  auto it = jwk.find(name);
  if (it == jwk.end()) return true;
  if (!it->is_string()) {
    SetError(error, std::string("JWK member '") + name + "' must be a string");
    return false;
  }
  std::optional<std::string> decoded = Base64UrlDecode(it->get_ref<const std::string&>());
  if (!decoded) {
    SetError(error, std::string("JWK member '") + name + "' is not base64url");
    return false;
  }
  *out = std::move(*decoded);
  return true;
}

PkeyPtr FromParams(const char* key_type, int selection, OSSL_PARAM_BLD* bld, std::string* error) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, key_type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) {
    SetError(error, "invalid key parameters");
    return nullptr;
  }
  return PkeyPtr(raw);
}

// fromdata only checks encodings; a JWK whose private half does not match its public half
// must not become a key that signs garbage.
bool CheckKey(EVP_PKEY* pkey, bool has_private, std::string* error) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  bool ok = ctx && (has_private ? EVP_PKEY_pairwise_check(ctx.get()) : EVP_PKEY_public_check(ctx.get())) == 1;
  if (!ok) SetError(error, has_private ? "private key does not match public key" : "invalid public key");
  return ok;
}

PkeyPtr RsaFromJwk(const json& jwk, bool* has_private, std::string* error) {
  static constexpr const char* kJwkNames[] = {"n", "e", "d", "p", "q", "dp", "dq", "qi"};
  static constexpr const char* kParamNames[] = {OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
                                                OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
                                                OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
                                                OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
  constexpr size_t kCount = sizeof(kJwkNames) / sizeof(kJwkNames[0]);
  BnPtr bns[kCount];
  for (size_t i = 0; i < kCount; ++i) {
    std::string bytes;
    if (!ReadB64Member(jwk, kJwkNames[i], &bytes, error)) return nullptr;
    if (bytes.size() > 2048) {  // 16384-bit numbers: beyond anything Key Vault accepts
      SetError(error, "RSA key too large");
      return nullptr;
    }
    if (!bytes.empty()) bns[i] = BnFromBytes(bytes);
  }
  if (!bns[0] || !bns[1] || BN_is_zero(bns[0].get()) || BN_is_zero(bns[1].get())) {
    SetError(error, "RSA JWK requires n and e");
    return nullptr;
  }
  int crt_present = 0;
  for (size_t i = 3; i < kCount; ++i) crt_present += bns[i] ? 1 : 0;
  *has_private = bns[2] != nullptr;
  if ((crt_present != 0 && crt_present != 5) || (crt_present != 0 && !*has_private)) {
    SetError(error, "incomplete RSA private key");
    return nullptr;
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) {
    SetError(error, "out of memory");
    return nullptr;
  }
  for (size_t i = 0; i < kCount; ++i) {
    if (bns[i] && OSSL_PARAM_BLD_push_BN(bld.get(), kParamNames[i], bns[i].get()) != 1) {
      SetError(error, "invalid RSA parameters");
      return nullptr;
    }
  }
  PkeyPtr pkey = FromParams("RSA", *has_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, bld.get(), error);
  if (!pkey) return nullptr;
  // Without CRT factors there is nothing for a pairwise check to compare; the public part
  // is still validated.
  if (!CheckKey(pkey.get(), *has_private && crt_present == 5, error)) return nullptr;
  return pkey;
}

PkeyPtr EcFromJwk(const json& jwk, bool* has_private, std::string* error) {
  auto crv = jwk.find("crv");
  const CurveInfo* curve =
      (crv != jwk.end() && crv->is_string()) ? internal::CurveByJwkName(crv->get_ref<const std::string&>()) : nullptr;
  if (curve == nullptr) {
    SetError(error, "unsupported or missing EC crv");
    return nullptr;
  }
  std::string x, y, d;
  if (!ReadB64Member(jwk, "x", &x, error) || !ReadB64Member(jwk, "y", &y, error) ||
      !ReadB64Member(jwk, "d", &d, error)) {
    return nullptr;
  }
  if (x.size() != curve->bytes || y.size() != curve->bytes || (!d.empty() && d.size() != curve->bytes)) {
    SetError(error, "EC JWK coordinate has the wrong length for its curve");
    return nullptr;
  }
  *has_private = !d.empty();
  std::string point = "\x04" + x + y;
  BnPtr priv = *has_private ? BnFromBytes(d) : nullptr;
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve->group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1 ||
      (priv && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()) != 1)) {
    SetError(error, "invalid EC parameters");
    return nullptr;
  }
  PkeyPtr pkey = FromParams("EC", *has_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, bld.get(), error);
  if (!pkey || !CheckKey(pkey.get(), *has_private, error)) return nullptr;
  return pkey;
}

int NoPassword(char*, int, int, void*) { return -1; }

BioPtr ReadBio(std::string_view data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

}  // namespace

KeyMaterial::~KeyMaterial() {
  EVP_PKEY_free(pkey_);
  if (!oct_.empty()) OPENSSL_cleanse(oct_.data(), oct_.size());
}

std::shared_ptr<const KeyMaterial> KeyMaterial::GenerateRsa(int bits, unsigned long public_exponent) {
  if (bits != 2048 && bits != 3072 && bits != 4096) return nullptr;
  if (public_exponent < 3 || public_exponent % 2 == 0) return nullptr;
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  BnPtr e(BN_new());
  EVP_PKEY* raw = nullptr;
  if (!ctx || !e || BN_set_word(e.get(), public_exponent) != 1 || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1 ||
      EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), e.get()) != 1 || EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  std::shared_ptr<KeyMaterial> key(new KeyMaterial());
  key->type_ = KeyType::kRsa;
  key->pkey_ = raw;
  key->has_private_ = true;
  return key;
}

std::shared_ptr<const KeyMaterial> KeyMaterial::GenerateEc(std::string_view crv) {
  const CurveInfo* curve = internal::CurveByJwkName(crv);
  if (curve == nullptr) return nullptr;
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve->group);
  if (raw == nullptr) {
    ERR_clear_error();
    return nullptr;
  }
  std::shared_ptr<KeyMaterial> key(new KeyMaterial());
  key->type_ = KeyType::kEc;
  key->pkey_ = raw;
  key->curve_ = std::string(curve->jwk_name);
  key->has_private_ = true;
  return key;
}

std::shared_ptr<const KeyMaterial> KeyMaterial::GenerateOct(int bits) {
  if (bits != 128 && bits != 192 && bits != 256) return nullptr;
  return FromOctBytes(RandomBytes(static_cast<size_t>(bits / 8)));
}

std::shared_ptr<const KeyMaterial> KeyMaterial::FromOctBytes(std::string_view bytes) {
  if (bytes.size() != 16 && bytes.size() != 24 && bytes.size() != 32) return nullptr;
  std::shared_ptr<KeyMaterial> key(new KeyMaterial());
  key->type_ = KeyType::kOct;
  key->oct_ = std::string(bytes);
  key->has_private_ = true;
  return key;
}

std::shared_ptr<const KeyMaterial> KeyMaterial::FromJwk(const nlohmann::json& jwk, std::string* error) {
  if (!jwk.is_object()) {
    SetError(error, "JWK must be a JSON object");
    return nullptr;
  }
  auto kty_it = jwk.find("kty");
  if (kty_it == jwk.end() || !kty_it->is_string()) {
    SetError(error, "JWK kty missing");
    return nullptr;
  }
  std::string_view kty = kty_it->get_ref<const std::string&>();
  if (kty.size() > 4 && kty.substr(kty.size() - 4) == "-HSM") kty.remove_suffix(4);

  if (kty == "oct") {
    std::string k;
    if (!ReadB64Member(jwk, "k", &k, error)) return nullptr;
    auto key = FromOctBytes(k);
    OPENSSL_cleanse(k.data(), k.size());
    if (!key) SetError(error, "oct JWK k must be 16, 24 or 32 bytes");
    return key;
  }
  bool has_private = false;
  PkeyPtr pkey;
  if (kty == "RSA") {
    pkey = RsaFromJwk(jwk, &has_private, error);
  } else if (kty == "EC") {
    pkey = EcFromJwk(jwk, &has_private, error);
  } else {
    SetError(error, "unsupported JWK kty");
    return nullptr;
  }
  if (!pkey) return nullptr;
  std::optional<AsymmetricKind> kind = Classify(pkey.get(), error);
  if (!kind) return nullptr;
  std::shared_ptr<KeyMaterial> key(new KeyMaterial());
  key->type_ = kind->type;
  key->curve_ = kind->curve;
  key->has_private_ = has_private;
  key->pkey_ = pkey.release();
  return key;
}

std::shared_ptr<const KeyMaterial> KeyMaterial::FromPem(std::string_view pem, std::string* error) {
  bool has_private = true;
  BioPtr bio = ReadBio(pem);
  // NoPassword: an encrypted key must fail instead of prompting on the terminal.
  PkeyPtr pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr) : nullptr);
  if (!pkey) {
    ERR_clear_error();
    has_private = false;
    bio = ReadBio(pem);
    pkey.reset(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassword, nullptr) : nullptr);
  }
  if (!pkey) {
    SetError(error, "not a PEM private key or SPKI public key");
    return nullptr;
  }
  std::optional<AsymmetricKind> kind = Classify(pkey.get(), error);
  if (!kind) return nullptr;
  std::shared_ptr<KeyMaterial> key(new KeyMaterial());
  key->type_ = kind->type;
  key->curve_ = kind->curve;
  key->has_private_ = has_private;
  key->pkey_ = pkey.release();
  return key;
}

std::shared_ptr<const KeyMaterial> KeyMaterial::FromCertificate(std::string_view pem_or_b64der,
                                                                std::string* thumbprint_sha1, std::string* error) {
  X509Ptr cert;
  if (pem_or_b64der.find("-----BEGIN") != std::string_view::npos) {
    BioPtr bio = ReadBio(pem_or_b64der);
    cert.reset(bio ? PEM_read_bio_X509(bio.get(), nullptr, NoPassword, nullptr) : nullptr);
  } else if (std::optional<std::string> der = Base64Decode(pem_or_b64der);
             der && der->size() <= static_cast<size_t>(INT_MAX)) {
    const unsigned char* p = Bytes(*der);
    cert.reset(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
  }
  if (!cert) {
    SetError(error, "not an X.509 certificate");
    return nullptr;
  }
  unsigned char* der = nullptr;
  int der_len = i2d_X509(cert.get(), &der);
  if (der_len <= 0) {
    SetError(error, "cannot encode certificate");
    return nullptr;
  }
  std::string thumbprint = Sha1(std::string_view(reinterpret_cast<char*>(der), static_cast<size_t>(der_len)));
  OPENSSL_free(der);
  PkeyPtr pkey(X509_get_pubkey(cert.get()));
  if (!pkey) {
    SetError(error, "certificate public key unreadable");
    return nullptr;
  }
  std::optional<AsymmetricKind> kind = Classify(pkey.get(), error);
  if (!kind) return nullptr;
  if (thumbprint_sha1 != nullptr) *thumbprint_sha1 = std::move(thumbprint);
  std::shared_ptr<KeyMaterial> key(new KeyMaterial());
  key->type_ = kind->type;
  key->curve_ = kind->curve;
  key->has_private_ = false;
  key->pkey_ = pkey.release();
  return key;
}

int KeyMaterial::bits() const {
  switch (type_) {
    case KeyType::kRsa:
      return EVP_PKEY_get_bits(pkey_);
    case KeyType::kEc: {
      const CurveInfo* curve = internal::CurveByJwkName(curve_);
      return curve != nullptr ? curve->bits : 0;
    }
    case KeyType::kOct:
      return static_cast<int>(oct_.size() * 8);
  }
  return 0;
}

nlohmann::json KeyMaterial::PublicJwk() const {
  json jwk = json::object();
  switch (type_) {
    case KeyType::kOct:
      jwk["kty"] = "oct";
      break;
    case KeyType::kRsa: {
      jwk["kty"] = "RSA";
      BnPtr n = GetBn(pkey_, OSSL_PKEY_PARAM_RSA_N);
      BnPtr e = GetBn(pkey_, OSSL_PKEY_PARAM_RSA_E);
      if (n) jwk["n"] = Base64UrlEncode(BnMinimal(n.get()));
      if (e) jwk["e"] = Base64UrlEncode(BnMinimal(e.get()));
      break;
    }
    case KeyType::kEc: {
      const CurveInfo* curve = internal::CurveByJwkName(curve_);
      jwk["kty"] = "EC";
      jwk["crv"] = curve_;
      BnPtr x = GetBn(pkey_, OSSL_PKEY_PARAM_EC_PUB_X);
      BnPtr y = GetBn(pkey_, OSSL_PKEY_PARAM_EC_PUB_Y);
      if (x && curve) jwk["x"] = Base64UrlEncode(BnPadded(x.get(), curve->bytes));
      if (y && curve) jwk["y"] = Base64UrlEncode(BnPadded(y.get(), curve->bytes));
      break;
    }
  }
  return jwk;
}

nlohmann::json KeyMaterial::PrivateJwk() const {
  json jwk = PublicJwk();
  if (!has_private_) return jwk;
  switch (type_) {
    case KeyType::kOct:
      jwk["k"] = Base64UrlEncode(oct_);
      break;
    case KeyType::kRsa: {
      static constexpr std::pair<const char*, const char*> kMembers[] = {
          {"d", OSSL_PKEY_PARAM_RSA_D},          {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
          {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},    {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
          {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2}, {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}};
      // Keys imported without CRT factors export only d, which FromJwk accepts back.
      for (const auto& [member, param] : kMembers) {
        if (BnPtr bn = GetBn(pkey_, param)) jwk[member] = Base64UrlEncode(BnMinimal(bn.get()));
      }
      break;
    }
    case KeyType::kEc: {
      const CurveInfo* curve = internal::CurveByJwkName(curve_);
      BnPtr d = GetBn(pkey_, OSSL_PKEY_PARAM_PRIV_KEY);
      if (d && curve) jwk["d"] = Base64UrlEncode(BnPadded(d.get(), curve->bytes));
      break;
    }
  }
  return jwk;
}

std::string KeyMaterial::PublicPem() const {
  if (type_ == KeyType::kOct) return std::string();
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_) != 1) {
    ERR_clear_error();
    return std::string();
  }
  return BioContents(bio.get());
}

std::string KeyMaterial::PrivatePem() const {
  if (type_ == KeyType::kOct || !has_private_) return std::string();
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    ERR_clear_error();
    return std::string();
  }
  return BioContents(bio.get());
}

}  // namespace crosskey::crypto
