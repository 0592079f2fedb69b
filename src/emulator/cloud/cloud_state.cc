// Whole-cloud state document: each core exports and imports its own part.
#include "emulator/cloud/cloud.h"

#include "emulator/cloud/errors.h"

namespace crosskey {
namespace {
using nlohmann::json;
}  // namespace

json Cloud::ExportState() const {
  json out = ExportStateButKeys();
  out["keyvault"] = keyvault.ExportState();
  return out;
}

std::string Cloud::ExportStateText() const {
  std::string text = ExportStateButKeys().dump();  // an object with members: "{...}"
  text.pop_back();
  text += ",\"keyvault\":";
  keyvault.AppendStateText(&text);
  text += '}';
  return text;
}

json Cloud::ExportStateButKeys() const {
  json boot = json::array();
  for (const auto& b : bootstrap_) {
    boot.push_back({{"name", b.name}, {"tenantId", b.tenant_id}, {"subscriptionId", b.subscription_id},
                    {"adminUsername", b.admin_username}, {"adminPassword", b.admin_password},
                    {"adminUserObjectId", b.admin_user_object_id}, {"adminAppId", b.admin_app_id},
                    {"adminAppSecret", b.admin_app_secret}, {"adminAppObjectId", b.admin_app_object_id},
                    {"adminSpObjectId", b.admin_sp_object_id}});
  }
  // Member by member, each part moved in: a braced list would copy every part once more.
  json out = json::object();
  out["crosskeyState"] = kStateVersion;
  out["domain"] = config_.domain;
  out["clock"] = {{"offset", clock.offset()}, {"frozen", clock.frozen()}, {"now", clock.Now()}};
  out["bootstrap"] = std::move(boot);
  out["directory"] = directory.ExportState();
  out["signingKeys"] = signing_keys.ExportState();
  out["tokens"] = tokens.ExportState();
  out["resources"] = resources.ExportState();
  out["rbac"] = rbac.ExportState();
  out["consumers"] = consumers.ExportState();
  out["deployments"] = deployments.ExportState();
  return out;
}

Status Cloud::ImportState(const json& state) {
  if (!state.is_object() || !state.contains("crosskeyState")) return cloud::errors::InvalidState("not a crosskey state document");
  if (state["crosskeyState"] != kStateVersion) {
    return cloud::errors::InvalidState("state version " + state["crosskeyState"].dump() + " is not supported (this build reads " +
                      std::to_string(kStateVersion) + ")");
  }
  try {
    const json& c = state.at("clock");
    if (c.at("frozen").get<bool>()) {
      clock.Set(c.at("now").get<int64_t>());
      clock.Freeze(true);
    } else {
      clock.Advance(c.at("offset").get<int64_t>() - clock.offset());
    }
    bootstrap_.clear();
    for (const auto& b : state.at("bootstrap")) {
      bootstrap_.push_back({b.at("name"), b.at("tenantId"), b.at("subscriptionId"), b.at("adminUsername"),
                            b.at("adminPassword"), b.at("adminUserObjectId"), b.at("adminAppId"), b.at("adminAppSecret"),
                            b.at("adminAppObjectId"), b.at("adminSpObjectId")});
    }
  } catch (const std::exception& e) {
    return cloud::errors::InvalidState(std::string("state: unreadable clock or bootstrap: ") + e.what());
  }
  CK_RETURN_IF_ERROR(directory.ImportState(state.value("directory", json::object())));
  CK_RETURN_IF_ERROR(signing_keys.ImportState(state.value("signingKeys", json::array())));
  CK_RETURN_IF_ERROR(tokens.ImportState(state.value("tokens", json::object())));
  CK_RETURN_IF_ERROR(resources.ImportState(state.value("resources", json::object())));
  CK_RETURN_IF_ERROR(rbac.ImportState(state.value("rbac", json::object())));
  CK_RETURN_IF_ERROR(keyvault.ImportState(state.value("keyvault", json::object())));
  // Last: the consumers unwrap their DEKs through the imported tokens, RBAC and Key Vault.
  // Absent (older documents): no consumers.
  CK_RETURN_IF_ERROR(consumers.ImportState(state.value("consumers", json::object())));
  // The template deployment history (absent in older documents).
  CK_RETURN_IF_ERROR(deployments.ImportState(state.value("deployments", json::array())));
  return Status::Ok();
}

}  // namespace crosskey
