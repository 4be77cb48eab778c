#include "coordinator/rewards/rewards.h"

#include <algorithm>

#include "config/base/log.h"
#include "coordinator/errors.h"
#include "coordinator/money.h"

namespace coordinator::rewards {

Amounts AmountsFor(int64_t balance, std::optional<int64_t> ppm) {
  Amounts a;
  if (ppm) {
    a.invoice_sat = PayoutInvoiceSats(balance, *ppm);
    a.fee_limit_sat = balance - a.invoice_sat;
  } else {
    // RoboSats: int(max(num_satoshis * PROPORTIONAL_ROUTING_FEE_LIMIT, MIN_FLAT_…)), on top.
    a.invoice_sat = balance;
    a.fee_limit_sat = static_cast<int64_t>(std::max(static_cast<double>(balance) * 0.001, 2.0));
  }
  return a;
}

base::Result<RewardWithdrawal> Withdraw(TradeOps& ops, Robot& robot, const std::string& signed_invoice,
                                        std::optional<int64_t> routing_budget_ppm, const InvoiceRules& rules) {
  if (ops.store().PendingRewardWithdrawalOf(robot.id)) {
    return Refuse(err::kInvoiceNotNow, "A withdrawal of your rewards is still in flight");
  }
  if (robot.earned_rewards_sat < 1) return Refuse(err::kNoRewards);
  if (routing_budget_ppm && (*routing_budget_ppm < 0 || *routing_budget_ppm > ops.params().max_routing_budget_ppm)) {
    return Refuse(err::kBadInvoice,
                  "routing_budget_ppm must be between 0 and " + std::to_string(ops.params().max_routing_budget_ppm));
  }
  const int64_t balance = robot.earned_rewards_sat;
  const Amounts amounts = AmountsFor(balance, routing_budget_ppm);
  if (amounts.invoice_sat < 1) return Refuse(err::kBadInvoice, "Your rewards are too small to withdraw with this budget");
  auto checked = CheckSignedInvoice(ops.store(), robot, signed_invoice, amounts.invoice_sat, amounts.fee_limit_sat,
                                    rules, ops.now());
  if (!checked.ok()) return base::Err(checked.error());
  RewardWithdrawal w;
  w.id = ops.NewId(Table::kRewardWithdrawal);
  w.robot_id = robot.id;
  w.payment_request = checked->payment_request;
  w.payment_hash = checked->payment_hash;
  w.debited_sat = balance;
  w.amount_sat = amounts.invoice_sat;
  w.routing_budget_ppm = routing_budget_ppm.value_or(0);
  w.routing_budget_sat = amounts.fee_limit_sat;
  w.state = PayoutState::kInFlight;
  w.invoice_expires_at = checked->expires_at;
  w.created_at = ops.now();
  ops.Put(w);
  robot.earned_rewards_sat = 0;  // reserved while the payment is in flight
  ops.Put(robot);
  ops.PayReward(w);
  base::Log(base::LogLevel::kInfo, "rewards", "withdrawal started",
            {{"withdrawal", std::to_string(w.id)}, {"sats", std::to_string(w.amount_sat)}});
  return w;
}

void OnPaid(TradeOps& ops, RewardWithdrawal& w, int64_t fee_sat, const std::string& preimage_hex) {
  if (w.state == PayoutState::kSucceeded || w.state == PayoutState::kFailed) return;
  w.state = PayoutState::kSucceeded;
  w.fee_sat = fee_sat;
  w.preimage = preimage_hex;
  w.finished_at = ops.now();
  ops.Put(w);
  // The liability released is the whole balance taken; the node paid amount + fee.
  ops.AddLedger(0, w.robot_id, LedgerKind::kRewardWithdrawn, w.debited_sat, "reward withdrawal");
  ops.AddLedger(0, w.robot_id, LedgerKind::kRewardRoutingFee, fee_sat, "routing fee of a reward withdrawal");
  const int64_t kept = w.debited_sat - w.amount_sat - fee_sat;
  if (kept > 0) ops.AddLedger(0, 0, LedgerKind::kProceeds, kept, "unspent routing budget of a reward withdrawal");
  base::Log(base::LogLevel::kInfo, "rewards", "withdrawal paid", {{"withdrawal", std::to_string(w.id)}});
}

void OnFailed(TradeOps& ops, RewardWithdrawal& w, const std::string& reason) {
  if (w.state == PayoutState::kSucceeded || w.state == PayoutState::kFailed) return;
  w.state = PayoutState::kFailed;
  w.failure_reason = reason;
  w.finished_at = ops.now();
  ops.Put(w);
  auto robot = ops.store().RobotById(w.robot_id);
  if (robot) {
    robot->earned_rewards_sat += w.debited_sat;
    ops.Put(*robot);
  }
  base::Log(base::LogLevel::kWarn, "rewards", "withdrawal failed; the balance is back",
            {{"withdrawal", std::to_string(w.id)}, {"reason", reason}});
}

}  // namespace coordinator::rewards
