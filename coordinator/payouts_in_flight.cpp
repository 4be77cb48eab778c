#include "coordinator/payouts_in_flight.h"

#include <algorithm>

namespace coordinator {

std::vector<PayoutInFlight> PayoutsInFlight(Store& store) {
  std::vector<PayoutInFlight> out;
  for (const Intent& i : store.OpenIntents()) {
    if (i.kind != IntentKind::kPay) continue;
    auto p = store.PayoutById(i.target_id);
    if (!p || p->state != PayoutState::kInFlight) continue;
    out.push_back(PayoutInFlight{*p, i.id, i.created_at});
  }
  std::sort(out.begin(), out.end(), [](const PayoutInFlight& a, const PayoutInFlight& b) {
    return a.since != b.since ? a.since < b.since : a.intent_id < b.intent_id;
  });
  return out;
}

std::optional<int64_t> PayoutInFlightSince(Store& store, const Payout& p) {
  if (p.state != PayoutState::kInFlight) return std::nullopt;
  std::optional<int64_t> since;
  for (const Intent& i : store.OpenIntents()) {
    if (i.kind == IntentKind::kPay && i.target_id == p.id) since = since ? std::min(*since, i.created_at) : i.created_at;
  }
  return since;
}

}  // namespace coordinator
