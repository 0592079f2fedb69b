// Azure Resource Manager's routes. Operation ids are the resource provider operations
// (learn.microsoft.com/azure/role-based-access-control/resource-provider-operations), the
// names the activity log records: "Microsoft.KeyVault/vaults/write".
#include "emulator/arm/http/arm_call.h"
#include "emulator/arm/resource_id.h"

namespace crosskey::arm::http {

namespace {

using Routes = std::vector<wire::Route<ArmHandler>>;

// Tenants, subscriptions, providers, role definitions and assignments, deleted vaults.
Routes SubscriptionRoutes() {
  using wire::Writes;
  constexpr const char* kAssignments = "{scope*}/providers/Microsoft.Authorization/roleAssignments";
  constexpr const char* kAssignment = "{scope*}/providers/Microsoft.Authorization/roleAssignments/{name}";
  return {
      {"GET", "tenants", "Microsoft.Resources/tenants/read", "", Writes::kNo, ListTenants},
      {"GET", "subscriptions", "Microsoft.Resources/subscriptions/read", "", Writes::kNo, ListSubscriptions},
      {"GET", "subscriptions/{subscription}", "Microsoft.Resources/subscriptions/read", "", Writes::kNo,
       GetSubscription},
      {"GET", "{scope*}/providers/Microsoft.Authorization/roleDefinitions",
       "Microsoft.Authorization/roleDefinitions/read", "", Writes::kNo, ListRoleDefinitions},
      {"GET", "{scope*}/providers/Microsoft.Authorization/roleDefinitions/{name}",
       "Microsoft.Authorization/roleDefinitions/read", "", Writes::kNo, GetRoleDefinition},
      {"GET", kAssignments, "Microsoft.Authorization/roleAssignments/read", "", Writes::kNo, ListRoleAssignments},
      {"PUT", kAssignment, "Microsoft.Authorization/roleAssignments/write", "", Writes::kYes, PutRoleAssignment},
      {"GET", kAssignment, "Microsoft.Authorization/roleAssignments/read", "", Writes::kNo, GetRoleAssignment},
      {"DELETE", kAssignment, "Microsoft.Authorization/roleAssignments/delete", "", Writes::kYes, DeleteRoleAssignment},
      {"GET", "subscriptions/{subscription}/providers/{namespace}", "Microsoft.Resources/subscriptions/providers/read",
       "", Writes::kNo, GetProvider},
      {"GET", "subscriptions/{subscription}/providers/Microsoft.KeyVault/deletedVaults",
       "Microsoft.KeyVault/deletedVaults/read", "", Writes::kNo, ListDeletedVaults},
      {"GET", "subscriptions/{subscription}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{name}",
       "Microsoft.KeyVault/locations/deletedVaults/read", "", Writes::kNo, GetDeletedVault},
      {"POST",
       "subscriptions/{subscription}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{name}/purge",
       "Microsoft.KeyVault/locations/deletedVaults/purge/action", "", Writes::kYes, PurgeDeletedVault},
      {"GET", "subscriptions/{subscription}/providers/{namespace}/locations/{location}/{kind}/{operation}",
       "{namespace}/locations/{kind}/read", "", Writes::kNo, GetOperation},
      {"GET", "subscriptions/{subscription}/providers/{namespace}/{type}", "{namespace}/{type}/read", "", Writes::kNo,
       ListBySubscription},
      {"GET", "subscriptions/{subscription}/resources", "Microsoft.Resources/subscriptions/resources/read", "",
       Writes::kNo, ListResources},
      {"GET", "subscriptions/{subscription}/resourceGroups", "Microsoft.Resources/subscriptions/resourceGroups/read",
       "", Writes::kNo, ListResourceGroups},
  };
}

// Template deployments, declared before the generic resource routes that would also match.
Routes DeploymentRoutes() {
  using wire::Writes;
  constexpr const char* kDeployments =
      "subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Resources/deployments";
  constexpr const char* kDeployment =
      "subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Resources/deployments/{name}";
  // The SDKs address a deployment's operations without /providers/Microsoft.Resources.
  constexpr const char* kDeploymentOps =
      "subscriptions/{subscription}/resourceGroups/{group}/deployments/{name}/operations";
  return {
      {"GET", kDeployments, "Microsoft.Resources/deployments/read", "", Writes::kNo, ListDeployments},
      {"PUT", kDeployment, "Microsoft.Resources/deployments/write", "", Writes::kYes, PutDeployment},
      {"GET", kDeployment, "Microsoft.Resources/deployments/read", "", Writes::kNo, GetDeployment},
      {"HEAD", kDeployment, "Microsoft.Resources/deployments/read", "", Writes::kNo, HeadDeployment},
      {"DELETE", kDeployment, "Microsoft.Resources/deployments/delete", "", Writes::kYes, DeleteDeployment},
      {"POST",
       "subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Resources/deployments/{name}/validate",
       "Microsoft.Resources/deployments/validate/action", "", Writes::kNo, ValidateDeployment},
      {"GET",
       "subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Resources/deployments/{name}/"
       "operationStatuses/{operation}",
       "Microsoft.Resources/deployments/operationStatuses/read", "", Writes::kNo, GetDeploymentStatus},
      {"GET", kDeploymentOps, "Microsoft.Resources/deployments/operations/read", "", Writes::kNo,
       ListDeploymentOperations},
      {"GET", "subscriptions/{subscription}/resourceGroups/{group}/deployments/{name}/operations/{operation}",
       "Microsoft.Resources/deployments/operations/read", "", Writes::kNo, GetDeploymentOperation},
      {"GET",
       "subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Resources/deployments/{name}/"
       "operations",
       "Microsoft.Resources/deployments/operations/read", "", Writes::kNo, ListDeploymentOperations},
      {"GET",
       "subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Resources/deployments/{name}/"
       "operations/{operation}",
       "Microsoft.Resources/deployments/operations/read", "", Writes::kNo, GetDeploymentOperation},
  };
}

// Resources inside a resource group, their lists and their operations.
Routes GroupRoutes() {
  using wire::Writes;
  return {
      {"GET", "subscriptions/{subscription}/resourceGroups/{group}/providers/{namespace}/{type}",
       "{namespace}/{type}/read", "", Writes::kNo, ListByResourceGroup},
      {"GET", "subscriptions/{subscription}/resourceGroups/{group}/providers/{namespace}/{type}/{name}/{child}",
       "{namespace}/{type}/{child}/read", "", Writes::kNo, ListChildren},
      {"GET",
       "subscriptions/{subscription}/resourceGroups/{group}/providers/{namespace}/locations/{location}/{kind}/"
       "{operation}",
       "{namespace}/locations/{kind}/read", "", Writes::kNo, GetOperation},
      {"POST",
       "subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Sql/servers/{server}/"
       "encryptionProtector/{name}/revalidate",
       "Microsoft.Sql/servers/encryptionProtector/revalidate/action", "", Writes::kYes, RevalidateProtector},
      {"PUT", "subscriptions/{subscription}/resourceGroups/{group}/{rest*}", "{resourceType}/write", "", Writes::kYes,
       PutResource},
      {"PATCH", "subscriptions/{subscription}/resourceGroups/{group}/{rest*}", "{resourceType}/write", "", Writes::kYes,
       PatchResource},
      {"GET", "subscriptions/{subscription}/resourceGroups/{group}/{rest*}", "{resourceType}/read", "", Writes::kNo,
       GetResource},
      {"HEAD", "subscriptions/{subscription}/resourceGroups/{group}/{rest*}", "{resourceType}/read", "", Writes::kNo,
       HeadResource},
      {"DELETE", "subscriptions/{subscription}/resourceGroups/{group}/{rest*}", "{resourceType}/delete", "",
       Writes::kYes, DeleteResource},
  };
}

}  // namespace

const wire::RouteTable<ArmHandler>& ArmRouteTable() {
  static const wire::RouteTable<ArmHandler> kTable([] {
    Routes routes = SubscriptionRoutes();
    for (auto* part : {DeploymentRoutes, GroupRoutes}) {
      Routes more = part();
      routes.insert(routes.end(), more.begin(), more.end());
    }
    return routes;
  }());
  return kTable;
}

std::string ExpandArmOperation(const std::string& operation, const wire::PathParams& params, const std::string& path) {
  std::string out;
  for (size_t i = 0; i < operation.size();) {
    size_t close = operation[i] == '{' ? operation.find('}', i) : std::string::npos;
    if (close == std::string::npos) {
      out += operation[i++];
      continue;
    }
    std::string name = operation.substr(i + 1, close - i - 1);
    if (name == "resourceType") {
      auto id = ParseResourceId(path);
      std::string type = id ? id->Type() : "";
      out += type == "Microsoft.Resources/resourceGroups" ? "Microsoft.Resources/subscriptions/resourceGroups" : type;
    } else {
      out += params.Get(name);
    }
    i = close + 1;
  }
  return out;
}

}  // namespace crosskey::arm::http
