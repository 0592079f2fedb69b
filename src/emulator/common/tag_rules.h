#pragma once
// Azure's tag shape, shared by the planes that take tags (ARM resources, Key Vault keys): an
// object of string values within a service's limits. Each plane renders the problem with its
// own error. Thread-safety: a free function.
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace crosskey {

struct TagLimits {
  size_t count;  // tags per object
  size_t name;   // characters per name (names are at least one)
  size_t value;  // characters per value
};

// What breaks the rules, "" when nothing does.
std::string TagProblem(const nlohmann::json& tags, TagLimits limits);

}  // namespace crosskey
