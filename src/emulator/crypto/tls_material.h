#pragma once
// The emulator's own certificate authority and server certificate.
// Thread-safety: free functions; not for concurrent use on the same directory.
#include <optional>
#include <string>
#include <vector>

namespace crosskey::crypto {

struct TlsMaterial {
  std::string ca_cert_pem;
  std::string server_cert_pem;
  std::string server_key_pem;
};

// With dir non-empty: loads ca.pem/ca.key from dir or creates them (ECDSA P-256 CA, 10 years),
// then loads server.pem/server.key if their SANs (recorded in server.names) equal `names`,
// otherwise issues a new ECDSA P-256 server certificate signed by the CA with those SANs
// (entries that parse as IPv4/IPv6 become IP SANs, the rest DNS SANs, wildcards allowed).
// Files are written 0600. With dir empty everything is generated in memory.
// nullopt with *error on I/O or OpenSSL failure.
std::optional<TlsMaterial> LoadOrCreateTlsMaterial(const std::string& dir, const std::vector<std::string>& names,
                                                   std::string* error);

}  // namespace crosskey::crypto
