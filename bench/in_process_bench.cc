// Stage 2 of scripts/bench: the core in-process, no HTTP. A Cloud with the default fixture and
// the cross-tenant CMK chain built through the core APIs (as tests/blackbox/flow.py does over
// REST): provider app + UAMI + FIC, the app's service principal in the customer tenant, an RBAC
// vault, Crypto Officer for a customer user (creates the keys) and Crypto Service Encryption
// User for the app's service principal (the workload that wraps and unwraps).
//
// Benchmarks, named like raw_crypto_bench's so scripts/bench can set them side by side:
//   rsa{2048,3072,4096}.{wrap,unwrap}, a256kw.{wrap,unwrap}
//       KeyVaultService::Crypt through the full gate: vault lookup, RBAC data action, key
//       lookup, enabled / nbf / exp / key_ops, then the crypto on the immutable snapshot. The
//       caller is the workload's KvCaller taken from a token the validator already accepted.
//   rsa2048.unwrap.with_token, a256kw.wrap.with_token
//       the same plus TokenValidator::Validate of the (cached) bearer token, which the HTTP
//       front door does on every request.
//   rsa2048.unwrap.plane, a256kw.wrap.plane
//       the whole Key Vault plane without sockets: KeyVaultRoutes::Match and Serve on the request the
//       server hands it (vault host, path, api-version, bearer token, JSON body): token check,
//       routing, JSON body and base64url, the gate and crypto, the JSON answer, the audit record.
//       Against the rows above, the plane's wire glue.
//   fic.exchange         TokenService::Token: client_credentials with the UAMI's federated
//                        assertion at the customer tenant (verifies the assertion, signs a token)
//   token.validate_fresh TokenValidator::Validate on a token it has not seen (RS256 verify + parse)
//   token.validate_cached the same token again (cache hit: hash + lookup + lifetime/audience)
//   fic.exchange_and_validate  an exchange plus the first validation of the token it issued
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "emulator/cloud/cloud.h"
#include "emulator/common/text.h"
#include "emulator/crypto/encoding.h"
#include "emulator/keyvault/http/key_vault_routes.h"
#include "emulator/token/audience.h"

namespace {

using crosskey::Cloud;
using crosskey::CloudConfig;
using json = nlohmann::json;
namespace kv = crosskey::keyvault;

constexpr const char* kCryptoOfficer = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";
constexpr const char* kEncryptionUser = "e147488a-f6f5-4113-8e2d-b22465e65bf6";
constexpr const char* kExchange = "api://AzureADTokenExchange";
constexpr const char* kJwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
constexpr const char* kVault = "benchkv";

kv::KvCaller Caller(std::string tenant, std::string object_id, std::string app_id, std::string issuer) {
  kv::KvCaller c;  // field by field: the struct grows (the service fills in more of it)
  c.tenant_id = std::move(tenant);
  c.object_id = std::move(object_id);
  c.app_id = std::move(app_id);
  c.issuer = std::move(issuer);
  return c;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "in_process_bench: %s\n", what.c_str());
  std::exit(1);
}
template <typename T>
T Must(crosskey::StatusOr<T> r, const std::string& what) {
  if (!r.ok()) Die(what + ": " + r.error().message);
  return std::move(r).value();
}

// The whole chain, built once for the process.
struct Fixture {
  Cloud cloud{CloudConfig{}};
  crosskey::BootstrapTenant provider, customer;
  std::string app_id;
  std::string assertion;      // the UAMI's token for api://AzureADTokenExchange
  std::string workload_token; // the FIC-exchanged Key Vault token of the provider app
  kv::KvCaller workload;      // from the validated workload_token
  crosskey::token::TokenForm exchange_form;
  std::string cek = crosskey::crypto::RandomBytes(32);
  std::map<std::string, std::string> wrapped;  // key name -> wrapKey output of cek

  Fixture() {
    auto loaded = cloud.LoadDefaultFixture();
    if (!loaded.ok()) Die("fixture: " + loaded.error().message);
    provider = cloud.bootstrap()[0];
    customer = cloud.bootstrap()[1];
    crosskey::arm::ArmCaller system;  // empty object id: the emulator itself, no authorization

    // Phase 1 (provider): multi-tenant app, UAMI, FIC trusting the UAMI.
    crosskey::graph::NewApplication spec;
    spec.display_name = "bench-cmk-app";
    spec.sign_in_audience = "AzureADMultipleOrgs";
    auto app = Must(cloud.directory.CreateApplication(provider.tenant_id, spec), "create app");
    app_id = app.app_id;
    std::string pgroup = "/subscriptions/" + provider.subscription_id + "/resourceGroups/bench-prov";
    Must(cloud.resources.Put(system, pgroup, {{"location", "westus"}}), "provider group");
    auto uami = Must(cloud.resources.Put(system, pgroup + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/bench-mi",
                                         {{"location", "westus"}}),
                     "uami");
    std::string uami_principal = uami.body["properties"]["principalId"];
    std::string uami_client = uami.body["properties"]["clientId"];
    crosskey::graph::FederatedCredential fic;
    fic.name = "bench-fic";
    fic.issuer = crosskey::token::V2Issuer(provider.tenant_id);
    fic.subject = uami_principal;
    fic.audiences = {kExchange};
    Must(cloud.directory.AddFederatedCredential(provider.tenant_id, app.object_id, fic), "fic");

    // Phase 2 (customer): the app's SP, an RBAC vault, the two role assignments.
    auto sp = Must(cloud.directory.CreateServicePrincipal(customer.tenant_id, app.app_id), "customer sp");
    crosskey::graph::User officer_spec;
    officer_spec.user_principal_name = "bench-officer@customer.test";
    officer_spec.password = "x";
    auto officer_user = Must(cloud.directory.AddUser(customer.tenant_id, officer_spec), "officer user");
    kv::KvCaller officer = Caller(customer.tenant_id, officer_user.object_id, "", crosskey::token::V1Issuer(customer.tenant_id));
    std::string cgroup = "/subscriptions/" + customer.subscription_id + "/resourceGroups/bench-cust";
    Must(cloud.resources.Put(system, cgroup, {{"location", "westus"}}), "customer group");
    std::string vault_id = cgroup + "/providers/Microsoft.KeyVault/vaults/" + kVault;
    json props = {{"tenantId", customer.tenant_id},
                  {"sku", {{"family", "A"}, {"name", "standard"}}},
                  {"enableRbacAuthorization", true},
                  {"enablePurgeProtection", true}};
    Must(cloud.resources.Put(system, vault_id, {{"location", "westus"}, {"properties", props}}), "vault");
    for (auto [role, principal] : {std::pair<std::string, std::string>{kCryptoOfficer, officer_user.object_id},
                                   std::pair<std::string, std::string>{kEncryptionUser, sp.object_id}}) {
      json body = {{"properties", {{"roleDefinitionId", "/providers/Microsoft.Authorization/roleDefinitions/" + role},
                                   {"principalId", principal}}}};
      Must(cloud.resources.PutRoleAssignment(system, vault_id, crosskey::NewGuid(), body), "role assignment");
    }

    // Keys, created by the officer through the gate.
    for (int bits : {2048, 3072, 4096}) {
      kv::CreateKeyParams p;
      p.kty = "RSA";
      p.key_size = bits;
      Must(cloud.keyvault.CreateKey(kVault, officer, "rsa" + std::to_string(bits), p), "create rsa key");
    }
    kv::CreateKeyParams oct;
    oct.kty = "oct-HSM";
    oct.key_size = 256;
    Must(cloud.keyvault.CreateKey(kVault, officer, "a256kw", oct), "create oct key");

    // The workload's tokens: UAMI assertion, exchanged at the customer tenant (phase 3).
    assertion = Must(cloud.tokens.ManagedIdentityToken(uami_client, "", "", kExchange), "mi token").access_token;
    exchange_form = {{"grant_type", "client_credentials"},
                     {"client_id", app_id},
                     {"client_assertion", assertion},
                     {"client_assertion_type", kJwtBearer},
                     {"scope", "https://vault.azure.net/.default"}};
    workload_token = Must(cloud.tokens.Token(customer.tenant_id, exchange_form, false), "fic exchange").access_token;
    auto v = cloud.validator.Validate(workload_token, crosskey::token::Api::kKeyVault);
    if (!v.ok()) Die("workload token rejected: " + v.detail);
    workload = Caller(v.token.tenant_id, v.token.object_id, v.token.app_id, v.token.issuer);

    for (const char* name : {"rsa2048", "rsa3072", "rsa4096", "a256kw"}) {
      std::string alg = std::string(name) == "a256kw" ? "A256KW" : "RSA-OAEP-256";
      wrapped[name] = Must(cloud.keyvault.Crypt(kVault, workload, name, "", "wrapKey", alg, cek, {}), "wrap").output.value;
    }
  }
};

Fixture& F() {
  static Fixture* f = new Fixture();  // leaked on purpose: outlives every benchmark
  return *f;
}

void CryptBench(benchmark::State& state, std::string key, std::string op, bool with_token) {
  Fixture& f = F();
  const std::string alg = key == "a256kw" ? "A256KW" : "RSA-OAEP-256";
  const std::string& input = op == "wrapKey" ? f.cek : f.wrapped[key];
  const crosskey::crypto::SymmetricParams params;
  for (auto _ : state) {
    kv::KvCaller caller = f.workload;
    if (with_token) {
      auto v = f.cloud.validator.Validate(f.workload_token, crosskey::token::Api::kKeyVault);
      if (!v.ok()) Die("token: " + v.detail);
      caller = Caller(v.token.tenant_id, v.token.object_id, v.token.app_id, v.token.issuer);
    }
    auto r = f.cloud.keyvault.Crypt(kVault, caller, key, "", op, alg, input, params);
    if (!r.ok()) Die(op + " " + key + ": " + r.error().message);
    if (op == "unwrapKey" && r->output.value != f.cek) Die("unwrap round trip");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

// The request BufferedTlsServer's fast path builds for a wrapKey/unwrapKey call.
crosskey::HttpRequest PlaneRequest(const Fixture& f, const std::string& key, const std::string& op) {
  crosskey::HttpRequest r;
  r.method = "POST";
  r.host = std::string(kVault) + ".vault." + f.cloud.config().domain;  // as VaultUrl names it
  r.host_port = f.cloud.https_port();
  r.path = "/keys/" + key + "/" + (op == "wrapKey" ? "wrapkey" : "unwrapkey");
  r.query = {{"api-version", "7.4"}};
  r.headers = {{"authorization", "Bearer " + f.workload_token},
               {"content-type", "application/json"},
               {"accept", "application/json"},
               {"user-agent", "azsdk-python-keyvault-keys/4.8.0 Python/3.11.2 (Linux-6.1.0-x86_64-with-glibc2.36)"}};
  const std::string& input = op == "wrapKey" ? f.cek : f.wrapped.at(key);
  r.body = json{{"alg", key == "a256kw" ? "A256KW" : "RSA-OAEP-256"}, {"value", crosskey::crypto::Base64UrlEncode(input)}}.dump();
  r.request_id = crosskey::NewRequestId();
  return r;
}

void PlaneBench(benchmark::State& state, std::string key, std::string op) {
  Fixture& f = F();
  const crosskey::keyvault::http::KeyVaultRoutes routes(&f.cloud);
  const crosskey::HttpRequest request = PlaneRequest(f, key, op);
  if (routes.VaultOf(request) != kVault) Die("plane request not addressed to the vault: " + request.host);
  for (auto _ : state) {
    // As the router does: match the route, then serve it.
    crosskey::wire::RequestContext context;
    routes.Match(request, routes.VaultOf(request), &context);
    crosskey::HttpResponse response = routes.Serve(request, context);
    if (response.status != 200) Die(op + " " + key + " over the plane: " + std::to_string(response.status) + " " + response.body);
    benchmark::DoNotOptimize(response);
  }
  state.SetItemsProcessed(state.iterations());
}

void FicExchange(benchmark::State& state, bool validate) {
  Fixture& f = F();
  for (auto _ : state) {
    auto r = f.cloud.tokens.Token(f.customer.tenant_id, f.exchange_form, false);
    if (!r.ok()) Die("exchange: " + r.error().message);
    if (validate) {
      auto v = f.cloud.validator.Validate(r->access_token, crosskey::token::Api::kKeyVault);
      if (!v.ok()) Die("validate: " + v.detail);
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

void ValidateFresh(benchmark::State& state) {
  Fixture& f = F();
  for (auto _ : state) {
    state.PauseTiming();  // minting (an RS256 sign) is not what is measured here
    auto r = f.cloud.tokens.Token(f.customer.tenant_id, f.exchange_form, false);
    if (!r.ok()) Die("exchange: " + r.error().message);
    state.ResumeTiming();
    auto v = f.cloud.validator.Validate(r->access_token, crosskey::token::Api::kKeyVault);
    if (!v.ok()) Die("validate: " + v.detail);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}

void ValidateCached(benchmark::State& state) {
  Fixture& f = F();
  for (auto _ : state) {
    auto v = f.cloud.validator.Validate(f.workload_token, crosskey::token::Api::kKeyVault);
    if (!v.ok()) Die("validate: " + v.detail);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

// The rows with a verdict run twice; scripts/bench keeps each one's fastest run, as
// raw_crypto_bench does for the ceilings they are read against (same rows).
constexpr int kVerdictRuns = 2;

int main(int argc, char** argv) {
  for (const char* key : {"rsa2048", "rsa3072", "rsa4096", "a256kw"}) {
    std::string k = key;
    bool slow_unwrap = k == "rsa3072" || k == "rsa4096";  // 2-4 ms: the gate is lost in it anyway
    benchmark::RegisterBenchmark((k + ".wrap").c_str(), CryptBench, k, "wrapKey", false)
        ->UseRealTime()
        ->Repetitions(kVerdictRuns);
    auto* unwrap = benchmark::RegisterBenchmark((k + ".unwrap").c_str(), CryptBench, k, "unwrapKey", false)->UseRealTime();
    if (!slow_unwrap) unwrap->Repetitions(kVerdictRuns);
  }
  benchmark::RegisterBenchmark("rsa2048.unwrap.with_token", CryptBench, "rsa2048", "unwrapKey", true)->UseRealTime();
  benchmark::RegisterBenchmark("a256kw.wrap.with_token", CryptBench, "a256kw", "wrapKey", true)->UseRealTime();
  benchmark::RegisterBenchmark("rsa2048.unwrap.plane", PlaneBench, "rsa2048", "unwrapKey")->UseRealTime();
  benchmark::RegisterBenchmark("a256kw.wrap.plane", PlaneBench, "a256kw", "wrapKey")->UseRealTime();
  benchmark::RegisterBenchmark("fic.exchange", FicExchange, false)->UseRealTime();
  benchmark::RegisterBenchmark("fic.exchange_and_validate", FicExchange, true)->UseRealTime();
  benchmark::RegisterBenchmark("token.validate_fresh", ValidateFresh)->UseRealTime();
  benchmark::RegisterBenchmark("token.validate_cached", ValidateCached)->UseRealTime();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  F();  // build the chain (RSA-4096 key generation included) before any timing starts
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
