#pragma once
// Evaluates ARM template language expressions and the JSON values that hold them: every string
// "[...]" in a value (object keys included) is replaced by its result; "[[" escapes a literal
// bracket. The functions are those of learn.microsoft.com/azure/azure-resource-manager/templates/
// template-functions that CMK templates use (template_functions.cc lists them). Names of
// functions, parameters, variables and properties are case-insensitive, as in ARM.
// Thread-safety: an evaluator serves one deployment on one thread.
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "emulator/common/status.h"
#include "emulator/deploy/template_expression.h"

namespace crosskey::deploy {

using Json = nlohmann::json;

// What expressions see of the deployment besides their arguments.
struct TemplateScope {
  Json subscription;    // subscription(): {id, subscriptionId, tenantId, displayName}
  Json resource_group;  // resourceGroup(): {id, name, type, location, properties}
  Json deployment;      // deployment(): {name, properties: {templateLink?, template, parameters, mode}}
  std::map<std::string, Json> parameters;  // key: lower-case name; resolved values
  // variables('x') (lower-case name): evaluated on first use by the engine (cycles refused).
  std::function<StatusOr<Json>(const std::string&)> variable;
  // reference(idOrName, apiVersion, 'Full'): the deployed resource; unset while validating.
  std::function<StatusOr<Json>(const std::string&, bool full)> reference;
  // list*(id, apiVersion): the provider's POST {id}/{function}; unset while validating.
  std::function<StatusOr<Json>(const std::string& id, const std::string& function)> list;
  // copyIndex(): the loop being expanded and its index; other loops' indexes by lower-case name.
  std::string copy_loop;
  std::map<std::string, int64_t> copy_indexes;
  // Where the engine allows newGuid() and utcNow() (parameter defaults only).
  bool allow_nondeterministic = false;
  int64_t now = 0;
};

class TemplateEvaluator {
 public:
  explicit TemplateEvaluator(const TemplateScope* scope) : scope_(scope) {}
  // The value with every expression in it evaluated. Errors: errors::Expression with the
  // failing expression's text and the reason.
  StatusOr<Json> EvaluateValue(const Json& value) const;
  // One template string (an expression or a literal).
  StatusOr<Json> EvaluateString(const std::string& text) const;
  StatusOr<Json> Evaluate(const Expr& expr) const;

 private:
  StatusOr<Json> Call(const Expr& call) const;
  const TemplateScope* scope_;
};

// The parts of function evaluation other files share (template_functions.cc).
StatusOr<Json> CallBuiltin(const std::string& lower_name, const std::vector<Json>& args, const TemplateScope& scope);
// The member `name` of `object`, matched case-insensitively; nullptr when absent.
const Json* FindMember(const Json& object, const std::string& name);
// A value as a string the way ARM writes it into another string (strings as they are, the rest
// as compact JSON).
std::string AsText(const Json& value);

}  // namespace crosskey::deploy
