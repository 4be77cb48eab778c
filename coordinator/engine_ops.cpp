#include "coordinator/engine_ops.h"

namespace coordinator {

bool Engine::Ops::Deciding(const HoldInvoice& h) {
  for (const auto& i : m_tx.store.OpenIntents()) {
    if (i.target_id == h.id && (i.kind == IntentKind::kSettleHold || i.kind == IntentKind::kCancelHold)) return true;
  }
  return false;
}

void Engine::Ops::SettleIntoCustody(HoldInvoice& h) {
  h.custody = true;
  m_tx.Put(h);
  m_e.Resolve(m_tx, h, /*settle=*/true);
}

void Engine::Ops::PayReward(RewardWithdrawal& w) { m_e.QueueIntent(m_tx, IntentKind::kPayReward, 0, w.id); }

void Engine::Ops::CreditRewards(int64_t order_id, int64_t robot_id, int64_t sats, const std::string& memo) {
  if (sats <= 0) return;
  auto r = m_tx.Must(m_tx.store.RobotById(robot_id), "robot");
  r.earned_rewards_sat += sats;
  m_tx.Put(r);
  AddLedger(order_id, robot_id, LedgerKind::kRewardCredited, sats, memo);
}

void Engine::Ops::AddLedger(int64_t order_id, int64_t robot_id, LedgerKind kind, int64_t sats, std::string memo) {
  m_e.AddLedger(m_tx, order_id, robot_id, kind, sats, std::move(memo));
}

}  // namespace coordinator
