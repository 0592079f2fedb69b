// Stage 1 of scripts/bench: the raw OpenSSL ceilings, EVP called directly with no emulator
// code in the way. scripts/bench runs it pinned to one core (taskset -c 0), so every figure is
// one core's worth. Each benchmark is named <op-family>.<op> (e.g. rsa2048.unwrap) so the
// in-process and HTTPS stages can be set against the same name.
//
// Two flavours per operation:
//   <name>             contexts initialised once and reused (the best EVP can do: the ceiling)
//   <name>.fresh_ctx   a new EVP_PKEY_CTX / EVP_CIPHER_CTX per operation, as a straightforward
//                      server would do it (shows what context reuse is worth)
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "raw_crypto_bench: %s failed\n", what);
  std::exit(1);
}
void Check(int rc, const char* what) {
  if (rc <= 0) Die(what);
}

std::string Random(size_t n) {
  std::string s(n, '\0');
  Check(RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), static_cast<int>(n)), "RAND_bytes");
  return s;
}
const unsigned char* U(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* U(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// One key per size for the whole run: Google Benchmark calls each function several times while
// it sizes the iteration count, and RSA-4096 generation takes a second.
EVP_PKEY* RsaKey(int bits) {
  static std::map<int, Pkey> keys;
  auto& slot = keys[bits];
  if (!slot) {
    slot.reset(EVP_RSA_gen(static_cast<unsigned>(bits)));
    if (!slot) Die("EVP_RSA_gen");
  }
  return slot.get();
}

// An OAEP-SHA256 context for encrypt (wrap) or decrypt (unwrap).
PkeyCtx OaepCtx(EVP_PKEY* key, bool encrypt) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx) Die("EVP_PKEY_CTX_new_from_pkey");
  Check(encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get()), "oaep init");
  Check(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING), "set padding");
  Check(EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()), "set oaep md");
  Check(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()), "set mgf1 md");
  return ctx;
}

std::string OaepRun(EVP_PKEY_CTX* ctx, bool encrypt, const std::string& in, size_t out_cap) {
  std::string out(out_cap, '\0');
  size_t len = out.size();
  int rc = encrypt ? EVP_PKEY_encrypt(ctx, U(out), &len, U(in), in.size())
                   : EVP_PKEY_decrypt(ctx, U(out), &len, U(in), in.size());
  Check(rc, encrypt ? "EVP_PKEY_encrypt" : "EVP_PKEY_decrypt");
  out.resize(len);
  return out;
}

// ------------------------------------------------------------------- RSA-OAEP-256 (wrap/unwrap)

void RsaWrap(benchmark::State& state, int bits, bool fresh) {
  EVP_PKEY* key = RsaKey(bits);
  const std::string cek = Random(32);
  const size_t cap = static_cast<size_t>(bits / 8);
  PkeyCtx reused = OaepCtx(key, true);
  for (auto _ : state) {
    if (fresh) {
      PkeyCtx ctx = OaepCtx(key, true);
      benchmark::DoNotOptimize(OaepRun(ctx.get(), true, cek, cap));
    } else {
      benchmark::DoNotOptimize(OaepRun(reused.get(), true, cek, cap));
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void RsaUnwrap(benchmark::State& state, int bits, bool fresh) {
  EVP_PKEY* key = RsaKey(bits);
  const std::string cek = Random(32);
  const size_t cap = static_cast<size_t>(bits / 8);
  PkeyCtx enc = OaepCtx(key, true);
  const std::string wrapped = OaepRun(enc.get(), true, cek, cap);
  PkeyCtx reused = OaepCtx(key, false);
  for (auto _ : state) {
    std::string out;
    if (fresh) {
      PkeyCtx ctx = OaepCtx(key, false);
      out = OaepRun(ctx.get(), false, wrapped, cap);
    } else {
      out = OaepRun(reused.get(), false, wrapped, cap);
    }
    if (out != cek) Die("unwrap round trip");
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

// --------------------------------------------------------------------- AES-256 key wrap (RFC 3394)

std::string AesKw(EVP_CIPHER_CTX* ctx, bool wrap, const std::string& kek, const std::string& in) {
  Check(wrap ? EVP_EncryptInit_ex(ctx, EVP_aes_256_wrap(), nullptr, U(kek), nullptr)
             : EVP_DecryptInit_ex(ctx, EVP_aes_256_wrap(), nullptr, U(kek), nullptr),
        "aes wrap init");
  std::string out(in.size() + 16, '\0');
  int len = 0, fin = 0;
  Check(wrap ? EVP_EncryptUpdate(ctx, U(out), &len, U(in), static_cast<int>(in.size()))
             : EVP_DecryptUpdate(ctx, U(out), &len, U(in), static_cast<int>(in.size())),
        "aes wrap update");
  Check(wrap ? EVP_EncryptFinal_ex(ctx, U(out) + len, &fin) : EVP_DecryptFinal_ex(ctx, U(out) + len, &fin),
        "aes wrap final");
  out.resize(static_cast<size_t>(len + fin));
  return out;
}

void AesKwBench(benchmark::State& state, bool wrap, bool fresh) {
  const std::string kek = Random(32);
  const std::string cek = Random(32);
  CipherCtx reused(EVP_CIPHER_CTX_new());
  const std::string wrapped = AesKw(reused.get(), true, kek, cek);
  const std::string& input = wrap ? cek : wrapped;
  for (auto _ : state) {
    std::string out;
    if (fresh) {
      CipherCtx ctx(EVP_CIPHER_CTX_new());
      out = AesKw(ctx.get(), wrap, kek, input);
    } else {
      out = AesKw(reused.get(), wrap, kek, input);
    }
    if (!wrap && out != cek) Die("aes unwrap round trip");
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

// -------------------------------------------------------------------------- RS256 (JWT signing)

// A message the size of an emulator access token's signing input (header.payload, ~900 B).
const std::string& JwtSigningInput() {
  static const std::string s = std::string(120, 'h') + "." + std::string(780, 'p');
  return s;
}

std::string Rs256Sign(EVP_PKEY* key, const std::string& msg) {
  MdCtx md(EVP_MD_CTX_new());
  Check(EVP_DigestSignInit_ex(md.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr), "DigestSignInit");
  size_t len = 0;
  Check(EVP_DigestSign(md.get(), nullptr, &len, U(msg), msg.size()), "DigestSign size");
  std::string sig(len, '\0');
  Check(EVP_DigestSign(md.get(), U(sig), &len, U(msg), msg.size()), "DigestSign");
  sig.resize(len);
  return sig;
}

bool Rs256Verify(EVP_PKEY* key, const std::string& msg, const std::string& sig) {
  MdCtx md(EVP_MD_CTX_new());
  Check(EVP_DigestVerifyInit_ex(md.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr), "DigestVerifyInit");
  return EVP_DigestVerify(md.get(), U(sig), sig.size(), U(msg), msg.size()) == 1;
}

// kind: 0 sign, 1 verify, 2 sign then verify (one FIC exchange's crypto: verify the
// assertion, sign the new token).
void Rs256Bench(benchmark::State& state, int kind) {
  EVP_PKEY* key = RsaKey(2048);
  const std::string& msg = JwtSigningInput();
  const std::string sig = Rs256Sign(key, msg);
  for (auto _ : state) {
    if (kind == 0) {
      benchmark::DoNotOptimize(Rs256Sign(key, msg));
    } else if (kind == 1) {
      if (!Rs256Verify(key, msg, sig)) Die("verify");
    } else {
      std::string s = Rs256Sign(key, msg);
      if (!Rs256Verify(key, msg, s)) Die("sign+verify");
    }
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

// The ceilings the in-process verdicts read run twice; scripts/bench keeps each one's
// fastest run (noise only takes speed away), as in_process_bench does for the other side. Not
// the RSA-3072/4096 unwraps: 2-4 ms an operation, where the gate is lost anyway.
constexpr int kVerdictRuns = 2;

int main(int argc, char** argv) {
  for (int bits : {2048, 3072, 4096}) {
    std::string n = "rsa" + std::to_string(bits);
    for (bool fresh : {false, true}) {
      std::string sfx = fresh ? ".fresh_ctx" : "";
      auto* wrap = benchmark::RegisterBenchmark((n + ".wrap" + sfx).c_str(), RsaWrap, bits, fresh)->UseRealTime();
      auto* unwrap = benchmark::RegisterBenchmark((n + ".unwrap" + sfx).c_str(), RsaUnwrap, bits, fresh)->UseRealTime();
      if (!fresh) wrap->Repetitions(kVerdictRuns);
      if (!fresh && bits == 2048) unwrap->Repetitions(kVerdictRuns);
    }
  }
  for (bool fresh : {false, true}) {
    std::string sfx = fresh ? ".fresh_ctx" : "";
    auto* wrap = benchmark::RegisterBenchmark(("a256kw.wrap" + sfx).c_str(), AesKwBench, true, fresh)->UseRealTime();
    auto* unwrap = benchmark::RegisterBenchmark(("a256kw.unwrap" + sfx).c_str(), AesKwBench, false, fresh)->UseRealTime();
    if (!fresh) {
      wrap->Repetitions(kVerdictRuns);
      unwrap->Repetitions(kVerdictRuns);
    }
  }
  benchmark::RegisterBenchmark("rs256.sign", Rs256Bench, 0)->UseRealTime();
  benchmark::RegisterBenchmark("rs256.verify", Rs256Bench, 1)->UseRealTime();
  benchmark::RegisterBenchmark("rs256.sign_verify", Rs256Bench, 2)->UseRealTime();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
