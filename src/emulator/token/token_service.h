#pragma once
// The Entra token issuer: client credentials (secret, certificate assertion, federated
// assertion), resource-owner password, refresh tokens, and managed-identity tokens. One gate
// before every token: tenant exists, the client's service principal exists in the target
// tenant and is enabled, the credential is valid.
// Thread-safety: all methods safe to call concurrently.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "emulator/common/clock.h"
#include "emulator/common/status.h"
#include "emulator/graph/directory.h"
#include "emulator/token/access_token.h"
#include "emulator/crypto/jwt.h"
#include "emulator/token/assertion_cache.h"
#include "emulator/token/signing_keys.h"

namespace crosskey::token {

// Form fields of POST /{tenant}/oauth2[/v2.0]/token (already decoded).
using TokenForm = std::map<std::string, std::string>;

struct TokenResponse {
  std::string access_token;
  int64_t expires_in = 0;
  int64_t expires_on = 0;
  int64_t not_before = 0;
  std::string resource;  // the resource the token is for (MI responses echo it)
  std::string scope;
  std::string refresh_token;  // user flows only
  std::string id_token;       // user flows only
  std::string client_info;    // user flows only
  AccessToken claims;
  std::string credential_type;  // secret, certificate, federated, password, refresh_token, managed_identity
  std::string matched_fic;      // federated: the credential's name
};

// An OIDC issuer outside the emulator (GitHub Actions, Kubernetes) trusted for federation.
struct ExternalIssuer {
  std::string issuer;
  std::map<std::string, std::shared_ptr<const crypto::KeyMaterial>> keys_by_kid;
};

class TokenService {
 public:
  TokenService(const graph::Directory* directory, SigningKeyRing* keys, const Clock* clock, std::string domain)
      : directory_(directory), keys_(keys), clock_(clock), domain_(std::move(domain)) {}

  void set_token_lifetime(int64_t seconds) { lifetime_ = seconds; }
  // Where a user-assigned managed identity's own federated credentials live (ARM children of
  // the identity): (tenant id, client id) -> its FICs, nullopt when no such identity. With it,
  // an external token (Kubernetes, GitHub) exchanges for the identity's token, as workload
  // identity federation for a UAMI does. Set once at composition.
  using IdentityFicLookup =
      std::function<std::optional<std::vector<graph::FederatedCredential>>(const std::string&, const std::string&)>;
  void set_identity_fic_lookup(IdentityFicLookup lookup) { identity_fics_ = std::move(lookup); }
  int64_t token_lifetime() const { return lifetime_; }
  void AddExternalIssuer(ExternalIssuer issuer);

  // The token endpoint. `tenant` is the first path segment (GUID or a tenant's domain);
  // `v1` selects the v1 endpoint (resource= instead of scope=).
  // Errors: every AADSTS error in token/errors.h.
  StatusOr<TokenResponse> Token(const std::string& tenant, const TokenForm& form, bool v1) const;

  // Managed-identity endpoint: a user-assigned identity chosen by exactly one selector.
  // Errors: ManagedIdentityNotFound, ResourceNotFound (500011).
  StatusOr<TokenResponse> ManagedIdentityToken(const std::string& client_id, const std::string& object_id,
                                               const std::string& resource_id, const std::string& resource) const;

  // Resolves a path tenant (GUID or default domain) to a tenant id; nullopt when unknown.
  std::optional<std::string> ResolveTenant(const std::string& tenant) const;

  // Mints a token directly (used by tests and by emulated platform services).
  std::string Mint(const std::string& tenant_id, const nlohmann::json& claims) const;

  // External issuers and outstanding refresh tokens (token_state.cc).
  nlohmann::json ExportState() const;
  Status ImportState(const nlohmann::json& state);

 private:
  struct RefreshGrant {
    std::string tenant_id;
    std::string user_object_id;
    std::string client_id;
  };
  StatusOr<TokenResponse> ClientCredentials(const std::string& tenant_id, const TokenForm& form,
                                            const std::string& resource) const;
  StatusOr<TokenResponse> Password(const std::string& tenant_id, const TokenForm& form, const std::string& resource,
                                   const std::string& scope) const;
  StatusOr<TokenResponse> Refresh(const std::string& tenant_id, const TokenForm& form, const std::string& resource,
                                  const std::string& scope) const;
  StatusOr<TokenResponse> UserTokens(const std::string& tenant_id, const graph::User& user,
                                     const std::string& client_id, const std::string& resource,
                                     const std::string& scope, const std::string& credential_type) const;
  // An assertion's claims: from verified_assertions_ when its signature was checked before
  // (claims.key set, no jwt), else parsed (jwt set). Errors: MalformedJwt (50027).
  struct AssertionRead {
    VerifiedAssertion claims;
    std::optional<crypto::ParsedJwt> jwt;
  };
  StatusOr<AssertionRead> ReadAssertion(const std::string& assertion) const;
  // Verifies a federated assertion read by ReadAssertion and returns the credential it matched.
  StatusOr<graph::FederatedCredential> CheckFederatedAssertion(const graph::Application& app,
                                                               const std::string& assertion,
                                                               AssertionRead read) const;
  // The key an assertion from `issuer` with header `kid` must verify with: a tenant's signing
  // key when the issuer is that tenant's, else a trusted external issuer's; null when none.
  std::shared_ptr<const crypto::KeyMaterial> AssertionKey(const std::string& issuer, const std::string& kid) const;
  Status CheckCertificateAssertion(const graph::Application& app, const std::string& assertion) const;
  // exp present and not past, nbf not ahead, both within the clock skew. Errors: 700024.
  Status CheckAssertionLifetime(const nlohmann::json& payload) const;
  Status CheckAssertionLifetime(int64_t not_before, int64_t expires) const;
  // Claims per token version (learn.microsoft.com/entra/identity-platform/access-token-claims-reference):
  // v1 names the client appid/appidacr, v2 azp/azpacr; `acr` is how the client authenticated:
  // "1" a client secret, "2" a certificate, a federated assertion or a managed identity.
  TokenResponse IssueAppToken(const std::string& tenant_id, const graph::ServicePrincipal& sp,
                              const std::string& resource, bool v2_issuer, const char* acr) const;

  const graph::Directory* directory_;
  SigningKeyRing* keys_;
  const Clock* clock_;
  std::string domain_;
  int64_t lifetime_ = 3599;
  mutable std::mutex mu_;
  std::map<std::string, ExternalIssuer> external_issuers_;
  IdentityFicLookup identity_fics_;
  mutable std::map<std::string, RefreshGrant> refresh_grants_;
  mutable VerifiedAssertionCache verified_assertions_;
};

}  // namespace crosskey::token
