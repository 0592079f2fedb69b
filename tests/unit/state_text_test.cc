// The durable store writes Cloud::ExportStateText() after every change: it must be the very
// document ExportState() builds, including after changes to keys whose versions' text was
// already made and kept (StateTextCache), and it must load back.
#include <gtest/gtest.h>

#include "cmk_chain_test_base.h"

namespace crosskey {
namespace {

using test::Caller;
using test::CmkChainTest;
using json = nlohmann::json;

class StateTextTest : public CmkChainTest {
 protected:
  keyvault::KvCaller Officer() { return Caller(customer_.tenant_id, customer_.admin_user_object_id); }

  void ExpectTextIsTheDocument(const char* when) {
    json parsed = json::parse(cloud_.ExportStateText(), nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << when << ": not JSON";
    EXPECT_EQ(parsed, cloud_.ExportState()) << when;
  }

  keyvault::CreateKeyParams Params(const std::string& kty, int size, const std::string& crv = "") {
    keyvault::CreateKeyParams p;
    p.kty = kty;
    p.key_size = size;
    p.crv = crv;
    p.tags = {{"purpose", "state \"text\" test"}};
    return p;
  }
};

TEST_F(StateTextTest, IsTheExportedDocumentThroughKeyChanges) {
  ExpectTextIsTheDocument("the chain's RSA key");
  auto officer = Officer();
  ASSERT_TRUE(cloud_.keyvault.CreateKey("cmkvault", officer, "oct", Params("oct-HSM", 256)).ok());
  ASSERT_TRUE(cloud_.keyvault.CreateKey("cmkvault", officer, "ec", Params("EC", 0, "P-256")).ok());
  ASSERT_TRUE(cloud_.keyvault.CreateKey("cmkvault", officer, "gone", Params("oct", 256)).ok());
  ExpectTextIsTheDocument("after creates");  // every version's text is now kept

  // A kept version replaced by an update, a new version, a policy, a deletion: each must show.
  keyvault::KeyUpdate disable;
  disable.enabled = false;
  disable.tags = json{{"changed", "yes"}};
  ASSERT_TRUE(cloud_.keyvault.UpdateKey("cmkvault", officer, "oct", "", disable).ok());
  ASSERT_TRUE(cloud_.keyvault.RotateKey("cmkvault", officer, "ec").ok());
  json policy = {{"lifetimeActions", json::array({{{"trigger", {{"timeAfterCreate", "P30D"}}},
                                                   {"action", {{"type", "Rotate"}}}}})},
                 {"attributes", {{"expiryTime", "P90D"}}}};
  ASSERT_TRUE(cloud_.keyvault.SetRotationPolicy("cmkvault", officer, "ec", policy).ok());
  ASSERT_TRUE(cloud_.keyvault.DeleteKey("cmkvault", officer, "gone").ok());
  ExpectTextIsTheDocument("after update, rotation, policy, delete");
  json doc = json::parse(cloud_.ExportStateText());
  bool saw_disabled = false;
  for (const auto& vault : doc["keyvault"]["vaults"]) {
    for (const auto& key : vault["keys"]) {
      for (const auto& v : key["versions"]) {
        if (v["name"] == "oct") saw_disabled = v["attributes"]["enabled"] == false && v["tags"]["changed"] == "yes";
      }
    }
  }
  EXPECT_TRUE(saw_disabled) << "the update's new version was written from a stale kept text";

  ASSERT_TRUE(cloud_.keyvault.RecoverDeletedKey("cmkvault", officer, "gone").ok());
  ExpectTextIsTheDocument("after recovery");

  // And it loads back: a new cloud imported from the text exports the same document.
  Cloud restored{CloudConfig{}};
  ASSERT_TRUE(restored.ImportState(json::parse(cloud_.ExportStateText())).ok());
  EXPECT_EQ(restored.ExportState()["keyvault"], cloud_.ExportState()["keyvault"]);
}

}  // namespace
}  // namespace crosskey
