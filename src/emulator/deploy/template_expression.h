#pragma once
// ARM template language expressions ("[concat(parameters('a'), '-x')]"): the syntax tree and
// its parser. Grammar (learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions):
//   expr    := primary ( '.' name | '[' expr ']' )*
//   primary := 'string' ('' escapes a quote) | integer | name '(' [expr (',' expr)*] ')'
// Function names are case-insensitive; `true`, `false` and `null` are also accepted bare.
// Thread-safety: value types and a pure function.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crosskey::deploy {

struct Expr {
  enum class Kind { kString, kInteger, kCall, kMember, kIndex };
  Kind kind = Kind::kString;
  std::string text;  // string value, function name or member name
  int64_t integer = 0;
  std::vector<Expr> args;  // call arguments; member: {object}; index: {object, index}
};

struct ParsedExpression {
  bool ok = false;
  Expr expr;
  std::string error;  // why it does not parse, naming the position
};

// Parses the inside of "[...]" (without the brackets).
ParsedExpression ParseExpression(std::string_view source);

// Whether a template string is an expression: "[...]" but not the "[[" escape.
bool IsExpression(std::string_view value);
// A template string's literal value: "[[x]" is "[x]"; other strings are unchanged.
std::string UnescapeLiteral(std::string_view value);

}  // namespace crosskey::deploy
