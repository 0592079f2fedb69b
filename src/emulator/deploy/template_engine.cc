#include "emulator/deploy/template_engine.h"

#include <algorithm>
#include <set>

#include "emulator/common/text.h"
#include "emulator/deploy/deployment_errors.h"
#include "emulator/deploy/unique_string.h"

namespace crosskey::deploy {
namespace {

// ARM's limits (learn.microsoft.com/azure/azure-resource-manager/templates/best-practices#template-limits).
constexpr size_t kMaxResources = 800;
constexpr int64_t kMaxCopyCount = 800;

// Members of a template resource that describe the deployment, not the resource's body.
bool TemplateOnly(const std::string& key) {
  static const char* const kKeys[] = {"type",      "apiVersion", "name",     "dependsOn", "copy",
                                      "condition", "resources",  "comments", "scope",     "metadata"};
  return std::any_of(std::begin(kKeys), std::end(kKeys), [&](const char* k) { return EqualsIgnoreCase(key, k); });
}

// A parameter or output type as ARM shows it ("String", "SecureString", "Int", ...).
std::string TypeName(const std::string& type) {
  std::string t = ToLower(type);
  if (t == "string") return "String";
  if (t == "securestring") return "SecureString";
  if (t == "int") return "Int";
  if (t == "bool") return "Bool";
  if (t == "object") return "Object";
  if (t == "secureobject") return "SecureObject";
  if (t == "array") return "Array";
  return "";
}

bool IsSecure(const std::string& type) { return StartsWithIgnoreCase(TypeName(type), "Secure"); }

bool HasType(const Json& v, const std::string& type_name) {
  if (type_name == "String" || type_name == "SecureString") return v.is_string();
  if (type_name == "Int") return v.is_number_integer();
  if (type_name == "Bool") return v.is_boolean();
  if (type_name == "Object" || type_name == "SecureObject") return v.is_object();
  return v.is_array();
}

std::string JsonTypeName(const Json& v) {
  if (v.is_string()) return "String";
  if (v.is_number_integer()) return "Integer";
  if (v.is_boolean()) return "Boolean";
  if (v.is_object()) return "Object";
  if (v.is_array()) return "Array";
  return "Null";
}

std::string Str(const Json& object, const char* key) {
  const Json* v = FindMember(object, key);
  return v && v->is_string() ? v->get<std::string>() : "";
}

Status CheckParameterValue(const std::string& name, const Json& declared, const Json& value) {
  std::string type = TypeName(Str(declared, "type"));
  if (!HasType(value, type)) {
    return errors::InvalidTemplate("Template parameter JToken type is not valid. Expected '" +
                                   std::string(type == "Int"    ? "Integer"
                                               : type == "Bool" ? "Boolean"
                                                                : type) +
                                   "'. Actual '" + JsonTypeName(value) + "'. Please see " +
                                   "https://aka.ms/arm-create-parameter-file for usage details");
  }
  if (const Json* allowed = FindMember(declared, "allowedValues"); allowed && allowed->is_array()) {
    bool found = std::any_of(allowed->begin(), allowed->end(), [&](const Json& a) {
      return a == value ||
             (a.is_string() && value.is_string() && EqualsIgnoreCase(a.get<std::string>(), value.get<std::string>()));
    });
    if (!found) {
      std::string list;
      for (const auto& a : *allowed) list += (list.empty() ? "" : ",") + AsText(a);
      return errors::InvalidTemplate("The provided value for the template parameter '" + name + "' is not valid. The " +
                                     "value '" + AsText(value) + "' is not part of the allowed value(s): '" + list +
                                     "'");
    }
  }
  auto bound = [&](const char* key) -> std::optional<int64_t> {
    const Json* b = FindMember(declared, key);
    if (b && b->is_number_integer()) return b->get<int64_t>();
    return std::nullopt;
  };
  int64_t size = value.is_string() ? static_cast<int64_t>(value.get<std::string>().size())
                                   : (value.is_array() ? static_cast<int64_t>(value.size()) : 0);
  if (auto min = bound("minLength"); min && (value.is_string() || value.is_array()) && size < *min) {
    return errors::InvalidTemplate("The provided value for the template parameter '" + name +
                                   "' is not valid. Length " + "of the value should be greater than or equal to '" +
                                   std::to_string(*min) + "'");
  }
  if (auto max = bound("maxLength"); max && (value.is_string() || value.is_array()) && size > *max) {
    return errors::InvalidTemplate("The provided value for the template parameter '" + name +
                                   "' is not valid. Length " + "of the value should be less than or equal to '" +
                                   std::to_string(*max) + "'");
  }
  if (value.is_number_integer()) {
    int64_t n = value.get<int64_t>();
    if (auto min = bound("minValue"); min && n < *min) {
      return errors::InvalidTemplate("The provided value for the template parameter '" + name + "' is not valid. " +
                                     "The value should be greater than or equal to '" + std::to_string(*min) + "'");
    }
    if (auto max = bound("maxValue"); max && n > *max) {
      return errors::InvalidTemplate("The provided value for the template parameter '" + name + "' is not valid. " +
                                     "The value should be less than or equal to '" + std::to_string(*max) + "'");
    }
  }
  return Status::Ok();
}

Status ResolveParameters(const Json& declared, const Json& provided, TemplateScope* scope, Json* view) {
  if (!declared.is_null() && !declared.is_object())
    return errors::InvalidTemplate("The template 'parameters' must be an object.");
  if (!provided.is_null() && !provided.is_object()) {
    return errors::InvalidTemplate("The deployment 'parameters' must be an object of {\"value\": ...} entries.");
  }
  std::string unknown;
  if (provided.is_object()) {
    for (auto it = provided.begin(); it != provided.end(); ++it) {
      if (!FindMember(declared, it.key())) unknown += (unknown.empty() ? "" : ", ") + it.key();
    }
  }
  if (!unknown.empty()) {
    std::string supported;
    if (declared.is_object())
      for (auto it = declared.begin(); it != declared.end(); ++it)
        supported += (supported.empty() ? "" : ", ") + it.key();
    return errors::InvalidTemplate("The template parameters '" + unknown + "' in the parameters file are not valid; " +
                                   "they are not present in the original template and can therefore not be provided " +
                                   "at deployment time. The only supported parameters for this template are '" +
                                   supported +
                                   "'. Please see https://aka.ms/arm-pass-parameter-values for usage details.");
  }
  if (!declared.is_object()) return Status::Ok();
  for (auto it = declared.begin(); it != declared.end(); ++it) {
    const std::string& name = it.key();
    const Json& decl = it.value();
    if (!decl.is_object() || TypeName(Str(decl, "type")).empty()) {
      return errors::InvalidTemplate("The template parameter '" + name +
                                     "' has no valid 'type' (string, securestring, " +
                                     "int, bool, object, secureObject or array).");
    }
    Json value;
    const Json* given = FindMember(provided, name);
    if (given) {
      if (!given->is_object())
        return errors::InvalidTemplate("The value of the deployment parameter '" + name +
                                       "' must be {\"value\": ...}.");
      if (FindMember(*given, "reference"))
        return errors::UnsupportedDeploymentFeature("Key Vault parameter references");
      const Json* v = FindMember(*given, "value");
      if (!v)
        return errors::InvalidTemplate("The value of the deployment parameter '" + name +
                                       "' must be {\"value\": ...}.");
      value = *v;
    } else if (const Json* def = FindMember(decl, "defaultValue")) {
      scope->allow_nondeterministic = true;
      auto evaluated = TemplateEvaluator(scope).EvaluateValue(*def);
      scope->allow_nondeterministic = false;
      if (!evaluated.ok()) {
        return errors::InvalidTemplate("The template parameter '" + name +
                                       "' default value is not valid: " + evaluated.error().message);
      }
      value = std::move(evaluated).value();
    } else {
      return errors::InvalidTemplate("The value for the template parameter '" + name +
                                     "' is not provided. Please see " +
                                     "https://aka.ms/arm-create-parameter-file for usage details.");
    }
    CK_RETURN_IF_ERROR(CheckParameterValue(name, decl, value));
    scope->parameters[ToLower(name)] = value;
    std::string type = TypeName(Str(decl, "type"));
    (*view)[name] = IsSecure(type) ? Json{{"type", type}} : Json{{"type", type}, {"value", value}};
  }
  return Status::Ok();
}

// variables('x'): evaluated once, on first use; a variable that needs itself is refused.
struct VariableStore {
  Json declared;
  std::map<std::string, Json> values;  // key: lower-case name
  std::set<std::string> resolving;
  const TemplateScope* scope = nullptr;

  StatusOr<Json> Get(const std::string& lower) {
    if (auto it = values.find(lower); it != values.end()) return it->second;
    if (lower == "copy" || !FindMember(declared, lower)) {
      if (auto loop = CopyLoop(lower)) return *loop;
      return errors::Expression("The template variable '" + lower + "' is not found.");
    }
    if (!resolving.insert(lower).second) {
      return errors::Expression("The template variable '" + lower + "' refers to itself.");
    }
    auto v = TemplateEvaluator(scope).EvaluateValue(*FindMember(declared, lower));
    resolving.erase(lower);
    if (!v.ok()) return v.error();
    values[lower] = v.value();
    return std::move(v).value();
  }

  // A variable declared by the variables' "copy" array: [{name, count, input}].
  std::optional<StatusOr<Json>> CopyLoop(const std::string& lower) {
    const Json* loops = FindMember(declared, "copy");
    if (!loops || !loops->is_array()) return std::nullopt;
    for (const auto& loop : *loops) {
      if (!loop.is_object() || !EqualsIgnoreCase(Str(loop, "name"), lower)) continue;
      TemplateScope local = *scope;
      auto count = TemplateEvaluator(&local).EvaluateValue(loop.value("count", Json(0)));
      if (!count.ok()) return StatusOr<Json>(count.error());
      if (!count->is_number_integer() || count->get<int64_t>() < 0 || count->get<int64_t>() > kMaxCopyCount) {
        return StatusOr<Json>(errors::Expression("The copy count of variable '" + lower + "' must be 0 to 800."));
      }
      Json out = Json::array();
      local.copy_loop = lower;
      for (int64_t i = 0; i < count->get<int64_t>(); ++i) {
        local.copy_indexes[lower] = i;
        auto item = TemplateEvaluator(&local).EvaluateValue(loop.value("input", Json()));
        if (!item.ok()) return StatusOr<Json>(item.error());
        out.push_back(std::move(item).value());
      }
      values[lower] = out;
      return StatusOr<Json>(out);
    }
    return std::nullopt;
  }
};

std::string Display(const PlannedResource& r) { return r.type + "/" + r.name; }

struct Expansion {
  std::vector<PlannedResource> resources;
  std::vector<std::vector<std::string>> depends_raw;  // per resource, evaluated dependsOn entries
  std::vector<std::string> skipped_ids;               // resources whose condition is false
  std::vector<std::string> loops;                     // copy loop names, lower-case
};

StatusOr<std::string> BuildId(const TemplateScope& scope, const std::string& type, const std::string& name,
                              const std::string& explicit_scope, std::string* scope_out) {
  auto types = Split(type, '/');
  auto names = Split(name, '/');
  if (types.size() < 2 || names.size() != types.size() - 1 ||
      std::any_of(names.begin(), names.end(), [](const std::string& n) { return n.empty(); })) {
    return errors::InvalidTemplate(
        "The template resource '" + name + "' for type '" + type + "' has incorrect " +
        "segment lengths. A nested resource type must have identical number of segments " +
        "as its resource name. A root resource type must have segment length one greater " +
        "than its resource name. Please see https://aka.ms/arm-syntax-resources for usage details");
  }
  std::string base = scope.resource_group.value("id", "");
  if (!explicit_scope.empty() || EqualsIgnoreCase(types[0], "Microsoft.Authorization")) {
    *scope_out = explicit_scope.empty() ? base : explicit_scope;
    base = *scope_out;
  }
  std::string id = base + "/providers/" + types[0];
  for (size_t i = 1; i < types.size(); ++i) id += "/" + types[i] + "/" + names[i - 1];
  return id;
}

// Evaluates a resource body member by member; a reference()/list*() value is checked later.
Status ValidateBody(const TemplateScope& scope, const Json& source, const std::string& display) {
  for (auto it = source.begin(); it != source.end(); ++it) {
    if (TemplateOnly(it.key())) continue;
    auto v = TemplateEvaluator(&scope).EvaluateValue(it.value());
    if (!v.ok() && v.error().code != kDeferredCode) return errors::InvalidTemplateResource(display, v.error().message);
  }
  return Status::Ok();
}

Status ExpandResource(Expansion* x, TemplateScope* scope, const Json& source, const std::string& parent_type,
                      const std::string& parent_name, std::optional<size_t> parent);

// One resource (one copy of a looped one): type, name, id, condition, dependsOn, body, children.
Status ExpandInstance(Expansion* x, TemplateScope* scope, const Json& source, const std::string& parent_type,
                      const std::string& parent_name, std::optional<size_t> parent) {
  TemplateEvaluator eval(scope);
  PlannedResource r;
  auto type = eval.EvaluateValue(source.value("type", Json("")));
  auto name = eval.EvaluateValue(source.value("name", Json("")));
  if (!type.ok() || !type->is_string() || type->get<std::string>().empty()) {
    return errors::InvalidTemplate("A template resource has no valid 'type'.");
  }
  if (!name.ok()) return errors::InvalidTemplateResource(type->get<std::string>(), name.error().message);
  if (!name->is_string() || name->get<std::string>().empty()) {
    return errors::InvalidTemplateResource(type->get<std::string>(), "its 'name' must be a non-empty string.");
  }
  r.type = type->get<std::string>();
  r.name = name->get<std::string>();
  if (!parent_type.empty()) {  // a nested child: type and name relative to the parent's
    if (r.type.find('.') == std::string::npos) r.type = parent_type + "/" + r.type;
    if (std::count(r.name.begin(), r.name.end(), '/') + 1 < std::count(r.type.begin(), r.type.end(), '/')) {
      r.name = parent_name + "/" + r.name;
    }
  }
  r.api_version = Str(source, "apiVersion");
  if (r.api_version.empty()) return errors::InvalidTemplateResource(Display(r), "its 'apiVersion' is missing.");
  std::string explicit_scope;
  if (const Json* s = FindMember(source, "scope")) {
    auto sv = eval.EvaluateValue(*s);
    if (!sv.ok() || !sv->is_string()) {
      return errors::InvalidTemplateResource(Display(r),
                                             sv.ok() ? "its 'scope' must be a resource id." : sv.error().message);
    }
    explicit_scope = sv->get<std::string>();
  }
  CK_ASSIGN_OR_RETURN(r.id, BuildId(*scope, r.type, r.name, explicit_scope, &r.scope));
  if (const Json* condition = FindMember(source, "condition")) {
    auto c = eval.EvaluateValue(*condition);
    if (!c.ok()) return errors::InvalidTemplateResource(Display(r), c.error().message);
    if (!c->is_boolean()) return errors::InvalidTemplateResource(Display(r), "its 'condition' must be a boolean.");
    if (!c->get<bool>()) {
      x->skipped_ids.push_back(r.id);
      return Status::Ok();
    }
  }
  std::vector<std::string> deps;
  if (const Json* d = FindMember(source, "dependsOn")) {
    if (!d->is_array()) return errors::InvalidTemplateResource(Display(r), "its 'dependsOn' must be an array.");
    for (const auto& entry : *d) {
      auto v = eval.EvaluateValue(entry);
      if (!v.ok()) return errors::InvalidTemplateResource(Display(r), v.error().message);
      if (!v->is_string())
        return errors::InvalidTemplateResource(Display(r), "its 'dependsOn' entries must be strings.");
      deps.push_back(v->get<std::string>());
    }
  }
  CK_RETURN_IF_ERROR(ValidateBody(*scope, source, Display(r)));
  r.copy_loop = scope->copy_loop;
  r.copy_index = r.copy_loop.empty() ? 0 : scope->copy_indexes[ToLower(r.copy_loop)];
  r.source = source;
  if (x->resources.size() >= kMaxResources) return errors::InvalidTemplate("The template has more than 800 resources.");
  size_t index = x->resources.size();
  if (parent) r.depends_on.push_back(*parent);
  x->resources.push_back(std::move(r));
  x->depends_raw.push_back(std::move(deps));
  if (const Json* children = FindMember(source, "resources")) {
    if (!children->is_array()) {
      return errors::InvalidTemplateResource(Display(x->resources[index]), "its 'resources' must be an array.");
    }
    std::string ptype = x->resources[index].type, pname = x->resources[index].name;
    TemplateScope child_scope = *scope;  // a child's own copy loop does not see the parent's
    child_scope.copy_loop.clear();
    for (const auto& child : *children) CK_RETURN_IF_ERROR(ExpandResource(x, &child_scope, child, ptype, pname, index));
  }
  return Status::Ok();
}

// A resource and, with a copy loop, each of its copies.
Status ExpandResource(Expansion* x, TemplateScope* scope, const Json& source, const std::string& parent_type,
                      const std::string& parent_name, std::optional<size_t> parent) {
  if (!source.is_object()) return errors::InvalidTemplate("Each template resource must be an object.");
  const Json* copy = FindMember(source, "copy");
  if (!copy) return ExpandInstance(x, scope, source, parent_type, parent_name, parent);
  if (!copy->is_object()) return errors::InvalidTemplate("The resource 'copy' property must be an object.");
  std::string loop = Str(*copy, "name");
  if (loop.empty()) return errors::InvalidTemplate("The resource copy loop must have a 'name'.");
  auto n = TemplateEvaluator(scope).EvaluateValue(copy->value("count", Json(0)));
  if (!n.ok())
    return errors::InvalidTemplate("The copy count of loop '" + loop + "' is not valid: " + n.error().message);
  if (!n->is_number_integer() || n->get<int64_t>() < 0 || n->get<int64_t>() > kMaxCopyCount) {
    return errors::InvalidTemplate("The copy count of loop '" + loop + "' must be an integer from 0 to 800.");
  }
  x->loops.push_back(ToLower(loop));
  TemplateScope loop_scope = *scope;
  loop_scope.copy_loop = loop;
  for (int64_t i = 0; i < n->get<int64_t>(); ++i) {
    loop_scope.copy_indexes[ToLower(loop)] = i;
    CK_RETURN_IF_ERROR(ExpandInstance(x, &loop_scope, source, parent_type, parent_name, parent));
  }
  return Status::Ok();
}

bool Names(const PlannedResource& r, const std::string& entry) {
  if (EqualsIgnoreCase(entry, r.id) || EqualsIgnoreCase(entry, r.name) || EqualsIgnoreCase(entry, Display(r)))
    return true;
  // resourceId()'s form of a resource in another group of the same id tail
  return EndsWith(ToLower(r.id), "/providers/" + ToLower(entry));
}

Status ResolveDependencies(Expansion* x) {
  for (size_t i = 0; i < x->resources.size(); ++i) {
    for (const auto& entry : x->depends_raw[i]) {
      bool found = false;
      for (size_t j = 0; j < x->resources.size(); ++j) {
        if (j == i) continue;
        bool in_loop = !x->resources[j].copy_loop.empty() && EqualsIgnoreCase(x->resources[j].copy_loop, entry);
        if (in_loop || Names(x->resources[j], entry)) {
          x->resources[i].depends_on.push_back(j);
          found = true;
        }
      }
      bool skipped = std::any_of(x->skipped_ids.begin(), x->skipped_ids.end(), [&](const std::string& id) {
        return EqualsIgnoreCase(id, entry) || EndsWith(ToLower(id), "/" + ToLower(entry));
      });
      bool empty_loop = std::find(x->loops.begin(), x->loops.end(), ToLower(entry)) != x->loops.end();
      if (!found && !skipped && !empty_loop) {
        return errors::InvalidTemplate("The resource '" + entry + "' is not defined in the template. Please see " +
                                       "https://aka.ms/arm-syntax for usage details");
      }
    }
  }
  return Status::Ok();
}

// Kahn's algorithm, keeping the template's order among independent resources.
StatusOr<std::vector<PlannedResource>> Order(std::vector<PlannedResource> resources) {
  const size_t n = resources.size();
  std::vector<int> pending(n, 0);
  for (size_t i = 0; i < n; ++i) {
    std::sort(resources[i].depends_on.begin(), resources[i].depends_on.end());
    resources[i].depends_on.erase(std::unique(resources[i].depends_on.begin(), resources[i].depends_on.end()),
                                  resources[i].depends_on.end());
    pending[i] = static_cast<int>(resources[i].depends_on.size());
  }
  std::vector<size_t> order, position(n, 0);
  std::vector<bool> done(n, false);
  while (order.size() < n) {
    bool progressed = false;
    for (size_t i = 0; i < n; ++i) {
      if (done[i] || pending[i] != 0) continue;
      done[i] = true;
      position[i] = order.size();
      order.push_back(i);
      for (size_t j = 0; j < n; ++j) {
        if (std::find(resources[j].depends_on.begin(), resources[j].depends_on.end(), i) !=
            resources[j].depends_on.end())
          --pending[j];
      }
      progressed = true;
      break;
    }
    if (!progressed) {
      size_t stuck = std::find(done.begin(), done.end(), false) - done.begin();
      return errors::InvalidTemplate("Circular dependency detected on resource: '" + resources[stuck].id +
                                     "'. Please see https://aka.ms/arm-syntax-resources for usage details");
    }
  }
  std::vector<PlannedResource> out;
  out.reserve(n);
  for (size_t i : order) {
    PlannedResource r = std::move(resources[i]);
    for (auto& d : r.depends_on) d = position[d];
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

StatusOr<PreparedTemplate> PrepareTemplate(const Json& t, const Json& parameters, TemplateScope base) {
  if (!t.is_object()) return errors::InvalidTemplate("The template must be a JSON object.");
  std::string schema = Str(t, "$schema");
  if (!schema.empty() && ToLower(schema).find("deploymenttemplate.json") == std::string::npos) {
    return errors::InvalidTemplate("The template schema '" + schema + "' is not supported for a deployment at " +
                                   "resource group scope.");
  }
  const Json* resources = FindMember(t, "resources");
  if (!resources || (!resources->is_array() && !resources->is_object())) {
    return errors::InvalidTemplate("The template 'resources' property is missing or is not an array.");
  }
  PreparedTemplate prepared;
  prepared.scope = std::make_shared<TemplateScope>(std::move(base));
  TemplateScope* scope = prepared.scope.get();
  CK_RETURN_IF_ERROR(ResolveParameters(FindMember(t, "parameters") ? *FindMember(t, "parameters") : Json(), parameters,
                                       scope, &prepared.parameters_view));
  auto store = std::make_shared<VariableStore>();
  if (const Json* v = FindMember(t, "variables")) {
    if (!v->is_object()) return errors::InvalidTemplate("The template 'variables' must be an object.");
    store->declared = *v;
  }
  store->scope = scope;
  scope->variable = [store](const std::string& name) { return store->Get(name); };
  // Validation: reference() and list*() have no value yet.
  scope->reference = [](const std::string&, bool) -> StatusOr<Json> { return errors::DeferredUntilDeployment(); };
  scope->list = [](const std::string&, const std::string&) -> StatusOr<Json> {
    return errors::DeferredUntilDeployment();
  };
  Expansion x;
  if (resources->is_array()) {
    for (const auto& r : *resources) CK_RETURN_IF_ERROR(ExpandResource(&x, scope, r, "", "", std::nullopt));
  } else {
    for (auto it = resources->begin(); it != resources->end(); ++it)
      CK_RETURN_IF_ERROR(ExpandResource(&x, scope, it.value(), "", "", std::nullopt));
  }
  CK_RETURN_IF_ERROR(ResolveDependencies(&x));
  CK_ASSIGN_OR_RETURN(prepared.resources, Order(std::move(x.resources)));
  if (const Json* outputs = FindMember(t, "outputs")) {
    if (!outputs->is_object()) return errors::InvalidTemplate("The template 'outputs' must be an object.");
    prepared.outputs = *outputs;
  }
  prepared.template_hash = std::to_string(MurmurHash64(t.dump()));
  scope->reference = nullptr;
  scope->list = nullptr;
  return prepared;
}

StatusOr<Json> EvaluateResourceBody(const PreparedTemplate& prepared, const PlannedResource& resource) {
  TemplateScope scope = *prepared.scope;
  if (!resource.copy_loop.empty()) {
    scope.copy_loop = resource.copy_loop;
    scope.copy_indexes[ToLower(resource.copy_loop)] = resource.copy_index;
  }
  Json body = Json::object();
  for (auto it = resource.source.begin(); it != resource.source.end(); ++it) {
    if (TemplateOnly(it.key())) continue;
    auto v = TemplateEvaluator(&scope).EvaluateValue(it.value());
    if (!v.ok()) {
      if (v.error().code != "InvalidTemplate") return v.error();
      return errors::InvalidTemplateResource(Display(resource), v.error().message);
    }
    body[it.key()] = std::move(v).value();
  }
  return body;
}

StatusOr<Json> EvaluateOutputs(const PreparedTemplate& prepared) {
  Json out = Json::object();
  TemplateEvaluator eval(prepared.scope.get());
  for (auto it = prepared.outputs.begin(); it != prepared.outputs.end(); ++it) {
    const Json& decl = it.value();
    std::string type = TypeName(Str(decl, "type"));
    if (!decl.is_object() || type.empty()) {
      return errors::InvalidTemplate("The template output '" + it.key() + "' has no valid 'type'.");
    }
    const Json* condition = FindMember(decl, "condition");
    if (condition) {
      auto c = eval.EvaluateValue(*condition);
      if (!c.ok())
        return errors::InvalidTemplate("The template output '" + it.key() + "' is not valid: " + c.error().message);
      if (c->is_boolean() && !c->get<bool>()) continue;
    }
    auto v = eval.EvaluateValue(decl.value("value", Json()));
    if (!v.ok()) {
      if (v.error().code != "InvalidTemplate") return v.error();
      return errors::InvalidTemplate("The template output '" + it.key() + "' is not valid: " + v.error().message);
    }
    out[it.key()] = IsSecure(type) ? Json{{"type", type}} : Json{{"type", type}, {"value", std::move(v).value()}};
  }
  return out;
}

}  // namespace crosskey::deploy
