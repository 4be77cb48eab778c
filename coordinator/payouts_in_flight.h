// Payouts in flight: a buyer's payout sent to the node (its Pay intent open) that has neither
// succeeded nor failed yet. None may sit silent: the buyer's order view says it is in flight and
// since when; once older than the budget (TradeParams::payout_in_flight_budget_s) it is logged
// once at warn, listed by the admin API and counted in the metrics.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "coordinator/model.h"
#include "coordinator/store/store.h"

namespace coordinator {

struct PayoutInFlight {
  Payout payout;
  int64_t intent_id = 0;
  int64_t since = 0;  // Unix seconds: when this attempt was decided (its Pay intent's created_at)
};

// Every payout whose Pay intent is open, oldest first.
std::vector<PayoutInFlight> PayoutsInFlight(Store& store);
// When `p`'s current attempt went in flight; nullopt when it is not in flight.
std::optional<int64_t> PayoutInFlightSince(Store& store, const Payout& p);

}  // namespace coordinator
