#pragma once
// A quick reader for the request bodies most calls send: one JSON object whose values are all
// plain strings ({"alg":"RSA-OAEP-256","value":"..."}). It accepts only printable ASCII
// strings without escapes and answers nullopt for anything else (numbers, nesting, escapes,
// non-ASCII, bad syntax), which the caller then hands to the full parser: what it accepts, it
// reads exactly as nlohmann::json::parse does (a repeated name keeps its last value).
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace crosskey {

std::optional<nlohmann::json> ParseFlatStringObject(std::string_view text);

}  // namespace crosskey
