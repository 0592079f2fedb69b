#pragma once
// Runs a scenario against an emulator and keeps its timeline: for every step the time on the
// emulator clock, what was done, the consumer's state afterwards (GET /_emulator/consumers,
// which runs the checks that are due, as the platform would have), the error it reports, and
// whether the step's expectation held.
// Thread-safety: one thread per Rehearsal.
#include <ostream>

#include "emulator/rehearse/planes.h"
#include "emulator/rehearse/revocations.h"
#include "emulator/rehearse/scenario.h"

namespace crosskey::rehearse {

class Rehearsal {
 public:
  Rehearsal(ApiClient* client, const std::string& domain) : planes_(client, domain), revocations_(&planes_) {}

  // The timeline: {"scenario", "description", "file", "passed", "startEpoch", "steps": [
  //   {"index", "step", "consumer", "epoch", "time", "elapsedSeconds", "state", "error",
  //    "tokenExpiresEpoch", "detail", "ok"}]}. `fixture_json`: the fixture's content when the
  // scenario names one (loaded through POST /_emulator/state first).
  Json Run(const Scenario& scenario, const Json& fixture_json);

  // The human-readable timeline.
  static void Print(const Json& timeline, std::ostream& out);

 private:
  StatusOr<ConsumerView> Consumer(const std::string& ref);
  // Runs one step; false with *detail when it (or its expectation) failed.
  bool Do(const Step& step, std::string* detail);
  bool ExpectError(const std::string& expected, const std::string& seen, std::string* detail) const;

  Planes planes_;
  Revocations revocations_;
};

// "T+1h05m" for a number of seconds.
std::string Elapsed(int64_t seconds);

}  // namespace crosskey::rehearse
