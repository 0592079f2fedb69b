// ParseFlatStringObject: what it accepts it reads exactly as nlohmann::json::parse; everything
// else is left to the full parser (nullopt).
#include "emulator/common/flat_json.h"

#include <gtest/gtest.h>

namespace crosskey {
namespace {

TEST(FlatJsonTest, ReadsFlatStringObjectsAsTheFullParserDoes) {
  for (const char* text : {
           R"({"alg":"RSA-OAEP-256","value":"AAECAwQFBgcICQoLDA0ODw"})",
           "  {\n\t\"alg\" : \"A256KW\" ,\r\n \"value\":\"x-_y\" }  \n",
           "{}",
           " { } ",
           R"({"a":"","b":" spaces and / slashes ~"})",
           R"({"a":"1","a":"2"})",  // a repeated name keeps its last value, as nlohmann does
       }) {
    auto flat = ParseFlatStringObject(text);
    ASSERT_TRUE(flat.has_value()) << text;
    EXPECT_EQ(*flat, nlohmann::json::parse(text)) << text;
  }
}

TEST(FlatJsonTest, LeavesEverythingElseToTheFullParser) {
  for (const char* text : {
           "", "   ", "[]", "\"s\"", "null", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":\"b\",}", "{\"a\":\"b\"} x",
           "{\"a\":\"b\"}{}", "{a:\"b\"}", "{\"a\":1}", "{\"a\":true}", "{\"a\":null}", "{\"a\":{}}", "{\"a\":[\"b\"]}",
           "{\"a\":\"b\\\"c\"}", "{\"a\":\"b\\u0041\"}", "{\"a\":\"caf\xc3\xa9\"}", "{\"a\":\"\xff\"}",
           "{\"a\":\"tab\there\"}", "{\"a\":\"b\" \"c\":\"d\"}", "{\"a\" \"b\"}", "{,}",
       }) {
    EXPECT_FALSE(ParseFlatStringObject(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace crosskey
