#include "emulator/deploy/template_engine.h"

#include <gtest/gtest.h>

#include "emulator/common/relaxed_json.h"
#include "emulator/deploy/template_expression.h"
#include "emulator/deploy/unique_string.h"

namespace crosskey::deploy {
namespace {

TemplateScope Scope() {
  TemplateScope s;
  s.subscription = {{"id", "/subscriptions/sub1"}, {"subscriptionId", "sub1"}, {"tenantId", "t1"}};
  s.resource_group = {{"id", "/subscriptions/sub1/resourceGroups/rg1"}, {"name", "rg1"}, {"location", "westus"}};
  s.deployment = {{"name", "d1"}};
  return s;
}

Json Eval(const std::string& text, TemplateScope scope = Scope()) {
  auto v = TemplateEvaluator(&scope).EvaluateString(text);
  EXPECT_TRUE(v.ok()) << text << ": " << (v.ok() ? "" : v.error().message);
  return v.ok() ? v.value() : Json();
}

std::string EvalError(const std::string& text) {
  TemplateScope scope = Scope();
  auto v = TemplateEvaluator(&scope).EvaluateString(text);
  EXPECT_FALSE(v.ok()) << text;
  return v.ok() ? "" : v.error().message;
}

TEST(TemplateExpressionTest, ParsesCallsMembersIndexesAndEscapedQuotes) {
  auto p = ParseExpression("concat('it''s', parameters('a').b[0])");
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.expr.kind, Expr::Kind::kCall);
  EXPECT_EQ(p.expr.args[0].text, "it's");
  EXPECT_EQ(p.expr.args[1].kind, Expr::Kind::kIndex);
  EXPECT_FALSE(ParseExpression("concat('a'").ok);
  EXPECT_FALSE(ParseExpression("concat('a') x").ok);
  EXPECT_FALSE(ParseExpression(std::string(200, '(')).ok);
  EXPECT_TRUE(IsExpression("[x()]"));
  EXPECT_FALSE(IsExpression("[[x()]"));
  EXPECT_EQ(UnescapeLiteral("[[x]"), "[x]");
}

TEST(TemplateEvaluatorTest, StringArrayObjectAndLogicFunctions) {
  EXPECT_EQ(Eval("[concat('a', 'b', string(1))]"), "ab1");
  EXPECT_EQ(Eval("[concat(createArray(1), createArray(2))]"), Json::array({1, 2}));
  EXPECT_EQ(Eval("[format('{0}-{1}{{x}}', 'a', 2)]"), "a-2{x}");
  EXPECT_EQ(Eval("[toLower('AbC')]"), "abc");
  EXPECT_EQ(Eval("[replace('a-b-c', '-', '')]"), "abc");
  EXPECT_EQ(Eval("[substring('abcdef', 1, 3)]"), "bcd");
  EXPECT_EQ(Eval("[split('a,b', ',')]"), Json::array({"a", "b"}));
  EXPECT_EQ(Eval("[length('abc')]"), 3);
  EXPECT_EQ(Eval("[if(equals(1, 1), 'yes', parameters('missing'))]"), "yes");  // only the taken branch
  EXPECT_EQ(Eval("[and(true, not(false))]"), true);
  EXPECT_EQ(Eval("[union(createObject('a', 1), createObject('b', 2))]"), (Json{{"a", 1}, {"b", 2}}));
  EXPECT_EQ(Eval("[contains(createArray('x'), 'x')]"), true);
  EXPECT_EQ(Eval("[add(2, mul(3, 4))]"), 14);
  EXPECT_EQ(Eval("[json('{\"a\":[1]}').a[0]]"), 1);
  EXPECT_EQ(Eval("[createObject('Key', 'v').key]"), "v");  // property names are case-insensitive
  EXPECT_EQ(Eval("plain"), "plain");
}

TEST(TemplateEvaluatorTest, DeploymentFunctions) {
  EXPECT_EQ(Eval("[resourceGroup().location]"), "westus");
  EXPECT_EQ(Eval("[subscription().subscriptionId]"), "sub1");
  EXPECT_EQ(Eval("[resourceId('Microsoft.Sql/servers/keys', 's', 'k')]"),
            "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Sql/servers/s/keys/k");
  EXPECT_EQ(Eval("[resourceId('other', 'Microsoft.KeyVault/vaults', 'v')]"),
            "/subscriptions/sub1/resourceGroups/other/providers/Microsoft.KeyVault/vaults/v");
  EXPECT_EQ(Eval("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'r')]"),
            "/subscriptions/sub1/providers/Microsoft.Authorization/roleDefinitions/r");
  EXPECT_EQ(Eval("[uniqueString('a', 'b')]"), Eval("[uniqueString('a', 'b')]"));
  EXPECT_NE(Eval("[uniqueString('a', 'b')]"), Eval("[uniqueString('a', 'c')]"));
  EXPECT_EQ(Eval("[guid('x')]").get<std::string>().size(), 36u);
  EXPECT_EQ(Eval("[guid('x')]").get<std::string>()[14], '5');  // a version-5 UUID
}

TEST(TemplateEvaluatorTest, ErrorsNameTheExpressionAndTheReason) {
  EXPECT_NE(EvalError("[parameters('nope')]").find("[parameters('nope')]"), std::string::npos);
  EXPECT_NE(EvalError("[parameters('nope')]").find("'nope' is not found"), std::string::npos);
  EXPECT_NE(EvalError("[bogus()]").find("'bogus' is not found"), std::string::npos);
  EXPECT_NE(EvalError("[concat('a']").find("is not valid"), std::string::npos);
  EXPECT_NE(EvalError("[createArray(1)[5]]").find("out of bounds"), std::string::npos);
  EXPECT_NE(EvalError("[div(1, 0)]").find("divide by zero"), std::string::npos);
  EXPECT_NE(EvalError("[newGuid()]").find("default value of a parameter"), std::string::npos);
  EXPECT_NE(EvalError("[resourceId('Microsoft.Sql/servers/keys', 's')]").find("resource name"), std::string::npos);
}

Json Template(Json resources, Json parameters = Json::object()) {
  return {{"$schema", "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"},
          {"parameters", parameters},
          {"resources", resources}};
}

TEST(TemplateEngineTest, OrdersByDependsOnAndExpandsCopyLoops) {
  Json resources = Json::array({
      {{"type", "Microsoft.ManagedIdentity/userAssignedIdentities"},
       {"apiVersion", "2023-01-31"},
       {"name", "[concat('u', copyIndex())]"},
       {"copy", {{"name", "loop"}, {"count", 2}}},
       {"dependsOn", Json::array({"base"})}},
      {{"type", "Microsoft.ManagedIdentity/userAssignedIdentities"}, {"apiVersion", "2023-01-31"}, {"name", "base"}},
      {{"type", "Microsoft.KeyVault/vaults"},
       {"apiVersion", "2023-07-01"},
       {"name", "v"},
       {"dependsOn", Json::array({"loop"})},
       {"resources", Json::array({{{"type", "keys"}, {"apiVersion", "2023-07-01"}, {"name", "k"}}})}},
  });
  auto prepared = PrepareTemplate(Template(resources), Json::object(), Scope());
  ASSERT_TRUE(prepared.ok()) << prepared.error().message;
  std::vector<std::string> names;
  for (const auto& r : prepared->resources) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"base", "u0", "u1", "v", "v/k"}));
  EXPECT_EQ(prepared->resources[4].id,
            "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/v/keys/k");
}

TEST(TemplateEngineTest, RefusesCyclesUnknownDependenciesAndBadParameters) {
  Json a = {
      {"type", "Microsoft.KeyVault/vaults"}, {"apiVersion", "1"}, {"name", "a"}, {"dependsOn", Json::array({"b"})}};
  Json b = {
      {"type", "Microsoft.KeyVault/vaults"}, {"apiVersion", "1"}, {"name", "b"}, {"dependsOn", Json::array({"a"})}};
  auto cycle = PrepareTemplate(Template(Json::array({a, b})), Json::object(), Scope());
  ASSERT_FALSE(cycle.ok());
  EXPECT_NE(cycle.error().message.find("Circular dependency"), std::string::npos);
  auto unknown = PrepareTemplate(Template(Json::array({a})), Json::object(), Scope());
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("The resource 'b' is not defined"), std::string::npos);
  Json p = {{"n", {{"type", "int"}, {"allowedValues", Json::array({1, 2})}}}};
  EXPECT_FALSE(PrepareTemplate(Template(Json::array(), p), Json::object(), Scope()).ok());  // not provided
  auto disallowed = PrepareTemplate(Template(Json::array(), p), {{"n", {{"value", 3}}}}, Scope());
  ASSERT_FALSE(disallowed.ok());
  EXPECT_NE(disallowed.error().message.find("not part of the allowed value(s)"), std::string::npos);
  auto extra = PrepareTemplate(Template(Json::array(), p), {{"n", {{"value", 1}}}, {"x", {{"value", 1}}}}, Scope());
  ASSERT_FALSE(extra.ok());
  EXPECT_NE(extra.error().message.find("'x' in the parameters file are not valid"), std::string::npos);
  EXPECT_TRUE(PrepareTemplate(Template(Json::array(), p), {{"n", {{"value", 2}}}}, Scope()).ok());
}

TEST(RelaxedJsonTest, ReadsAzureCliTemplateBodies) {
  std::string body =
      "{\"properties\": {\"mode\": \"Incremental\", template:{\r\n  // c\r\n  \"a\": 'x', /* b */\n"
      "  \"list\": [1, 2,],\n  unquoted: \"line\nbreak\",\n}\n}}";
  std::string error;
  auto j = ParseRelaxedJson(body, &error);
  ASSERT_TRUE(j.has_value()) << error;
  EXPECT_EQ((*j)["properties"]["template"]["a"], "x");
  EXPECT_EQ((*j)["properties"]["template"]["list"], Json::array({1, 2}));
  EXPECT_EQ((*j)["properties"]["template"]["unquoted"], "line\nbreak");
  EXPECT_EQ((*j)["properties"]["template"].size(), 3u);
  EXPECT_FALSE(ParseRelaxedJson("{\"a\": /* never closed", &error).has_value());
  EXPECT_FALSE(ParseRelaxedJson(std::string(100, '[') + std::string(100, ']'), &error).has_value());  // depth limit
}

TEST(UniqueStringTest, ThirteenBase32Characters) {
  std::string u = UniqueString({"/subscriptions/sub1/resourceGroups/rg1"});
  EXPECT_EQ(u.size(), 13u);
  EXPECT_EQ(u.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567"), std::string::npos);
  EXPECT_NE(MurmurHash64("a"), MurmurHash64("b"));
  EXPECT_EQ(MurmurHash64(""), MurmurHash64(""));
}

}  // namespace
}  // namespace crosskey::deploy
