#include "federation/book/joint_book.h"

#include <algorithm>

namespace federation {

std::vector<MatchedOrder> SelectOrders(const std::vector<const CoordinatorSlot*>& slots, const BookFilter& filter,
                                       int64_t now_ms) {
  std::vector<MatchedOrder> out;
  size_t total = 0;
  for (const auto* s : slots) total += s->orders ? s->orders->size() : 0;
  out.reserve(total);
  const int64_t now_s = now_ms / 1000;
  for (const auto* s : slots) {
    if (!s->orders) continue;
    if (!filter.coordinator.empty() && filter.coordinator != s->short_alias) continue;
    for (const auto& o : *s->orders) {
      if (o.expires_at && *o.expires_at <= now_s) continue;
      if (Matches(filter, o, s->short_alias)) out.push_back({&o, s});
    }
  }
  return out;
}

std::string OrdersJson(const std::vector<MatchedOrder>& orders, int64_t now_ms, int64_t slow_after_ms) {
  size_t bytes = 2;
  for (const auto& m : orders) bytes += m.order->json_open.size() + 40;
  std::string out;
  out.reserve(bytes);
  out += '[';
  const CoordinatorSlot* last = nullptr;
  std::string tail;  // the per-coordinator suffix, computed once per coordinator
  for (size_t i = 0; i < orders.size(); ++i) {
    const auto& m = orders[i];
    if (m.slot != last) {
      last = m.slot;
      const bool stale = StatusOf(*m.slot, now_ms, slow_after_ms) == SlotStatus::kOffline;
      tail = std::string(",\"stale\":") + (stale ? "true" : "false") +
             ",\"data_age_s\":" + std::to_string(DataAgeSeconds(*m.slot, now_ms)) + "}";
    }
    if (i) out += ',';
    out += m.order->json_open;
    out += tail;
  }
  out += ']';
  return out;
}

namespace {

double Num(const nlohmann::json& info, const char* key) {
  auto it = info.find(key);
  if (it == info.end()) return 0;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    try {
      return std::stod(it->get<std::string>());
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

struct Version {
  int major = 0, minor = 0, patch = 0;
  auto operator<=>(const Version&) const = default;
};

Version VersionOf(const nlohmann::json& info) {
  Version v;
  auto it = info.find("version");
  if (it == info.end() || !it->is_object()) return v;
  v.major = static_cast<int>(Num(*it, "major"));
  v.minor = static_cast<int>(Num(*it, "minor"));
  v.patch = static_cast<int>(Num(*it, "patch"));
  return v;
}

}  // namespace

nlohmann::json AggregateStats(const std::vector<const CoordinatorSlot*>& slots, int64_t now_ms,
                              int64_t slow_after_ms) {
  static const char* kSums[] = {"num_public_buy_orders", "num_public_sell_orders", "book_liquidity",
                                "last_day_volume", "lifetime_volume"};
  double sums[5] = {0, 0, 0, 0, 0};
  double premium_x_volume = 0, volume = 0, active = 0;
  Version highest;
  int online = 0;
  for (const auto* s : slots) {
    if (StatusOf(*s, now_ms, slow_after_ms) != SlotStatus::kOffline) ++online;
    if (!s->info || !s->info->is_object()) continue;
    const auto& info = *s->info;
    for (int i = 0; i < 5; ++i) sums[i] += Num(info, kSums[i]);
    const double v = Num(info, "last_day_volume");
    premium_x_volume += Num(info, "last_day_nonkyc_btc_premium") * v;
    volume += v;
    active = std::max(active, Num(info, "active_robots_today"));
    highest = std::max(highest, VersionOf(info));
  }
  nlohmann::json out;
  out["num_public_buy_orders"] = static_cast<int64_t>(sums[0]);
  out["num_public_sell_orders"] = static_cast<int64_t>(sums[1]);
  out["book_liquidity"] = static_cast<int64_t>(sums[2]);
  out["active_robots_today"] = static_cast<int64_t>(active);
  // RoboSats' weightedMean divides by the summed weights (NaN for all-zero volumes); 0 here.
  out["last_day_nonkyc_btc_premium"] = volume > 0 ? premium_x_volume / volume : 0.0;
  out["last_day_volume"] = sums[3];
  out["lifetime_volume"] = sums[4];
  out["version"] = {{"major", highest.major}, {"minor", highest.minor}, {"patch", highest.patch}};
  out["onlineCoordinators"] = online;
  out["totalCoordinators"] = slots.size();
  return out;
}

}  // namespace federation
