// The benchmark's routes, served only with --bench-routes (scripts/bench): the HTTP ceiling on
// the same listener, TLS and conversion as every plane, a fixed body shaped like an unwrapKey
// answer, and no plane touched. /bench/spin?us=N first burns N microseconds of this thread's
// CPU (at most 100,000): an operation of known cost with no plane code, so the benchmark can
// tell the HTTP stack's share from the plane's. /bench/crypto?op=NAME first runs that
// operation's raw crypto (bench_crypto.h).
#include <algorithm>
#include <cstdlib>
#include <ctime>

#include "emulator/common/http/wire.h"
#include "emulator/server/bench_crypto.h"
#include "emulator/server/control_errors.h"
#include "emulator/server/control/control_call.h"

namespace crosskey::server {
namespace {
// Burns `us` microseconds of the calling thread's CPU time (not wall time: a preempted thread
// still does all of its work).
void SpinCpu(long us) {
  if (us <= 0) return;
  auto cpu_ns = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
  };
  long long until = cpu_ns() + us * 1000LL;
  volatile unsigned sink = 0;
  while (cpu_ns() < until) {
    for (int i = 0; i < 64; i++) sink = sink + static_cast<unsigned>(i);
  }
}
}  // namespace

const wire::RouteTable<ControlHandler>& BenchRouteTable() {
  using wire::Writes;
  static const wire::RouteTable<ControlHandler> kTable({
      {"GET", "bench/empty", "benchEmpty", "", Writes::kNo, BenchEmpty},
      {"POST", "bench/empty", "benchEmpty", "", Writes::kNo, BenchEmpty},
      {"GET", "bench/spin", "benchSpin", "", Writes::kNo, BenchSpin},
      {"POST", "bench/spin", "benchSpin", "", Writes::kNo, BenchSpin},
      {"GET", "bench/crypto", "benchCrypto", "", Writes::kNo, BenchCrypto},
      {"POST", "bench/crypto", "benchCrypto", "", Writes::kNo, BenchCrypto},
  });
  return kTable;
}

StatusOr<HttpResponse> BenchEmpty(const ControlCall&) {
  static const std::string kBody =
      R"({"kid":"https://bench.vault.crosskey.test/keys/empty/00000000000000000000000000000000",)"
      R"("value":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})";
  return wire::Text(200, "application/json; charset=utf-8", kBody);
}

StatusOr<HttpResponse> BenchSpin(const ControlCall& call) {
  SpinCpu(std::min<long>(std::strtol(call.request.Query("us").c_str(), nullptr, 10), 100000));
  return BenchEmpty(call);
}

StatusOr<HttpResponse> BenchCrypto(const ControlCall& call) {
  if (!RunBenchCrypto(call.request.Query("op"))) {
    return control_errors::InvalidParameter("op must be rsa2048.wrap, rsa2048.unwrap, a256kw.wrap or rs256.sign_verify");
  }
  return BenchEmpty(call);
}

}  // namespace crosskey::server
