// RbacEngine: scope inheritance down to /keys/{name}, no inheritance across siblings,
// wildcard action matching, not(Data)Actions, control vs data actions, duplicate assignments
// and the propagation delay of removals; decisions kept per thread follow every change.
#include "emulator/arm/rbac_engine.h"

#include <gtest/gtest.h>

#include <optional>
#include <thread>

#include "emulator/arm/role_definition.h"

namespace crosskey::arm {
namespace {

constexpr const char* kSub = "/subscriptions/5ab5c41b-0000-4000-8000-000000000001";
constexpr const char* kPrincipal = "9a9a9a9a-0000-4000-8000-000000000001";
constexpr const char* kWrap = "Microsoft.KeyVault/vaults/keys/wrap/action";
constexpr const char* kUnwrap = "Microsoft.KeyVault/vaults/keys/unwrap/action";

std::string Group(const std::string& g = "rg") { return std::string(kSub) + "/resourceGroups/" + g; }
std::string Vault(const std::string& v = "kv1", const std::string& g = "rg") {
  return Group(g) + "/providers/Microsoft.KeyVault/vaults/" + v;
}
std::string Key(const std::string& k = "k1", const std::string& v = "kv1") { return Vault(v) + "/keys/" + k; }

std::string RoleGuid(const std::string& name) {
  const RoleDefinition* role = FindBuiltInRoleByName(name);
  EXPECT_NE(role, nullptr) << name;
  return role ? role->guid : "";
}

class RbacEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { clock_.Freeze(true); }

  RoleAssignment Assign(const std::string& scope, const std::string& role_name,
                        const std::string& principal = kPrincipal) {
    RoleAssignment a;
    a.name = "0000000" + std::to_string(next_++) + "-0000-4000-8000-000000000000";
    a.scope = scope;
    a.id = scope + "/providers/Microsoft.Authorization/roleAssignments/" + a.name;
    a.role_definition_guid = RoleGuid(role_name);
    a.principal_id = principal;
    auto added = rbac_.Add(a);
    EXPECT_TRUE(added.ok()) << added.error().message;
    return a;
  }
  bool Data(const std::string& action, const std::string& scope, const std::string& principal = kPrincipal) const {
    return rbac_.Decide(principal, action, scope, true).allowed;
  }
  bool Control(const std::string& action, const std::string& scope) const {
    return rbac_.Decide(kPrincipal, action, scope, false).allowed;
  }

  Clock clock_;
  RbacEngine rbac_{&clock_};
  int next_ = 1;
};

TEST(ActionMatchesTest, WildcardsAndCase) {
  EXPECT_TRUE(ActionMatches("*", "Microsoft.KeyVault/vaults/write"));
  EXPECT_TRUE(ActionMatches("Microsoft.KeyVault/vaults/*", kWrap));
  EXPECT_TRUE(ActionMatches("Microsoft.KeyVault/vaults/*", "microsoft.keyvault/VAULTS/keys/wrap/action"));
  EXPECT_TRUE(ActionMatches("microsoft.keyvault/vaults/keys/WRAP/action", kWrap));
  EXPECT_TRUE(ActionMatches("*/read", "Microsoft.Resources/subscriptions/resourceGroups/read"));
  EXPECT_TRUE(ActionMatches("Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/keys/read"));
  EXPECT_TRUE(ActionMatches("Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/write"));

  EXPECT_FALSE(ActionMatches("Microsoft.KeyVault/vaults/*/read", kWrap));
  EXPECT_FALSE(ActionMatches("Microsoft.KeyVault/vaults/*", "Microsoft.KeyVault/vaults"));
  EXPECT_FALSE(ActionMatches("Microsoft.KeyVault/vaults/*", "Microsoft.KeyVault/vaultsX/keys/read"));
  EXPECT_FALSE(ActionMatches("*/read", "Microsoft.KeyVault/vaults/write"));
  EXPECT_FALSE(ActionMatches(kWrap, kUnwrap));
  EXPECT_FALSE(ActionMatches("Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/read/extra"));
  EXPECT_FALSE(ActionMatches("", kWrap));
}

TEST_F(RbacEngineTest, AssignmentsInheritDownToKeys) {
  const std::string key = Key();
  for (const std::string& scope : {std::string(kSub), Group(), Vault(), key}) {
    RbacEngine rbac(&clock_);
    RoleAssignment a;
    a.name = "10000000-0000-4000-8000-000000000000";
    a.scope = scope;
    a.id = scope + "/providers/Microsoft.Authorization/roleAssignments/" + a.name;
    a.role_definition_guid = RoleGuid("Key Vault Crypto Service Encryption User");
    a.principal_id = kPrincipal;
    ASSERT_TRUE(rbac.Add(a).ok());
    EXPECT_TRUE(rbac.Decide(kPrincipal, kWrap, key, true).allowed) << scope;
    auto d = rbac.Decide(kPrincipal, kUnwrap, key, true);
    ASSERT_TRUE(d.allowed) << scope;
    EXPECT_EQ(d.assignment_id, a.id);
    // Nothing is inherited upwards.
    EXPECT_EQ(rbac.Decide(kPrincipal, kWrap, kSub, true).allowed, scope == kSub) << scope;
    // Other principals get nothing.
    EXPECT_FALSE(rbac.Decide("8b8b8b8b-0000-4000-8000-000000000002", kWrap, key, true).allowed);
  }
}

TEST_F(RbacEngineTest, ScopesCompareCaseInsensitively) {
  Assign(Vault(), "Key Vault Crypto Service Encryption User");
  std::string lower = Key("MyKey");
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_TRUE(Data(kWrap, lower));
  EXPECT_TRUE(Data(kWrap, Key("MyKey") + "/"));
}

TEST_F(RbacEngineTest, SiblingScopesDoNotInherit) {
  Assign(Key("k1"), "Key Vault Crypto Service Encryption User");
  EXPECT_TRUE(Data(kWrap, Key("k1")));
  EXPECT_FALSE(Data(kWrap, Key("k2")));
  EXPECT_FALSE(Data(kWrap, Key("k10")));  // prefix of the name is not a parent
  EXPECT_FALSE(Data(kWrap, Vault()));

  Assign(Vault("kv1"), "Key Vault Crypto Service Encryption User", "7c7c7c7c-0000-4000-8000-000000000003");
  EXPECT_TRUE(Data(kWrap, Key("any", "kv1"), "7c7c7c7c-0000-4000-8000-000000000003"));
  EXPECT_FALSE(Data(kWrap, Key("any", "kv10"), "7c7c7c7c-0000-4000-8000-000000000003"));
  EXPECT_FALSE(Data(kWrap, Vault("kv2"), "7c7c7c7c-0000-4000-8000-000000000003"));

  Assign(Group("rg"), "Key Vault Crypto Service Encryption User", "6d6d6d6d-0000-4000-8000-000000000004");
  EXPECT_FALSE(Data(kWrap, Vault("kv1", "rg2"), "6d6d6d6d-0000-4000-8000-000000000004"));
}

TEST_F(RbacEngineTest, NotActionsExcludeWhatActionsGrant) {
  // No built-in Key Vault role carries notDataActions; Contributor's notActions exercise the
  // same exclusion rule ("*" minus "Microsoft.Authorization/*/Write").
  Assign(kSub, "Contributor");
  EXPECT_TRUE(Control("Microsoft.KeyVault/vaults/write", Vault()));
  EXPECT_TRUE(Control("Microsoft.Authorization/roleAssignments/read", Vault()));
  EXPECT_FALSE(Control("Microsoft.Authorization/roleAssignments/write", Vault()));
  EXPECT_FALSE(Control("Microsoft.Authorization/roleAssignments/delete", Vault()));
  // Key Vault Contributor: Microsoft.KeyVault/* except purging deleted vaults.
  RbacEngine rbac(&clock_);
  RoleAssignment a;
  a.name = "20000000-0000-4000-8000-000000000000";
  a.scope = kSub;
  a.id = a.scope + "/providers/Microsoft.Authorization/roleAssignments/" + a.name;
  a.role_definition_guid = RoleGuid("Key Vault Contributor");
  a.principal_id = kPrincipal;
  ASSERT_TRUE(rbac.Add(a).ok());
  EXPECT_TRUE(rbac.Decide(kPrincipal, "Microsoft.KeyVault/vaults/write", Vault(), false).allowed);
  EXPECT_FALSE(rbac.Decide(kPrincipal, "Microsoft.KeyVault/locations/deletedVaults/purge/action", kSub, false).allowed);
  // ... and no data actions at all ("manage key vaults, but not access to them").
  EXPECT_FALSE(rbac.Decide(kPrincipal, kWrap, Key(), true).allowed);
}

TEST_F(RbacEngineTest, DataActionsFollowTheRole) {
  Assign(Vault(), "Key Vault Reader");
  EXPECT_TRUE(Data("Microsoft.KeyVault/vaults/keys/read", Key()));
  EXPECT_FALSE(Data(kWrap, Key()));
  EXPECT_FALSE(Data(kUnwrap, Key()));
  EXPECT_FALSE(Data("Microsoft.KeyVault/vaults/keys/create/action", Key()));

  const std::string app = "5e5e5e5e-0000-4000-8000-000000000005";
  Assign(Vault(), "Key Vault Crypto Service Encryption User", app);
  EXPECT_TRUE(Data(kWrap, Key(), app));
  EXPECT_TRUE(Data(kUnwrap, Key(), app));
  EXPECT_FALSE(Data("Microsoft.KeyVault/vaults/keys/encrypt/action", Key(), app));
  EXPECT_FALSE(Data("Microsoft.KeyVault/vaults/keys/sign/action", Key(), app));
  EXPECT_FALSE(Data("Microsoft.KeyVault/vaults/keys/delete", Key(), app));
  // A data action is not granted by the same text among control actions.
  EXPECT_FALSE(rbac_.Decide(app, kWrap, Key(), false).allowed);
}

TEST_F(RbacEngineTest, OwnerHasNoDataActions) {
  Assign(kSub, "Owner");
  EXPECT_TRUE(Control("Microsoft.KeyVault/vaults/write", Vault()));
  EXPECT_TRUE(Control("Microsoft.Authorization/roleAssignments/write", Vault()));
  EXPECT_FALSE(Data(kWrap, Key()));
  EXPECT_FALSE(Data("Microsoft.KeyVault/vaults/keys/read", Key()));
}

TEST_F(RbacEngineTest, UnknownRoleGrantsNothing) {
  RoleAssignment a;
  a.name = "30000000-0000-4000-8000-000000000000";
  a.scope = kSub;
  a.id = a.scope + "/providers/Microsoft.Authorization/roleAssignments/" + a.name;
  a.role_definition_guid = "deadbeef-0000-4000-8000-000000000000";
  a.principal_id = kPrincipal;
  ASSERT_TRUE(rbac_.Add(a).ok());
  EXPECT_FALSE(Control("Microsoft.KeyVault/vaults/read", Vault()));
}

TEST_F(RbacEngineTest, DuplicateAssignmentIsRoleAssignmentExists) {
  RoleAssignment first = Assign(Vault(), "Key Vault Crypto Officer");
  // Same scope, role and principal under another name.
  RoleAssignment dup = first;
  dup.name = "40000000-0000-4000-8000-000000000000";
  dup.id = dup.scope + "/providers/Microsoft.Authorization/roleAssignments/" + dup.name;
  auto r = rbac_.Add(dup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_status, 409);
  EXPECT_EQ(r.error().code, "RoleAssignmentExists");
  // Same name with other contents.
  RoleAssignment changed = first;
  changed.principal_id = "4f4f4f4f-0000-4000-8000-000000000006";
  r = rbac_.Add(changed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "RoleAssignmentExists");
  // Same name, same contents: idempotent.
  r = rbac_.Add(first);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(rbac_.All().size(), 1u);
  // The same role for the same principal at another scope is a different assignment.
  Assign(Vault("kv2"), "Key Vault Crypto Officer");
  EXPECT_EQ(rbac_.All().size(), 2u);
}

TEST_F(RbacEngineTest, RemovalIsImmediateWithoutPropagationDelay) {
  RoleAssignment a = Assign(Vault(), "Key Vault Crypto Service Encryption User");
  ASSERT_TRUE(Data(kWrap, Key()));
  ASSERT_TRUE(rbac_.Remove(a.id).ok());
  EXPECT_FALSE(Data(kWrap, Key()));
  auto again = rbac_.Remove(a.id);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().http_status, 404);
  EXPECT_EQ(again.error().code, "RoleAssignmentNotFound");
}

TEST_F(RbacEngineTest, PropagationDelayKeepsRemovedAssignmentEffective) {
  rbac_.set_propagation_delay(60);
  RoleAssignment a = Assign(Vault(), "Key Vault Crypto Service Encryption User");
  ASSERT_TRUE(rbac_.Remove(a.id).ok());
  EXPECT_FALSE(rbac_.Find(a.id).has_value());  // gone from listings at once
  EXPECT_TRUE(rbac_.List(Vault(), kPrincipal, true).empty());
  EXPECT_TRUE(Data(kWrap, Key()));  // but still effective
  clock_.Advance(59);
  EXPECT_TRUE(Data(kWrap, Key()));
  clock_.Advance(1);
  EXPECT_FALSE(Data(kWrap, Key()));
  // The lingering grant was only ever the role's own actions.
  EXPECT_FALSE(Data("Microsoft.KeyVault/vaults/keys/sign/action", Key()));
}

TEST_F(RbacEngineTest, GrantDelayHoldsNewAssignmentBack) {
  rbac_.set_grant_delay(600);
  RoleAssignment a = Assign(Vault(), "Key Vault Crypto Service Encryption User");
  EXPECT_TRUE(rbac_.Find(a.id).has_value());  // listed at once, as ARM lists it
  EXPECT_FALSE(Data(kWrap, Key()));           // but not yet granting
  EXPECT_FALSE(Data(kWrap, Key()));           // (twice: the denial is not kept)
  clock_.Advance(599);
  EXPECT_FALSE(Data(kWrap, Key()));
  clock_.Advance(1);
  EXPECT_TRUE(Data(kWrap, Key()));
  clock_.Advance(-10);  // the emulator clock can go back: the grant is not yet effective again
  EXPECT_FALSE(Data(kWrap, Key()));
  nlohmann::json state = rbac_.ExportState();
  EXPECT_EQ(state["assignments"][0]["effectiveFrom"], rbac_.All().at(0).effective_from);
  EXPECT_GT(rbac_.All().at(0).effective_from, 0);
}

// Decisions are kept per thread (rbac_decision_memo.h): each change below must be seen by the
// very next question, on this thread and on another that asked before the change.
TEST_F(RbacEngineTest, KeptDecisionsFollowEveryChange) {
  EXPECT_FALSE(Data(kWrap, Key()));  // a denial, asked twice, is kept
  EXPECT_FALSE(Data(kWrap, Key()));
  Assign(Vault(), "Key Vault Crypto Service Encryption User");
  EXPECT_TRUE(Data(kWrap, Key()));
  EXPECT_TRUE(Data(kWrap, Key()));

  bool other_before = false, other_after = true;
  std::thread([&] { other_before = Data(kWrap, Key()); }).join();
  rbac_.RemoveUnder(Vault());
  EXPECT_FALSE(Data(kWrap, Key()));
  std::thread([&] { other_after = Data(kWrap, Key()); }).join();
  EXPECT_TRUE(other_before);
  EXPECT_FALSE(other_after);

  Assign(Vault(), "Key Vault Crypto Service Encryption User");
  nlohmann::json with_a = rbac_.ExportState();
  ASSERT_TRUE(rbac_.Remove(rbac_.All().at(0).id).ok());
  EXPECT_FALSE(Data(kWrap, Key()));
  ASSERT_TRUE(rbac_.ImportState(with_a).ok());
  EXPECT_TRUE(Data(kWrap, Key()));
  ASSERT_TRUE(
      rbac_.ImportState({{"assignments", nlohmann::json::array()}, {"propagating", nlohmann::json::array()}}).ok());
  EXPECT_FALSE(Data(kWrap, Key()));
}

TEST_F(RbacEngineTest, AnswersWhileARemovalPropagatesFollowTheClock) {
  rbac_.set_propagation_delay(60);
  RoleAssignment a = Assign(Vault(), "Key Vault Crypto Service Encryption User");
  ASSERT_TRUE(rbac_.Remove(a.id).ok());
  int64_t removed_at = clock_.Now();
  EXPECT_TRUE(Data(kWrap, Key()));
  clock_.Advance(60);
  EXPECT_FALSE(Data(kWrap, Key()));
  EXPECT_FALSE(Data(kWrap, Key()));
  clock_.Set(removed_at + 30);  // the emulator's clock can be set back: the grant applies again
  EXPECT_TRUE(Data(kWrap, Key()));
}

TEST(RbacEngineIdentityTest, ANewEngineInTheSameStorageKeepsNothingOfTheOld) {
  Clock clock;
  std::optional<RbacEngine> engine;
  engine.emplace(&clock);
  RoleAssignment a;
  a.name = "00000001-0000-4000-8000-000000000000";
  a.scope = Vault();
  a.id = a.scope + "/providers/Microsoft.Authorization/roleAssignments/" + a.name;
  a.role_definition_guid = RoleGuid("Key Vault Crypto Service Encryption User");
  a.principal_id = kPrincipal;
  ASSERT_TRUE(engine->Add(a).ok());
  EXPECT_TRUE(engine->Decide(kPrincipal, kWrap, Key(), true).allowed);
  engine.reset();
  engine.emplace(&clock);  // same address, same generation count
  EXPECT_FALSE(engine->Decide(kPrincipal, kWrap, Key(), true).allowed);
}

TEST_F(RbacEngineTest, RemoveUnderTakesTheScopeAndItsChildrenOnly) {
  Assign(Vault("kv1"), "Key Vault Crypto Officer");
  Assign(Key("k1", "kv1"), "Key Vault Crypto User");
  Assign(Vault("kv10"), "Key Vault Crypto Officer");
  Assign(Group(), "Reader");
  rbac_.RemoveUnder(Vault("kv1"));
  auto left = rbac_.All();
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].scope, Vault("kv10"));
  EXPECT_EQ(left[1].scope, Group());
}

TEST_F(RbacEngineTest, ListAtAndBelowScope) {
  Assign(kSub, "Reader");
  Assign(Vault(), "Key Vault Crypto Officer");
  Assign(Key(), "Key Vault Crypto User");
  EXPECT_EQ(rbac_.List(Vault(), "", false).size(), 2u);  // subscription + vault
  EXPECT_EQ(rbac_.List(Vault(), "", true).size(), 3u);   // + the key below
  EXPECT_EQ(rbac_.List(Vault(), "1b1b1b1b-0000-4000-8000-000000000009", true).size(), 0u);
}

}  // namespace
}  // namespace crosskey::arm
