#include "emulator/deploy/deployment_errors.h"

namespace crosskey::deploy::errors {

Error Expression(const std::string& message) { return MakeError(400, "InvalidTemplate", message); }

Error InvalidTemplate(const std::string& detail) {
  return MakeError(400, "InvalidTemplate", "Deployment template validation failed: '" + detail + "'.");
}

Error InvalidTemplateResource(const std::string& resource, const std::string& detail) {
  return MakeError(400, "InvalidTemplate",
                   "Deployment template validation failed: 'The template resource '" + resource +
                       "' is not valid: " + detail + " Please see https://aka.ms/arm-functions for usage details.'.");
}

Error UnsupportedDeploymentFeature(const std::string& feature) {
  return MakeError(501, "NotImplemented", "crosskey does not emulate " + feature + " in template deployments.");
}

Error DeferredUntilDeployment() {
  return MakeError(400, "DeferredUntilDeployment", "evaluated when the deployment runs");
}

Error InvalidTemplateDeployment(const std::string& detail) {
  return MakeError(400, "InvalidTemplateDeployment", detail);
}

Error DeploymentFailed(const std::vector<Error>& resource_errors) {
  Error e = MakeError(400, "DeploymentFailed",
                      "At least one resource deployment operation failed. Please list deployment operations for "
                      "details. Please see https://aka.ms/arm-deployment-operations for usage details.");
  for (const auto& r : resource_errors) e.causes.push_back({r.code, r.message});
  return e;
}

Error DeploymentNotFound(const std::string& name, const std::string& group) {
  return MakeError(404, "DeploymentNotFound",
                   "Deployment '" + name + "' could not be found in resource group '" + group + "'.");
}

Error InvalidState(const std::string& what) { return MakeError(400, "InvalidState", "deployments: " + what); }

Error DeploymentActive(const std::string& name) {
  return MakeError(409, "DeploymentActive",
                   "The deployment '" + name + "' is already in progress. Please wait for it to complete.");
}

}  // namespace crosskey::deploy::errors

namespace crosskey::deploy {
nlohmann::json DeploymentErrorJson(const Error& error) {
  nlohmann::json details = nlohmann::json::array();
  for (const auto& [code, message] : error.causes) details.push_back({{"code", code}, {"message", message}});
  nlohmann::json out = {{"code", error.code}, {"message", error.message}};
  if (!details.empty()) out["details"] = details;
  return out;
}

nlohmann::json FailedStatusMessage(const Error& error) {
  return {{"status", "Failed"}, {"error", DeploymentErrorJson(error)}};
}
}  // namespace crosskey::deploy
