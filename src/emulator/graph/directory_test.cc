// Directory: applications vs service principals across tenants, and federated identity
// credential validation (Graph's error codes), with refused changes leaving nothing behind.
#include "emulator/graph/directory.h"

#include <gtest/gtest.h>

#include "emulator/graph/directory_service.h"
#include "emulator/graph/errors.h"

namespace crosskey::graph {
namespace {

constexpr const char* kHome = "11111111-0000-4000-8000-000000000001";
constexpr const char* kOther = "22222222-0000-4000-8000-000000000002";

FederatedCredential Fic(const std::string& name) {
  FederatedCredential f;
  f.name = name;
  f.issuer = "https://login.microsoftonline.com/" + std::string(kHome) + "/v2.0";
  f.subject = "33333333-0000-4000-8000-000000000003";
  f.audiences = {"api://AzureADTokenExchange"};
  return f;
}

void ExpectGraphError(const Error& e, int status, const std::string& code) {
  EXPECT_EQ(e.http_status, status) << e.message;
  EXPECT_EQ(e.code, code) << e.message;
}

class DirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.AddTenant({kHome, "home", "Home", "home.test", {}}).ok());
    ASSERT_TRUE(dir_.AddTenant({kOther, "other", "Other", "other.test", {}}).ok());
  }
  Application NewApp(const std::string& audience) {
    auto app = dir_.CreateApplication(kHome, {"app-" + audience, audience, "", ""});
    EXPECT_TRUE(app.ok());
    return app.ok() ? *app : Application{};
  }

  Clock clock_;
  Directory dir_{&clock_};
};

TEST_F(DirectoryTest, TenantIdsAreGuidsAndUnique) {
  ExpectGraphError(dir_.AddTenant({"not-a-guid", "x", "X", "x.test", {}}).error(), 400, "Request_BadRequest");
  ExpectGraphError(dir_.AddTenant({kHome, "again", "Again", "again.test", {}}).error(), 400, "Request_BadRequest");
  EXPECT_TRUE(dir_.FindTenant("11111111-0000-4000-8000-000000000001").has_value());
}

TEST_F(DirectoryTest, ServicePrincipalsShareAppIdButNotObjectId) {
  Application app = NewApp("AzureADMultipleOrgs");
  auto home_sp = dir_.CreateServicePrincipal(kHome, app.app_id);
  auto other_sp = dir_.CreateServicePrincipal(kOther, app.app_id);
  ASSERT_TRUE(home_sp.ok());
  ASSERT_TRUE(other_sp.ok()) << other_sp.error().message;

  EXPECT_EQ(home_sp->app_id, app.app_id);
  EXPECT_EQ(other_sp->app_id, app.app_id);
  EXPECT_NE(home_sp->object_id, other_sp->object_id);
  EXPECT_NE(home_sp->object_id, app.object_id);
  EXPECT_NE(other_sp->object_id, app.object_id);
  EXPECT_EQ(home_sp->tenant_id, kHome);
  EXPECT_EQ(other_sp->tenant_id, kOther);
  EXPECT_EQ(home_sp->app_owner_tenant_id, kHome);  // appOwnerOrganizationId
  EXPECT_EQ(other_sp->app_owner_tenant_id, kHome);

  // Each tenant sees only its own principal; the application exists only at home.
  EXPECT_EQ(dir_.FindServicePrincipalByAppId(kOther, app.app_id)->object_id, other_sp->object_id);
  EXPECT_FALSE(dir_.FindServicePrincipal(kHome, other_sp->object_id).has_value());
  EXPECT_TRUE(dir_.PrincipalExists(kOther, other_sp->object_id));
  EXPECT_FALSE(dir_.PrincipalExists(kOther, home_sp->object_id));
  EXPECT_TRUE(dir_.FindApplication(kHome, app.object_id).has_value());
  EXPECT_FALSE(dir_.FindApplication(kOther, app.object_id).has_value());
  EXPECT_EQ(dir_.FindApplicationByAppId(app.app_id)->home_tenant_id, kHome);
}

TEST_F(DirectoryTest, SingleTenantAppRefusedInAnotherTenant) {
  Application app = NewApp("AzureADMyOrg");
  auto refused = dir_.CreateServicePrincipal(kOther, app.app_id);
  ASSERT_FALSE(refused.ok());
  ExpectGraphError(refused.error(), 400, "Request_BadRequest");
  EXPECT_EQ(refused.error().message, errors::AppNotValidForServicePrincipal(app.app_id).message);
  EXPECT_FALSE(dir_.FindServicePrincipalByAppId(kOther, app.app_id).has_value());
  EXPECT_TRUE(dir_.CreateServicePrincipal(kHome, app.app_id).ok());
}

TEST_F(DirectoryTest, UnknownAppIdOrTenantRefused) {
  auto r = dir_.CreateServicePrincipal(kHome, "44444444-0000-4000-8000-000000000004");
  ASSERT_FALSE(r.ok());
  ExpectGraphError(r.error(), 400, "Request_BadRequest");
  Application app = NewApp("AzureADMultipleOrgs");
  r = dir_.CreateServicePrincipal("55555555-0000-4000-8000-000000000005", app.app_id);
  ASSERT_FALSE(r.ok());
  ExpectGraphError(r.error(), 404, "Request_ResourceNotFound");
}

TEST_F(DirectoryTest, DuplicateServicePrincipalIs409) {
  Application app = NewApp("AzureADMultipleOrgs");
  ASSERT_TRUE(dir_.CreateServicePrincipal(kOther, app.app_id).ok());
  auto again = dir_.CreateServicePrincipal(kOther, app.app_id);
  ASSERT_FALSE(again.ok());
  ExpectGraphError(again.error(), 409, "Request_MultipleObjectsWithSameKeyValue");
  EXPECT_EQ(dir_.ListServicePrincipals(kOther).size(), 1u);
}

TEST_F(DirectoryTest, InvalidSignInAudienceRefused) {
  auto r = dir_.CreateApplication(kHome, {"bad", "Everyone", "", ""});
  ASSERT_FALSE(r.ok());
  ExpectGraphError(r.error(), 400, "Request_BadRequest");
}

TEST_F(DirectoryTest, FederatedCredentialRequiresIssuerSubjectAndOneAudience) {
  Application app = NewApp("AzureADMultipleOrgs");
  FederatedCredential no_issuer = Fic("no-issuer");
  no_issuer.issuer.clear();
  FederatedCredential no_subject = Fic("no-subject");
  no_subject.subject.clear();
  FederatedCredential no_audience = Fic("no-audience");
  no_audience.audiences.clear();
  FederatedCredential two_audiences = Fic("two-audiences");
  two_audiences.audiences.push_back("api://other");
  FederatedCredential no_name = Fic("");
  for (const auto& bad : {no_issuer, no_subject, no_audience, two_audiences, no_name}) {
    auto r = dir_.AddFederatedCredential(kHome, app.object_id, bad);
    ASSERT_FALSE(r.ok()) << bad.name;
    ExpectGraphError(r.error(), 400, "Request_BadRequest");
  }
  EXPECT_TRUE(dir_.FindApplication(kHome, app.object_id)->federated_credentials.empty());
}

TEST_F(DirectoryTest, FederatedCredentialNamesAreUniquePerApp) {
  Application app = NewApp("AzureADMultipleOrgs");
  auto first = dir_.AddFederatedCredential(kHome, app.object_id, Fic("fic"));
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->id.empty());
  FederatedCredential again = Fic("fic");
  again.subject = "66666666-0000-4000-8000-000000000006";
  auto r = dir_.AddFederatedCredential(kHome, app.object_id, again);
  ASSERT_FALSE(r.ok());
  ExpectGraphError(r.error(), 409, "Request_MultipleObjectsWithSameKeyValue");
  // Another app may reuse the name.
  Application other = NewApp("AzureADMyOrg");
  EXPECT_TRUE(dir_.AddFederatedCredential(kHome, other.object_id, Fic("fic")).ok());
}

TEST_F(DirectoryTest, TwentyFirstFederatedCredentialRefused) {
  Application app = NewApp("AzureADMultipleOrgs");
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(dir_.AddFederatedCredential(kHome, app.object_id, Fic("fic-" + std::to_string(i))).ok()) << i;
  }
  auto r = dir_.AddFederatedCredential(kHome, app.object_id, Fic("fic-20"));
  ASSERT_FALSE(r.ok());
  ExpectGraphError(r.error(), 400, "Request_BadRequest");
  EXPECT_EQ(r.error().message, errors::FederatedCredentialLimit().message);
  EXPECT_EQ(dir_.FindApplication(kHome, app.object_id)->federated_credentials.size(), 20u);
  // Deleting one makes room again.
  ASSERT_TRUE(dir_.DeleteFederatedCredential(kHome, app.object_id, "fic-3").ok());
  EXPECT_TRUE(dir_.AddFederatedCredential(kHome, app.object_id, Fic("fic-20")).ok());
}

TEST_F(DirectoryTest, FailedUpdateLeavesApplicationUnchanged) {
  Application app = NewApp("AzureADMultipleOrgs");
  ASSERT_TRUE(dir_.AddFederatedCredential(kHome, app.object_id, Fic("fic")).ok());

  auto r = dir_.UpdateApplication(kHome, app.object_id, [](Application& a) -> Status {
    a.display_name = "half-written";
    a.federated_credentials.clear();
    return errors::BadRequest("refused after mutating");
  });
  ASSERT_FALSE(r.ok());
  auto stored = dir_.FindApplication(kHome, app.object_id);
  EXPECT_EQ(stored->display_name, app.display_name);
  ASSERT_EQ(stored->federated_credentials.size(), 1u);

  // An invalid FIC patch (no audiences) keeps the credential as it was.
  FederatedCredential patch;
  patch.subject = "77777777-0000-4000-8000-000000000007";
  auto u = dir_.UpdateFederatedCredential(kHome, app.object_id, "fic", patch, false, true, true, false);
  ASSERT_FALSE(u.ok());
  ExpectGraphError(u.error(), 400, "Request_BadRequest");
  stored = dir_.FindApplication(kHome, app.object_id);
  EXPECT_EQ(stored->federated_credentials[0].subject, Fic("fic").subject);
  EXPECT_EQ(stored->federated_credentials[0].audiences, Fic("fic").audiences);

  // A valid patch of the subject alone applies.
  u = dir_.UpdateFederatedCredential(kHome, app.object_id, "fic", patch, false, true, false, false);
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(dir_.FindApplication(kHome, app.object_id)->federated_credentials[0].subject, patch.subject);
}

TEST_F(DirectoryTest, UpdateOfUnknownObjectsIs404) {
  auto r =
      dir_.UpdateApplication(kHome, "88888888-0000-4000-8000-000000000008", [](Application&) { return Status::Ok(); });
  ASSERT_FALSE(r.ok());
  ExpectGraphError(r.error(), 404, "Request_ResourceNotFound");
  Application app = NewApp("AzureADMultipleOrgs");
  auto d = dir_.DeleteFederatedCredential(kHome, app.object_id, "missing");
  ASSERT_FALSE(d.ok());
  ExpectGraphError(d.error(), 404, "Request_ResourceNotFound");
}

// The directory core writes Entra's audit record of every write, allowed or refused, so
// in-process callers leave the same log as Graph's HTTP callers.
TEST_F(DirectoryTest, DirectoryServiceAuditsWritesAllowedAndRefused) {
  AuditLog audit(&clock_);
  DirectoryService service(&dir_, &audit);
  User admin_user{"", "admin@home.test", "Admin", "pw", true, true};
  auto admin = dir_.AddUser(kHome, admin_user);
  ASSERT_TRUE(admin.ok());
  auto plain = dir_.AddUser(kHome, User{"", "plain@home.test", "Plain", "pw", true, false});
  ASSERT_TRUE(plain.ok());
  GraphCaller as_admin{kHome, admin->object_id, "", true, "req-1", "uti-1"};
  GraphCaller as_plain{kHome, plain->object_id, "", true, "req-2", "uti-2"};
  auto app = service.CreateApplication(as_admin, {"audited", "AzureADMultipleOrgs", "", ""});
  ASSERT_TRUE(app.ok());
  EXPECT_FALSE(service.DeleteApplication(as_plain, app->object_id).ok());
  AuditQuery query;
  query.category = "AuditLogs";
  auto records = audit.Query(query);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["operationName"], "Add application");
  EXPECT_EQ(records[0]["auditCategory"], "ApplicationManagement");
  EXPECT_EQ(records[0]["targetId"], app->object_id);
  EXPECT_EQ(records[0]["objectId"], admin->object_id);
  EXPECT_EQ(records[0]["result"], "success");
  EXPECT_EQ(records[0]["correlationId"], "uti-1");
  EXPECT_EQ(records[1]["operationName"], "Delete application");
  EXPECT_EQ(records[1]["result"], "failure");
  EXPECT_EQ(records[1]["resultReason"], "Authorization_RequestDenied");
  EXPECT_EQ(records[1]["requestId"], "req-2");
}

}  // namespace
}  // namespace crosskey::graph
