#pragma once
// Small string helpers shared by the planes: case folding, splitting, GUIDs, URL coding.
// Thread-safety: free functions; NewGuid/RandomHex use the CSPRNG and are thread-safe.
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace crosskey {

std::string ToLower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
std::vector<std::string> Split(std::string_view s, char sep);
std::string TrimSlashes(std::string_view s);  // strips leading and trailing '/'

// Random RFC 4122 version-4 GUID, lower-case with dashes.
std::string NewGuid();
// A GUID-shaped id that must be unique, not unpredictable (x-ms-request-id): drawn from a
// per-thread generator seeded from the CSPRNG, so a request costs no RAND_bytes call.
std::string NewRequestId();
// Deterministic GUID (version-5 style layout) from a seed and a name: fixtures get stable ids.
std::string GuidFromName(std::string_view seed, std::string_view name);
bool IsGuid(std::string_view s);
// n random bytes as lower-case hex (Key Vault versions are RandomHex(16)).
std::string RandomHex(size_t bytes);

// Percent-decoding; with plus_as_space '+' becomes ' ' (form bodies and queries).
std::string UrlDecode(std::string_view s, bool plus_as_space);
std::string UrlEncode(std::string_view s);
// Parses "a=b&c=d": names AND values are percent-decoded (JS sends api%2Dversion).
std::map<std::string, std::string> ParseQuery(std::string_view query);

// ISO-8601 UTC with seconds, e.g. 2026-11-22T06:13:18Z (fraction omitted).
std::string IsoTime(long long epoch_seconds);
// RFC 1123 (HTTP Date, Last-Modified): "Sun, 22 Nov 2026 20:20:35 GMT".
std::string HttpDate(long long epoch_seconds);
// The .NET HttpStatusCode name Azure writes for a status ("OK", "Created", "BadRequest", ...);
// "" for one it does not name here.
const char* HttpStatusName(int status);

}  // namespace crosskey
