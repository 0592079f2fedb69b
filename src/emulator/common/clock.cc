#include "emulator/common/clock.h"

#include <chrono>

namespace crosskey {

int64_t Clock::SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t Clock::Now() const {
  if (frozen_.load()) return frozen_at_.load();
  return SystemNow() + offset_.load();
}

void Clock::Advance(int64_t seconds) {
  if (frozen_.load()) frozen_at_.fetch_add(seconds);
  offset_.fetch_add(seconds);
}

void Clock::Set(int64_t epoch_seconds) {
  offset_.store(epoch_seconds - SystemNow());
  if (frozen_.load()) frozen_at_.store(epoch_seconds);
}

void Clock::Freeze(bool frozen) {
  if (frozen && !frozen_.load()) frozen_at_.store(Now());
  if (!frozen && frozen_.load()) offset_.store(frozen_at_.load() - SystemNow());
  frozen_.store(frozen);
}

}  // namespace crosskey
