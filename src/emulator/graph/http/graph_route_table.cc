// Microsoft Graph's routes (after /v1.0 or /beta). Operation ids follow the Graph API
// reference's operation names (learn.microsoft.com/graph/api/overview), camelCased.
#include "emulator/graph/http/graph_call.h"

namespace crosskey::graph::http {

const wire::RouteTable<GraphHandler>& GraphRouteTable() {
  using wire::Writes;
  static const wire::RouteTable<GraphHandler> kTable({
      {"GET", "me", "getMe", "", Writes::kNo, GetMe},
      {"GET", "me/memberOf", "listMyMemberOf", "", Writes::kNo, ListMyMemberOf},
      {"GET", "directoryRoles", "listDirectoryRoles", "", Writes::kNo, ListDirectoryRoles},
      {"GET", "directoryRoles/{id}", "getDirectoryRole", "", Writes::kNo, GetDirectoryRole},
      {"GET", "directoryRoles/{id}/members", "listDirectoryRoleMembers", "", Writes::kNo, ListDirectoryRoleMembers},
      {"POST", "directoryObjects/getByIds", "getByIds", "", Writes::kNo, GetDirectoryObjectsByIds},
      {"GET", "policies/authorizationPolicy", "getAuthorizationPolicy", "", Writes::kNo, GetAuthorizationPolicy},
      {"PATCH", "policies/authorizationPolicy", "updateAuthorizationPolicy", "", Writes::kYes,
       UpdateAuthorizationPolicy},
      {"POST", "users", "createUser", "", Writes::kYes, CreateUser},
      {"GET", "users", "listUsers", "", Writes::kNo, ListUsers},
      {"GET", "users/{id}", "getUser", "", Writes::kNo, GetUser},
      {"PATCH", "users/{id}", "updateUser", "", Writes::kYes, UpdateUser},
      {"GET", "users/{id}/memberOf", "listUserMemberOf", "", Writes::kNo, ListUserMemberOf},
      {"POST", "applications", "createApplication", "", Writes::kYes, CreateApplication},
      {"GET", "applications", "listApplications", "", Writes::kNo, ListApplications},
      {"GET", "applications/{id}", "getApplication", "", Writes::kNo, GetApplication},
      {"PATCH", "applications/{id}", "updateApplication", "", Writes::kYes, UpdateApplication},
      {"DELETE", "applications/{id}", "deleteApplication", "", Writes::kYes, DeleteApplication},
      {"POST", "applications/{id}/addPassword", "addPassword", "", Writes::kYes, AddPassword},
      {"GET", "applications/{id}/federatedIdentityCredentials", "listFederatedIdentityCredentials", "", Writes::kNo,
       ListFederatedCredentials},
      {"POST", "applications/{id}/federatedIdentityCredentials", "createFederatedIdentityCredential", "",
       Writes::kYes, CreateFederatedCredential},
      {"GET", "applications/{id}/federatedIdentityCredentials/{fic}", "getFederatedIdentityCredential", "",
       Writes::kNo, GetFederatedCredential},
      {"PATCH", "applications/{id}/federatedIdentityCredentials/{fic}", "updateFederatedIdentityCredential", "",
       Writes::kYes, UpdateFederatedCredential},
      {"DELETE", "applications/{id}/federatedIdentityCredentials/{fic}", "deleteFederatedIdentityCredential", "",
       Writes::kYes, DeleteFederatedCredential},
      {"POST", "servicePrincipals", "createServicePrincipal", "", Writes::kYes, CreateServicePrincipal},
      {"GET", "servicePrincipals", "listServicePrincipals", "", Writes::kNo, ListServicePrincipals},
      {"GET", "servicePrincipals/{id}", "getServicePrincipal", "", Writes::kNo, GetServicePrincipal},
      {"PATCH", "servicePrincipals/{id}", "updateServicePrincipal", "", Writes::kYes, UpdateServicePrincipal},
      {"DELETE", "servicePrincipals/{id}", "deleteServicePrincipal", "", Writes::kYes, DeleteServicePrincipal},
      // Deleted items: GET .../microsoft.graph.application (or .servicePrincipal) lists one type.
      {"GET", "directory/deletedItems/{type}", "getDeletedItem", "", Writes::kNo, GetDeletedItem},
      {"POST", "directory/deletedItems/{id}/restore", "restoreDeletedItem", "", Writes::kYes, RestoreDeletedItem},
      {"DELETE", "directory/deletedItems/{id}", "permanentDeleteDeletedItem", "", Writes::kYes, PurgeDeletedItem},
  });
  return kTable;
}

}  // namespace crosskey::graph::http
