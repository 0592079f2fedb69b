#pragma once
// The deterministic names templates build: uniqueString() (13 characters of base32 over a 64-bit
// MurmurHash of the arguments joined by '-', the algorithm ARM's published reimplementations
// use) and guid() (a version-5 UUID of the arguments joined by '-' in ARM's namespace
// 11fb06fb-712d-4ddd-98c7-e71bbd588830). Same arguments, same value, on every run.
// Thread-safety: pure functions.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crosskey::deploy {

uint64_t MurmurHash64(std::string_view data, uint32_t seed = 0);
std::string UniqueString(const std::vector<std::string>& parts);
std::string TemplateGuid(const std::vector<std::string>& parts);

}  // namespace crosskey::deploy
