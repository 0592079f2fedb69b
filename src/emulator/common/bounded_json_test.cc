// ParseBoundedJson: the depth and size limits every JSON entry point applies.
#include "emulator/common/bounded_json.h"

#include <gtest/gtest.h>

namespace crosskey {
namespace {

std::string Nested(size_t depth, char open = '[', char close = ']') {
  return std::string(depth, open) + std::string(depth, close);
}

TEST(BoundedJson, DepthCountsArraysAndObjectsButNotStrings) {
  EXPECT_EQ(JsonNestingDepth("{}", 100), 1u);
  EXPECT_EQ(JsonNestingDepth(R"({"a":[{"b":[]}]})", 100), 4u);
  EXPECT_EQ(JsonNestingDepth(R"({"a":"[[[[[[\"[[["})", 100), 1u) << "brackets inside strings, escaped quotes";
  EXPECT_EQ(JsonNestingDepth(Nested(1000), 70), 71u) << "stops counting once past the limit";
}

TEST(BoundedJson, RefusesTooDeepTooLargeAndInvalidNamingWhich) {
  std::string error;
  EXPECT_TRUE(ParseBoundedJson(Nested(64), &error).has_value()) << error;
  EXPECT_FALSE(ParseBoundedJson(Nested(65), &error).has_value());
  EXPECT_EQ(error, "The JSON text nests deeper than 64 levels.");
  EXPECT_FALSE(ParseBoundedJson(Nested(100000), &error).has_value()) << "the crash input of the hardening report";
  EXPECT_FALSE(ParseBoundedJson(std::string(2 * 1024 * 1024, ' '), &error).has_value());
  EXPECT_EQ(error, "The JSON text is larger than 1048576 bytes.");
  EXPECT_FALSE(ParseBoundedJson("{nope", &error).has_value());
  EXPECT_EQ(error, "The JSON text is not valid JSON.");
  EXPECT_TRUE(ParseBoundedJson(Nested(10, '{', '}').substr(0, 0) + R"({"a":1})", &error, JsonLimits{1, 10}));
  EXPECT_FALSE(ParseBoundedJson(R"({"a":[1]})", &error, JsonLimits{1, 100}));
}

}  // namespace
}  // namespace crosskey
