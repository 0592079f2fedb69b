#include "emulator/common/json_writer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace crosskey {
namespace {

TEST(JsonObjectWriterTest, WritesFieldsThatParseBack) {
  JsonObjectWriter w;
  w.Str("a", "plain").Str("q", "say \"hi\"\\ \n\t\x01").Int("n", -42).Num("d", 1.5).Str("u", "h\xC3\xA9llo \xE2\x82\xAC");
  auto j = nlohmann::json::parse(std::move(w).Finish());
  EXPECT_EQ(j["a"], "plain");
  EXPECT_EQ(j["q"], "say \"hi\"\\ \n\t\x01");
  EXPECT_EQ(j["n"], -42);
  EXPECT_DOUBLE_EQ(j["d"].get<double>(), 1.5);
  EXPECT_EQ(j["u"], "h\xC3\xA9llo \xE2\x82\xAC");
}

TEST(JsonObjectWriterTest, ReplacesBytesThatAreNotUtf8) {
  JsonObjectWriter w;
  w.Str("bad", std::string("a\xFF" "b\xC3", 4)).Str("surrogate", "\xED\xA0\x80").Str("overlong", "\xC0\xAF");
  std::string text = std::move(w).Finish();
  auto j = nlohmann::json::parse(text);  // must parse: invalid bytes became U+FFFD
  EXPECT_EQ(j["bad"], "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
  EXPECT_EQ(j["surrogate"], "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(j["overlong"], "\xEF\xBF\xBD\xEF\xBF\xBD");
}

// Plain runs are scanned eight bytes at a time: every byte that needs escaping (or UTF-8
// checking) must be caught at every position of a word, and at the tail, as nlohmann writes it.
TEST(JsonObjectWriterTest, EscapesAtEveryPositionOfTheWordScan) {
  const std::string specials[] = {"\"", "\\", std::string(1, '\0'), "\x01", "\x1f", "\n", "\x7f", "\xC3\xA9", "\xE2\x82\xAC", " ", "~"};
  for (size_t len = 0; len <= 24; ++len) {
    for (size_t pos = 0; pos <= len; ++pos) {
      for (const std::string& special : specials) {
        std::string value(len, 'x');
        value.insert(pos, special);
        JsonObjectWriter w;
        w.Str("v", value);
        std::string text = std::move(w).Finish();
        EXPECT_EQ(text, "{\"v\":" + nlohmann::json(value).dump() + "}") << "len " << len << " pos " << pos;
      }
    }
  }
}

TEST(JsonObjectWriterTest, EmptyObject) { EXPECT_EQ(JsonObjectWriter().Finish(), "{}"); }

}  // namespace
}  // namespace crosskey
