// Rewards: what a robot earned (the share of a counterparty's forfeited bond, a dispute's
// award) and withdraws with an invoice (POST /api/reward/, RoboSats v0.8.6 api/logics.py
// withdraw_rewards). The whole balance is withdrawn at once; while the payment is in flight the
// balance is reserved (zero), so that a second withdrawal can never pay it again; a failed
// payment gives it back.
//
// The amount: with a routing budget (routing_budget_ppm), the invoice is for
// floor(B − B × ppm / 10⁶) as for payouts, the budget paying the routing fees; without one (the
// RoboSats client sends none), the invoice is for the whole balance B and the coordinator pays
// the routing fee, up to max(B × 0.1 %, 2 sats) (RoboSats' PROPORTIONAL_ROUTING_FEE_LIMIT and
// MIN_FLAT_ROUTING_FEE_LIMIT_REWARD).
#pragma once

#include <optional>
#include <string>

#include "config/base/expected.h"
#include "config/base/status.h"
#include "coordinator/invoice_checks.h"
#include "coordinator/trade_ops.h"

namespace coordinator::rewards {

// What the invoice must carry for a balance of `balance` sats, and the routing fee limit.
struct Amounts {
  int64_t invoice_sat = 0;
  int64_t fee_limit_sat = 0;
};
Amounts AmountsFor(int64_t balance, std::optional<int64_t> ppm);

// Starts a withdrawal of `robot`'s whole balance (the robot row is updated). Errors: 3003
// nothing earned, 3001 a withdrawal still in flight, 3004 a routing budget out of range, and
// those of CheckSignedInvoice.
base::Result<RewardWithdrawal> Withdraw(TradeOps& ops, Robot& robot, const std::string& signed_invoice,
                                        std::optional<int64_t> routing_budget_ppm, const InvoiceRules& rules);

// The payment's outcome. Paid: the liability is released in the ledger (what the robot got,
// the routing fee, and what was left of the budget as proceeds). Failed: the balance goes back.
void OnPaid(TradeOps& ops, RewardWithdrawal& w, int64_t fee_sat, const std::string& preimage_hex);
void OnFailed(TradeOps& ops, RewardWithdrawal& w, const std::string& reason);

}  // namespace coordinator::rewards
