#include "emulator/server/options.h"

#include <cstdlib>

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
  --bind ADDR                 listen address (default 127.0.0.1)
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

std::optional<Options> ParseOptions(int argc, char** argv, std::string* error, bool* help) {
  Options o;
  int i = 1;
  if (i < argc && argv[i][0] != '-') o.command = argv[i++];
  if (o.command != "serve" && o.command != "hosts" && o.command != "env") {
    *error = "unknown command '" + o.command + "'";
    return std::nullopt;
  }
  auto value = [&](const std::string& flag) -> std::optional<std::string> {
    if (i + 1 >= argc) {
      *error = flag + " needs a value";
      return std::nullopt;
    }
    return std::string(argv[++i]);
  };
  auto number = [&](const std::string& flag, int* out, int min, int max) {
    auto v = value(flag);
    if (!v) return false;
    char* end = nullptr;
    long n = std::strtol(v->c_str(), &end, 10);
    if (*end != '\0' || n < min || n > max) {
      *error = flag + " must be a number in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
      return false;
    }
    *out = static_cast<int>(n);
    return true;
  };
  for (; i < argc; ++i) {
    std::string flag = argv[i];
    std::optional<std::string> v;
    if (flag == "--help" || flag == "-h") {
      *help = true;
      return o;
    } else if (flag == "--bind") {
      if (!(v = value(flag))) return std::nullopt;
      o.bind = *v;
    } else if (flag == "--port") {
      if (!number(flag, &o.port, 0, 65535)) return std::nullopt;
    } else if (flag == "--mi-port") {
      if (!number(flag, &o.mi_port, 0, 65535)) return std::nullopt;
    } else if (flag == "--data-dir") {
      if (!(v = value(flag))) return std::nullopt;
      o.data_dir = *v;
    } else if (flag == "--fixture") {
      if (!(v = value(flag))) return std::nullopt;
      o.fixture = *v;
    } else if (flag == "--domain") {
      if (!(v = value(flag))) return std::nullopt;
      o.domain = *v;
    } else if (flag == "--cert") {
      if (!(v = value(flag))) return std::nullopt;
      o.cert_file = *v;
    } else if (flag == "--key") {
      if (!(v = value(flag))) return std::nullopt;
      o.key_file = *v;
    } else if (flag == "--listen-443") {
      o.listen_443 = true;
    } else if (flag == "--bench-routes") {
      o.bench_routes = true;
    } else if (flag == "--mi-header") {
      if (!(v = value(flag))) return std::nullopt;
      o.mi_header = *v;
    } else if (flag == "--token-lifetime") {
      if (!number(flag, &o.token_lifetime, 60, 86400 * 7)) return std::nullopt;
    } else if (flag == "--rbac-propagation-delay") {
      if (!number(flag, &o.rbac_propagation_delay, 0, 86400)) return std::nullopt;
    } else if (flag == "--threads") {
      if (!number(flag, &o.threads, 2, 1024)) return std::nullopt;
    } else if (flag == "--admin-token") {
      if (!(v = value(flag))) return std::nullopt;
      o.admin_token = *v;
    } else if (flag == "--log-format") {
      if (!(v = value(flag))) return std::nullopt;
      if (*v != "text" && *v != "json") {
        *error = "--log-format is text or json";
        return std::nullopt;
      }
      o.log_format = *v;
    } else if (flag == "--log-level") {
      if (!(v = value(flag))) return std::nullopt;
      if (*v != "warn" && *v != "info") {
        *error = "--log-level is warn or info";
        return std::nullopt;
      }
      o.log_level = *v;
    } else if (flag == "--vault") {
      if (!(v = value(flag))) return std::nullopt;
      o.vaults.push_back(*v);
    } else {
      *error = "unknown flag '" + flag + "'";
      return std::nullopt;
    }
  }
  if (o.cert_file.empty() != o.key_file.empty()) {
    *error = "--cert and --key go together";
    return std::nullopt;
  }
  return o;
}

}  // namespace crosskey::server
