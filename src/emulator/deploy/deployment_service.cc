#include "emulator/deploy/deployment_service.h"

#include <algorithm>

#include "emulator/arm/errors.h"
#include "emulator/common/text.h"
#include "emulator/deploy/deployment_errors.h"
#include "emulator/deploy/template_engine.h"

namespace crosskey::deploy {

struct DeploymentService::Request {
  arm::ParsedId id;
  std::string mode;
  Json template_json;
  PreparedTemplate prepared;
};

namespace {

constexpr const char* kDeploymentsType = "Microsoft.Resources/deployments";

// A deployment operation's statusCode: the provider's answer by name.
std::string StatusName(int status) {
  const char* name = HttpStatusName(status);
  return *name ? name : "InternalServerError";
}

Json TargetOf(const PlannedResource& r) { return {{"id", r.id}, {"resourceType", r.type}, {"resourceName", r.name}}; }

// The providers and resource types a template uses ({namespace, resourceTypes: [{resourceType, locations}]}).
Json ProvidersOf(const std::vector<PlannedResource>& resources) {
  std::map<std::string, std::set<std::string>> by_ns;
  std::map<std::string, std::string> ns_case;
  for (const auto& r : resources) {
    auto slash = r.type.find('/');
    std::string ns = r.type.substr(0, slash);
    ns_case.emplace(ToLower(ns), ns);
    by_ns[ToLower(ns)].insert(r.type.substr(slash + 1));
  }
  Json out = Json::array();
  for (const auto& [lower, types] : by_ns) {
    Json rt = Json::array();
    for (const auto& t : types) rt.push_back({{"resourceType", t}, {"locations", Json::array()}});
    out.push_back({{"namespace", ns_case[lower]}, {"resourceTypes", rt}});
  }
  return out;
}

Json DependenciesOf(const std::vector<PlannedResource>& resources) {
  Json out = Json::array();
  for (const auto& r : resources) {
    if (r.depends_on.empty()) continue;
    Json deps = Json::array();
    for (size_t d : r.depends_on) deps.push_back(TargetOf(resources[d]));
    Json entry = TargetOf(r);
    entry["dependsOn"] = deps;
    out.push_back(entry);
  }
  return out;
}

}  // namespace

StatusOr<DeploymentService::Request> DeploymentService::Parse(const arm::ArmCaller& caller,
                                                              const std::string& deployment_id, const Json& body,
                                                              const std::string& action) const {
  auto pid = arm::ParseResourceId(deployment_id);
  if (!pid || pid->resource_group.empty() || !EqualsIgnoreCase(pid->Type(), kDeploymentsType)) {
    return arm::errors::NotImplemented("PUT", deployment_id);
  }
  CK_RETURN_IF_ERROR(resources_->CheckResourceCall(caller, *pid, action));
  if (!body.is_object() || !body.contains("properties") || !body["properties"].is_object()) {
    return arm::errors::InvalidRequestContent("The request content must have a 'properties' object.");
  }
  const Json& p = body["properties"];
  if (p.contains("templateLink")) return errors::UnsupportedDeploymentFeature("templateLink (linked templates)");
  if (p.contains("parametersLink")) return errors::UnsupportedDeploymentFeature("parametersLink");
  if (!p.contains("template") || !p["template"].is_object()) {
    return errors::InvalidTemplate("The deployment must have a 'template' object in its properties.");
  }
  Request req;
  req.id = *pid;
  req.mode = p.value("mode", "Incremental");
  if (!p.value("mode", Json("Incremental")).is_string())
    return arm::errors::InvalidRequestContent("'mode' must be a string.");
  if (EqualsIgnoreCase(req.mode, "Complete")) return errors::UnsupportedDeploymentFeature("Complete mode");
  if (!EqualsIgnoreCase(req.mode, "Incremental")) {
    return arm::errors::InvalidRequestContent("The deployment mode '" + req.mode +
                                              "' is not valid: Incremental or Complete.");
  }
  req.mode = "Incremental";
  req.template_json = p["template"];
  auto subscription = resources_->FindSubscription(pid->subscription_id);
  auto group = resources_->Get(arm::ArmCaller{}, pid->GroupId());
  TemplateScope scope;
  scope.subscription = {{"id", "/subscriptions/" + pid->subscription_id},
                        {"subscriptionId", pid->subscription_id},
                        {"tenantId", subscription ? subscription->tenant_id : ""},
                        {"displayName", subscription ? subscription->display_name : ""}};
  scope.resource_group = group.ok() ? group.value() : Json{{"id", pid->GroupId()}, {"name", pid->resource_group}};
  scope.deployment = {
      {"name", pid->Name()},
      {"properties",
       {{"template", {{"contentVersion", req.template_json.value("contentVersion", "1.0.0.0")}}}, {"mode", req.mode}}}};
  scope.now = clock_->Now();
  CK_ASSIGN_OR_RETURN(req.prepared,
                      PrepareTemplate(req.template_json, p.value("parameters", Json()), std::move(scope)));
  return req;
}

StatusOr<Json> DeploymentService::Validate(const arm::ArmCaller& caller, const std::string& deployment_id,
                                           const Json& body) {
  CK_ASSIGN_OR_RETURN(auto req, Parse(caller, deployment_id, body, std::string(kDeploymentsType) + "/validate/action"));
  Json validated = Json::array();
  for (const auto& r : req.prepared.resources) validated.push_back({{"id", r.id}});
  return Json{{"id", req.id.Canonical()},
              {"name", req.id.Name()},
              {"type", kDeploymentsType},
              {"properties",
               {{"templateHash", req.prepared.template_hash},
                {"parameters", req.prepared.parameters_view},
                {"mode", req.mode},
                {"provisioningState", "Succeeded"},
                {"timestamp", IsoTime(clock_->Now())},
                {"duration", "PT0S"},
                {"correlationId", NewGuid()},
                {"providers", ProvidersOf(req.prepared.resources)},
                {"dependencies", DependenciesOf(req.prepared.resources)},
                {"validatedResources", validated}}}};
}

namespace {

// What writing a prepared template's resources produced.
struct Applied {
  std::vector<Json> operations;
  std::vector<Error> failures;
  Json output_resources = Json::array();
};

// reference() and list*() read what this deployment (or anything before it) has written.
void BindDeployedFunctions(PreparedTemplate* prepared, arm::ResourceManager* resources, const arm::ArmCaller& caller) {
  prepared->scope->reference = [prepared, resources, caller](const std::string& target, bool full) -> StatusOr<Json> {
    std::string id = target;
    if (!StartsWithIgnoreCase(target, "/subscriptions/")) {
      const auto& list = prepared->resources;
      auto it = std::find_if(list.begin(), list.end(), [&](const PlannedResource& r) {
        return EqualsIgnoreCase(r.name, target) || EqualsIgnoreCase(r.type + "/" + r.name, target);
      });
      if (it == list.end()) {
        return errors::Expression("The template reference '" + target +
                                  "' is not valid: could not find template "
                                  "resource or resource copy with this name.");
      }
      id = it->id;
    }
    CK_ASSIGN_OR_RETURN(auto got, resources->Get(caller, id));
    if (full) return got;
    return got.contains("properties") ? got["properties"] : Json::object();
  };
  prepared->scope->list = [resources, caller](const std::string& id, const std::string& function) -> StatusOr<Json> {
    std::string action = "list" + std::string(1, static_cast<char>(std::toupper(function[4]))) + function.substr(5);
    return resources->Action(caller, id, action);
  };
}

// Writes each resource in order, as a direct PUT by `caller` would; a resource whose
// dependency failed is not attempted (ARM's behaviour).
Applied ApplyResources(const PreparedTemplate& prepared, arm::ResourceManager* resources, const Clock* clock,
                       const arm::ArmCaller& caller, const std::string& deployment_id) {
  Applied applied;
  std::vector<bool> succeeded(prepared.resources.size(), false);
  for (size_t i = 0; i < prepared.resources.size(); ++i) {
    const PlannedResource& r = prepared.resources[i];
    if (std::any_of(r.depends_on.begin(), r.depends_on.end(), [&](size_t d) { return !succeeded[d]; })) continue;
    const int64_t started = clock->Now();
    auto body = EvaluateResourceBody(prepared, r);
    StatusOr<arm::PutResult> put = body.ok() ? StatusOr<arm::PutResult>(arm::PutResult{}) : body.error();
    if (body.ok()) {
      put = !r.scope.empty() && EqualsIgnoreCase(r.type, "Microsoft.Authorization/roleAssignments")
                ? resources->PutRoleAssignment(caller, r.scope, r.name, *body)
                : resources->Put(caller, r.id, *body);
    }
    std::string op_id = RandomHex(8);
    std::transform(op_id.begin(), op_id.end(), op_id.begin(), ::toupper);
    Json props = {
        {"provisioningOperation", "Create"}, {"timestamp", IsoTime(started)}, {"duration", "PT0S"},
        {"trackingId", NewGuid()},           {"serviceRequestId", NewGuid()}, {"targetResource", TargetOf(r)}};
    if (put.ok()) {
      succeeded[i] = true;
      props["provisioningState"] = "Succeeded";
      props["statusCode"] = StatusName(put->created ? 201 : 200);
      props["statusMessage"] = put->body;
      applied.output_resources.push_back({{"id", put->body.value("id", r.id)}});
    } else {
      applied.failures.push_back(put.error());
      props["provisioningState"] = "Failed";
      props["statusCode"] = StatusName(put.error().http_status);
      props["statusMessage"] = FailedStatusMessage(put.error());
    }
    applied.operations.push_back(
        {{"id", deployment_id + "/operations/" + op_id}, {"operationId", op_id}, {"properties", props}});
  }
  return applied;
}

}  // namespace

StatusOr<DeploymentOutcome> DeploymentService::CreateOrUpdate(const arm::ArmCaller& caller,
                                                              const std::string& deployment_id, const Json& body) {
  CK_ASSIGN_OR_RETURN(auto req, Parse(caller, deployment_id, body, std::string(kDeploymentsType) + "/write"));
  const std::string key = ToLower(req.id.Canonical());
  bool created = false;
  {
    std::lock_guard lock(mu_);
    if (!running_.insert(key).second) return errors::DeploymentActive(req.id.Name());
    created = !records_.count(key);
  }
  PreparedTemplate& prepared = req.prepared;
  BindDeployedFunctions(&prepared, resources_, caller);
  Applied applied = ApplyResources(prepared, resources_, clock_, caller, req.id.Canonical());
  Json outputs = Json::object();
  if (applied.failures.empty()) {
    auto evaluated = EvaluateOutputs(prepared);
    if (evaluated.ok()) {
      outputs = std::move(evaluated).value();
    } else {
      applied.failures.push_back(evaluated.error());
    }
  }
  prepared.scope->reference = nullptr;
  prepared.scope->list = nullptr;
  std::optional<Error> failure;
  if (!applied.failures.empty()) failure = errors::DeploymentFailed(applied.failures);

  Json properties = {{"templateHash", prepared.template_hash},
                     {"parameters", prepared.parameters_view},
                     {"mode", req.mode},
                     {"provisioningState", failure ? "Failed" : "Succeeded"},
                     {"timestamp", IsoTime(clock_->Now())},
                     {"duration", "PT0S"},
                     {"correlationId", NewGuid()},
                     {"providers", ProvidersOf(prepared.resources)},
                     {"dependencies", DependenciesOf(prepared.resources)},
                     {"outputs", outputs},
                     {"outputResources", applied.output_resources}};
  if (failure) properties["error"] = DeploymentErrorJson(*failure);
  Json deployment = {
      {"id", req.id.Canonical()}, {"name", req.id.Name()}, {"type", kDeploymentsType}, {"properties", properties}};
  if (body.contains("tags") && body["tags"].is_object()) deployment["tags"] = body["tags"];
  Store(key, Record{deployment, std::move(applied.operations), 0});
  {
    std::lock_guard lock(mu_);
    running_.erase(key);
  }
  return DeploymentOutcome{deployment, created, failure};
}

void DeploymentService::Store(const std::string& key, Record record) {
  std::lock_guard lock(mu_);
  record.sequence = ++sequence_;
  records_[key] = std::move(record);
  const std::string group = key.substr(0, key.find("/providers/") + 1);
  size_t in_group = 0;
  auto oldest = records_.end();
  for (auto it = records_.begin(); it != records_.end(); ++it) {
    if (it->first.rfind(group, 0) != 0) continue;
    ++in_group;
    if (oldest == records_.end() || it->second.sequence < oldest->second.sequence) oldest = it;
  }
  if (in_group > kMaxPerGroup) records_.erase(oldest);
}

StatusOr<Json> DeploymentService::Get(const arm::ArmCaller& caller, const std::string& deployment_id) const {
  auto pid = arm::ParseResourceId(deployment_id);
  if (!pid || pid->resource_group.empty()) return arm::errors::NotImplemented("GET", deployment_id);
  CK_RETURN_IF_ERROR(resources_->CheckResourceCall(caller, *pid, std::string(kDeploymentsType) + "/read"));
  std::lock_guard lock(mu_);
  auto it = records_.find(ToLower(pid->Canonical()));
  if (it == records_.end()) return errors::DeploymentNotFound(pid->Name(), pid->resource_group);
  return it->second.deployment;
}

StatusOr<std::vector<Json>> DeploymentService::List(const arm::ArmCaller& caller, const std::string& group_id) const {
  auto pid = arm::ParseResourceId(group_id + "/providers/Microsoft.Resources/deployments/x");
  if (!pid) return arm::errors::NotImplemented("GET", group_id);
  CK_RETURN_IF_ERROR(resources_->CheckResourceCall(caller, *pid, std::string(kDeploymentsType) + "/read"));
  const std::string prefix = ToLower(pid->GroupId()) + "/providers/";
  std::lock_guard lock(mu_);
  std::vector<Json> out;
  for (const auto& [key, record] : records_) {
    if (key.rfind(prefix, 0) == 0) out.push_back(record.deployment);
  }
  return out;
}

StatusOr<std::vector<Json>> DeploymentService::ListOperations(const arm::ArmCaller& caller,
                                                              const std::string& deployment_id) const {
  CK_RETURN_IF_ERROR(Get(caller, deployment_id));
  std::lock_guard lock(mu_);
  auto it = records_.find(ToLower(arm::ParseResourceId(deployment_id)->Canonical()));
  if (it == records_.end()) return std::vector<Json>{};
  return it->second.operations;
}

StatusOr<Json> DeploymentService::GetOperation(const arm::ArmCaller& caller, const std::string& deployment_id,
                                               const std::string& operation_id) const {
  CK_ASSIGN_OR_RETURN(auto operations, ListOperations(caller, deployment_id));
  for (const auto& op : operations) {
    if (EqualsIgnoreCase(op.value("operationId", ""), operation_id)) return op;
  }
  return arm::errors::OperationNotFound(operation_id);
}

Status DeploymentService::Delete(const arm::ArmCaller& caller, const std::string& deployment_id) {
  auto pid = arm::ParseResourceId(deployment_id);
  if (!pid || pid->resource_group.empty()) return arm::errors::NotImplemented("DELETE", deployment_id);
  CK_RETURN_IF_ERROR(resources_->CheckResourceCall(caller, *pid, std::string(kDeploymentsType) + "/delete"));
  std::lock_guard lock(mu_);
  if (running_.count(ToLower(pid->Canonical()))) return errors::DeploymentActive(pid->Name());
  if (!records_.erase(ToLower(pid->Canonical()))) return errors::DeploymentNotFound(pid->Name(), pid->resource_group);
  return Status::Ok();
}

Json DeploymentService::ExportState() const {
  std::lock_guard lock(mu_);
  std::vector<const Record*> ordered;
  for (const auto& [key, record] : records_) ordered.push_back(&record);
  std::sort(ordered.begin(), ordered.end(), [](const Record* a, const Record* b) { return a->sequence < b->sequence; });
  Json out = Json::array();
  for (const Record* r : ordered) out.push_back({{"deployment", r->deployment}, {"operations", r->operations}});
  return out;
}

Status DeploymentService::ImportState(const Json& state) {
  if (!state.is_array()) return errors::InvalidState("expected an array");
  for (const auto& item : state) {
    if (!item.is_object() || !item.contains("deployment") || !item["deployment"].is_object() ||
        !item["deployment"].value("id", Json()).is_string() || !item.value("operations", Json()).is_array()) {
      return errors::InvalidState("each entry needs a deployment with an id and its operations");
    }
    auto pid = arm::ParseResourceId(item["deployment"]["id"].get<std::string>());
    if (!pid || !EqualsIgnoreCase(pid->Type(), kDeploymentsType)) {
      return errors::InvalidState("'" + item["deployment"]["id"].get<std::string>() + "' is not a deployment id");
    }
    std::vector<Json> operations(item["operations"].begin(), item["operations"].end());
    Store(ToLower(pid->Canonical()), Record{item["deployment"], std::move(operations), 0});
  }
  return Status::Ok();
}

}  // namespace crosskey::deploy
