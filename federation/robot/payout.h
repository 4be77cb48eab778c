// The buyer's payout invoice amount, with the arithmetic of RoboSats' client
// (frontend/src/components/TradeBox/Forms/LightningPayout.tsx, v0.8.6):
//
//   routingBudgetPPM: 1000,                                      // the default
//   computeInvoiceAmount = () => {
//     const tradeAmount = order.trade_satoshis;
//     return Math.floor(tradeAmount - tradeAmount * (lightning.routingBudgetPPM / 1000000));
//   };
//   routingBudgetSats: Math.ceil((amount / 1000000) * lightning.routingBudgetPPM)
//
// For the buyer, `trade_satoshis` is the order's `invoice_amount` (RoboSats api/views.py sets
// both from Logics.payout_amount). JavaScript numbers are IEEE doubles: so are these.
#pragma once

#include <cmath>
#include <cstdint>

namespace federation::robot {

inline constexpr int64_t kDefaultRoutingBudgetPpm = 1000;
// The coordinator accepts routing_budget_ppm 0–100 000 (API.md).
inline constexpr int64_t kMaxRoutingBudgetPpm = 100000;

// Math.floor(n - n * (ppm / 1000000))
inline int64_t PayoutInvoiceSats(int64_t invoice_amount, int64_t routing_budget_ppm) {
  const double n = static_cast<double>(invoice_amount);
  return static_cast<int64_t>(std::floor(n - n * (static_cast<double>(routing_budget_ppm) / 1000000.0)));
}

// Math.ceil((amount / 1000000) * ppm): the budget the client shows for an invoice of `amount`.
inline int64_t RoutingBudgetSats(int64_t amount, int64_t routing_budget_ppm) {
  return static_cast<int64_t>(
      std::ceil((static_cast<double>(amount) / 1000000.0) * static_cast<double>(routing_budget_ppm)));
}

}  // namespace federation::robot
