#pragma once
// Which emulated API a token audience (or a requested scope/resource) designates.
// Thread-safety: free functions.
#include <string>
#include <string_view>

namespace crosskey::token {

enum class Api { kUnknown, kKeyVault, kArm, kGraph, kTokenExchange, kStorage };

// Classifies a resource/audience. Accepts the public Azure names (https://vault.azure.net,
// https://management.core.windows.net/, https://management.azure.com, https://graph.microsoft.com,
// api://AzureADTokenExchange, https://storage.azure.com) and the emulator's own names under
// `domain` (https://vault.{domain}[:port], https://management.{domain}[:port],
// https://graph.{domain}[:port], https://storage.{domain}[:port]), trailing '/' ignored,
// case-insensitive.
Api ClassifyAudience(std::string_view resource, std::string_view domain);

// "https://x/.default" -> "https://x"; "https://x//.default" -> "https://x/"; a plain resource
// is returned unchanged. Extra space-separated scopes (openid profile offline_access) are dropped.
std::string ResourceFromScope(std::string_view scope);

// Issuer strings, as Azure writes them.
std::string V1Issuer(const std::string& tenant_id);  // https://sts.windows.net/{tid}/
std::string V2Issuer(const std::string& tenant_id);  // https://login.microsoftonline.com/{tid}/v2.0

}  // namespace crosskey::token
