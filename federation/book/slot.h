// What federationd knows of one coordinator: the last good answers of its /api/info/,
// /api/limits/ and /api/book/ (kept, with their age, while it is unreachable), and how its
// recent fetches went. Immutable once published: the fetcher replaces a coordinator's slot as a
// whole when that coordinator's round ends, never waiting for the others.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "federation/book/book_order.h"

namespace federation {

struct CoordinatorSlot {
  std::string short_alias;
  std::string url;  // where it is fetched (base URL, no trailing slash)
  // The last good answers, all three from the same round; null until the first good round.
  std::shared_ptr<const std::vector<BookOrder>> orders;
  std::shared_ptr<const nlohmann::json> info;
  std::shared_ptr<const nlohmann::json> limits;
  int64_t updated_ms = 0;          // wall clock (Unix ms) when that round ended; 0 = never
  int64_t attempted_ms = 0;        // wall clock when the last round ended, good or not
  int64_t latency_ms = -1;         // the last round, from its start to its last answer
  int64_t latency_us = -1;         // the same in microseconds (a loopback round can take < 1 ms)
  std::string last_error;          // why the last round failed; "" if it succeeded
  int64_t in_flight_since_ms = 0;  // wall clock when the round under way started; 0 = idle
  uint64_t rounds = 0;             // rounds ended
  uint64_t good_rounds = 0;
};

using SlotList = std::vector<std::shared_ptr<const CoordinatorSlot>>;

enum class SlotStatus {
  kOnline,   // the last round succeeded within slow_after
  kSlow,     // the last round succeeded but took longer than slow_after, or one has been
             // under way for longer than that
  kOffline,  // the last round failed, or none has succeeded yet
};
std::string_view SlotStatusName(SlotStatus status);  // "online", "slow", "offline"

SlotStatus StatusOf(const CoordinatorSlot& slot, int64_t now_ms, int64_t slow_after_ms);

// Whole seconds since the data was fetched; -1 if there is none.
int64_t DataAgeSeconds(const CoordinatorSlot& slot, int64_t now_ms);

}  // namespace federation
