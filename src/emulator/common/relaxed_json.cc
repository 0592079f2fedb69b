#include "emulator/common/relaxed_json.h"

#include <cctype>

namespace crosskey {
namespace {

bool NameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '-'; }

// Copies a string literal starting at text[*i] (quote `q`) as a double-quoted JSON string.
bool CopyString(std::string_view text, size_t* i, std::string* out) {
  const char q = text[*i];
  out->push_back('"');
  for (size_t j = *i + 1; j < text.size(); ++j) {
    char c = text[j];
    if (c == '\\' && j + 1 < text.size()) {
      if (q == '\'' && text[j + 1] == '\'') {
        out->push_back('\'');
      } else {
        out->push_back(c);
        out->push_back(text[j + 1]);
      }
      ++j;
    } else if (c == q) {
      out->push_back('"');
      *i = j + 1;
      return true;
    } else if (c == '"') {  // only inside a single-quoted string
      out->append("\\\"");
    } else if (static_cast<unsigned char>(c) < 0x20) {  // a raw control character Json.NET accepts
      static const char kHex[] = "0123456789abcdef";
      out->append("\\u00");
      out->push_back(kHex[(c >> 4) & 0xf]);
      out->push_back(kHex[c & 0xf]);
    } else {
      out->push_back(c);
    }
  }
  return false;
}

// Drops a comma that only whitespace and comments separate from a closing bracket.
void DropTrailingComma(std::string* out) {
  size_t k = out->size();
  while (k > 0 && std::isspace(static_cast<unsigned char>((*out)[k - 1]))) --k;
  if (k > 0 && (*out)[k - 1] == ',') out->erase(k - 1, 1);
}

}  // namespace

std::optional<std::string> RelaxedJsonToStrict(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"' || c == '\'') {
      if (!CopyString(text, &i, &out)) return std::nullopt;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      size_t end = text.find("*/", i + 2);
      if (end == std::string_view::npos) return std::nullopt;
      i = end + 2;
      out.push_back(' ');
    } else if (c == '}' || c == ']') {
      DropTrailingComma(&out);
      out.push_back(c);
      ++i;
    } else if (NameChar(c) && !std::isdigit(static_cast<unsigned char>(c)) && c != '-') {
      size_t start = i;
      while (i < text.size() && NameChar(text[i])) ++i;
      std::string_view word = text.substr(start, i - start);
      size_t k = i;
      while (k < text.size() && std::isspace(static_cast<unsigned char>(text[k]))) ++k;
      bool is_name = k < text.size() && text[k] == ':';
      if (is_name) {
        out.push_back('"');
        out.append(word);
        out.push_back('"');
      } else {
        out.append(word);  // true, false, null (anything else fails the strict parse)
      }
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

std::optional<nlohmann::json> ParseRelaxedJson(std::string_view text, std::string* error, JsonLimits limits) {
  if (text.size() > limits.max_bytes) return ParseBoundedJson(text, error, limits);
  auto strict = RelaxedJsonToStrict(text);
  if (!strict) {
    *error = "The JSON text is not valid JSON.";
    return std::nullopt;
  }
  return ParseBoundedJson(*strict, error, limits);
}

}  // namespace crosskey
