#pragma once
// Parsing and canonical formatting of ARM resource ids. Segments are matched
// case-insensitively; known segment names and types come back in Azure's canonical case.
// Thread-safety: free functions.
#include <optional>
#include <string>
#include <vector>

namespace crosskey::arm {

struct ParsedId {
  std::string subscription_id;
  std::string resource_group;  // empty at subscription scope
  std::string provider;        // canonical namespace, e.g. "Microsoft.KeyVault"
  // Type/name pairs below the provider: {"vaults","kv1"}, {"keys","k"}.
  std::vector<std::pair<std::string, std::string>> segments;

  // "Microsoft.KeyVault/vaults" or "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials";
  // "Microsoft.Resources/resourceGroups" for a group, "" for a subscription.
  std::string Type() const;
  std::string Name() const;  // the last name
  std::string GroupId() const;  // /subscriptions/{s}/resourceGroups/{g}
  std::string Canonical() const;
  std::string Parent() const;  // canonical id of the parent resource (or group/subscription)
};

// Parses "/subscriptions/{s}[/resourceGroups/{g}[/providers/{ns}/{type}/{name}[/{type}/{name}...]]]".
// nullopt when the shape is not that.
std::optional<ParsedId> ParseResourceId(const std::string& path);

// Canonical case of a provider namespace or type segment when known, else unchanged.
std::string CanonicalSegment(const std::string& segment);

}  // namespace crosskey::arm
