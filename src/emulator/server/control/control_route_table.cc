// The control API's routes (relative to /_emulator). Operation ids are crosskey's own: the
// control plane has no Azure counterpart, and fault rules never apply to it.
#include "emulator/server/control/control_call.h"

namespace crosskey::server {

const wire::RouteTable<ControlHandler>& ControlRouteTable() {
  using wire::Writes;
  static const wire::RouteTable<ControlHandler> kTable({
      {"GET", "health", "getHealth", "", Writes::kNo, GetHealth},
      {"GET", "ca.pem", "getCa", "", Writes::kNo, GetCa},
      {"GET", "bootstrap", "getBootstrap", "", Writes::kNo, GetBootstrap},
      {"GET", "hosts", "getHosts", "", Writes::kNo, GetHosts},
      {"GET", "audit", "getAudit", "", Writes::kNo, GetAudit},
      {"GET", "throttling", "getThrottling", "", Writes::kNo, GetThrottling},
      {"POST", "throttling", "setThrottling", "", Writes::kNo, SetThrottling},
      {"GET", "operations", "getOperations", "", Writes::kNo, GetOperations},
      {"POST", "operations", "setOperations", "", Writes::kNo, SetOperations},
      {"GET", "rbac", "getRbacDelays", "", Writes::kNo, GetRbacDelays},
      {"POST", "rbac", "setRbacDelays", "", Writes::kNo, SetRbacDelays},
      {"GET", "clock", "getClock", "", Writes::kNo, GetClock},
      {"POST", "clock", "setClock", "", Writes::kYes, SetClock},
      {"GET", "faults", "listFaults", "", Writes::kNo, ListFaults},
      {"POST", "faults", "addFault", "", Writes::kNo, AddFault},
      {"DELETE", "faults", "clearFaults", "", Writes::kNo, ClearFaults},
      {"GET", "faults/{id}", "getFault", "", Writes::kNo, GetFault},
      {"DELETE", "faults/{id}", "deleteFault", "", Writes::kNo, DeleteFault},
      {"GET", "consumers", "getConsumers", "", Writes::kNo, GetConsumers},
      {"POST", "consumers/check", "checkConsumers", "", Writes::kNo, CheckConsumers},
      {"GET", "consumers/settings", "getConsumerSettings", "", Writes::kNo, GetConsumerSettings},
      {"POST", "consumers/settings", "setConsumerSettings", "", Writes::kYes, SetConsumerSettings},
      {"PUT", "data/{kind}/{ref+}", "putConsumerData", "", Writes::kYes, PutConsumerData},
      {"GET", "data/{kind}/{ref+}", "getConsumerData", "", Writes::kNo, GetConsumerData},
      // State swaps persist themselves (StateControl): none of them is a write of the live cloud.
      {"GET", "state", "getState", "", Writes::kNo, GetState},
      {"POST", "state", "loadState", "", Writes::kNo, LoadState},
      {"POST", "reset", "resetState", "", Writes::kNo, ResetState},
      {"GET", "snapshots", "listSnapshots", "", Writes::kNo, ListSnapshots},
      {"POST", "snapshots", "takeSnapshot", "", Writes::kNo, TakeSnapshot},
      {"DELETE", "snapshots/{name}", "deleteSnapshot", "", Writes::kNo, DeleteSnapshot},
      {"POST", "snapshots/{name}/restore", "restoreSnapshot", "", Writes::kNo, RestoreSnapshot},
  });
  return kTable;
}

}  // namespace crosskey::server
