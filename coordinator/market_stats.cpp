// /api/info/'s market statistics, as RoboSats computes them (api/views.py InfoView.get and
// api/utils.py compute_avg_premium / weighted_median).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "coordinator/engine.h"

namespace coordinator {

double WeightedMedian(std::vector<std::pair<double, double>> vw) {
  if (vw.empty()) return 0;
  if (vw.size() == 1) return vw.front().first;
  // numpy: sort by value; quantile positions cumsum(w) − w/2, shifted to start at 0 and scaled
  // to end at 1; then np.interp(0.5, positions, values).
  std::stable_sort(vw.begin(), vw.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<double> pos(vw.size());
  double cum = 0;
  for (size_t i = 0; i < vw.size(); ++i) {
    cum += vw[i].second;
    pos[i] = cum - 0.5 * vw[i].second;
  }
  const double first = pos.front();
  for (double& p : pos) p -= first;
  const double last = pos.back();
  if (!(last > 0)) return vw.front().first;
  for (double& p : pos) p /= last;
  // np.interp: the first segment whose right end reaches 0.5.
  for (size_t i = 1; i < pos.size(); ++i) {
    if (pos[i] >= 0.5) {
      const double span = pos[i] - pos[i - 1];
      if (!(span > 0)) return vw[i].first;
      const double t = (0.5 - pos[i - 1]) / span;
      return vw[i - 1].first + t * (vw[i].first - vw[i - 1].first);
    }
  }
  return vw.back().first;
}

MarketStats ComputeMarketStats(Store& store, int64_t now) {
  constexpr int kBtc = 1000;  // RoboSats excludes BTC (swaps) from premiums and daily volume
  MarketStats s;
  s.active_robots_today = store.CountRobotsSeenSince(now - ((now % 86400) + 86400) % 86400);
  auto premium_and_volume = [](const std::vector<MarketTick>& ticks, double* volume) {
    std::vector<std::pair<double, double>> vw;
    double total = 0;
    for (const auto& t : ticks) {
      if (t.currency == kBtc) continue;
      const double v = std::strtod(t.volume.c_str(), nullptr);
      vw.emplace_back(std::strtod(t.premium.c_str(), nullptr), v);
      total += v;
    }
    if (volume) *volume = total;
    return WeightedMedian(std::move(vw));
  };
  auto last_day = store.Ticks(now - 86400 + 1, std::numeric_limits<int64_t>::max(), 1000000);
  auto all = store.Ticks(0, std::numeric_limits<int64_t>::max(), 10000000);
  if (!last_day.empty()) {
    s.last_day_nonkyc_btc_premium = premium_and_volume(last_day, &s.last_day_volume);
  } else {
    s.last_day_nonkyc_btc_premium = premium_and_volume(all, nullptr);
  }
  for (const auto& t : all) s.lifetime_volume += std::strtod(t.volume.c_str(), nullptr);
  auto round_to = [](double v, int decimals) {
    const double f = std::pow(10.0, decimals);
    return std::nearbyint(v * f) / f;
  };
  s.last_day_nonkyc_btc_premium = round_to(s.last_day_nonkyc_btc_premium, 2);
  s.last_day_volume = round_to(s.last_day_volume, 8);
  s.lifetime_volume = round_to(s.lifetime_volume, 8);
  return s;
}

}  // namespace coordinator
