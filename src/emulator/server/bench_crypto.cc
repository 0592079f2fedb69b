#include "emulator/server/bench_crypto.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <memory>
#include <mutex>
#include <string>

namespace crosskey::server {
namespace {

using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

const unsigned char* U(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* U(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// What every thread shares: the RSA-2048 key, a 32-byte key and its OAEP-256 wrap, a KEK, the
// JWT-sized signing input. Made once, on the first request.
struct Material {
  EVP_PKEY* rsa = nullptr;  // lives as long as the process
  std::string cek, wrapped, kek, jwt_input;
  bool ok = false;
};

PkeyCtx Oaep(EVP_PKEY* key, bool encrypt) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr), &EVP_PKEY_CTX_free);
  if (!ctx || (encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) <= 0) {
    return PkeyCtx(nullptr, &EVP_PKEY_CTX_free);
  }
  return ctx;
}

bool OaepRun(EVP_PKEY_CTX* ctx, bool encrypt, const std::string& in, std::string* out) {
  out->assign(256, '\0');
  size_t len = out->size();
  int rc = encrypt ? EVP_PKEY_encrypt(ctx, U(*out), &len, U(in), in.size())
                   : EVP_PKEY_decrypt(ctx, U(*out), &len, U(in), in.size());
  out->resize(len);
  return rc > 0;
}

std::string Random(size_t n) {
  std::string s(n, '\0');
  RAND_bytes(U(s), static_cast<int>(n));
  return s;
}

const Material& Shared() {
  static Material m;
  static std::once_flag once;
  std::call_once(once, [] {
    m.rsa = EVP_RSA_gen(2048);
    if (!m.rsa) return;
    m.cek = Random(32);
    m.kek = Random(32);
    m.jwt_input = std::string(120, 'h') + "." + std::string(780, 'p');  // as stage 1's
    PkeyCtx enc = Oaep(m.rsa, true);
    m.ok = enc && OaepRun(enc.get(), true, m.cek, &m.wrapped);
  });
  return m;
}

// Per thread, as stage 1 reuses them: the OAEP contexts and the cipher context.
struct ThreadContexts {
  PkeyCtx encrypt{nullptr, &EVP_PKEY_CTX_free}, decrypt{nullptr, &EVP_PKEY_CTX_free};
  CipherCtx cipher{EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
};

bool AesKeyWrap(EVP_CIPHER_CTX* ctx, const std::string& kek, const std::string& in) {
  std::string out(in.size() + 16, '\0');
  int len = 0, fin = 0;
  return EVP_EncryptInit_ex(ctx, EVP_aes_256_wrap(), nullptr, U(kek), nullptr) > 0 &&
         EVP_EncryptUpdate(ctx, U(out), &len, U(in), static_cast<int>(in.size())) > 0 &&
         EVP_EncryptFinal_ex(ctx, U(out) + len, &fin) > 0;
}

bool SignVerify(EVP_PKEY* key, const std::string& msg) {
  MdCtx sign(EVP_MD_CTX_new(), &EVP_MD_CTX_free), verify(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  size_t len = 0;
  if (!sign || EVP_DigestSignInit_ex(sign.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr) <= 0 ||
      EVP_DigestSign(sign.get(), nullptr, &len, U(msg), msg.size()) <= 0) {
    return false;
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(sign.get(), U(sig), &len, U(msg), msg.size()) <= 0) return false;
  sig.resize(len);
  return verify && EVP_DigestVerifyInit_ex(verify.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr) > 0 &&
         EVP_DigestVerify(verify.get(), U(sig), sig.size(), U(msg), msg.size()) == 1;
}

}  // namespace

bool RunBenchCrypto(std::string_view op) {
  const Material& m = Shared();
  if (!m.ok) return false;
  thread_local ThreadContexts t;
  std::string out;
  if (op == "rsa2048.wrap") {
    if (!t.encrypt) t.encrypt = Oaep(m.rsa, true);
    return t.encrypt && OaepRun(t.encrypt.get(), true, m.cek, &out);
  }
  if (op == "rsa2048.unwrap") {
    if (!t.decrypt) t.decrypt = Oaep(m.rsa, false);
    return t.decrypt && OaepRun(t.decrypt.get(), false, m.wrapped, &out) && out == m.cek;
  }
  if (op == "a256kw.wrap") return t.cipher && AesKeyWrap(t.cipher.get(), m.kek, m.cek);
  if (op == "rs256.sign_verify") return SignVerify(m.rsa, m.jwt_input);
  return false;
}

}  // namespace crosskey::server
