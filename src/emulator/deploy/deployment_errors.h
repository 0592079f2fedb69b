#pragma once
// Named factories for the errors of template deployments, as ARM reports them
// (learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors);
// rendered by the ARM mapper ({"error":{"code","message","details"}}).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/common/status.h"

namespace crosskey::deploy::errors {

// A template expression that cannot be evaluated: its message, before the engine says where.
Error Expression(const std::string& message);
// 400 InvalidTemplate: "Deployment template validation failed: '<detail>'".
Error InvalidTemplate(const std::string& detail);
// 400 InvalidTemplate for a resource of the template: `detail` names the offending expression.
Error InvalidTemplateResource(const std::string& resource, const std::string& detail);
// 501 NotImplemented: a deployment feature the emulator does not serve (a template link, a
// Key Vault parameter reference, complete mode).
Error UnsupportedDeploymentFeature(const std::string& feature);
// The marker a validation-time reference()/list*() returns (the value exists only once the
// deployment runs); never rendered.
Error DeferredUntilDeployment();
// 400 InvalidTemplateDeployment: the template is valid but a resource would be refused.
Error InvalidTemplateDeployment(const std::string& detail);
// The deployment's outcome when a resource failed: DeploymentFailed with one detail per failed
// resource ({code, message} of the resource provider's error).
Error DeploymentFailed(const std::vector<Error>& resource_errors);
// 404 DeploymentNotFound.
Error DeploymentNotFound(const std::string& name, const std::string& group);
// 400 InvalidState: the deployments part of a state document is unreadable.
Error InvalidState(const std::string& what);
// 409 DeploymentActive: a deployment of that name is still running.
Error DeploymentActive(const std::string& name);

}  // namespace crosskey::deploy::errors

namespace crosskey::deploy {
// An error as ARM's deployment documents carry it: {code, message, details: [{code, message}]}.
nlohmann::json DeploymentErrorJson(const Error& error);
// A failed deployment operation's statusMessage: {"status": "Failed", "error": ...}.
nlohmann::json FailedStatusMessage(const Error& error);
}  // namespace crosskey::deploy
