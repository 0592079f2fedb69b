// UrlDecode: form bodies and query strings, decoded as browsers and MSAL encode them.
#include <gtest/gtest.h>

#include "emulator/common/text.h"

namespace crosskey {
namespace {

TEST(UrlDecodeTest, PercentEscapesAndPlus) {
  EXPECT_EQ(UrlDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(UrlDecode("a%20b+c", false), "a b+c");
  EXPECT_EQ(UrlDecode("%41%42%7e%7E", true), "AB~~");
  EXPECT_EQ(UrlDecode("urn%3Aietf%3Aparams", true), "urn:ietf:params");
  EXPECT_EQ(UrlDecode("", true), "");
  EXPECT_EQ(UrlDecode("plain.text-with_no~escapes", true), "plain.text-with_no~escapes");
}

TEST(UrlDecodeTest, MalformedEscapesStayAsTheyAre) {
  EXPECT_EQ(UrlDecode("%zz%4", true), "%zz%4");
  EXPECT_EQ(UrlDecode("100%", true), "100%");
  EXPECT_EQ(UrlDecode("%%41", true), "%A");
  EXPECT_EQ(UrlDecode("a%0", true), "a%0");
}

}  // namespace
}  // namespace crosskey
