// Key Vault's key crypto operations: wrapKey, unwrapKey, encrypt, decrypt, sign, verify, and
// getRandomBytes (key_vault_call.h). Every one passes the service's one key gate.
#include "emulator/common/http/wire.h"
#include "emulator/common/json_writer.h"
#include "emulator/crypto/encoding.h"
#include "emulator/keyvault/errors.h"
#include "emulator/keyvault/http/key_vault_call.h"

namespace crosskey::keyvault::http {
namespace {
using nlohmann::json;

struct CryptoInput {
  std::string alg;
  std::string value;
};

StatusOr<CryptoInput> ReadCryptoInput(const json& body) {
  std::string alg = body.value("alg", "");
  if (alg.empty() || !body["alg"].is_string()) return errors::BadParameter("Property 'alg' is required.");
  Error field_error;
  auto value = B64Field(body, "value", true, &field_error);
  if (!value) return field_error;
  return CryptoInput{std::move(alg), std::move(*value)};
}

std::string Kid(const KeyVaultCall& call, const KeyVersionSnapshot& key) {
  return call.base + "/keys/" + key->name + "/" + key->version;
}

// wrapKey, unwrapKey, encrypt and decrypt: the answer is written without a JSON tree (the hot path).
StatusOr<HttpResponse> Crypt(const KeyVaultCall& call, const char* op) {
  CK_ASSIGN_OR_RETURN(auto in, ReadCryptoInput(call.body));
  crypto::SymmetricParams params;
  Error field_error;
  for (auto [field, slot] : {std::pair{"iv", &params.iv}, std::pair{"aad", &params.aad}, std::pair{"tag", &params.tag}}) {
    auto v = B64Field(call.body, field, false, &field_error);
    if (!v) return field_error;
    *slot = *v;
  }
  CK_ASSIGN_OR_RETURN(auto r, call.kv().Crypt(call.vault.name, call.caller, call.Param("name"), call.Param("version"),
                                              op, in.alg, in.value, params));
  JsonObjectWriter out;
  out.Str("kid", Kid(call, r.key)).Str("value", crypto::Base64UrlEncode(r.output.value));
  if (!r.output.iv.empty()) out.Str("iv", crypto::Base64UrlEncode(r.output.iv));
  if (!r.output.tag.empty()) out.Str("tag", crypto::Base64UrlEncode(r.output.tag));
  if (!params.aad.empty() && std::string_view(op) == "encrypt") out.Str("aad", crypto::Base64UrlEncode(params.aad));
  HttpResponse response;
  response.status = 200;
  response.body = std::move(out).Finish();
  return response;
}
}  // namespace

StatusOr<HttpResponse> WrapKey(const KeyVaultCall& call) { return Crypt(call, "wrapKey"); }
StatusOr<HttpResponse> UnwrapKey(const KeyVaultCall& call) { return Crypt(call, "unwrapKey"); }
StatusOr<HttpResponse> Encrypt(const KeyVaultCall& call) { return Crypt(call, "encrypt"); }
StatusOr<HttpResponse> Decrypt(const KeyVaultCall& call) { return Crypt(call, "decrypt"); }

StatusOr<HttpResponse> Sign(const KeyVaultCall& call) {
  CK_ASSIGN_OR_RETURN(auto in, ReadCryptoInput(call.body));
  CK_ASSIGN_OR_RETURN(auto r, call.kv().Sign(call.vault.name, call.caller, call.Param("name"), call.Param("version"),
                                             in.alg, in.value));
  return wire::Json(200, {{"kid", Kid(call, r.key)}, {"value", crypto::Base64UrlEncode(r.output.value)}});
}

StatusOr<HttpResponse> Verify(const KeyVaultCall& call) {
  CK_ASSIGN_OR_RETURN(auto in, ReadCryptoInput(call.body));
  Error field_error;
  auto digest = B64Field(call.body, "digest", true, &field_error);
  if (!digest) return field_error;
  CK_ASSIGN_OR_RETURN(auto r, call.kv().Verify(call.vault.name, call.caller, call.Param("name"), call.Param("version"),
                                               in.alg, *digest, in.value));
  return wire::Json(200, {{"value", r.second}});
}

// getrandom: Managed HSM's API, offered on every vault here.
StatusOr<HttpResponse> GetRandomBytes(const KeyVaultCall& call) {
  const json& body = call.body;
  if (!body.contains("count") || !body["count"].is_number_integer()) {
    return errors::BadParameter("Property 'count' is required.");
  }
  int64_t count = body["count"];
  if (count < 1 || count > 128) return errors::BadParameter("Property 'count' must be between 1 and 128.");
  return wire::Json(200, {{"value", crypto::Base64UrlEncode(crypto::RandomBytes(static_cast<int>(count)))}});
}

}  // namespace crosskey::keyvault::http
