// Clock: the only source of "now". Production uses SystemClock; tests inject a ManualClock
// and run a 24-hour trade in microseconds.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace base {

using TimePoint = std::chrono::system_clock::time_point;
using Duration = std::chrono::microseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time. Thread-safe.
  virtual TimePoint Now() const = 0;
  int64_t NowSeconds() const;  // Unix seconds
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = FromUnixSeconds(1700000000)) : m_now_us(ToMicros(start)) {}
  TimePoint Now() const override { return TimePoint(std::chrono::microseconds(m_now_us.load())); }
  void Advance(Duration d) { m_now_us += d.count(); }
  void Set(TimePoint t) { m_now_us = ToMicros(t); }

  static TimePoint FromUnixSeconds(int64_t s) { return TimePoint(std::chrono::seconds(s)); }

 private:
  static int64_t ToMicros(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  }
  std::atomic<int64_t> m_now_us;
};

}  // namespace base
