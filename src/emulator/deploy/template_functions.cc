// The template functions (learn.microsoft.com/azure/azure-resource-manager/templates/
// template-functions): deployment values (parameters, variables, copyIndex, resourceGroup,
// subscription, deployment), resource functions (resourceId, subscriptionResourceId,
// tenantResourceId, reference, list*), strings, arrays and objects, comparison, logic, numbers.
#include <algorithm>
#include <cstdint>

#include "emulator/common/text.h"
#include "emulator/crypto/encoding.h"
#include "emulator/deploy/deployment_errors.h"
#include "emulator/deploy/template_evaluator.h"
#include "emulator/deploy/unique_string.h"

namespace crosskey::deploy {
namespace {

using Args = std::vector<Json>;

Error NotFound(const std::string& name) {
  return errors::Expression("The template function '" + name + "' is not found.");
}
Error Arity(const std::string& name, const std::string& expected) {
  return errors::Expression("The template function '" + name + "' expects " + expected + ".");
}
Error Type(const std::string& name, const std::string& expected) {
  return errors::Expression("The template function '" + name + "' expects its argument to be " + expected + ".");
}

bool AllStrings(const Args& args) {
  return std::all_of(args.begin(), args.end(), [](const Json& a) { return a.is_string(); });
}

// resourceId([subscriptionId], [resourceGroupName], resourceType, name1, [name2], ...).
StatusOr<Json> ResourceId(const Args& args, const TemplateScope& scope, const std::string& level) {
  if (!AllStrings(args)) return Type(level, "strings");
  size_t type_at = 0;
  while (type_at < args.size() && args[type_at].get<std::string>().find('/') == std::string::npos) ++type_at;
  if (type_at == args.size()) return errors::Expression("The template function '" + level + "' needs a resource type.");
  std::string type = args[type_at].get<std::string>();
  size_t names = args.size() - type_at - 1;
  size_t type_segments = static_cast<size_t>(std::count(type.begin(), type.end(), '/'));
  if (names != type_segments) {
    return errors::Expression("Unable to evaluate template language function '" + level + "': the type '" + type +
                              "' requires '" + std::to_string(type_segments) + "' resource name argument(s).");
  }
  std::string subscription = scope.subscription.value("subscriptionId", "");
  std::string group = scope.resource_group.value("name", "");
  if (level == "resourceid") {
    if (type_at == 1) group = args[0].get<std::string>();
    if (type_at >= 2) {
      subscription = args[0].get<std::string>();
      group = args[1].get<std::string>();
    }
  } else if (level == "subscriptionresourceid" && type_at >= 1) {
    subscription = args[0].get<std::string>();
  }
  auto slash = type.find('/');
  std::string id = level == "tenantresourceid" ? "" : "/subscriptions/" + subscription;
  if (level == "resourceid") id += "/resourceGroups/" + group;
  id += "/providers/" + type.substr(0, slash);
  auto types = Split(type.substr(slash + 1), '/');
  for (size_t i = 0; i < types.size(); ++i) id += "/" + types[i] + "/" + args[type_at + 1 + i].get<std::string>();
  return Json(id);
}

// .NET composite formatting: {0}, {1}, {{ and }}; a format specifier after ':' is ignored.
StatusOr<Json> Format(const Args& args) {
  if (args.empty() || !args[0].is_string()) return Type("format", "a format string");
  const std::string f = args[0].get<std::string>();
  std::string out;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '{' && i + 1 < f.size() && f[i + 1] == '{') {
      out += '{';
      ++i;
    } else if (f[i] == '}' && i + 1 < f.size() && f[i + 1] == '}') {
      out += '}';
      ++i;
    } else if (f[i] == '{') {
      size_t close = f.find('}', i);
      if (close == std::string::npos) return errors::Expression("The format string '" + f + "' is not valid.");
      std::string index = f.substr(i + 1, close - i - 1);
      index = index.substr(0, index.find(':'));
      if (index.empty() || index.size() > 3 || !std::all_of(index.begin(), index.end(), ::isdigit)) {
        return errors::Expression("The format string '" + f + "' is not valid.");
      }
      size_t n = std::stoul(index) + 1;
      if (n >= args.size()) return errors::Expression("The format string '" + f + "' refers to a missing argument.");
      out += AsText(args[n]);
      i = close;
    } else {
      out += f[i];
    }
  }
  return Json(out);
}

StatusOr<Json> Concat(const Args& args) {
  if (!args.empty() && args[0].is_array()) {
    Json out = Json::array();
    for (const auto& a : args) {
      if (!a.is_array()) return Type("concat", "all arrays or all strings");
      for (const auto& item : a) out.push_back(item);
    }
    return out;
  }
  std::string out;
  for (const auto& a : args) {
    if (a.is_array() || a.is_object()) return Type("concat", "all arrays or all strings");
    out += AsText(a);
  }
  return Json(out);
}

StatusOr<Json> Union(const Args& args) {
  if (args.empty()) return Arity("union", "at least one argument");
  if (args[0].is_object()) {
    Json out = Json::object();
    for (const auto& a : args) {
      if (!a.is_object()) return Type("union", "all objects or all arrays");
      for (auto it = a.begin(); it != a.end(); ++it) out[it.key()] = it.value();
    }
    return out;
  }
  Json out = Json::array();
  for (const auto& a : args) {
    if (!a.is_array()) return Type("union", "all objects or all arrays");
    for (const auto& item : a)
      if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
  }
  return out;
}

StatusOr<Json> Contains(const Args& args) {
  if (args.size() != 2) return Arity("contains", "two arguments");
  const Json& c = args[0];
  if (c.is_string()) return Json(ToLower(c.get<std::string>()).find(ToLower(AsText(args[1]))) != std::string::npos);
  if (c.is_object()) return Json(args[1].is_string() && FindMember(c, args[1].get<std::string>()) != nullptr);
  if (c.is_array()) return Json(std::find(c.begin(), c.end(), args[1]) != c.end());
  return Type("contains", "a string, an array or an object");
}

StatusOr<Json> Length(const Args& args) {
  if (args.size() != 1) return Arity("length", "one argument");
  if (args[0].is_string()) return Json(static_cast<int64_t>(args[0].get<std::string>().size()));
  if (args[0].is_array() || args[0].is_object()) return Json(static_cast<int64_t>(args[0].size()));
  return Type("length", "a string, an array or an object");
}

StatusOr<Json> TakeOrSkip(const std::string& name, const Args& args) {
  if (args.size() != 2 || !args[1].is_number_integer()) return Arity(name, "a value and an integer");
  int64_t n = std::max<int64_t>(0, args[1].get<int64_t>());
  if (args[0].is_string()) {
    std::string s = args[0].get<std::string>();
    size_t k = std::min<size_t>(s.size(), static_cast<size_t>(n));
    return Json(name == "take" ? s.substr(0, k) : s.substr(k));
  }
  if (!args[0].is_array()) return Type(name, "a string or an array");
  Json out = Json::array();
  for (size_t i = 0; i < args[0].size(); ++i) {
    bool taken = static_cast<int64_t>(i) < n;
    if (taken == (name == "take")) out.push_back(args[0][i]);
  }
  return out;
}

StatusOr<Json> Compare(const std::string& name, const Args& args) {
  if (args.size() != 2) return Arity(name, "two arguments");
  int order = 0;
  if (args[0].is_number() && args[1].is_number()) {
    order = args[0].get<int64_t>() < args[1].get<int64_t>() ? -1 : (args[0] == args[1] ? 0 : 1);
  } else if (args[0].is_string() && args[1].is_string()) {
    order = args[0].get<std::string>().compare(args[1].get<std::string>());
  } else {
    return Type(name, "two integers or two strings");
  }
  if (name == "greater") return Json(order > 0);
  if (name == "greaterorequals") return Json(order >= 0);
  if (name == "less") return Json(order < 0);
  return Json(order <= 0);
}

StatusOr<Json> Arithmetic(const std::string& name, const Args& args) {
  if (args.size() != 2 || !args[0].is_number_integer() || !args[1].is_number_integer()) {
    return Arity(name, "two integers");
  }
  int64_t a = args[0].get<int64_t>(), b = args[1].get<int64_t>();
  if ((name == "div" || name == "mod") && b == 0)
    return errors::Expression("The template function '" + name + "' cannot divide by zero.");
  if (name == "add") return Json(a + b);
  if (name == "sub") return Json(a - b);
  if (name == "mul") return Json(a * b);
  if (name == "div") return Json(a / b);
  return Json(a % b);
}

// split(text, delimiter or [delimiters]).
Json SplitText(const std::string& s, const Args& args) {
  std::vector<std::string> delimiters;
  if (args.size() > 1 && args[1].is_array()) {
    for (const auto& d : args[1])
      if (d.is_string()) delimiters.push_back(d.get<std::string>());
  } else if (args.size() > 1 && args[1].is_string()) {
    delimiters.push_back(args[1].get<std::string>());
  }
  Json out = Json::array();
  size_t start = 0;
  for (size_t i = 0; i <= s.size();) {
    auto hit = std::find_if(delimiters.begin(), delimiters.end(),
                            [&](const std::string& d) { return !d.empty() && s.compare(i, d.size(), d) == 0; });
    if (i == s.size() || hit != delimiters.end()) {
      out.push_back(s.substr(start, i - start));
      if (i == s.size()) break;
      i += hit->size();
      start = i;
    } else {
      ++i;
    }
  }
  return out;
}

StatusOr<Json> StringFunction(const std::string& name, const Args& args) {
  static const char* const kNames[] = {"tolower", "toupper",        "trim",         "startswith",          "endswith",
                                       "indexof", "lastindexof",    "replace",      "substring",           "split",
                                       "base64",  "base64tostring", "uricomponent", "uricomponenttostring"};
  if (std::none_of(std::begin(kNames), std::end(kNames), [&](const char* n) { return name == n; })) {
    return NotFound(name);
  }
  if (args.empty() || !args[0].is_string()) return Type(name, "a string");
  const std::string s = args[0].get<std::string>();
  auto arg = [&](size_t i) { return i < args.size() && args[i].is_string() ? args[i].get<std::string>() : ""; };
  if (name == "tolower") return Json(ToLower(s));
  if (name == "toupper") {
    std::string u = s;
    std::transform(u.begin(), u.end(), u.begin(), ::toupper);
    return Json(u);
  }
  if (name == "trim") {
    size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    return Json(b == std::string::npos ? "" : s.substr(b, e - b + 1));
  }
  if (name == "startswith") return Json(StartsWithIgnoreCase(s, arg(1)));
  if (name == "endswith") return Json(ToLower(s).size() >= arg(1).size() && EndsWith(ToLower(s), ToLower(arg(1))));
  if (name == "indexof" || name == "lastindexof") {
    std::string h = ToLower(s), n = ToLower(arg(1));
    size_t at = name == "indexof" ? h.find(n) : h.rfind(n);
    return Json(at == std::string::npos ? int64_t{-1} : static_cast<int64_t>(at));
  }
  if (name == "replace") {
    if (args.size() != 3 || arg(1).empty()) return Arity(name, "a string, the old text and the new text");
    std::string out = s;
    for (size_t at = out.find(arg(1)); at != std::string::npos; at = out.find(arg(1), at + arg(2).size()))
      out.replace(at, arg(1).size(), arg(2));
    return Json(out);
  }
  if (name == "substring") {
    int64_t start = args.size() > 1 && args[1].is_number_integer() ? args[1].get<int64_t>() : 0;
    int64_t length = args.size() > 2 && args[2].is_number_integer() ? args[2].get<int64_t>()
                                                                    : static_cast<int64_t>(s.size()) - start;
    if (start < 0 || length < 0 || start + length > static_cast<int64_t>(s.size())) {
      return errors::Expression(
          "The index and length parameters of the template function 'substring' must refer to "
          "a location within the string.");
    }
    return Json(s.substr(static_cast<size_t>(start), static_cast<size_t>(length)));
  }
  if (name == "split") return SplitText(s, args);
  if (name == "base64") return Json(crypto::Base64Encode(s));
  if (name == "base64tostring") {
    auto decoded = crypto::Base64Decode(s);
    if (!decoded) return Type(name, "base64 text");
    return Json(*decoded);
  }
  if (name == "uricomponent") return Json(UrlEncode(s));
  return Json(UrlDecode(s, false));  // uricomponenttostring
}

StatusOr<Json> Conversion(const std::string& name, const Args& args) {
  if (args.size() != 1) return Arity(name, "one argument");
  const Json& v = args[0];
  if (name == "string") return Json(AsText(v));
  if (name == "int") {
    if (v.is_number_integer()) return v;
    if (v.is_string()) {
      try {
        size_t used = 0;
        int64_t n = std::stoll(v.get<std::string>(), &used);
        if (used == v.get<std::string>().size()) return Json(n);
      } catch (const std::exception&) {
      }
    }
    return Type(name, "an integer or a string holding one");
  }
  if (name == "bool") {
    if (v.is_boolean()) return v;
    if (v.is_number_integer()) return Json(v.get<int64_t>() != 0);
    if (v.is_string() &&
        (EqualsIgnoreCase(v.get<std::string>(), "true") || EqualsIgnoreCase(v.get<std::string>(), "false")))
      return Json(EqualsIgnoreCase(v.get<std::string>(), "true"));
    return Type(name, "a boolean, an integer or 'true'/'false'");
  }
  if (name == "json") {
    if (!v.is_string()) return Type(name, "a string");
    Json parsed = Json::parse(v.get<std::string>(), nullptr, false, false);
    if (parsed.is_discarded())
      return errors::Expression("The template function 'json' was given text that is not JSON.");
    return parsed;
  }
  if (name == "array") return v.is_array() ? v : Json::array({v});
  if (name == "empty") {
    if (v.is_null()) return Json(true);
    if (v.is_string() || v.is_array() || v.is_object())
      return Json(v.empty() || (v.is_string() && v.get<std::string>().empty()));
    return Type(name, "a string, an array or an object");
  }
  if (name == "first" || name == "last") {
    if (v.is_string()) {
      std::string s = v.get<std::string>();
      if (s.empty()) return Json("");
      return Json(std::string(1, name == "first" ? s.front() : s.back()));
    }
    if (!v.is_array()) return Type(name, "a string or an array");
    if (v.empty()) return Json();
    return name == "first" ? v.front() : v.back();
  }
  if (name == "not") {
    if (!v.is_boolean()) return Type(name, "a boolean");
    return Json(!v.get<bool>());
  }
  return NotFound(name);
}

StatusOr<Json> CopyIndex(const Args& args, const TemplateScope& scope) {
  std::string loop = scope.copy_loop;
  int64_t offset = 0;
  for (const auto& a : args) {
    if (a.is_number_integer())
      offset = a.get<int64_t>();
    else if (a.is_string())
      loop = a.get<std::string>();
  }
  auto it = scope.copy_indexes.find(ToLower(loop));
  if (loop.empty() || it == scope.copy_indexes.end()) {
    return errors::Expression(
        "The template function 'copyIndex' is not expected at this location. It can only be "
        "used in a resource with a copy loop.");
  }
  return Json(it->second + offset);
}

StatusOr<Json> Parameter(const Args& args, const TemplateScope& scope) {
  if (args.size() != 1 || !args[0].is_string()) return Arity("parameters", "one string argument");
  auto it = scope.parameters.find(ToLower(args[0].get<std::string>()));
  if (it == scope.parameters.end()) {
    return errors::Expression("The template parameter '" + args[0].get<std::string>() + "' is not found.");
  }
  return it->second;
}

using Result = std::optional<StatusOr<Json>>;  // nullopt: not this group's function

std::vector<std::string> Strings(const Args& args) {
  std::vector<std::string> parts;
  for (const auto& a : args) parts.push_back(a.get<std::string>());
  return parts;
}

// Values of the deployment and its resources.
Result DeploymentFunction(const std::string& name, const Args& args, const TemplateScope& scope) {
  if (name == "parameters") return Parameter(args, scope);
  if (name == "variables") {
    if (args.size() != 1 || !args[0].is_string()) return Arity(name, "one string argument");
    return scope.variable(ToLower(args[0].get<std::string>()));
  }
  if (name == "copyindex") return CopyIndex(args, scope);
  if (name == "resourcegroup") return scope.resource_group;
  if (name == "subscription") return scope.subscription;
  if (name == "deployment") return scope.deployment;
  if (name == "resourceid" || name == "subscriptionresourceid" || name == "tenantresourceid")
    return ResourceId(args, scope, name);
  if (name == "reference") {
    if (args.empty() || !args[0].is_string()) return Arity(name, "a resource name or id");
    if (!scope.reference) {
      return errors::Expression(
          "The template function 'reference' is not expected at this location. It can only be "
          "used in resource properties and outputs.");
    }
    bool full = args.size() > 2 && args[2].is_string() && EqualsIgnoreCase(args[2].get<std::string>(), "Full");
    return scope.reference(args[0].get<std::string>(), full);
  }
  if (name.rfind("list", 0) == 0 && name.size() > 4) {
    if (args.empty() || !args[0].is_string()) return Arity(name, "a resource id and an API version");
    if (!scope.list)
      return errors::Expression("The template function '" + name + "' is not expected at this location.");
    return scope.list(args[0].get<std::string>(), name);
  }
  return std::nullopt;
}

// Names and identifiers: uniqueString, guid, newGuid, utcNow.
Result NameFunction(const std::string& name, const Args& args, const TemplateScope& scope) {
  if (name == "uniquestring" || name == "guid") {
    if (args.empty() || !AllStrings(args)) return Type(name, "one or more strings");
    return Json(name == "guid" ? TemplateGuid(Strings(args)) : UniqueString(Strings(args)));
  }
  if (name == "newguid" || name == "utcnow") {
    if (!scope.allow_nondeterministic) {
      return errors::Expression("The template function '" + name +
                                "' is only valid within the default value of a "
                                "parameter.");
    }
    return Json(name == "newguid" ? NewGuid() : IsoTime(scope.now));
  }
  return std::nullopt;
}

// Arrays and objects.
Result CollectionFunction(const std::string& name, const Args& args) {
  if (name == "createarray") return Json(args);
  if (name == "createobject") {
    if (args.size() % 2 != 0) return Arity(name, "pairs of names and values");
    Json out = Json::object();
    for (size_t i = 0; i < args.size(); i += 2) {
      if (!args[i].is_string()) return Type(name, "string property names");
      out[args[i].get<std::string>()] = args[i + 1];
    }
    return out;
  }
  if (name == "union") return Union(args);
  if (name == "contains") return Contains(args);
  if (name == "length") return Length(args);
  if (name == "take" || name == "skip") return TakeOrSkip(name, args);
  if (name == "join") {
    if (args.size() != 2 || !args[0].is_array() || !args[1].is_string()) return Arity(name, "an array and a delimiter");
    std::string out;
    for (size_t i = 0; i < args[0].size(); ++i) out += (i ? args[1].get<std::string>() : "") + AsText(args[0][i]);
    return Json(out);
  }
  if (name == "coalesce") {
    for (const auto& a : args)
      if (!a.is_null()) return a;
    return Json();
  }
  return std::nullopt;
}

// Comparison, logic and numbers.
Result LogicFunction(const std::string& name, const Args& args) {
  if (name == "equals") {
    if (args.size() != 2) return Arity(name, "two arguments");
    return Json(args[0] == args[1]);
  }
  if (name == "and" || name == "or") {
    if (args.size() < 2) return Arity(name, "at least two booleans");
    bool result = name == "and";
    for (const auto& a : args) {
      if (!a.is_boolean()) return Type(name, "booleans");
      result = name == "and" ? result && a.get<bool>() : result || a.get<bool>();
    }
    return Json(result);
  }
  if (name == "greater" || name == "greaterorequals" || name == "less" || name == "lessorequals")
    return Compare(name, args);
  if (name == "add" || name == "sub" || name == "mul" || name == "div" || name == "mod") return Arithmetic(name, args);
  if (name == "min" || name == "max") {
    Args values = args.size() == 1 && args[0].is_array() ? Args(args[0].begin(), args[0].end()) : args;
    if (values.empty() ||
        !std::all_of(values.begin(), values.end(), [](const Json& v) { return v.is_number_integer(); }))
      return Type(name, "integers");
    auto cmp = [](const Json& a, const Json& b) { return a.get<int64_t>() < b.get<int64_t>(); };
    return name == "min" ? *std::min_element(values.begin(), values.end(), cmp)
                         : *std::max_element(values.begin(), values.end(), cmp);
  }
  return std::nullopt;
}

}  // namespace

StatusOr<Json> CallBuiltin(const std::string& name, const Args& args, const TemplateScope& scope) {
  if (auto r = DeploymentFunction(name, args, scope)) return *r;
  if (auto r = NameFunction(name, args, scope)) return *r;
  if (name == "concat") return Concat(args);
  if (name == "format") return Format(args);
  if (auto r = CollectionFunction(name, args)) return *r;
  if (auto r = LogicFunction(name, args)) return *r;
  if (name == "string" || name == "int" || name == "bool" || name == "json" || name == "array" || name == "empty" ||
      name == "first" || name == "last" || name == "not")
    return Conversion(name, args);
  return StringFunction(name, args);
}

}  // namespace crosskey::deploy
