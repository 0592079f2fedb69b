#include "emulator/deploy/template_evaluator.h"

#include "emulator/common/text.h"
#include "emulator/deploy/deployment_errors.h"

namespace crosskey::deploy {

const Json* FindMember(const Json& object, const std::string& name) {
  if (!object.is_object()) return nullptr;
  auto exact = object.find(name);
  if (exact != object.end()) return &*exact;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (EqualsIgnoreCase(it.key(), name)) return &it.value();
  }
  return nullptr;
}

std::string AsText(const Json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

StatusOr<Json> TemplateEvaluator::EvaluateValue(const Json& value) const {
  if (value.is_string()) return EvaluateString(value.get<std::string>());
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& item : value) {
      CK_ASSIGN_OR_RETURN(auto v, EvaluateValue(item));
      out.push_back(std::move(v));
    }
    return out;
  }
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      CK_ASSIGN_OR_RETURN(auto key, EvaluateString(it.key()));
      if (!key.is_string())
        return errors::Expression("the property name '" + it.key() + "' does not evaluate to a string.");
      CK_ASSIGN_OR_RETURN(auto v, EvaluateValue(it.value()));
      out[key.get<std::string>()] = std::move(v);
    }
    return out;
  }
  return value;
}

StatusOr<Json> TemplateEvaluator::EvaluateString(const std::string& text) const {
  if (!IsExpression(text)) return Json(UnescapeLiteral(text));
  auto parsed = ParseExpression(std::string_view(text).substr(1, text.size() - 2));
  if (!parsed.ok)
    return errors::Expression("The language expression '" + text + "' is not valid: " + parsed.error + ".");
  auto result = Evaluate(parsed.expr);
  if (!result.ok() && result.error().code == "InvalidTemplate" &&
      result.error().message.find("The language expression") != 0) {
    return errors::Expression("The language expression '" + text + "' is not valid: " + result.error().message);
  }
  return result;
}

StatusOr<Json> TemplateEvaluator::Evaluate(const Expr& expr) const {
  switch (expr.kind) {
    case Expr::Kind::kString: return Json(expr.text);
    case Expr::Kind::kInteger: return Json(expr.integer);
    case Expr::Kind::kCall: return Call(expr);
    case Expr::Kind::kMember: {
      CK_ASSIGN_OR_RETURN(auto object, Evaluate(expr.args[0]));
      const Json* member = FindMember(object, expr.text);
      if (!member) {
        return errors::Expression("The template language property '" + expr.text +
                                  "' doesn't exist, available properties are '" +
                                  [&] {
                                    std::string names;
                                    if (object.is_object()) {
                                      for (auto it = object.begin(); it != object.end(); ++it)
                                        names += (names.empty() ? "" : ", ") + it.key();
                                    }
                                    return names;
                                  }() +
                                  "'.");
      }
      return *member;
    }
    case Expr::Kind::kIndex: {
      CK_ASSIGN_OR_RETURN(auto object, Evaluate(expr.args[0]));
      CK_ASSIGN_OR_RETURN(auto key, Evaluate(expr.args[1]));
      if (object.is_array() && key.is_number_integer()) {
        int64_t i = key.get<int64_t>();
        if (i < 0 || i >= static_cast<int64_t>(object.size())) {
          return errors::Expression("The language expression index '" + std::to_string(i) +
                                    "' is out of bounds of the array of length " + std::to_string(object.size()) + ".");
        }
        return object[static_cast<size_t>(i)];
      }
      if (object.is_object() && key.is_string()) {
        const Json* member = FindMember(object, key.get<std::string>());
        if (!member)
          return errors::Expression("The template language property '" + key.get<std::string>() + "' doesn't exist.");
        return *member;
      }
      return errors::Expression("The index '" + AsText(key) + "' cannot be applied to a value of type '" +
                                std::string(object.type_name()) + "'.");
    }
  }
  return Json();
}

StatusOr<Json> TemplateEvaluator::Call(const Expr& call) const {
  std::string name = ToLower(call.text);
  if (call.args.empty() && (name == "true" || name == "false")) return Json(name == "true");
  if (call.args.empty() && name == "null") return Json();
  // if() evaluates only the branch its condition selects (ARM's documented behaviour).
  if (name == "if") {
    if (call.args.size() != 3) return errors::Expression("The template function 'if' expects three arguments.");
    CK_ASSIGN_OR_RETURN(auto condition, Evaluate(call.args[0]));
    if (!condition.is_boolean()) return errors::Expression("The template function 'if' expects a boolean condition.");
    return Evaluate(call.args[condition.get<bool>() ? 1 : 2]);
  }
  std::vector<Json> args;
  args.reserve(call.args.size());
  for (const auto& arg : call.args) {
    CK_ASSIGN_OR_RETURN(auto v, Evaluate(arg));
    args.push_back(std::move(v));
  }
  return CallBuiltin(name, args, *scope_);
}

}  // namespace crosskey::deploy
