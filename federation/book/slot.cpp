#include "federation/book/slot.h"

namespace federation {

std::string_view SlotStatusName(SlotStatus status) {
  switch (status) {
    case SlotStatus::kOnline: return "online";
    case SlotStatus::kSlow: return "slow";
    case SlotStatus::kOffline: return "offline";
  }
  return "offline";
}

SlotStatus StatusOf(const CoordinatorSlot& s, int64_t now_ms, int64_t slow_after_ms) {
  if (s.updated_ms == 0 || !s.last_error.empty()) return SlotStatus::kOffline;
  if (s.latency_ms > slow_after_ms) return SlotStatus::kSlow;
  if (s.in_flight_since_ms != 0 && now_ms - s.in_flight_since_ms > slow_after_ms) return SlotStatus::kSlow;
  return SlotStatus::kOnline;
}

int64_t DataAgeSeconds(const CoordinatorSlot& s, int64_t now_ms) {
  if (s.updated_ms == 0) return -1;
  return now_ms > s.updated_ms ? (now_ms - s.updated_ms) / 1000 : 0;
}

}  // namespace federation
