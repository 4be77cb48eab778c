// The largest order a RoboSats client lets a trader make with a coordinator, from how long the
// coordinator has been in the federation.
//
// RoboSats: frontend/src/models/Coordinator.model.ts (v0.8.6):
//   this.size_limit = value.badges.isFounder ? 21 * 100000000 : calculateSizeLimit(established);
//   function calculateSizeLimit(inputDate) {
//     const numDifficultyAdjustments = Math.ceil((now - inputDate) / (1000 * 60 * 60 * 24 * 14));
//     let value = 250000;
//     for (let i = 1; i < numDifficultyAdjustments; i++) {
//       value *= 1.3;
//       if (i >= 12) return 21 * 100000000;   // after 12 difficulty adjustments: mature
//     }
//     return value;
//   }
// `new Date("YYYY-MM-DD")` is midnight UTC of that day.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "federation/model/entry.h"

namespace federation {

inline constexpr double kMatureSizeLimitSats = 21.0 * 100'000'000;

// Seconds since the epoch of midnight UTC of "YYYY-MM-DD"; nullopt if it is not such a date.
std::optional<int64_t> ParseEstablished(std::string_view date);

// The size limit in sats (not rounded, as the client's number). `now_unix`: seconds since the
// epoch. An entry whose date does not parse gets the JavaScript result of an invalid Date
// (NaN → no loop → 250000).
double SizeLimitSats(const CoordinatorEntry& entry, int64_t now_unix);
double SizeLimitSats(bool is_founder, int64_t established_unix, int64_t now_unix);

}  // namespace federation
