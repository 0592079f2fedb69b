#include "emulator/token/federated_credential_matcher.h"

#include <algorithm>

#include "emulator/token/errors.h"

namespace crosskey::token {

StatusOr<graph::FederatedCredential> MatchFederatedCredential(const graph::Application& app,
                                                              const AssertionIdentity& assertion) {
  std::vector<const graph::FederatedCredential*> by_issuer;
  for (const auto& f : app.federated_credentials) {
    if (f.issuer == assertion.issuer) by_issuer.push_back(&f);
  }
  if (by_issuer.empty()) return errors::FicIssuerMismatch(assertion.issuer);
  std::vector<const graph::FederatedCredential*> by_subject;
  for (const auto* f : by_issuer) {
    if (f->subject == assertion.subject) by_subject.push_back(f);
  }
  if (by_subject.empty()) return errors::FicSubjectMismatch(assertion.subject);
  for (const auto* f : by_subject) {
    for (const auto& aud : assertion.audiences) {
      if (std::find(f->audiences.begin(), f->audiences.end(), aud) != f->audiences.end()) return *f;
    }
  }
  return errors::FicAudienceMismatch(assertion.audiences.empty() ? "" : assertion.audiences.front());
}

}  // namespace crosskey::token
