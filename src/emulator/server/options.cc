#include "emulator/server/options.h"

#include <cstdlib>
#include <utility>

namespace crosskey::server {

std::string UsageText() {
  return R"(usage: crosskey <command> [flags]

commands:
  serve   run the emulator (default)
  hosts   print /etc/hosts lines for the emulator's names (add --vault NAME per vault)
  env     print the environment a client needs (reads --data-dir for ca.pem and mi-header)
  rehearse [flags] SCENARIO...
          run revocation rehearsal scenarios (see `crosskey rehearse --help`)

flags:
  --bind ADDR                 HTTPS listen address (default 127.0.0.1); a non-loopback address needs
                              --admin-token, or --data-dir (a token is generated into DIR/admin-token)
  --mi-bind ADDR              managed-identity listen address (default 127.0.0.1, even with --bind)
  --port N                    HTTPS port for every plane (default 8443; 0 = pick a free one)
  --mi-port N                 plain-HTTP managed-identity port (default 8080; 0 = pick)
  --data-dir DIR              keep the CA, server certificate and MI secret here (0700)
  --fixture FILE              startup fixture (JSON, see README \"Fixtures\"); default: two tenants with admins
  --domain D                  DNS suffix: login.D, graph.D, management.D, {vault}.vault.D (default crosskey.test)
  --cert FILE --key FILE      serve your own certificate instead of the generated one
  --listen-443                also serve every plane on port 443 (azure-cli needs login.microsoftonline.com:443)
  --mi-header SECRET          IDENTITY_HEADER value (default: random, persisted in the data dir)
  --token-lifetime SECONDS    access-token lifetime (default 3599)
  --rbac-propagation-delay S  seconds a removed role assignment keeps granting (default 0)
  --rbac-grant-delay S        seconds a new role assignment takes to start granting (default 0)
  --operation-delay S         seconds an accepted ARM long-running operation stays InProgress (default 0)
  --threads N                 HTTP worker threads (default 64)
  --bench-routes              also serve GET|POST /_emulator/bench/empty, a fixed body from an empty
                              handler (the HTTP ceiling of scripts/bench), /_emulator/bench/spin?us=N,
                              the same after N microseconds of CPU (at most 100000), and
                              /_emulator/bench/crypto?op=rsa2048.wrap|rsa2048.unwrap|a256kw.wrap|
                              rs256.sign_verify, the same after that raw OpenSSL operation; off by default
  --admin-token TOKEN         the control API (but /health and /ca.pem) needs Authorization: Bearer TOKEN
  --log-format text|json      json: also write every audit record to stdout (default text)
  --log-level warn|info       info: one request line (method, host, path, status, ms, request id) on stderr
  --vault NAME                (hosts) also print a line for this vault
)";
}

namespace {
// Flags that take a string as is.
struct TextFlag {
  const char* name;
  std::string Options::*field;
};
constexpr TextFlag kTextFlags[] = {
    {"--bind", &Options::bind},         {"--mi-bind", &Options::mi_bind},         {"--data-dir", &Options::data_dir},   {"--fixture", &Options::fixture},
    {"--domain", &Options::domain},     {"--cert", &Options::cert_file},      {"--key", &Options::key_file},
    {"--mi-header", &Options::mi_header}, {"--admin-token", &Options::admin_token}};

// Flags that take an integer within bounds.
struct NumberFlag {
  const char* name;
  int Options::*field;
  int min, max;
};
constexpr NumberFlag kNumberFlags[] = {{"--port", &Options::port, 0, 65535},
                                       {"--mi-port", &Options::mi_port, 0, 65535},
                                       {"--token-lifetime", &Options::token_lifetime, 60, 86400 * 7},
                                       {"--rbac-propagation-delay", &Options::rbac_propagation_delay, 0, 86400},
                                       {"--rbac-grant-delay", &Options::rbac_grant_delay, 0, 86400},
                                       {"--operation-delay", &Options::operation_delay, 0, 86400},
                                       {"--threads", &Options::threads, 2, 1024}};

// Flags that take one of two words.
struct ChoiceFlag {
  const char* name;
  std::string Options::*field;
  const char* first;
  const char* second;
};
constexpr ChoiceFlag kChoiceFlags[] = {{"--log-format", &Options::log_format, "text", "json"},
                                       {"--log-level", &Options::log_level, "warn", "info"}};

// Walks argv past the program name; a flag's value is the argument after it. Errors land in *error.
class FlagReader {
 public:
  FlagReader(int argc, char** argv, std::string* error) : argc_(argc), argv_(argv), error_(error) {}

  bool More() const { return i_ < argc_; }
  const char* Peek() const { return argv_[i_]; }
  std::string Next() { return argv_[i_++]; }
  bool Value(const std::string& flag, std::string* out) {
    if (!More()) {
      *error_ = flag + " needs a value";
      return false;
    }
    *out = Next();
    return true;
  }
  bool Number(const std::string& flag, int* out, int min, int max) {
    std::string v;
    if (!Value(flag, &v)) return false;
    char* end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (*end != '\0' || n < min || n > max) {
      *error_ = flag + " must be a number in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
      return false;
    }
    *out = static_cast<int>(n);
    return true;
  }
  bool Choice(const std::string& flag, std::string* out, const char* first, const char* second) {
    std::string v;
    if (!Value(flag, &v)) return false;
    if (v != first && v != second) {
      *error_ = flag + " is " + first + " or " + second;
      return false;
    }
    *out = v;
    return true;
  }
  bool Fail(std::string message) {
    *error_ = std::move(message);
    return false;
  }

 private:
  int argc_;
  char** argv_;
  std::string* error_;
  int i_ = 1;
};

// One flag (and its value); false with the reader's error set when it is unknown or bad.
bool ApplyFlag(const std::string& flag, FlagReader& in, Options* o) {
  for (const auto& f : kTextFlags) {
    if (flag == f.name) return in.Value(flag, &(o->*f.field));
  }
  for (const auto& f : kNumberFlags) {
    if (flag == f.name) return in.Number(flag, &(o->*f.field), f.min, f.max);
  }
  for (const auto& f : kChoiceFlags) {
    if (flag == f.name) return in.Choice(flag, &(o->*f.field), f.first, f.second);
  }
  if (flag == "--listen-443") {
    o->listen_443 = true;
  } else if (flag == "--bench-routes") {
    o->bench_routes = true;
  } else if (flag == "--vault") {
    std::string v;
    if (!in.Value(flag, &v)) return false;
    o->vaults.push_back(v);
  } else {
    return in.Fail("unknown flag '" + flag + "'");
  }
  return true;
}
}  // namespace

std::optional<Options> ParseOptions(int argc, char** argv, std::string* error, bool* help) {
  Options o;
  FlagReader in(argc, argv, error);
  if (in.More() && in.Peek()[0] != '-') o.command = in.Next();
  if (o.command != "serve" && o.command != "hosts" && o.command != "env") {
    *error = "unknown command '" + o.command + "'";
    return std::nullopt;
  }
  while (in.More()) {
    std::string flag = in.Next();
    if (flag == "--help" || flag == "-h") {
      *help = true;
      return o;
    }
    if (!ApplyFlag(flag, in, &o)) return std::nullopt;
  }
  if (o.cert_file.empty() != o.key_file.empty()) {
    *error = "--cert and --key go together";
    return std::nullopt;
  }
  return o;
}

}  // namespace crosskey::server
