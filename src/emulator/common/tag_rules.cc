#include "emulator/common/tag_rules.h"

namespace crosskey {

std::string TagProblem(const nlohmann::json& tags, TagLimits limits) {
  if (!tags.is_object()) return "tags must be an object of string values";
  if (tags.size() > limits.count) {
    return "at most " + std::to_string(limits.count) + " tags are allowed, not " + std::to_string(tags.size());
  }
  for (auto it = tags.begin(); it != tags.end(); ++it) {
    if (!it.value().is_string()) return "the value of tag '" + it.key() + "' is not a string";
    if (it.key().empty() || it.key().size() > limits.name) {
      return "tag names have 1 to " + std::to_string(limits.name) + " characters";
    }
    if (it.value().get<std::string>().size() > limits.value) {
      return "tag values have at most " + std::to_string(limits.value) + " characters";
    }
  }
  return "";
}

}  // namespace crosskey
