#pragma once
// Decides whether a presented assertion matches one of an application's federated identity
// credentials, in Entra's order: issuer (700211), subject (700213), audience (700212).
// Comparisons are exact and case-sensitive, as Entra documents.
// Thread-safety: free function.
#include <string>
#include <vector>

#include "emulator/common/status.h"
#include "emulator/graph/directory_objects.h"

namespace crosskey::token {

struct AssertionIdentity {
  std::string issuer;
  std::string subject;
  std::vector<std::string> audiences;
};

// Returns the matching credential. Errors: FicIssuerMismatch, FicSubjectMismatch,
// FicAudienceMismatch.
StatusOr<graph::FederatedCredential> MatchFederatedCredential(const graph::Application& app,
                                                              const AssertionIdentity& assertion);

}  // namespace crosskey::token
