#include "emulator/graph/http/graph_json.h"

#include "emulator/common/text.h"

namespace crosskey::graph::http {

nlohmann::json ApplicationJson(const Application& app) {
  nlohmann::json passwords = nlohmann::json::array();
  for (const auto& p : app.passwords) {
    passwords.push_back({{"customKeyIdentifier", nullptr}, {"displayName", p.display_name},
                         {"endDateTime", IsoTime(p.end)}, {"hint", p.hint}, {"keyId", p.key_id},
                         {"secretText", nullptr}, {"startDateTime", IsoTime(p.start)}});
  }
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& k : app.keys) {
    keys.push_back({{"customKeyIdentifier", nullptr}, {"displayName", k.display_name}, {"endDateTime", IsoTime(k.end)},
                    {"keyId", k.key_id}, {"startDateTime", IsoTime(k.start)}, {"type", "AsymmetricX509Cert"},
                    {"usage", "Verify"}, {"key", nullptr}});
  }
  return {{"id", app.object_id},
          {"appId", app.app_id},
          {"displayName", app.display_name},
          {"signInAudience", app.sign_in_audience},
          {"createdDateTime", IsoTime(app.created)},
          {"publisherDomain", nullptr},
          {"identifierUris", nlohmann::json::array()},
          {"passwordCredentials", passwords},
          {"keyCredentials", keys},
          {"requiredResourceAccess", nlohmann::json::array()},
          {"tags", nlohmann::json::array()},
          {"web", {{"redirectUris", nlohmann::json::array()}}},
          {"api", {{"requestedAccessTokenVersion", nullptr}}}};
}

nlohmann::json ServicePrincipalJson(const ServicePrincipal& sp) {
  bool mi = sp.kind == PrincipalKind::kManagedIdentity;
  nlohmann::json names = {sp.app_id};
  if (mi) names.push_back(sp.managed_identity_resource_id);
  return {{"id", sp.object_id},
          {"appId", sp.app_id},
          {"displayName", sp.display_name},
          {"accountEnabled", sp.account_enabled},
          {"servicePrincipalType", mi ? "ManagedIdentity" : "Application"},
          {"servicePrincipalNames", names},
          {"appOwnerOrganizationId", sp.app_owner_tenant_id},
          {"alternativeNames", mi ? nlohmann::json::array({"isExplicit=True", sp.managed_identity_resource_id})
                                  : nlohmann::json::array()},
          {"appRoleAssignmentRequired", false},
          {"tags", nlohmann::json::array()}};
}

nlohmann::json FederatedCredentialJson(const FederatedCredential& fic) {
  return {{"id", fic.id},
          {"name", fic.name},
          {"issuer", fic.issuer},
          {"subject", fic.subject},
          {"description", fic.description.empty() ? nlohmann::json(nullptr) : nlohmann::json(fic.description)},
          {"audiences", fic.audiences}};
}

nlohmann::json UserJson(const User& user) {
  return {{"id", user.object_id},
          {"userPrincipalName", user.user_principal_name},
          {"displayName", user.display_name},
          {"mail", nullptr},
          {"accountEnabled", user.account_enabled},
          {"businessPhones", nlohmann::json::array()}};
}

nlohmann::json AuthorizationPolicyJson(const Tenant& tenant) {
  const auto& p = tenant.authorization_policy;
  return {{"id", "authorizationPolicy"},
          {"displayName", "Authorization Policy"},
          {"defaultUserRolePermissions",
           {{"allowedToCreateApps", p.allowed_to_create_apps},
            {"allowedToCreateSecurityGroups", true},
            {"allowedToReadOtherUsers", true},
            {"permissionGrantPoliciesAssigned", p.permission_grant_policies_assigned}}}};
}

}  // namespace crosskey::graph::http
