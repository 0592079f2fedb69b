#include "emulator/keyvault/http/key_vault_routes.h"

#include <chrono>

#include "emulator/common/http/wire.h"
#include "emulator/common/json_writer.h"
#include "emulator/common/text.h"
#include "emulator/crypto/encoding.h"
#include "emulator/keyvault/errors.h"
#include "emulator/token/audience.h"

namespace crosskey::keyvault::http {
namespace {
using nlohmann::json;

constexpr size_t kMaxValueBytes = 64 * 1024;  // far above any RSA-4096 block or AES payload we accept

json AttributesJson(const KeyAttributes& a, const arm::VaultInfo& vault) {
  json j = {{"enabled", a.enabled},
            {"created", a.created},
            {"updated", a.updated},
            {"recoveryLevel", KeyVaultService::RecoveryLevel(vault)},
            {"exportable", a.exportable}};
  if (vault.soft_delete) j["recoverableDays"] = vault.retention_days;
  if (a.not_before) j["nbf"] = a.not_before;
  if (a.expires) j["exp"] = a.expires;
  return j;
}

std::optional<std::string> B64Field(const json& body, const char* name, bool required, Error* error) {
  if (!body.contains(name) || body[name].is_null()) {
    if (required) *error = errors::BadParameter(std::string("Property '") + name + "' is required.");
    return required ? std::nullopt : std::optional<std::string>("");
  }
  if (!body[name].is_string()) {
    *error = errors::BadParameter(std::string("Property '") + name + "' must be a base64url string.");
    return std::nullopt;
  }
  auto decoded = crypto::Base64UrlDecode(body[name].get<std::string>());
  if (!decoded) {
    *error = errors::BadParameter(std::string("Content of '") + name + "' is not base64url.");
    return std::nullopt;
  }
  if (decoded->size() > kMaxValueBytes) {
    *error = errors::BadParameter(std::string("Property '") + name + "' is too large.");
    return std::nullopt;
  }
  return decoded;
}

bool ReadAttributes(const json& body, KeyAttributes* attrs, bool* has_enabled, KeyUpdate* update, Error* error) {
  if (!body.contains("attributes") || body["attributes"].is_null()) return true;
  const json& a = body["attributes"];
  if (!a.is_object()) {
    *error = errors::BadParameter("Property 'attributes' must be an object.");
    return false;
  }
  auto int_field = [&](const char* name, std::optional<int64_t>* out) {
    if (!a.contains(name) || a[name].is_null()) return true;
    if (!a[name].is_number_integer()) {
      *error = errors::BadParameter(std::string("Attribute '") + name + "' must be an integer Unix time.");
      return false;
    }
    *out = a[name].get<int64_t>();
    return true;
  };
  std::optional<int64_t> nbf, exp;
  if (!int_field("nbf", &nbf) || !int_field("exp", &exp)) return false;
  std::optional<bool> enabled;
  if (a.contains("enabled") && !a["enabled"].is_null()) {
    if (!a["enabled"].is_boolean()) {
      *error = errors::BadParameter("Attribute 'enabled' must be a boolean.");
      return false;
    }
    enabled = a["enabled"].get<bool>();
  }
  if (attrs) {
    if (enabled) attrs->enabled = *enabled;
    if (nbf) attrs->not_before = *nbf;
    if (exp) attrs->expires = *exp;
    if (has_enabled) *has_enabled = enabled.has_value();
  }
  if (update) {
    update->enabled = enabled;
    update->not_before = nbf;
    update->expires = exp;
  }
  return true;
}

bool ReadKeyOps(const json& body, std::vector<std::string>* ops, Error* error) {
  if (!body.contains("key_ops") || body["key_ops"].is_null()) return true;
  if (!body["key_ops"].is_array()) {
    *error = errors::BadParameter("Property 'key_ops' must be an array.");
    return false;
  }
  for (const auto& o : body["key_ops"]) {
    if (!o.is_string()) {
      *error = errors::BadParameter("Property 'key_ops' must contain strings.");
      return false;
    }
    ops->push_back(o.get<std::string>());
  }
  return true;
}

std::string CryptoOpName(const std::string& segment) {
  static const char* kOps[] = {"wrapKey", "unwrapKey", "encrypt", "decrypt", "sign", "verify"};
  for (const char* op : kOps) {
    if (EqualsIgnoreCase(segment, op)) return op;
  }
  return "";
}
}  // namespace

// Key Vault's AuditEvent operation names (KeyWrap, KeyUnwrap, KeyGet, ...).
std::string OperationName(const HttpRequest& request) {
  auto seg = wire::PathSegments(request.path);
  const std::string& m = request.method;
  if (seg.empty()) return "Unknown";
  if (EqualsIgnoreCase(seg[0], "deletedkeys")) {
    if (seg.size() == 1) return "KeyListDeleted";
    if (seg.size() == 3) return "KeyRecover";
    return m == "DELETE" ? "KeyPurge" : "KeyGetDeleted";
  }
  if (EqualsIgnoreCase(seg[0], "rng")) return "GetRandomBytes";
  if (!EqualsIgnoreCase(seg[0], "keys")) return "Unknown";
  if (seg.size() == 1) return "KeyList";
  const std::string& last = seg.back();
  static const std::pair<const char*, const char*> kOps[] = {
      {"wrapkey", "KeyWrap"}, {"unwrapkey", "KeyUnwrap"}, {"encrypt", "KeyEncrypt"}, {"decrypt", "KeyDecrypt"},
      {"sign", "KeySign"}, {"verify", "KeyVerify"}, {"create", "KeyCreate"}, {"backup", "KeyBackup"},
      {"rotate", "KeyRotate"}, {"versions", "KeyListVersions"}};
  if (seg.size() >= 3) {
    for (const auto& [segment, name] : kOps) {
      if (EqualsIgnoreCase(last, segment)) return name;
    }
    if (EqualsIgnoreCase(last, "rotationpolicy")) return m == "GET" ? "KeyRotationPolicyGet" : "KeyRotationPolicySet";
  }
  if (seg.size() == 2 && EqualsIgnoreCase(seg[1], "restore")) return "KeyRestore";
  if (m == "PUT") return "KeyImport";
  if (m == "PATCH") return "KeyUpdate";
  if (m == "DELETE") return "KeyDelete";
  return "KeyGet";
}

HttpResponse RenderKvError(const Error& error) {
  json e = {{"code", error.code}, {"message", error.message}};
  if (!error.inner_code.empty()) e["innererror"] = {{"code", error.inner_code}};
  HttpResponse r = wire::Json(error.http_status, {{"error", e}});
  for (const auto& h : error.headers) r.headers.push_back(h);
  return r;
}

std::string KeyVaultRoutes::VaultOf(const HttpRequest& request) const {
  std::string suffix = ".vault." + ToLower(cloud_->config().domain);
  if (request.host.size() <= suffix.size() || !EndsWith(request.host, suffix)) return "";
  std::string vault = request.host.substr(0, request.host.size() - suffix.size());
  return vault.find('.') == std::string::npos ? vault : "";
}

std::string KeyVaultRoutes::Challenge(const HttpRequest& request, const std::string& tenant) const {
  // Python checks the challenge resource against host WITH port, JS against the hostname
  // only: a resource carrying the port when the client sent one satisfies both (WIRE.md §6.1).
  std::string login = "https://login." + cloud_->config().domain;
  if (cloud_->https_port() != 443) login += ":" + std::to_string(cloud_->https_port());
  return "Bearer authorization=\"" + login + "/" + tenant + "\", resource=\"" +
         cloud_->VaultResource(request.host_port != 0) + "\"";
}

HttpResponse KeyVaultRoutes::Handle(const HttpRequest& request, const std::string& vault) const {
  auto info = cloud_->resources.FindVault(vault);
  if (!info) return RenderKvError(errors::VaultNotFound(request.host));
  // Only refusals carry the challenge: build it on demand.
  auto challenge = [&] { return Challenge(request, info->tenant_id); };
  auto token = wire::BearerToken(request);
  if (!token) return RenderKvError(errors::MissingToken(challenge()));
  auto v = cloud_->validator.Validate(*token, token::Api::kKeyVault);
  auto expected_issuer = [&] { return token::V1Issuer(info->tenant_id) + ", " + token::V2Issuer(info->tenant_id); };
  switch (v.problem) {
    case token::TokenProblem::kNone:
      break;
    case token::TokenProblem::kWrongAudience:
      return RenderKvError(errors::InvalidAudience(v.token.audience, challenge()));
    case token::TokenProblem::kBadIssuer:
      return RenderKvError(errors::InvalidIssuer(expected_issuer(), v.token.issuer, challenge()));
    case token::TokenProblem::kExpired:
      return RenderKvError(errors::InvalidToken("Token is expired.", challenge()));
    case token::TokenProblem::kNotYetValid:
      return RenderKvError(errors::InvalidToken("Token is not yet valid.", challenge()));
    default:
      return RenderKvError(errors::InvalidToken(v.detail, challenge()));
  }
  if (v.token.tenant_id != info->tenant_id) {
    return RenderKvError(errors::InvalidIssuer(expected_issuer(), v.token.issuer, challenge()));
  }
  KvCaller caller{v.token.tenant_id, v.token.object_id, v.token.app_id, v.token.issuer, {}};
  auto started = std::chrono::steady_clock::now();
  // A property of an unexpected JSON type is the client's mistake: 400, never a 500.
  auto result = [&]() -> StatusOr<HttpResponse> {
    try {
      return Dispatch(request, info, caller);  // the vault Handle already looked up
    } catch (const nlohmann::json::exception& e) {
      return errors::BadParameter(std::string("A property of the request has an invalid type or value: ") + e.what());
    }
  }();
  HttpResponse response = result.ok() ? std::move(result).value() : RenderKvError(result.error());
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  // Written field by field: this record is made on every Key Vault call.
  JsonObjectWriter r;
  r.Str("category", "AuditEvent").Str("operationName", OperationName(request)).Str("tenantId", info->tenant_id)
      .Str("vault", info->name).Str("requestUri", request.path).Str("appId", v.token.app_id)
      .Str("objectId", v.token.object_id).Str("callerTenantId", v.token.tenant_id).Int("httpStatusCode", response.status)
      .Str("resultType", response.status < 400 ? "Success" : "Failure").Num("durationMs", ms)
      .Str("correlationId", v.token.uti).Str("requestId", request.request_id);
  if (!caller.authorized_by.empty()) r.Str("authorizedBy", caller.authorized_by);
  if (!result.ok()) r.Str("resultSignature", result.error().inner_code.empty() ? result.error().code : result.error().inner_code);
  cloud_->audit.Record(std::move(r));
  return response;
}

StatusOr<HttpResponse> KeyVaultRoutes::Dispatch(const HttpRequest& request,
                                                const std::shared_ptr<const arm::VaultInfo>& info,
                                                const KvCaller& caller) const {
  const std::string& vault = info->name;
  auto& kv = cloud_->keyvault;
  const std::string base = cloud_->VaultUrl(info->name);
  auto bundle = [&](const KeyVersionSnapshot& k) {
    json key = k->material->PublicJwk();
    key["kid"] = base + "/keys/" + k->name + "/" + k->version;
    key["kty"] = k->kty;
    key["key_ops"] = k->key_ops;
    return json{{"key", key}, {"attributes", AttributesJson(k->attributes, *info)}, {"tags", k->tags}};
  };
  auto deleted_bundle = [&](const DeletedKeyInfo& d) {
    json j = bundle(d.latest);
    j["recoveryId"] = base + "/deletedkeys/" + d.latest->name;
    j["deletedDate"] = d.deleted_date;
    j["scheduledPurgeDate"] = d.scheduled_purge_date;
    return j;
  };
  const std::string& m = request.method;
  // Keep an empty trailing segment out: /keys/{name}/ means the latest version.
  auto seg = wire::PathSegments(request.path);
  std::string body_error;
  auto body = wire::ParseJsonBody(request, &body_error);
  if (!body) return errors::BadParameter(body_error);
  if (!body->is_object()) return errors::BadParameter("The request body must be a JSON object.");
  Error field_error;

  if (seg.empty()) return errors::NotImplemented(m + " " + request.path);
  if (EqualsIgnoreCase(seg[0], "keys")) {
    if (seg.size() == 1 && m == "GET") {
      CK_ASSIGN_OR_RETURN(auto keys, kv.ListKeys(vault, caller));
      json items = json::array();
      for (const auto& k : keys) {
        items.push_back({{"kid", base + "/keys/" + k->name}, {"attributes", AttributesJson(k->attributes, *info)},
                         {"tags", k->tags}});
      }
      return wire::Json(200, {{"value", items}, {"nextLink", nullptr}});
    }
    if (seg.size() < 2) return errors::NotImplemented(m + " " + request.path);
    const std::string& name = seg[1];
    if (seg.size() == 2 && EqualsIgnoreCase(name, "restore") && m == "POST") {
      if (!body->contains("value") || !(*body)["value"].is_string()) return errors::BadParameter("Property 'value' is required.");
      CK_ASSIGN_OR_RETURN(auto key, kv.RestoreKey(vault, caller, (*body)["value"].get<std::string>()));
      return wire::Json(200, bundle(key));
    }
    if (seg.size() == 3 && EqualsIgnoreCase(seg[2], "backup") && m == "POST") {
      CK_ASSIGN_OR_RETURN(auto blob, kv.BackupKey(vault, caller, name));
      return wire::Json(200, {{"value", blob}});
    }
    if (seg.size() == 3 && EqualsIgnoreCase(seg[2], "rotate") && m == "POST") {
      CK_ASSIGN_OR_RETURN(auto key, kv.RotateKey(vault, caller, name));
      return wire::Json(200, bundle(key));
    }
    if (seg.size() == 3 && EqualsIgnoreCase(seg[2], "rotationpolicy") && (m == "GET" || m == "PUT")) {
      StatusOr<json> policy = m == "GET" ? kv.GetRotationPolicy(vault, caller, name)
                                         : kv.SetRotationPolicy(vault, caller, name, *body);
      if (!policy.ok()) return policy.error();
      json out = *policy;
      out["id"] = base + "/keys/" + name + "/rotationpolicy";
      return wire::Json(200, out);
    }
    if (seg.size() == 3 && EqualsIgnoreCase(seg[2], "create") && m == "POST") {
      CreateKeyParams p;
      p.kty = body->value("kty", "");
      if (p.kty.empty()) return errors::BadParameter("Property 'kty' is required.");
      if (body->contains("key_size") && !(*body)["key_size"].is_null()) {
        if (!(*body)["key_size"].is_number_integer()) return errors::BadParameter("Property 'key_size' must be an integer.");
        p.key_size = (*body)["key_size"];
      }
      if (body->contains("public_exponent") && !(*body)["public_exponent"].is_null()) {
        if (!(*body)["public_exponent"].is_number_unsigned()) return errors::BadParameter("Invalid public_exponent.");
        p.public_exponent = (*body)["public_exponent"];
      }
      p.crv = body->value("crv", "");
      if (!ReadKeyOps(*body, &p.key_ops, &field_error)) return field_error;
      if (!ReadAttributes(*body, &p.attributes, &p.has_enabled, nullptr, &field_error)) return field_error;
      if (body->contains("tags") && (*body)["tags"].is_object()) p.tags = (*body)["tags"];
      CK_ASSIGN_OR_RETURN(auto key, kv.CreateKey(vault, caller, name, p));
      return wire::Json(200, bundle(key));
    }
    if (seg.size() == 2 && m == "PUT") {
      if (!body->contains("key") || !(*body)["key"].is_object()) return errors::BadParameter("Property 'key' is required.");
      KeyAttributes attrs;
      bool has_enabled = false;
      if (!ReadAttributes(*body, &attrs, &has_enabled, nullptr, &field_error)) return field_error;
      json tags = body->contains("tags") && (*body)["tags"].is_object() ? (*body)["tags"] : json::object();
      CK_ASSIGN_OR_RETURN(auto key, kv.ImportKey(vault, caller, name, (*body)["key"], attrs, has_enabled, tags));
      return wire::Json(200, bundle(key));
    }
    if (seg.size() == 3 && EqualsIgnoreCase(seg[2], "versions") && m == "GET") {
      CK_ASSIGN_OR_RETURN(auto versions, kv.ListVersions(vault, caller, name));
      json items = json::array();
      for (const auto& k : versions) {
        items.push_back({{"kid", base + "/keys/" + k->name + "/" + k->version},
                         {"attributes", AttributesJson(k->attributes, *info)}, {"tags", k->tags}});
      }
      return wire::Json(200, {{"value", items}, {"nextLink", nullptr}});
    }
    if (seg.size() == 2 && m == "DELETE") {
      CK_ASSIGN_OR_RETURN(auto deleted, kv.DeleteKey(vault, caller, name));
      return wire::Json(200, deleted_bundle(deleted));
    }
    if (seg.size() <= 3 && (m == "GET" || m == "PATCH") &&
        (seg.size() == 2 || (!EqualsIgnoreCase(seg[2], "rotate") && !EqualsIgnoreCase(seg[2], "rotationpolicy") &&
                             !EqualsIgnoreCase(seg[2], "backup") && !EqualsIgnoreCase(seg[2], "create")))) {
      std::string version = seg.size() == 3 ? seg[2] : "";
      if (m == "GET") {
        CK_ASSIGN_OR_RETURN(auto key, kv.GetKey(vault, caller, name, version));
        return wire::Json(200, bundle(key));
      }
      KeyUpdate update;
      if (!ReadAttributes(*body, nullptr, nullptr, &update, &field_error)) return field_error;
      std::vector<std::string> ops;
      if (!ReadKeyOps(*body, &ops, &field_error)) return field_error;
      if (body->contains("key_ops")) update.key_ops = ops;
      if (body->contains("tags") && (*body)["tags"].is_object()) update.tags = (*body)["tags"];
      CK_ASSIGN_OR_RETURN(auto key, kv.UpdateKey(vault, caller, name, version, update));
      return wire::Json(200, bundle(key));
    }
    // Crypto: /keys/{name}/{version}/{op} (or /keys/{name}/{op} for the latest).
    std::string op = CryptoOpName(seg.back());
    if (m == "POST" && !op.empty() && (seg.size() == 3 || seg.size() == 4)) {
      std::string version = seg.size() == 4 ? seg[2] : "";
      std::string alg = body->value("alg", "");
      if (alg.empty() || !(*body)["alg"].is_string()) return errors::BadParameter("Property 'alg' is required.");
      auto value = B64Field(*body, "value", true, &field_error);
      if (!value) return field_error;
      std::string kid;
      if (op == "sign") {
        CK_ASSIGN_OR_RETURN(auto r, kv.Sign(vault, caller, name, version, alg, *value));
        return wire::Json(200, {{"kid", base + "/keys/" + r.key->name + "/" + r.key->version},
                                {"value", crypto::Base64UrlEncode(r.output.value)}});
      }
      if (op == "verify") {
        auto digest = B64Field(*body, "digest", true, &field_error);
        if (!digest) return field_error;
        CK_ASSIGN_OR_RETURN(auto r, kv.Verify(vault, caller, name, version, alg, *digest, *value));
        return wire::Json(200, {{"value", r.second}});
      }
      crypto::SymmetricParams params;
      for (auto [field, slot] : {std::pair{"iv", &params.iv}, std::pair{"aad", &params.aad}, std::pair{"tag", &params.tag}}) {
        auto v = B64Field(*body, field, false, &field_error);
        if (!v) return field_error;
        *slot = *v;
      }
      CK_ASSIGN_OR_RETURN(auto r, kv.Crypt(vault, caller, name, version, op, alg, *value, params));
      JsonObjectWriter out;  // the wrap/unwrap answer, written without a JSON tree
      out.Str("kid", base + "/keys/" + r.key->name + "/" + r.key->version)
          .Str("value", crypto::Base64UrlEncode(r.output.value));
      if (!r.output.iv.empty()) out.Str("iv", crypto::Base64UrlEncode(r.output.iv));
      if (!r.output.tag.empty()) out.Str("tag", crypto::Base64UrlEncode(r.output.tag));
      if (!params.aad.empty() && op == "encrypt") out.Str("aad", crypto::Base64UrlEncode(params.aad));
      HttpResponse response;
      response.status = 200;
      response.body = std::move(out).Finish();
      return response;
    }
    return errors::NotImplemented(m + " " + request.path);
  }
  if (seg.size() == 1 && EqualsIgnoreCase(seg[0], "rng") && m == "POST") {
    // getrandom (Managed HSM's API, offered on every vault here).
    if (!body->contains("count") || !(*body)["count"].is_number_integer()) return errors::BadParameter("Property 'count' is required.");
    int count = (*body)["count"];
    if (count < 1 || count > 128) return errors::BadParameter("Property 'count' must be between 1 and 128.");
    return wire::Json(200, {{"value", crypto::Base64UrlEncode(crypto::RandomBytes(count))}});
  }
  if (EqualsIgnoreCase(seg[0], "deletedkeys")) {
    if (seg.size() == 1 && m == "GET") {
      CK_ASSIGN_OR_RETURN(auto items, kv.ListDeletedKeys(vault, caller));
      json out = json::array();
      for (const auto& d : items) {
        json j = deleted_bundle(d);
        json item = {{"kid", base + "/keys/" + d.latest->name}, {"attributes", j["attributes"]}, {"tags", j["tags"]},
                     {"recoveryId", j["recoveryId"]}, {"deletedDate", j["deletedDate"]},
                     {"scheduledPurgeDate", j["scheduledPurgeDate"]}};
        out.push_back(item);
      }
      return wire::Json(200, {{"value", out}, {"nextLink", nullptr}});
    }
    if (seg.size() == 2 && m == "GET") {
      CK_ASSIGN_OR_RETURN(auto d, kv.GetDeletedKey(vault, caller, seg[1]));
      return wire::Json(200, deleted_bundle(d));
    }
    if (seg.size() == 2 && m == "DELETE") {
      CK_RETURN_IF_ERROR(kv.PurgeDeletedKey(vault, caller, seg[1]));
      return wire::Text(204, "text/plain", "");
    }
    if (seg.size() == 3 && EqualsIgnoreCase(seg[2], "recover") && m == "POST") {
      CK_ASSIGN_OR_RETURN(auto key, kv.RecoverDeletedKey(vault, caller, seg[1]));
      return wire::Json(200, bundle(key));
    }
  }
  return errors::NotImplemented(m + " " + request.path);
}

}  // namespace crosskey::keyvault::http
