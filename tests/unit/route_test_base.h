#pragma once
// Test base of the route suites (the second test layer): the CMK chain of CmkChainTest behind
// a Router, requests built as HttpRequests and served without sockets, tokens issued by the
// core's token service. Each plane's suite also checks that it has a case for every route its
// table declares (ExpectEveryOperationCovered).
#include <set>
#include <string>

#include "cmk_chain_test_base.h"
#include "emulator/server/router.h"

namespace crosskey::test {

class RouteTest : public CmkChainTest {
 protected:
  void SetUp() override {
    CmkChainTest::SetUp();
    // The customer's admin app also works the vault's keys (the chain gave the role to the user).
    ASSERT_TRUE(cloud_.resources
                    .PutRoleAssignment(customer_admin_, vault_id_, NewGuid(),
                                       RoleAssignmentBody(kCryptoOfficer, customer_.admin_sp_object_id,
                                                          "ServicePrincipal"))
                    .ok());
  }

  // An app token (client credentials) of a bootstrap tenant's admin app for `scope`.
  std::string AdminToken(const BootstrapTenant& tenant, const std::string& scope) const {
    token::TokenForm form = {{"grant_type", "client_credentials"},
                             {"client_id", tenant.admin_app_id},
                             {"client_secret", tenant.admin_app_secret},
                             {"scope", scope}};
    auto t = cloud_.tokens.Token(tenant.tenant_id, form, false);
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
    return t.ok() ? t->access_token : "";
  }

  HttpRequest Request(const std::string& method, const std::string& host, const std::string& target,
                      const std::string& body = "", const std::string& token = "") const {
    HttpRequest r;
    r.method = method;
    r.host = host;
    auto q = target.find('?');
    r.path = UrlDecode(target.substr(0, q), false);
    if (q != std::string::npos) r.query = ParseQuery(target.substr(q + 1));
    r.body = body;
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    r.request_id = NewGuid();
    return r;
  }

  HttpResponse Serve(const HttpRequest& request, bool* writes = nullptr) const {
    bool ignored = false;
    return router_.HandleHttps(request, writes ? writes : &ignored);
  }

  static json Body(const HttpResponse& r) { return json::parse(r.body.empty() ? "{}" : r.body, nullptr, false); }

  // The operation ids the plane's table declares, each of which the suite must exercise.
  template <typename Table>
  static void ExpectEveryOperationCovered(const Table& table, const std::set<std::string>& covered) {
    for (const auto& route : table.routes()) {
      EXPECT_TRUE(covered.count(route.operation)) << "no route test for " << route.method << " " << route.pattern
                                                  << " (" << route.operation << ")";
    }
  }

  server::Endpoints endpoints_;
  server::Router router_{&cloud_, &endpoints_};
};

}  // namespace crosskey::test
