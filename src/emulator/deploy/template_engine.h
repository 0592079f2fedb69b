#pragma once
// A deployment template made ready to apply: the parameters resolved (provided values checked
// against their declared types and allowed values, defaults evaluated), the resources expanded
// (conditions, copy loops, nested child resources) with their ids and API versions, and put in
// dependency order (dependsOn by resource id, type/name, name or copy loop; cycles and unknown
// names refused). Every expression that does not need a deployed resource is evaluated here, so
// a broken template fails before anything is written, as ARM's validation does.
// (learn.microsoft.com/azure/azure-resource-manager/templates/syntax)
// Thread-safety: a prepared template serves one deployment on one thread.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/common/status.h"
#include "emulator/deploy/template_evaluator.h"

namespace crosskey::deploy {

struct PlannedResource {
  std::string id;     // full ARM id (an extension resource's includes its scope)
  std::string type;   // "Microsoft.Compute/diskEncryptionSets"
  std::string name;   // "des1" or "server/key" for a child
  std::string scope;  // an extension resource's scope id; empty otherwise
  std::string api_version;
  std::string copy_loop;  // the copy loop it came from, "" when none
  int64_t copy_index = 0;
  Json source;                     // the template's resource object, expressions unevaluated
  std::vector<size_t> depends_on;  // indexes into PreparedTemplate::resources
};

struct PreparedTemplate {
  std::shared_ptr<TemplateScope> scope;    // parameters resolved; variables evaluate lazily
  std::vector<PlannedResource> resources;  // in an order that respects dependsOn
  Json outputs = Json::object();           // the template's outputs, unevaluated
  Json parameters_view = Json::object();   // {name: {type, value}} as the deployment shows them
  std::string template_hash;
};

// `base` carries subscription(), resourceGroup() and deployment(); `parameters` is the
// request's {name: {value}} object. Errors: InvalidTemplate naming the offending part.
StatusOr<PreparedTemplate> PrepareTemplate(const Json& template_json, const Json& parameters, TemplateScope base);

// The resource's body to PUT (every member but the template-only ones, evaluated), with the
// scope's copy loop set to the resource's. Errors: InvalidTemplate naming the resource.
StatusOr<Json> EvaluateResourceBody(const PreparedTemplate& prepared, const PlannedResource& resource);

// The outputs ({name: {type, value}}). Errors: InvalidTemplate naming the output.
StatusOr<Json> EvaluateOutputs(const PreparedTemplate& prepared);

// An error code the engine uses while validating for functions that need deployed resources
// (reference, list*): such values are checked when the deployment runs.
inline constexpr const char* kDeferredCode = "DeferredUntilDeployment";  // errors::DeferredUntilDeployment()

}  // namespace crosskey::deploy
