#pragma once
// What the router learned about one request before any plane code ran: the plane, the matched
// route's operation id and diagnostic-log name, whether it writes state, the path parameters.
// Fault rules, the audit record, throttling and persistence all read the operation from here.
// Thread-safety: a value type, owned by the request being served.
#include <string>
#include <string_view>

#include "emulator/common/http/route_table.h"

namespace crosskey::wire {

struct RequestContext {
  std::string_view plane;  // login | graph | arm | keyvault | blob | mi | control
  int route = -1;          // index into the plane's route table, -1 when nothing matched
  std::string operation;   // operation id ("unwrapKey", "Microsoft.KeyVault/vaults/write"), "" unmatched
  std::string audit_name;  // Azure's diagnostic-log operationName ("KeyUnwrap"), "" when none
  Writes writes = Writes::kNo;
  PathParams params;
  std::string resource;  // the plane's addressed resource: vault or storage account name

  bool matched() const { return route >= 0; }
  // Fills route, operation, audit name and writes from a table match.
  template <typename Table>
  void Take(const Table& table, typename Table::Match match) {
    if (!match.ok()) return;
    route = static_cast<int>(match.route - table.routes().data());
    operation = match.route->operation;
    audit_name = match.route->audit_name;
    writes = match.route->writes;
    params = std::move(match.params);
  }
};

}  // namespace crosskey::wire
