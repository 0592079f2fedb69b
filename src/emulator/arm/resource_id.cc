#include "emulator/arm/resource_id.h"

#include "emulator/common/text.h"

namespace crosskey::arm {

std::string CanonicalSegment(const std::string& segment) {
  static const char* kKnown[] = {"Microsoft.KeyVault",
                                 "vaults",
                                 "keys",
                                 "Microsoft.ManagedIdentity",
                                 "userAssignedIdentities",
                                 "federatedIdentityCredentials",
                                 "Microsoft.Authorization",
                                 "roleAssignments",
                                 "roleDefinitions",
                                 "resourceGroups",
                                 "subscriptions",
                                 "Microsoft.Storage",
                                 "storageAccounts",
                                 "Microsoft.Compute",
                                 "diskEncryptionSets",
                                 "disks",
                                 "Microsoft.DocumentDB",
                                 "databaseAccounts",
                                 "Microsoft.Sql",
                                 "servers",
                                 "databases",
                                 "encryptionProtector",
                                 "keys",
                                 "providers",
                                 "Microsoft.Resources"};
  for (const char* k : kKnown) {
    if (EqualsIgnoreCase(segment, k)) return k;
  }
  return segment;
}

std::optional<ParsedId> ParseResourceId(const std::string& path) {
  auto parts = Split(TrimSlashes(path), '/');
  if (parts.size() < 2 || !EqualsIgnoreCase(parts[0], "subscriptions") || parts[1].empty()) return std::nullopt;
  ParsedId id;
  id.subscription_id = ToLower(parts[1]);
  size_t i = 2;
  if (i == parts.size()) return id;
  if (!EqualsIgnoreCase(parts[i], "resourceGroups") || i + 1 >= parts.size() || parts[i + 1].empty()) {
    return std::nullopt;
  }
  id.resource_group = parts[i + 1];
  i += 2;
  if (i == parts.size()) return id;
  if (!EqualsIgnoreCase(parts[i], "providers") || i + 1 >= parts.size()) return std::nullopt;
  id.provider = CanonicalSegment(parts[i + 1]);
  i += 2;
  if (i >= parts.size() || (parts.size() - i) % 2 != 0) return std::nullopt;
  for (; i < parts.size(); i += 2) {
    if (parts[i].empty() || parts[i + 1].empty()) return std::nullopt;
    id.segments.emplace_back(CanonicalSegment(parts[i]), parts[i + 1]);
  }
  return id;
}

std::string ParsedId::Type() const {
  if (resource_group.empty()) return "";
  if (provider.empty()) return "Microsoft.Resources/resourceGroups";
  std::string t = provider;
  for (const auto& [type, _] : segments) t += "/" + type;
  return t;
}

std::string ParsedId::Name() const {
  if (!segments.empty()) return segments.back().second;
  if (!resource_group.empty()) return resource_group;
  return subscription_id;
}

std::string ParsedId::GroupId() const {
  return "/subscriptions/" + subscription_id + "/resourceGroups/" + resource_group;
}

std::string ParsedId::Canonical() const {
  std::string out = "/subscriptions/" + subscription_id;
  if (resource_group.empty()) return out;
  out += "/resourceGroups/" + resource_group;
  if (provider.empty()) return out;
  out += "/providers/" + provider;
  for (const auto& [type, name] : segments) out += "/" + type + "/" + name;
  return out;
}

std::string ParsedId::Parent() const {
  ParsedId p = *this;
  if (!p.segments.empty()) {
    p.segments.pop_back();
    if (p.segments.empty()) p.provider.clear();
  } else if (!p.resource_group.empty()) {
    p.resource_group.clear();
  }
  return p.Canonical();
}

}  // namespace crosskey::arm
