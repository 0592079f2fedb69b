#pragma once
// What the control API asks of the process that owns the live Cloud: the state document,
// loading one, reset to the startup state, and named in-memory snapshots. EmulatorServer
// implements it (a swap replaces the whole Cloud atomically).
// Thread-safety: implementations are safe to call concurrently.
#include <string>

#include <nlohmann/json.hpp>

#include "emulator/common/status.h"

namespace crosskey::server {

class StateControl {
 public:
  virtual ~StateControl() = default;
  virtual nlohmann::json ExportState() const = 0;
  // A state document or a fixture. Errors: InvalidRequest naming what is unreadable.
  virtual Status LoadState(const nlohmann::json& state) = 0;
  // Errors: Internal when the startup state no longer loads.
  virtual Status Reset() = 0;
  // [{"name","time"}...]
  virtual nlohmann::json ListSnapshots() const = 0;
  // {"name","time"}; an empty name gets a generated one. Errors: InvalidParameter (bad name).
  virtual StatusOr<nlohmann::json> TakeSnapshot(const std::string& name) = 0;
  // Errors: NotFound.
  virtual Status DeleteSnapshot(const std::string& name) = 0;
  // Errors: NotFound, Internal.
  virtual Status RestoreSnapshot(const std::string& name) = 0;
};

}  // namespace crosskey::server
