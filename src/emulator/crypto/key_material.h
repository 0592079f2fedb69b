#pragma once
// Immutable asymmetric or symmetric key material and every cryptographic operation the
// emulator performs with it (Key Vault crypto, JWT signing, backup sealing).
// Thread-safety: a KeyMaterial is immutable after construction; every const method may be
// called concurrently from many threads (OpenSSL contexts are created per call or per thread).
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

typedef struct evp_pkey_st EVP_PKEY;

namespace crosskey::crypto {

enum class KeyType { kRsa, kEc, kOct };

// Parameters and outputs of symmetric modes that carry more than the ciphertext.
struct SymmetricParams {
  std::string iv;   // GCM: 12 bytes (generated when empty on encrypt); CBC: 16 bytes
  std::string aad;  // GCM only
  std::string tag;  // GCM decrypt: 16-byte tag
};
struct CipherResult {
  std::string value;
  std::string iv;   // set for GCM/CBC
  std::string tag;  // set for GCM
};

class KeyMaterial {
 public:
  ~KeyMaterial();
  KeyMaterial(const KeyMaterial&) = delete;
  KeyMaterial& operator=(const KeyMaterial&) = delete;

  // Generators: nullptr when a parameter is unsupported (bits not 2048/3072/4096 for RSA,
  // unknown curve, oct bits not 128/192/256).
  static std::shared_ptr<const KeyMaterial> GenerateRsa(int bits, unsigned long public_exponent = 65537);
  // crv: "P-256", "P-384", "P-521", "P-256K".
  static std::shared_ptr<const KeyMaterial> GenerateEc(std::string_view crv);
  static std::shared_ptr<const KeyMaterial> GenerateOct(int bits);
  // From raw AES key bytes (16/24/32).
  static std::shared_ptr<const KeyMaterial> FromOctBytes(std::string_view bytes);

  // JWK import. RSA: n,e (+ d,p,q,dp,dq,qi for private); EC: crv,x,y (+ d); oct: k.
  // kty may carry the "-HSM" suffix. nullptr with *error set when malformed.
  static std::shared_ptr<const KeyMaterial> FromJwk(const nlohmann::json& jwk, std::string* error);
  // PEM import: private key (PKCS#8 / traditional) or public key (SPKI).
  static std::shared_ptr<const KeyMaterial> FromPem(std::string_view pem, std::string* error);
  // Public key of an X.509 certificate given as PEM or as base64 DER (Graph keyCredentials
  // "key"). *thumbprint_sha1 receives the raw SHA-1 of the DER (the JWT "x5t" value decoded).
  static std::shared_ptr<const KeyMaterial> FromCertificate(std::string_view pem_or_b64der,
                                                            std::string* thumbprint_sha1,
                                                            std::string* error);

  KeyType type() const { return type_; }
  int bits() const;            // RSA modulus bits, EC field bits, oct key bits
  const std::string& curve() const { return curve_; }  // EC only: "P-256" ...
  bool has_private() const { return has_private_; }

  // Public JWK members only: RSA {kty:"RSA",n,e}; EC {kty:"EC",crv,x,y}; oct {kty:"oct"}
  // (never k). Never contains d/p/q/dp/dq/qi/k.
  nlohmann::json PublicJwk() const;
  // Full JWK including private members (for sealed backups and persistence only).
  nlohmann::json PrivateJwk() const;
  std::string PublicPem() const;   // SPKI PEM (asymmetric only)
  std::string PrivatePem() const;  // PKCS#8 PEM (asymmetric only)

  // Key Vault algorithms. RSA: "RSA-OAEP" (SHA-1), "RSA-OAEP-256", "RSA1_5".
  // oct: "A128KW"/"A192KW"/"A256KW" (RFC 3394) for wrap/unwrap;
  //      "A128GCM"/"A192GCM"/"A256GCM", "A128CBC"/"A192CBC"/"A256CBC" (no padding),
  //      "A128CBCPAD"/"A192CBCPAD"/"A256CBCPAD" (PKCS#7) for encrypt/decrypt.
  // The AES size in the algorithm name must match the key size.
  // nullopt with *error set when the algorithm does not fit the key or the input is invalid
  // (wrong length, failed integrity check, decryption failure).
  std::optional<CipherResult> Encrypt(std::string_view alg, std::string_view plaintext,
                                      const SymmetricParams& params, std::string* error) const;
  std::optional<std::string> Decrypt(std::string_view alg, std::string_view ciphertext,
                                     const SymmetricParams& params, std::string* error) const;
  std::optional<std::string> WrapKey(std::string_view alg, std::string_view key, std::string* error) const;
  std::optional<std::string> UnwrapKey(std::string_view alg, std::string_view wrapped, std::string* error) const;

  // Sign a precomputed digest (Key Vault semantics). alg: RS256/384/512, PS256/384/512
  // (RSA), ES256 (P-256), ES384 (P-384), ES512 (P-521), ES256K (P-256K). EC signatures are
  // raw r||s (JWS form), not DER. Digest length must match the algorithm's hash.
  std::optional<std::string> SignDigest(std::string_view alg, std::string_view digest, std::string* error) const;
  // nullopt with *error when the algorithm does not fit; false when the signature is wrong.
  std::optional<bool> VerifyDigest(std::string_view alg, std::string_view digest,
                                   std::string_view signature, std::string* error) const;

  // Hash-and-sign / verify of a message (JWT). Same algorithm names as above.
  std::optional<std::string> SignMessage(std::string_view alg, std::string_view message, std::string* error) const;
  bool VerifyMessage(std::string_view alg, std::string_view message, std::string_view signature) const;

  EVP_PKEY* pkey() const { return pkey_; }  // asymmetric only; owned by this object

 private:
  KeyMaterial() = default;
  KeyType type_ = KeyType::kOct;
  EVP_PKEY* pkey_ = nullptr;
  std::string oct_;    // oct key bytes
  std::string curve_;
  bool has_private_ = false;
};

}  // namespace crosskey::crypto
