// Key rotation and rotation policies, evaluated on the emulator clock.
#include <mutex>
#include <regex>

#include "emulator/common/text.h"
#include "emulator/keyvault/errors.h"
#include "emulator/keyvault/key_vault_service.h"

namespace crosskey::keyvault {
namespace {
using nlohmann::json;

// ISO-8601 durations as Key Vault writes them (P90D, P18M, P2Y, PT12H). Months count 30 days
// and years 365, as Key Vault documents for rotation policies.
std::optional<int64_t> ParseDuration(const std::string& text) {
  static const std::regex kDuration(R"(^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$)");
  std::smatch m;
  if (text.size() < 2 || !std::regex_match(text, m, kDuration)) return std::nullopt;
  static const int64_t kUnit[] = {0, 365 * 86400LL, 30 * 86400LL, 7 * 86400LL, 86400LL, 3600LL, 60LL, 1LL};
  int64_t total = 0;
  bool any = false;
  for (size_t i = 1; i < m.size(); ++i) {
    if (m[i].matched) {
      total += std::stoll(m[i].str()) * kUnit[i];
      any = true;
    }
  }
  if (!any) return std::nullopt;
  return total;
}

json DefaultPolicy() {
  return {{"lifetimeActions", {{{"trigger", {{"timeBeforeExpiry", "P30D"}}}, {"action", {{"type", "Notify"}}}}}},
          {"attributes", json::object()}};
}

// The time the policy's Rotate action falls due for a version, or nullopt.
std::optional<int64_t> RotationDue(const json& policy, const KeyVersion& latest) {
  if (!policy.is_object()) return std::nullopt;
  for (const auto& action : policy.value("lifetimeActions", json::array())) {
    if (!EqualsIgnoreCase(action.value("/action/type"_json_pointer, std::string()), "Rotate")) continue;
    const json& trigger = action.value("trigger", json::object());
    if (trigger.contains("timeAfterCreate")) {
      if (auto d = ParseDuration(trigger["timeAfterCreate"].get<std::string>())) return latest.attributes.created + *d;
    }
    if (trigger.contains("timeBeforeExpiry") && latest.attributes.expires) {
      if (auto d = ParseDuration(trigger["timeBeforeExpiry"].get<std::string>())) return latest.attributes.expires - *d;
    }
  }
  return std::nullopt;
}
}  // namespace

KeyVersionSnapshot KeyVaultService::RotateLocked(KeyRecord& record, int64_t now) {
  const KeyVersion& latest = *record.versions.back();
  auto next = std::make_shared<KeyVersion>(latest);
  const auto& m = *latest.material;
  switch (m.type()) {
    case crypto::KeyType::kRsa:
      next->material = crypto::KeyMaterial::GenerateRsa(m.bits());
      break;
    case crypto::KeyType::kEc:
      next->material = crypto::KeyMaterial::GenerateEc(m.curve());
      break;
    case crypto::KeyType::kOct:
      next->material = crypto::KeyMaterial::GenerateOct(m.bits());
      break;
  }
  next->version = RandomHex(16);
  next->attributes.created = next->attributes.updated = now;
  next->attributes.enabled = true;
  next->attributes.not_before = 0;
  next->attributes.expires = 0;
  if (record.rotation_policy.is_object()) {
    auto expiry = record.rotation_policy.value("/attributes/expiryTime"_json_pointer, std::string());
    if (auto d = ParseDuration(expiry)) next->attributes.expires = now + *d;
  }
  record.versions.push_back(next);
  return next;
}

int KeyVaultService::ApplyPolicyLocked(KeyRecord& record, int64_t now) {
  int rotated = 0;
  // Catch up on every rotation that fell due while the clock jumped, one version each.
  while (!record.deleted && !record.versions.empty() && rotated < 100) {
    auto due = RotationDue(record.rotation_policy, *record.versions.back());
    if (!due || now < *due) break;
    RotateLocked(record, std::max(*due, record.versions.back()->attributes.created + 1));
    ++rotated;
  }
  return rotated;
}

int KeyVaultService::ApplyDueRotations() {
  int64_t now = clock_->Now();
  std::unique_lock lock(mu_);
  int rotated = 0;
  int64_t next = INT64_MAX;
  for (auto& [_, vault] : vaults_) {
    for (auto& [__, record] : vault.keys) {
      rotated += ApplyPolicyLocked(record, now);
      if (!record.deleted && !record.versions.empty()) {
        if (auto due = RotationDue(record.rotation_policy, *record.versions.back())) next = std::min(next, *due);
      }
    }
  }
  next_rotation_due_.store(next);
  return rotated;
}

StatusOr<KeyVersionSnapshot> KeyVaultService::RotateKeyUnaudited(const std::string& vault_name, const KvCaller& caller,
                                                        const std::string& name) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_RETURN_IF_ERROR(Authorize(*vault, caller, "rotate", "", name));
  std::unique_lock lock(mu_);
  auto v = vaults_.find(vault->instance_id);
  if (v == vaults_.end()) return errors::KeyNotFound(name);
  auto k = v->second.keys.find(ToLower(name));
  if (k == v->second.keys.end() || k->second.deleted || k->second.versions.empty()) return errors::KeyNotFound(name);
  return RotateLocked(k->second, clock_->Now());
}

StatusOr<json> KeyVaultService::GetRotationPolicyUnaudited(const std::string& vault_name, const KvCaller& caller,
                                                  const std::string& name) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_RETURN_IF_ERROR(Authorize(*vault, caller, "getrotationpolicy", "", name));
  std::shared_lock lock(mu_);
  auto v = vaults_.find(vault->instance_id);
  if (v == vaults_.end()) return errors::KeyNotFound(name);
  auto k = v->second.keys.find(ToLower(name));
  if (k == v->second.keys.end() || k->second.deleted) return errors::KeyNotFound(name);
  json policy = k->second.rotation_policy.is_object() ? k->second.rotation_policy : DefaultPolicy();
  if (k->second.policy_updated) {
    policy["attributes"]["created"] = k->second.policy_updated;
    policy["attributes"]["updated"] = k->second.policy_updated;
  }
  return policy;
}

StatusOr<json> KeyVaultService::SetRotationPolicyUnaudited(const std::string& vault_name, const KvCaller& caller,
                                                  const std::string& name, const json& policy) {
  CK_ASSIGN_OR_RETURN(auto vault, Vault(vault_name));
  CK_RETURN_IF_ERROR(Authorize(*vault, caller, "setrotationpolicy", "", name));
  if (!policy.is_object()) return errors::BadParameter("The rotation policy must be a JSON object.");
  json stored = {{"lifetimeActions", json::array()}, {"attributes", json::object()}};
  const json& actions = policy.value("lifetimeActions", json::array());
  if (!actions.is_array()) return errors::BadParameter("Property 'lifetimeActions' must be an array.");
  for (const auto& a : actions) {
    std::string type = a.value("/action/type"_json_pointer, std::string());
    if (!EqualsIgnoreCase(type, "Rotate") && !EqualsIgnoreCase(type, "Notify")) {
      return errors::BadParameter("Invalid lifetime action type '" + type + "'; expected Rotate or Notify.");
    }
    const json& trigger = a.value("trigger", json::object());
    json t = json::object();
    for (const char* field : {"timeAfterCreate", "timeBeforeExpiry"}) {
      if (trigger.contains(field) && !trigger[field].is_null()) {
        if (!trigger[field].is_string() || !ParseDuration(trigger[field].get<std::string>())) {
          return errors::BadParameter(std::string("Invalid ISO-8601 duration in trigger.") + field + ".");
        }
        t[field] = trigger[field];
      }
    }
    if (t.size() != 1) return errors::BadParameter("A trigger needs exactly one of timeAfterCreate or timeBeforeExpiry.");
    stored["lifetimeActions"].push_back({{"trigger", t}, {"action", {{"type", EqualsIgnoreCase(type, "Rotate") ? "Rotate" : "Notify"}}}});
  }
  std::string expiry = policy.value("/attributes/expiryTime"_json_pointer, std::string());
  if (!expiry.empty()) {
    if (!ParseDuration(expiry)) return errors::BadParameter("Invalid ISO-8601 duration in attributes.expiryTime.");
    stored["attributes"]["expiryTime"] = expiry;
  }
  {
    std::unique_lock lock(mu_);
    auto v = vaults_.find(vault->instance_id);
    if (v == vaults_.end()) return errors::KeyNotFound(name);
    auto k = v->second.keys.find(ToLower(name));
    if (k == v->second.keys.end() || k->second.deleted) return errors::KeyNotFound(name);
    k->second.rotation_policy = stored;
    k->second.policy_updated = clock_->Now();
    if (auto due = RotationDue(stored, *k->second.versions.back())) {
      if (*due < next_rotation_due_.load()) next_rotation_due_.store(*due);
    }
  }
  return GetRotationPolicy(vault_name, caller, name);
}

}  // namespace crosskey::keyvault
