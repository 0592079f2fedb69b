#include "emulator/common/bounded_json.h"

namespace crosskey {

size_t JsonNestingDepth(std::string_view text, size_t stop_above) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > deepest) deepest = depth;
        if (deepest > stop_above) return deepest;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

std::optional<nlohmann::json> ParseBoundedJson(std::string_view text, std::string* error, JsonLimits limits) {
  if (text.size() > limits.max_bytes) {
    *error = "The JSON text is larger than " + std::to_string(limits.max_bytes) + " bytes.";
    return std::nullopt;
  }
  if (JsonNestingDepth(text, limits.max_depth) > limits.max_depth) {
    *error = "The JSON text nests deeper than " + std::to_string(limits.max_depth) + " levels.";
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    *error = "The JSON text is not valid JSON.";
    return std::nullopt;
  }
  return j;
}

}  // namespace crosskey
