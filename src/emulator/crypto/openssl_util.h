#pragma once
// Internal to the crypto module (not part of its contract): RAII ownership of OpenSSL
// objects, error reporting that leaves no stale entries on the thread's OpenSSL error queue,
// and the EC curve table shared by key import, export and signing.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

namespace crosskey::crypto::internal {

template <auto Free>
struct OsslDeleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslDeleter<EVP_PKEY_CTX_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OsslDeleter<EVP_CIPHER_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslDeleter<EVP_MD_CTX_free>>;
// Clear-free because these may hold private key components.
using BnPtr = std::unique_ptr<BIGNUM, OsslDeleter<BN_clear_free>>;
using BioPtr = std::unique_ptr<BIO, OsslDeleter<BIO_free_all>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OsslDeleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, OsslDeleter<OSSL_PARAM_free>>;
using X509Ptr = std::unique_ptr<X509, OsslDeleter<X509_free>>;
using X509ExtPtr = std::unique_ptr<X509_EXTENSION, OsslDeleter<X509_EXTENSION_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OsslDeleter<ECDSA_SIG_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OsslDeleter<GENERAL_NAMES_free>>;

// The OpenSSL error queue is per thread; leaving entries behind would make an unrelated
// later call on the same thread misreport its own failure.
inline void SetError(std::string* error, std::string_view message) {
  ERR_clear_error();
  if (error != nullptr) *error = std::string(message);
}

inline const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
inline unsigned char* MutableBytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// Contents of a memory BIO (PEM writers).
inline std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

struct CurveInfo {
  std::string_view jwk_name;  // "P-256"
  const char* group;          // OpenSSL group name
  int bits;                   // field size
  size_t bytes;               // coordinate / scalar / signature-half size
  std::string_view sign_alg;  // the one JWS algorithm that fits the curve
};

inline constexpr CurveInfo kCurves[] = {
    {"P-256", "prime256v1", 256, 32, "ES256"},
    {"P-384", "secp384r1", 384, 48, "ES384"},
    {"P-521", "secp521r1", 521, 66, "ES512"},
    {"P-256K", "secp256k1", 256, 32, "ES256K"},
};

inline const CurveInfo* CurveByJwkName(std::string_view name) {
  for (const CurveInfo& c : kCurves) {
    if (c.jwk_name == name) return &c;
  }
  return nullptr;
}

// OpenSSL may report a group by its short name or by its NIST alias, so compare NIDs.
inline const CurveInfo* CurveByGroupName(const char* group) {
  int nid = OBJ_sn2nid(group);
  if (nid == NID_undef) nid = EC_curve_nist2nid(group);
  if (nid == NID_undef) return nullptr;
  for (const CurveInfo& c : kCurves) {
    if (OBJ_sn2nid(c.group) == nid) return &c;
  }
  return nullptr;
}

}  // namespace crosskey::crypto::internal
