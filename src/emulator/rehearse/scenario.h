#pragma once
// A rehearsal scenario (fixtures/scenarios/**.json, README "Rehearse a revocation"): the
// fixture to start from, the consumer to watch, check intervals, and steps — revoke/restore
// one of the eight revocation paths, advance the emulator clock, write/read consumer data,
// and expectations on the consumer's state.
// Thread-safety: value types.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/common/status.h"

namespace crosskey::rehearse {

// The eight revocation paths of the cross-tenant CMK chain (path 6 has two forms).
inline const std::vector<std::string>& RevocationPaths() {
  static const std::vector<std::string> kPaths = {"key-disabled", "key-deleted",  "key-purged",  "key-expired",
                                                  "role-removed", "sp-disabled",  "sp-deleted",  "fic-removed",
                                                  "uami-deleted"};
  return kPaths;
}

enum class StepKind { kRevoke, kRestore, kAdvance, kCheck, kWrite, kRead, kExpect, kRevalidate };

struct Step {
  StepKind kind = StepKind::kExpect;
  std::string consumer;        // defaults to the scenario's
  std::string path;            // revoke/restore: one of RevocationPaths()
  int64_t seconds = 0;         // advance
  std::string item = "default";  // write/read
  std::string data;            // write: the bytes; read: expected bytes (expect_data)
  bool expect_data = false;
  std::string expect_state;    // expect: consumer state (Healthy, Inaccessible, Revoked, Online)
  std::string expect_error;    // expect/read/revoke/restore: an error code or text the outcome must carry
  std::string note;            // free text shown on the timeline
  std::string Describe() const;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string file;      // where it was read from
  std::string fixture;   // absolute or relative-to-cwd path; empty: keep the emulator's state
  std::string consumer;  // the default consumer (name or ARM id)
  nlohmann::json settings;  // POST /_emulator/consumers/settings body, or null
  std::vector<Step> steps;
};

// "90", "90s", "10m", "2h", "7d" → seconds. nullopt when unreadable.
std::optional<int64_t> ParseDuration(const nlohmann::json& value);

// Errors: InvalidScenario with the JSON path of the offending field. Relative fixture paths
// are resolved against `file`'s directory.
StatusOr<Scenario> ParseScenario(const nlohmann::json& doc, const std::string& file);

}  // namespace crosskey::rehearse
