#pragma once
// JSON as Azure Resource Manager reads it (Json.NET's lenient reader): // and /* */ comments,
// unquoted property names, single-quoted strings and trailing commas. azure-cli sends template
// deployments this way (its JSON-with-comments policy splices the template file's text in after
// an unquoted `template:` key). The text is rewritten to strict JSON and then parsed through
// ParseBoundedJson, so the size and depth limits hold.
// Thread-safety: free functions.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "emulator/common/bounded_json.h"

namespace crosskey {

// Strict JSON text for `text`; nullopt when it is not even lenient JSON (an unclosed string or
// comment).
std::optional<std::string> RelaxedJsonToStrict(std::string_view text);
// Parses lenient JSON; errors as ParseBoundedJson's.
std::optional<nlohmann::json> ParseRelaxedJson(std::string_view text, std::string* error, JsonLimits limits = {});

}  // namespace crosskey
