#include "emulator/rehearse/scenario.h"

#include <gtest/gtest.h>

namespace crosskey::rehearse {
namespace {
using json = nlohmann::json;

TEST(ScenarioTest, DurationsInEveryUnit) {
  EXPECT_EQ(ParseDuration(json(90)), 90);
  EXPECT_EQ(ParseDuration(json("90s")), 90);
  EXPECT_EQ(ParseDuration(json("10m")), 600);
  EXPECT_EQ(ParseDuration(json("2h")), 7200);
  EXPECT_EQ(ParseDuration(json("90d")), 90 * 86400);
  for (const json& bad : {json(-1), json(""), json("m"), json("1.5h"), json("10x"), json("-5m"), json(true), json("9999999999d")}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad.dump();
  }
}

TEST(ScenarioTest, ParsesStepsAndResolvesTheFixtureNextToTheFile) {
  auto sc = ParseScenario(json::parse(R"({
    "name": "storage/1", "fixture": "../base.json", "consumer": "st1",
    "settings": {"storage": {"checkIntervalSeconds": 600}},
    "steps": [{"revoke": "key-disabled"}, {"advance": "11m"},
              {"expect": {"state": "Inaccessible", "error": "KeyDisabled"}},
              {"write": {"item": "a", "data": "x"}, "consumer": "st2"},
              {"read": {"item": "a", "expect": "x"}}, {"read": {"item": "a", "expectError": "Forbidden"}},
              {"restore": "key-purged", "expectError": "purge protection"}, {"check": true},
              {"revalidate": true, "expectError": "AzureKeyVaultKeyDisabled"}]})"),
                          "/scenarios/storage/one.json");
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  EXPECT_EQ(sc->fixture, "/scenarios/base.json");
  ASSERT_EQ(sc->steps.size(), 9u);
  EXPECT_EQ(sc->steps[0].kind, StepKind::kRevoke);
  EXPECT_EQ(sc->steps[0].consumer, "st1");
  EXPECT_EQ(sc->steps[1].seconds, 660);
  EXPECT_EQ(sc->steps[2].expect_error, "KeyDisabled");
  EXPECT_EQ(sc->steps[3].consumer, "st2");
  EXPECT_TRUE(sc->steps[4].expect_data);
  EXPECT_FALSE(sc->steps[5].expect_data);
  EXPECT_EQ(sc->steps[5].expect_error, "Forbidden");
  EXPECT_EQ(sc->steps[6].Describe(), "restore key-purged");
  EXPECT_EQ(sc->steps[7].kind, StepKind::kCheck);
  EXPECT_EQ(sc->steps[8].kind, StepKind::kRevalidate);
  EXPECT_EQ(sc->steps[8].Describe(), "revalidate the TDE protector");
  EXPECT_EQ(sc->steps[8].expect_error, "AzureKeyVaultKeyDisabled");
}

TEST(ScenarioTest, RefusalsNameTheOffendingField) {
  struct Case {
    const char* doc;
    const char* path;
  } cases[] = {
      {R"([])", "$"},
      {R"({"consumer": "c"})", "$.steps"},
      {R"({"consumer": "c", "steps": [{"revoke": "key-stolen"}]})", "$.steps[0].revoke"},
      {R"({"consumer": "c", "steps": [{"advance": "soon"}]})", "$.steps[0].advance"},
      {R"({"consumer": "c", "steps": [{"advance": "1m", "revoke": "key-disabled"}]})", "$.steps[0]"},
      {R"({"steps": [{"expect": {"state": "Healthy"}}]})", "$.steps[0].consumer"},
      {R"({"consumer": "c", "steps": [{"expect": {}}]})", "$.steps[0].expect"},
      {R"({"consumer": "c", "steps": [{"write": {"item": "a"}}]})", "$.steps[0].write.data"},
      {R"({"consumer": 7, "steps": [{"check": true}]})", "$.consumer"},
      {R"({"consumer": "c", "settings": [], "steps": [{"check": true}]})", "$.settings"},
  };
  for (const auto& c : cases) {
    auto sc = ParseScenario(json::parse(c.doc), "f.json");
    ASSERT_FALSE(sc.ok()) << c.doc;
    EXPECT_EQ(sc.error().code, "InvalidScenario");
    EXPECT_NE(sc.error().message.find(std::string("f.json: ") + c.path + ":"), std::string::npos) << sc.error().message;
  }
}

}  // namespace
}  // namespace crosskey::rehearse
