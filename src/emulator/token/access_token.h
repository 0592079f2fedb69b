#pragma once
// The claims of an access token the emulator issued, as every plane consumes them.
// Thread-safety: value type.
#include <cstdint>
#include <string>

namespace crosskey::token {

struct AccessToken {
  std::string raw_hash;   // SHA-256 of the compact token (correlation and cache key)
  std::string tenant_id;  // tid
  std::string object_id;  // oid
  std::string subject;    // sub
  std::string app_id;     // appid / azp
  std::string audience;   // aud
  std::string issuer;     // iss
  std::string upn;        // users only
  std::string id_type;    // "app" or "user"
  std::string uti;        // unique token id
  int64_t issued_at = 0;
  int64_t not_before = 0;
  int64_t expires_at = 0;
  bool is_user() const { return id_type == "user"; }
};

}  // namespace crosskey::token
