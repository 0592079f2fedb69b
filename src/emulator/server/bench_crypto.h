#pragma once
// The raw crypto of one operation, as stage 1 of scripts/bench runs it (OpenSSL EVP called
// directly, contexts reused per thread, no emulator code), for `crosskey serve --bench-routes`:
// POST /_emulator/bench/crypto?op=NAME answers the empty handler's body after doing it. Over
// HTTPS that is the empty handler plus exactly the operation's crypto, executed (unlike
// /bench/spin, which burns a fixed CPU time): on a core whose sibling is busy (the load
// generator), the crypto itself runs slower than stage 1 measured it on a quiet machine, and
// this route shows how much. Keys are generated at first use and live for the process.
#include <string_view>

namespace crosskey::server {

// Runs one operation: rsa2048.wrap, rsa2048.unwrap (RSA-OAEP-256 of a 32-byte key),
// a256kw.wrap (AES-256 key wrap of 32 bytes), rs256.sign_verify (a JWT-sized input). False
// for another name or when OpenSSL fails.
bool RunBenchCrypto(std::string_view op);

}  // namespace crosskey::server
