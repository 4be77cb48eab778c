#include "federation/model/size_limit.h"

#include <charconv>
#include <cmath>

namespace federation {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::optional<int64_t> ParseEstablished(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  auto num = [&](size_t at, size_t n, int& out) {
    auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + n, out);
    return ec == std::errc() && p == s.data() + at + n;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d) || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * 86'400;
}

double SizeLimitSats(bool is_founder, int64_t established_unix, int64_t now_unix) {
  if (is_founder) return kMatureSizeLimitSats;
  constexpr double kAdjustmentMs = 1000.0 * 60 * 60 * 24 * 14;
  const double elapsed_ms = static_cast<double>(now_unix - established_unix) * 1000.0;
  const double adjustments = std::ceil(elapsed_ms / kAdjustmentMs);
  double value = 250'000;
  for (int i = 1; i < adjustments; ++i) {
    value *= 1.3;
    if (i >= 12) return kMatureSizeLimitSats;
  }
  return value;
}

double SizeLimitSats(const CoordinatorEntry& entry, int64_t now_unix) {
  if (entry.badges.is_founder) return kMatureSizeLimitSats;
  auto established = ParseEstablished(entry.established);
  if (!established) return 250'000;
  return SizeLimitSats(false, *established, now_unix);
}

}  // namespace federation
