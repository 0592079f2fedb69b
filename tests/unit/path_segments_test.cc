// wire::PathSegments: the non-empty segments of a path, in order (empty ones, from leading,
// trailing or doubled slashes, dropped).
#include <gtest/gtest.h>

#include "emulator/common/http/wire.h"

namespace crosskey::wire {
namespace {

using Segments = std::vector<std::string>;

TEST(PathSegmentsTest, DropsEmptySegments) {
  EXPECT_EQ(PathSegments(""), Segments{});
  EXPECT_EQ(PathSegments("/"), Segments{});
  EXPECT_EQ(PathSegments("///"), Segments{});
  EXPECT_EQ(PathSegments("keys"), Segments{"keys"});
  EXPECT_EQ(PathSegments("/keys/k1/wrapkey"), (Segments{"keys", "k1", "wrapkey"}));
  EXPECT_EQ(PathSegments("//keys//k1/"), (Segments{"keys", "k1"}));
  EXPECT_EQ(PathSegments("/keys/k1/0123456789abcdef0123456789abcdef/"),
            (Segments{"keys", "k1", "0123456789abcdef0123456789abcdef"}));
}

}  // namespace
}  // namespace crosskey::wire
