// Graph's deleted items (learn.microsoft.com/graph/api/resources/directory-deleteditems):
// GET directory/deletedItems/microsoft.graph.application | microsoft.graph.servicePrincipal
// lists one type, GET directory/deletedItems/{id} reads one, POST .../{id}/restore brings it back
// with the same object id, DELETE .../{id} deletes it for good (graph_call.h).
#include "emulator/common/http/wire.h"
#include "emulator/common/text.h"
#include "emulator/graph/errors.h"
#include "emulator/graph/http/graph_call.h"
#include "emulator/graph/http/graph_json.h"

namespace crosskey::graph::http {
namespace {

nlohmann::json Deleted(nlohmann::json object, int64_t deleted) {
  object["deletedDateTime"] = IsoTime(deleted);
  return object;
}

// The deleted application or service principal with this object id, as Graph renders it.
std::optional<nlohmann::json> FindDeleted(const GraphCall& call, const std::string& id) {
  if (auto a = call.dir().FindDeletedApplication(call.caller.tenant_id, id)) {
    nlohmann::json j = Deleted(ApplicationJson(*a), a->deleted);
    j["@odata.type"] = "#microsoft.graph.application";
    return j;
  }
  if (auto sp = call.dir().FindDeletedServicePrincipal(call.caller.tenant_id, id)) {
    nlohmann::json j = Deleted(ServicePrincipalJson(*sp), sp->deleted);
    j["@odata.type"] = "#microsoft.graph.servicePrincipal";
    return j;
  }
  return std::nullopt;
}

StatusOr<HttpResponse> ListDeletedItems(const GraphCall& call) {
  const std::string& type = call.Param("type");
  nlohmann::json items = nlohmann::json::array();
  if (EqualsIgnoreCase(type, "microsoft.graph.application")) {
    for (const auto& a : call.dir().ListDeletedApplications(call.caller.tenant_id))
      items.push_back(Deleted(ApplicationJson(a), a.deleted));
    return List("directoryObjects", items);
  }
  for (const auto& sp : call.dir().ListDeletedServicePrincipals(call.caller.tenant_id))
    items.push_back(Deleted(ServicePrincipalJson(sp), sp.deleted));
  return List("directoryObjects", items);
}

}  // namespace

// One route serves both: a type name lists, an object id reads.
StatusOr<HttpResponse> GetDeletedItem(const GraphCall& call) {
  const std::string& id = call.Param("type");
  if (EqualsIgnoreCase(id, "microsoft.graph.application") || EqualsIgnoreCase(id, "microsoft.graph.servicePrincipal")) {
    return ListDeletedItems(call);
  }
  auto found = FindDeleted(call, id);
  if (!found) return errors::ResourceNotFound(id);
  return wire::Json(200, *found);
}

StatusOr<HttpResponse> RestoreDeletedItem(const GraphCall& call) {
  const std::string& id = call.Param("id");
  auto found = FindDeleted(call, id);
  if (!found) {
    CK_RETURN_IF_ERROR(call.service().RequireAdmin(call.caller));
    return errors::ResourceNotFound(id);
  }
  CK_RETURN_IF_ERROR(call.service().RestoreDeletedItem(call.caller, id));
  found->erase("deletedDateTime");
  return wire::Json(200, *found);
}

StatusOr<HttpResponse> PurgeDeletedItem(const GraphCall& call) {
  CK_RETURN_IF_ERROR(call.service().PurgeDeletedItem(call.caller, call.Param("id")));
  return wire::Text(204, "text/plain", "");
}

}  // namespace crosskey::graph::http
