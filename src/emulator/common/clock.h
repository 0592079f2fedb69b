#pragma once
// The emulator's single source of time. Every time-dependent rule (token lifetimes, key
// nbf/exp, soft-delete retention) reads it, so tests and rehearsals can shift or freeze it.
// Thread-safety: all methods are safe to call concurrently.
#include <atomic>
#include <cstdint>

namespace crosskey {

class Clock {
 public:
  // Seconds since the Unix epoch on the emulator clock.
  int64_t Now() const;
  // Shift the clock forward (or back, with a negative value).
  void Advance(int64_t seconds);
  // Jump to an absolute epoch second.
  void Set(int64_t epoch_seconds);
  // A frozen clock stays at its current reading until unfrozen.
  void Freeze(bool frozen);
  bool frozen() const { return frozen_.load(); }
  int64_t offset() const { return offset_.load(); }

 private:
  static int64_t SystemNow();
  std::atomic<int64_t> offset_{0};
  std::atomic<bool> frozen_{false};
  std::atomic<int64_t> frozen_at_{0};
};

}  // namespace crosskey
