// MatchFederatedCredential: Entra's order (issuer 700211, subject 700213, audience 700212),
// exact case-sensitive comparisons, and the choice among several credentials.
#include "emulator/token/federated_credential_matcher.h"

#include <gtest/gtest.h>

namespace crosskey::token {
namespace {

constexpr const char* kIssuer = "https://login.microsoftonline.com/4a5b6c7d-0000-4000-8000-000000000001/v2.0";
constexpr const char* kSubject = "9f8e7d6c-1111-4222-8333-444455556666";
constexpr const char* kExchange = "api://AzureADTokenExchange";

graph::FederatedCredential Fic(const std::string& name, const std::string& issuer, const std::string& subject,
                               const std::string& audience) {
  graph::FederatedCredential f;
  f.id = name + "-id";
  f.name = name;
  f.issuer = issuer;
  f.subject = subject;
  f.audiences = {audience};
  return f;
}

graph::Application AppWith(std::vector<graph::FederatedCredential> fics) {
  graph::Application app;
  app.app_id = "00000000-aaaa-4bbb-8ccc-000000000001";
  app.federated_credentials = std::move(fics);
  return app;
}

void ExpectRefused(const StatusOr<graph::FederatedCredential>& r, int aadsts, const std::string& named) {
  ASSERT_FALSE(r.ok()) << "matched " << r->name;
  EXPECT_EQ(r.error().http_status, 401);
  EXPECT_EQ(r.error().code, "invalid_client");
  EXPECT_EQ(r.error().aadsts, std::vector<int>{aadsts});
  // The message quotes the presented value, as Entra does.
  EXPECT_NE(r.error().message.find("'" + named + "'"), std::string::npos) << r.error().message;
}

TEST(FederatedCredentialMatcherTest, ExactMatchReturnsTheCredential) {
  auto app = AppWith({Fic("fic", kIssuer, kSubject, kExchange)});
  auto r = MatchFederatedCredential(app, {kIssuer, kSubject, {kExchange}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name, "fic");
}

TEST(FederatedCredentialMatcherTest, NoCredentialsIsIssuerMismatch) {
  ExpectRefused(MatchFederatedCredential(AppWith({}), {kIssuer, kSubject, {kExchange}}), 700211, kIssuer);
}

TEST(FederatedCredentialMatcherTest, IssuerMismatch) {
  auto app = AppWith({Fic("fic", kIssuer, kSubject, kExchange)});
  const std::string other = "https://sts.windows.net/4a5b6c7d-0000-4000-8000-000000000001/";
  ExpectRefused(MatchFederatedCredential(app, {other, kSubject, {kExchange}}), 700211, other);
  // Issuer is checked first: wrong issuer AND wrong subject still reports the issuer.
  ExpectRefused(MatchFederatedCredential(app, {other, "someone-else", {"api://other"}}), 700211, other);
}

TEST(FederatedCredentialMatcherTest, SubjectMismatch) {
  auto app = AppWith({Fic("fic", kIssuer, kSubject, kExchange)});
  ExpectRefused(MatchFederatedCredential(app, {kIssuer, "someone-else", {kExchange}}), 700213, "someone-else");
  // Subject before audience.
  ExpectRefused(MatchFederatedCredential(app, {kIssuer, "someone-else", {"api://other"}}), 700213, "someone-else");
}

TEST(FederatedCredentialMatcherTest, AudienceMismatch) {
  auto app = AppWith({Fic("fic", kIssuer, kSubject, kExchange)});
  ExpectRefused(MatchFederatedCredential(app, {kIssuer, kSubject, {"api://other"}}), 700212, "api://other");
  ExpectRefused(MatchFederatedCredential(app, {kIssuer, kSubject, {}}), 700212, "");
}

TEST(FederatedCredentialMatcherTest, ComparisonsAreCaseSensitive) {
  auto app = AppWith({Fic("fic", kIssuer, "repo:Org/Repo:ref:refs/heads/main", kExchange)});
  const std::string subject = "repo:Org/Repo:ref:refs/heads/main";
  ASSERT_TRUE(MatchFederatedCredential(app, {kIssuer, subject, {kExchange}}).ok());

  std::string upper_issuer = "HTTPS://login.microsoftonline.com/4a5b6c7d-0000-4000-8000-000000000001/v2.0";
  ExpectRefused(MatchFederatedCredential(app, {upper_issuer, subject, {kExchange}}), 700211, upper_issuer);
  ExpectRefused(MatchFederatedCredential(app, {std::string(kIssuer) + "/", subject, {kExchange}}), 700211,
                std::string(kIssuer) + "/");
  ExpectRefused(MatchFederatedCredential(app, {kIssuer, "repo:org/repo:ref:refs/heads/main", {kExchange}}), 700213,
                "repo:org/repo:ref:refs/heads/main");
  ExpectRefused(MatchFederatedCredential(app, {kIssuer, subject, {"api://azureadtokenexchange"}}), 700212,
                "api://azureadtokenexchange");
}

TEST(FederatedCredentialMatcherTest, ChoosesTheCredentialMatchingSubject) {
  auto app = AppWith({Fic("a", kIssuer, "subject-a", kExchange), Fic("b", kIssuer, "subject-b", kExchange),
                      Fic("c", "https://token.actions.githubusercontent.com", "subject-c", kExchange)});
  auto r = MatchFederatedCredential(app, {kIssuer, "subject-b", {kExchange}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "b");
  r = MatchFederatedCredential(app, {"https://token.actions.githubusercontent.com", "subject-c", {kExchange}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "c");
}

TEST(FederatedCredentialMatcherTest, SubjectOnlyCountsUnderAMatchingIssuer) {
  // "subject-c" exists, but only on a credential for another issuer.
  auto app = AppWith({Fic("a", kIssuer, "subject-a", kExchange),
                      Fic("c", "https://token.actions.githubusercontent.com", "subject-c", kExchange)});
  ExpectRefused(MatchFederatedCredential(app, {kIssuer, "subject-c", {kExchange}}), 700213, "subject-c");
}

TEST(FederatedCredentialMatcherTest, ChoosesTheCredentialMatchingAudience) {
  auto app = AppWith({Fic("exchange", kIssuer, kSubject, kExchange), Fic("custom", kIssuer, kSubject, "api://custom")});
  auto r = MatchFederatedCredential(app, {kIssuer, kSubject, {"api://custom"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "custom");
  // An assertion may carry several audiences; one matching is enough.
  r = MatchFederatedCredential(app, {kIssuer, kSubject, {"api://unrelated", kExchange}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "exchange");
}

}  // namespace
}  // namespace crosskey::token
