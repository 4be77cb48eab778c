// The simln daemon's clock: system time plus an offset that only grows (POST /control/advance),
// persisted in a small file so that the block height never goes back across a restart.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "config/base/clock.h"
#include "config/base/expected.h"

namespace escrow::simln {

class OffsetClock final : public base::Clock {
 public:
  // Loads the offset from `offset_path` (created on the first Advance); an empty path keeps
  // the offset in memory only. Errors: an unreadable or malformed file.
  static base::Expected<std::unique_ptr<OffsetClock>, std::string> Open(const std::string& offset_path);

  base::TimePoint Now() const override;

  // Moves the clock forward by `by` (REQUIRES: by >= 0) and persists the new offset.
  base::Expected<void, std::string> Advance(std::chrono::seconds by);
  std::chrono::seconds offset() const { return std::chrono::seconds(m_offset_s.load()); }

 private:
  explicit OffsetClock(std::string path, int64_t offset_s) : m_path(std::move(path)), m_offset_s(offset_s) {}
  std::string m_path;
  std::atomic<int64_t> m_offset_s;
};

}  // namespace escrow::simln
