#pragma once
// One authenticated Microsoft Graph request as a route handler sees it, the handler type, the
// route table and the helpers the handlers share (OData lists, $filter, object lookups).
// Thread-safety: GraphCall is a view over the request being served; the rest are free functions.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/cloud/cloud.h"
#include "emulator/common/http/route_table.h"
#include "emulator/common/http_types.h"
#include "emulator/graph/directory_service.h"

namespace crosskey::graph::http {

// The $filter forms the seeds, azure-cli and the JS client send.
struct Filter {
  std::string field;  // appId, displayName, displayName*, servicePrincipalNames, id
  std::string value;
};
std::optional<Filter> ParseFilter(const std::string& text);
bool Matches(const Filter& f, const std::string& id, const std::string& app_id, const std::string& name,
             const std::vector<std::string>& names = {});

struct GraphCall {
  Cloud& cloud;
  const HttpRequest& request;
  const wire::PathParams& params;
  const GraphCaller& caller;
  const Tenant& tenant;  // the caller's
  const nlohmann::json& body;
  const std::optional<Filter>& filter;

  const std::string& Param(std::string_view name) const { return params.Get(name); }
  Directory& dir() const { return cloud.directory; }
  DirectoryService service() const { return DirectoryService(&cloud.directory, &cloud.audit); }
};

using GraphHandler = StatusOr<HttpResponse> (*)(const GraphCall&);
const wire::RouteTable<GraphHandler>& GraphRouteTable();

// An OData collection: {"@odata.context": ".../$metadata#{context}", "value": items}.
HttpResponse List(const std::string& context, nlohmann::json items);
// The string members of a JSON array (others skipped).
std::vector<std::string> Strings(const nlohmann::json& j);
// The {id} path parameter: an object id, or "(appId='...')" for the alternate key.
StatusOr<Application> ResolveApplication(const GraphCall& call);
StatusOr<ServicePrincipal> ResolveServicePrincipal(const GraphCall& call);
// The directoryObjects a principal is a member of (the Global Administrator role or none).
HttpResponse MemberOf(const GraphCall& call, const std::string& object_id);

// ---- handlers
StatusOr<HttpResponse> GetMe(const GraphCall& call);
StatusOr<HttpResponse> ListMyMemberOf(const GraphCall& call);
StatusOr<HttpResponse> ListDirectoryRoles(const GraphCall& call);
StatusOr<HttpResponse> GetDirectoryRole(const GraphCall& call);
StatusOr<HttpResponse> ListDirectoryRoleMembers(const GraphCall& call);
StatusOr<HttpResponse> GetDirectoryObjectsByIds(const GraphCall& call);
StatusOr<HttpResponse> GetDeletedItem(const GraphCall& call);
StatusOr<HttpResponse> RestoreDeletedItem(const GraphCall& call);
StatusOr<HttpResponse> PurgeDeletedItem(const GraphCall& call);
StatusOr<HttpResponse> GetAuthorizationPolicy(const GraphCall& call);
StatusOr<HttpResponse> UpdateAuthorizationPolicy(const GraphCall& call);
StatusOr<HttpResponse> CreateUser(const GraphCall& call);
StatusOr<HttpResponse> ListUsers(const GraphCall& call);
StatusOr<HttpResponse> GetUser(const GraphCall& call);
StatusOr<HttpResponse> UpdateUser(const GraphCall& call);
StatusOr<HttpResponse> ListUserMemberOf(const GraphCall& call);
StatusOr<HttpResponse> CreateApplication(const GraphCall& call);
StatusOr<HttpResponse> ListApplications(const GraphCall& call);
StatusOr<HttpResponse> GetApplication(const GraphCall& call);
StatusOr<HttpResponse> UpdateApplication(const GraphCall& call);
StatusOr<HttpResponse> DeleteApplication(const GraphCall& call);
StatusOr<HttpResponse> AddPassword(const GraphCall& call);
StatusOr<HttpResponse> ListFederatedCredentials(const GraphCall& call);
StatusOr<HttpResponse> CreateFederatedCredential(const GraphCall& call);
StatusOr<HttpResponse> GetFederatedCredential(const GraphCall& call);
StatusOr<HttpResponse> UpdateFederatedCredential(const GraphCall& call);
StatusOr<HttpResponse> DeleteFederatedCredential(const GraphCall& call);
StatusOr<HttpResponse> CreateServicePrincipal(const GraphCall& call);
StatusOr<HttpResponse> ListServicePrincipals(const GraphCall& call);
StatusOr<HttpResponse> GetServicePrincipal(const GraphCall& call);
StatusOr<HttpResponse> UpdateServicePrincipal(const GraphCall& call);
StatusOr<HttpResponse> DeleteServicePrincipal(const GraphCall& call);

}  // namespace crosskey::graph::http
