#include "federation/book/federation_view.h"

#include <random>

#include "federation/model/lottery.h"
#include "federation/model/size_limit.h"
#include "federation/web/page.h"

namespace federation {

namespace {

std::string IsoMs(int64_t ms) {
  if (ms <= 0) return "";
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

FederationView::FederationView(std::vector<CoordinatorEntry> entries,
                               std::function<std::shared_ptr<const SlotList>()> slots, const base::Clock& clock,
                               ViewOptions options)
    : m_entries(std::move(entries)), m_slots(std::move(slots)), m_clock(clock), m_options(options) {}

int64_t FederationView::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(m_clock.Now().time_since_epoch()).count();
}

std::vector<size_t> FederationView::LotteryOrder(uint64_t seed) const {
  std::vector<LotteryTicket> tickets;
  tickets.reserve(m_entries.size());
  for (const auto& e : m_entries) tickets.push_back({e.short_alias, e.badges.donates_to_dev_fund});
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  auto aliases = FederationLottery(tickets, [&] { return uniform(rng); });
  std::vector<size_t> order;
  order.reserve(aliases.size());
  for (const auto& alias : aliases) {
    for (size_t i = 0; i < m_entries.size(); ++i) {
      if (m_entries[i].short_alias == alias) {
        order.push_back(i);
        break;
      }
    }
  }
  return order;
}

std::vector<ListedCoordinator> FederationView::Listed(const SlotList& slots, uint64_t seed) const {
  std::vector<ListedCoordinator> out;
  for (size_t i : LotteryOrder(seed)) {
    if (i < slots.size()) out.push_back({&m_entries[i], slots[i].get()});
  }
  return out;
}

std::string FederationView::BookJson(const BookFilter& filter, uint64_t seed) const {
  auto slots = m_slots();
  std::vector<const CoordinatorSlot*> ordered;
  for (const auto& c : Listed(*slots, seed)) ordered.push_back(c.slot);
  const int64_t now = NowMs();
  return OrdersJson(SelectOrders(ordered, filter, now), now, m_options.slow_after_ms);
}

std::string FederationView::StatsJson() const {
  auto slots = m_slots();
  std::vector<const CoordinatorSlot*> all;
  for (const auto& s : *slots) all.push_back(s.get());
  return AggregateStats(all, NowMs(), m_options.slow_after_ms).dump();
}

nlohmann::json FederationView::CoordinatorJson(const CoordinatorEntry& e, const CoordinatorSlot& s, int64_t now_ms,
                                               bool with_limits) const {
  nlohmann::json j;
  j["shortAlias"] = e.short_alias;
  j["longAlias"] = e.long_alias;
  j["identifier"] = e.identifier;
  j["description"] = e.description;
  j["motto"] = e.motto;
  j["color"] = e.color;
  j["established"] = e.established;
  j["federated"] = e.federated;
  j["nostrHexPubkey"] = e.nostr_hex_pubkey;
  j["badges"] = {{"isFounder", e.badges.is_founder},
                 {"donatesToDevFund", e.badges.donates_to_dev_fund},
                 {"hasGoodOpSec", e.badges.has_good_op_sec},
                 {"hasLargeLimits", e.badges.has_large_limits}};
  j["size_limit"] = SizeLimitSats(e, now_ms / 1000);
  nlohmann::json contact = nlohmann::json::object();
  for (const auto& [k, v] : e.contact) {
    if (v && !v->empty()) contact[k] = *v;
  }
  j["contact"] = contact;
  nlohmann::json policies = nlohmann::json::array();
  for (const auto& [title, text] : e.policies) policies.push_back({{"title", title}, {"text", text}});
  j["policies"] = policies;
  j["url"] = s.url;
  j["status"] = SlotStatusName(StatusOf(s, now_ms, m_options.slow_after_ms));
  j["last_seen"] = IsoMs(s.updated_ms);
  j["updated_ms"] = s.updated_ms;
  j["data_age_s"] = DataAgeSeconds(s, now_ms);
  j["latency_ms"] = s.latency_ms;
  j["last_error"] = s.last_error;
  j["rounds"] = s.rounds;
  j["good_rounds"] = s.good_rounds;
  j["num_orders"] = s.orders ? s.orders->size() : 0;
  // The parameters the coordinator publishes in /api/info/ (RoboSats Coordinator.model.ts Info).
  nlohmann::json params = nlohmann::json::object();
  if (s.info) {
    for (const char* key : {"maker_fee", "taker_fee", "bond_size", "min_order_size", "max_order_size", "network",
                            "node_alias", "node_id", "version", "notice_severity", "notice_message",
                            "dispute_resolution_hours", "dev_tax_share"}) {
      if (auto it = s.info->find(key); it != s.info->end()) params[key] = *it;
    }
  }
  j["info"] = params;
  if (with_limits) j["limits"] = s.limits ? *s.limits : nlohmann::json::object();
  return j;
}

std::string FederationView::CoordinatorsJson(uint64_t seed) const {
  auto slots = m_slots();
  const int64_t now = NowMs();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : Listed(*slots, seed)) list.push_back(CoordinatorJson(*c.entry, *c.slot, now, false));
  return list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::string> FederationView::CoordinatorDetailJson(const std::string& short_alias) const {
  auto slots = m_slots();
  for (size_t i = 0; i < m_entries.size() && i < slots->size(); ++i) {
    if (m_entries[i].short_alias == short_alias) {
      return CoordinatorJson(m_entries[i], *(*slots)[i], NowMs(), true)
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
  return std::nullopt;
}

std::string FederationView::PageHtml(const BookFilter& filter, uint64_t seed) const {
  auto slots = m_slots();
  PageData page;
  page.now_ms = NowMs();
  page.filter = filter;
  page.seed = seed;
  page.refresh_s = m_options.page_refresh_s;
  page.testnet = m_options.testnet;
  std::vector<const CoordinatorSlot*> ordered;
  for (const auto& c : Listed(*slots, seed)) {
    ordered.push_back(c.slot);
    page.coordinators.push_back(CoordinatorJson(*c.entry, *c.slot, page.now_ms, false));
  }
  page.orders = SelectOrders(ordered, filter, page.now_ms);
  page.stats = AggregateStats(ordered, page.now_ms, m_options.slow_after_ms);
  page.slow_after_ms = m_options.slow_after_ms;
  return RenderPage(page);
}

}  // namespace federation
