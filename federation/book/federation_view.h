// FederationView: what federationd serves, computed on request from the federation file's
// entries and the fetcher's current slots (no lock held while computing: slots are immutable).
//
// Coordinators are listed in the order of RoboSats' lottery (model/lottery.h), drawn from
// `seed`: one seed is one client session (RoboSats draws once per page load), so the web
// page keeps its seed across auto-refreshes and the order stays put.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/base/clock.h"
#include "federation/book/book_filter.h"
#include "federation/book/joint_book.h"
#include "federation/book/slot.h"
#include "federation/model/entry.h"

namespace federation {

struct ViewOptions {
  bool testnet = false;           // which origins and node pubkeys of the entries apply
  int64_t slow_after_ms = 10'000;  // see SlotStatus
  int64_t page_refresh_s = 30;    // the web page's auto-refresh period
};

// One coordinator as listed: its entry and its slot.
struct ListedCoordinator {
  const CoordinatorEntry* entry;
  const CoordinatorSlot* slot;
};

class FederationView {
 public:
  // `entries[i]` is the coordinator of slot i of every list `slots()` returns.
  FederationView(std::vector<CoordinatorEntry> entries, std::function<std::shared_ptr<const SlotList>()> slots,
                 const base::Clock& clock, ViewOptions options);

  // GET /api/book/: the joint book (joint_book.h OrdersJson), coordinators in lottery order.
  std::string BookJson(const BookFilter& filter, uint64_t seed) const;
  // GET /api/info/: the aggregated statistics (joint_book.h AggregateStats).
  std::string StatsJson() const;
  // GET /api/coordinators/: every coordinator in lottery order (CoordinatorJson without limits).
  std::string CoordinatorsJson(uint64_t seed) const;
  // GET /api/coordinator/?short_alias=…: one coordinator with its limits; nullopt if unknown.
  std::optional<std::string> CoordinatorDetailJson(const std::string& short_alias) const;
  // GET /: the web page (federation/web/page.h), the book rendered server-side.
  std::string PageHtml(const BookFilter& filter, uint64_t seed) const;

  // The entries' indexes in the lottery order drawn from `seed`.
  std::vector<size_t> LotteryOrder(uint64_t seed) const;
  // One coordinator's public description and status (keys in federationd's README).
  nlohmann::json CoordinatorJson(const CoordinatorEntry& entry, const CoordinatorSlot& slot, int64_t now_ms,
                                 bool with_limits) const;

  const ViewOptions& options() const { return m_options; }

 private:
  int64_t NowMs() const;
  std::vector<ListedCoordinator> Listed(const SlotList& slots, uint64_t seed) const;

  std::vector<CoordinatorEntry> m_entries;
  std::function<std::shared_ptr<const SlotList>()> m_slots;
  const base::Clock& m_clock;
  ViewOptions m_options;
};

}  // namespace federation
