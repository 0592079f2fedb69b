#include "emulator/common/flat_json.h"

namespace crosskey {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A string of printable ASCII without '\'; `*pos` at its opening quote, left after the closing one.
std::optional<std::string_view> PlainString(std::string_view t, size_t* pos) {
  if (*pos >= t.size() || t[*pos] != '"') return std::nullopt;
  size_t start = ++*pos;
  while (*pos < t.size()) {
    unsigned char c = static_cast<unsigned char>(t[*pos]);
    if (c == '"') return t.substr(start, (*pos)++ - start);
    if (c < 0x20 || c > 0x7e || c == '\\') return std::nullopt;
    ++*pos;
  }
  return std::nullopt;
}

}  // namespace

std::optional<nlohmann::json> ParseFlatStringObject(std::string_view t) {
  size_t pos = 0;
  auto skip = [&] {
    while (pos < t.size() && IsSpace(t[pos])) ++pos;
  };
  nlohmann::json out = nlohmann::json::object();
  skip();
  if (pos >= t.size() || t[pos++] != '{') return std::nullopt;
  skip();
  if (pos < t.size() && t[pos] == '}') {
    ++pos;
  } else {
    for (;;) {
      auto name = PlainString(t, &pos);
      if (!name) return std::nullopt;
      skip();
      if (pos >= t.size() || t[pos++] != ':') return std::nullopt;
      skip();
      auto value = PlainString(t, &pos);
      if (!value) return std::nullopt;
      out[std::string(*name)] = std::string(*value);
      skip();
      if (pos >= t.size()) return std::nullopt;
      char c = t[pos++];
      if (c == '}') break;
      if (c != ',') return std::nullopt;
      skip();
    }
  }
  skip();
  if (pos != t.size()) return std::nullopt;
  return out;
}

}  // namespace crosskey
