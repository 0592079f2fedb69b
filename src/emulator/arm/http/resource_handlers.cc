// ARM's resources inside a resource group (identities, vaults, consumers, their children),
// their lists, and Key Vault's deleted vaults (arm_call.h).
#include "emulator/arm/errors.h"
#include "emulator/arm/http/arm_call.h"
#include "emulator/arm/http/lro_shapes.h"
#include "emulator/arm/resource_id.h"
#include "emulator/common/http/wire.h"

namespace crosskey::arm::http {

StatusOr<HttpResponse> ListByResourceGroup(const ArmCall& call) {
  std::string group = "/subscriptions/" + call.Param("subscription") + "/resourceGroups/" + call.Param("group");
  CK_ASSIGN_OR_RETURN(auto items,
                      call.rm().List(call.caller, group, call.Param("namespace") + "/" + call.Param("type")));
  return Value(items);
}

// /subscriptions/{s}/resourceGroups/{g}/providers/{ns}/{type}/{name}/{childType}
StatusOr<HttpResponse> ListChildren(const ArmCall& call) {
  std::string parent = "/subscriptions/" + call.Param("subscription") + "/resourceGroups/" + call.Param("group") +
                       "/providers/" + call.Param("namespace") + "/" + call.Param("type") + "/" + call.Param("name");
  // A child list of a parent that does not exist is ARM's 404 (never an empty 200).
  CK_RETURN_IF_ERROR(call.rm().Get(call.caller, parent));
  CK_ASSIGN_OR_RETURN(auto items,
                      call.rm().List(call.caller, parent,
                                     call.Param("namespace") + "/" + call.Param("type") + "/" + call.Param("child")));
  return Value(items);
}

namespace {
std::string TypeOf(const std::string& path) {
  auto pid = ParseResourceId(path);
  return pid ? pid->Type() : "";
}
std::string CanonicalOf(const std::string& path) {
  auto pid = ParseResourceId(path);
  return pid ? pid->Canonical() : path;
}
}  // namespace

// A write to an asynchronous provider is accepted as a long-running operation (lro_shapes.h);
// a failed key check then ends the operation rather than the request. `sync_status` answers a
// write the provider completes synchronously.
StatusOr<HttpResponse> AnswerWrite(const ArmCall& call, const char* verb, const StatusOr<PutResult>& result,
                                   int sync_status) {
  const LroShape* shape = FindLroShape(TypeOf(call.path), verb);
  if (!result.ok()) {
    if (!shape || !result.error().operation_failure) return result.error();
    return AcceptOperation(call, *shape, CanonicalOf(call.path), call.body, std::string(verb) == "PUT", result.error());
  }
  if (!shape || (shape->only_when_created && !result->created)) return wire::Json(sync_status, result->body);
  return AcceptOperation(call, *shape, result->body.value("id", CanonicalOf(call.path)), result->body, result->created,
                         std::nullopt);
}

StatusOr<HttpResponse> PutResource(const ArmCall& call) {
  auto put = call.rm().Put(call.caller, call.path, call.body);
  return AnswerWrite(call, "PUT", put, put.ok() && put->created ? 201 : 200);
}

StatusOr<HttpResponse> PatchResource(const ArmCall& call) {
  auto patched = call.rm().Patch(call.caller, call.path, call.body);
  if (!patched.ok()) return AnswerWrite(call, "PATCH", patched.error(), 200);
  return AnswerWrite(call, "PATCH", PutResult{std::move(patched).value(), false}, 200);
}

StatusOr<HttpResponse> GetResource(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(auto got, call.rm().Get(call.caller, call.path));
  if (auto pending = PendingState(call, got.value("id", CanonicalOf(call.path)))) {
    if (got.contains("properties") && got["properties"].is_object()) got["properties"]["provisioningState"] = *pending;
  }
  return wire::Json(200, got);
}

// HEAD answers the status alone: 204 when the resource exists.
StatusOr<HttpResponse> HeadResource(const ArmCall& call) {
  auto got = call.rm().Get(call.caller, call.path);
  return wire::Text(got.ok() ? 204 : got.error().http_status, "text/plain", "");
}

// Deleting what does not exist is a success without content, as ARM answers.
StatusOr<HttpResponse> DeleteResource(const ArmCall& call) {
  const LroShape* shape = FindLroShape(TypeOf(call.path), "DELETE");
  auto before = shape ? call.rm().Get(call.caller, call.path) : StatusOr<nlohmann::json>(nlohmann::json());
  auto deleted = call.rm().Delete(call.caller, call.path);
  if (!deleted.ok() && deleted.error().code == "ResourceNotFound") return wire::Text(204, "text/plain", "");
  if (!deleted.ok()) return deleted.error();
  if (shape) {
    // The operation is addressed in the resource's region, as the provider addresses it.
    nlohmann::json where = before.ok() ? nlohmann::json{{"location", before->value("location", "")}} : nullptr;
    return AcceptOperation(call, *shape, CanonicalOf(call.path), where, false, std::nullopt);
  }
  return wire::Text(200, "text/plain", "");
}

// POST .../encryptionProtector/current/revalidate: the SDK accepts 200 or 202; answered 200
// once the key has been checked again.
StatusOr<HttpResponse> RevalidateProtector(const ArmCall& call) {
  std::string protector = call.path.substr(0, call.path.rfind('/'));
  CK_ASSIGN_OR_RETURN(auto revalidated, call.rm().Action(call.caller, protector, "revalidate"));
  return wire::Json(200, revalidated);
}

StatusOr<HttpResponse> ListDeletedVaults(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(auto items, call.rm().ListDeletedVaults(call.caller, call.Param("subscription")));
  return Value(items);
}

StatusOr<HttpResponse> GetDeletedVault(const ArmCall& call) {
  CK_ASSIGN_OR_RETURN(auto d, call.rm().GetDeletedVault(call.caller, call.Param("subscription"), call.Param("name")));
  return wire::Json(200, d);
}

StatusOr<HttpResponse> PurgeDeletedVault(const ArmCall& call) {
  CK_RETURN_IF_ERROR(call.rm().PurgeDeletedVault(call.caller, call.Param("subscription"), call.Param("name")));
  return wire::Text(200, "text/plain", "");
}

}  // namespace crosskey::arm::http
