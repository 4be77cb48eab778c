// The joint order book and the federation's aggregated statistics, computed from the
// coordinators' slots (slot.h) in the lottery's order (model/lottery.h).
//
// RoboSats' client builds the same thing: Federation.model.ts onCoordinatorSaved merges every
// coordinator's book (coordinators in lottery order, each order tagged with its
// coordinatorShortAlias); Exchange.model.ts updateExchangeInfo sums counts and volumes over
// the coordinators whose info is loaded, takes the highest version and the largest
// active_robots_today, and weights last_day_nonkyc_btc_premium by last_day_volume
// (utils/weightedMean.ts).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "federation/book/book_filter.h"
#include "federation/book/slot.h"

namespace federation {

struct MatchedOrder {
  const BookOrder* order;
  const CoordinatorSlot* slot;
};

// The orders of `slots` (already in display order) that match `filter` and have not expired
// at `now_ms` (orders kept from an unreachable coordinator leave the book when they expire).
// Slots without data contribute nothing. Pointers live as long as the slots.
std::vector<MatchedOrder> SelectOrders(const std::vector<const CoordinatorSlot*>& slots, const BookFilter& filter,
                                       int64_t now_ms);

// The orders as a JSON array: each order as its coordinator served it, plus
// "coordinatorShortAlias", "stale" (true when its coordinator is offline now) and
// "data_age_s" (seconds since its coordinator's data was fetched).
std::string OrdersJson(const std::vector<MatchedOrder>& orders, int64_t now_ms, int64_t slow_after_ms);

// Aggregated /api/info/ of the coordinators that have info (fresh or kept):
// num_public_buy_orders, num_public_sell_orders, book_liquidity, last_day_volume,
// lifetime_volume (sums); active_robots_today (max); version (highest);
// last_day_nonkyc_btc_premium (weighted by last_day_volume; 0 when all volumes are 0);
// plus onlineCoordinators (status online or slow) and totalCoordinators.
nlohmann::json AggregateStats(const std::vector<const CoordinatorSlot*>& slots, int64_t now_ms,
                              int64_t slow_after_ms);

}  // namespace federation
