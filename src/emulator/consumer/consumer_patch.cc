// PATCH of the emulated consumers (storage accounts, Cosmos DB accounts, disk encryption sets,
// disks, SQL servers and their children), with the merge the resource providers document for
// their update operations: `tags`, `sku`, `kind` and `location` replace what they name; each
// member of `properties` replaces the stored member of that name (so
// {"properties": {"encryption": {"keySource": "Microsoft.Storage"}}} goes back to
// Microsoft-managed keys); `identity.type` replaces, and `identity.userAssignedIdentities`
// merges entry by entry, a null entry removing that identity (ARM's managed-identity PATCH
// convention). The merged resource is then applied as a PUT would be, so enabling a customer
// key, switching key or version, or changing the identity or federated client id validates the
// chain and re-wraps the data key exactly as a create does.
#include "emulator/consumer/consumer_engine.h"

#include "emulator/common/text.h"
#include "emulator/consumer/errors.h"

namespace crosskey::consumer {
namespace {

Json MergeIdentity(Json stored, const Json& patch) {
  if (!patch.is_object()) return patch;
  if (!stored.is_object()) stored = Json::object();
  for (auto& [k, v] : patch.items()) {
    if (k != "userAssignedIdentities" || !v.is_object()) {
      stored[k] = v;
      continue;
    }
    Json& uai = stored["userAssignedIdentities"];
    if (!uai.is_object()) uai = Json::object();
    for (auto& [id, entry] : v.items()) {
      // Identity ids are case-insensitive: a patch names the stored entry in any case.
      for (auto it = uai.begin(); it != uai.end(); ++it) {
        if (EqualsIgnoreCase(it.key(), id)) {
          uai.erase(it);
          break;
        }
      }
      if (!entry.is_null()) uai[id] = entry;
    }
  }
  return stored;
}

}  // namespace

Json MergeResourcePatch(const Json& stored, const Json& patch) {
  Json merged = stored.is_object() ? stored : Json::object();
  for (auto& [k, v] : patch.items()) {
    if (k == "properties" && v.is_object()) {
      Json& p = merged["properties"];
      if (!p.is_object()) p = Json::object();
      for (auto& [pk, pv] : v.items()) {
        if (pv.is_null()) {
          p.erase(pk);
        } else {
          p[pk] = pv;
        }
      }
    } else if (k == "identity") {
      merged["identity"] = MergeIdentity(merged.value("identity", Json()), v);
    } else if (k != "id" && k != "name" && k != "type") {
      merged[k] = v;
    }
  }
  return merged;
}

StatusOr<Json> ConsumerEngine::Patch(const arm::ParsedId& id, const Json& patch) {
  std::lock_guard lock(mu_);
  Record* existing = FindLocked(ToLower(id.Canonical()));
  if (!existing) return errors::ResourceNotFound(id.Type() + "/" + id.Name(), id.resource_group);
  Json merged = MergeResourcePatch(existing->body, patch);
  CK_ASSIGN_OR_RETURN(auto put, PutLocked(id, merged));
  return put.body;
}

}  // namespace crosskey::consumer
