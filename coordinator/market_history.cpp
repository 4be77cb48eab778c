#include "coordinator/market_history.h"

#include <cstdlib>
#include <limits>
#include <map>

#include "coordinator/errors.h"

namespace coordinator {

// RoboSats: /api/ticks/ refuses more than 5000 ticks (1051).
static constexpr size_t kMaxTicks = 5000;

base::Expected<std::unique_ptr<MarketHistory>, std::string> MarketHistory::Open(const std::string& db_path) {
  auto store = Store::Open(db_path);
  if (!store.ok()) return base::Err(store.error());
  return std::make_unique<MarketHistory>(std::move(store.value()));
}

base::Result<nlohmann::json> MarketHistory::Ticks(int64_t start, int64_t end) {
  std::vector<MarketTick> ticks;
  {
    std::lock_guard lock(m_mu);
    ticks = m_store->Ticks(start, end, kMaxTicks + 1);
  }
  if (ticks.size() > kMaxTicks) return Refuse(err::kTooManyTicks);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& k : ticks) {
    list.push_back({{"timestamp", IsoTime(k.timestamp)}, {"currency", k.currency}, {"volume", k.volume},
                    {"price", k.price}, {"premium", k.premium}, {"fee", k.fee}});
  }
  return list;
}

nlohmann::json MarketHistory::Historical() {
  std::vector<MarketTick> ticks;
  {
    std::lock_guard lock(m_mu);
    ticks = m_store->Ticks(0, std::numeric_limits<int64_t>::max(), 1000000);
  }
  std::map<std::string, std::pair<double, int>> days;
  for (const auto& k : ticks) {
    auto& d = days[IsoTime(k.timestamp).substr(0, 10)];
    d.first += std::strtod(k.volume.c_str(), nullptr);
    d.second += 1;
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [day, v] : days) out.push_back({{day, {{"volume", v.first}, {"num_contracts", v.second}}}});
  return out;
}

}  // namespace coordinator
