#pragma once
// The one JSON parser entry point for untrusted text (request bodies, token segments,
// fixtures, scenarios, state documents, backups): a size limit and a nesting-depth limit are
// checked before nlohmann's parser runs, because a ~200 KB body of nested '[' overflows the
// stack of the code that copies, dumps or destroys the parsed value.
// Thread-safety: free functions.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace crosskey {

struct JsonLimits {
  size_t max_depth = 64;            // arrays and objects nested at most this deep
  size_t max_bytes = 1024 * 1024;   // the request body limit
};

// Limits for documents the operator hands over (fixtures, state documents, scenarios): as deep,
// but as large as a state document of 100,000 keys.
constexpr JsonLimits kDocumentLimits{64, 512u * 1024 * 1024};

// The deepest nesting of arrays and objects in `text` (strings skipped), stopping early once
// it passes `stop_above`.
size_t JsonNestingDepth(std::string_view text, size_t stop_above);

// Parses `text`; nullopt with *error ("The JSON text nests deeper than 64 levels.", "... is
// larger than N bytes.", "... is not valid JSON.") when it breaks a limit or does not parse.
std::optional<nlohmann::json> ParseBoundedJson(std::string_view text, std::string* error, JsonLimits limits = {});

}  // namespace crosskey
