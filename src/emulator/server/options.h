#pragma once
// Command-line options of `crosskey serve|hosts|env`.
// Thread-safety: value type.
#include <optional>
#include <string>
#include <vector>

namespace crosskey::server {

struct Options {
  std::string command = "serve";
  std::string bind = "127.0.0.1";
  std::string mi_bind = "127.0.0.1";  // the managed-identity listener: loopback unless asked
  int port = 8443;
  int mi_port = 8080;
  std::string data_dir;
  std::string fixture;
  std::string domain = "crosskey.test";
  std::string cert_file;
  std::string key_file;
  bool listen_443 = false;
  std::string mi_header;
  std::string admin_token;  // required by the control API when set  // IDENTITY_HEADER secret; generated when empty
  int token_lifetime = 3599;
  int rbac_propagation_delay = 0;
  int rbac_grant_delay = 0;
  int operation_delay = 0;  // ARM long-running operations, on the emulator clock
  int threads = 64;
  std::string log_format = "text";  // json: also echo audit records to stdout
  std::string log_level = "warn";   // info: one line per request on stderr
  bool bench_routes = false;  // serve POST|GET /_emulator/bench/empty and /bench/spin?us=N (benchmark ceilings)
  std::vector<std::string> vaults;  // `hosts`: extra vault names
};

// nullopt with *error set on a bad flag; *help set for --help.
std::optional<Options> ParseOptions(int argc, char** argv, std::string* error, bool* help);
std::string UsageText();

}  // namespace crosskey::server
