#include "emulator/deploy/template_expression.h"

#include <cctype>

namespace crosskey::deploy {
namespace {

// Deep nesting is refused rather than recursed into (a hostile template cannot exhaust the stack).
constexpr int kMaxDepth = 64;

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  ParsedExpression Run() {
    ParsedExpression out;
    Expr e;
    if (!ParseExpr(&e, 0)) {
      out.error = error_;
      return out;
    }
    SkipSpace();
    if (pos_ != s_.size()) {
      out.error = Fail("unexpected '" + std::string(1, s_[pos_]) + "'");
      return out;
    }
    out.ok = true;
    out.expr = std::move(e);
    return out;
  }

 private:
  std::string Fail(const std::string& what) {
    error_ = what + " at position " + std::to_string(pos_ + 1);
    return error_;
  }
  void SkipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  static bool NameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

  std::string Name() {
    size_t start = pos_;
    while (pos_ < s_.size() && NameChar(s_[pos_])) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }

  bool ParseExpr(Expr* out, int depth) {
    if (depth > kMaxDepth) {
      Fail("the expression nests too deeply");
      return false;
    }
    if (!ParsePrimary(out, depth)) return false;
    for (;;) {
      if (Eat('.')) {
        SkipSpace();
        std::string name = Name();
        if (name.empty()) {
          Fail("expected a property name after '.'");
          return false;
        }
        Expr member;
        member.kind = Expr::Kind::kMember;
        member.text = std::move(name);
        member.args.push_back(std::move(*out));
        *out = std::move(member);
      } else if (Eat('[')) {
        Expr index;
        index.kind = Expr::Kind::kIndex;
        index.args.push_back(std::move(*out));
        Expr key;
        if (!ParseExpr(&key, depth + 1)) return false;
        if (!Eat(']')) {
          Fail("expected ']'");
          return false;
        }
        index.args.push_back(std::move(key));
        *out = std::move(index);
      } else {
        return true;
      }
    }
  }

  bool ParsePrimary(Expr* out, int depth) {
    SkipSpace();
    if (pos_ >= s_.size()) {
      Fail("the expression ends early");
      return false;
    }
    char c = s_[pos_];
    if (c == '\'') return ParseString(out);
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-') return ParseInteger(out);
    if (!NameChar(c)) {
      Fail("unexpected '" + std::string(1, c) + "'");
      return false;
    }
    out->kind = Expr::Kind::kCall;
    out->text = Name();
    if (!Eat('(')) {
      if (out->text == "true" || out->text == "false" || out->text == "null") return true;  // bare literal
      Fail("expected '(' after '" + out->text + "'");
      return false;
    }
    if (Eat(')')) return true;
    for (;;) {
      Expr arg;
      if (!ParseExpr(&arg, depth + 1)) return false;
      out->args.push_back(std::move(arg));
      if (Eat(')')) return true;
      if (!Eat(',')) {
        Fail("expected ',' or ')'");
        return false;
      }
    }
  }

  bool ParseString(Expr* out) {
    ++pos_;
    out->kind = Expr::Kind::kString;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c != '\'') {
        out->text += c;
      } else if (pos_ < s_.size() && s_[pos_] == '\'') {
        out->text += '\'';
        ++pos_;
      } else {
        return true;
      }
    }
    Fail("the string is not closed");
    return false;
  }

  bool ParseInteger(Expr* out) {
    size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    size_t digits = pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (pos_ == digits || pos_ - digits > 18) {
      pos_ = start;
      Fail("expected an integer");
      return false;
    }
    out->kind = Expr::Kind::kInteger;
    out->integer = std::stoll(std::string(s_.substr(start, pos_ - start)));
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

ParsedExpression ParseExpression(std::string_view source) { return Parser(source).Run(); }

bool IsExpression(std::string_view value) {
  return value.size() >= 2 && value.front() == '[' && value.back() == ']' && value[1] != '[';
}

std::string UnescapeLiteral(std::string_view value) {
  if (value.size() >= 2 && value[0] == '[' && value[1] == '[') return std::string(value.substr(1));
  return std::string(value);
}

}  // namespace crosskey::deploy
