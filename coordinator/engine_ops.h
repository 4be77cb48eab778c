// Engine::Ops: TradeOps over the engine and one of its transactions. Internal to the engine.
#pragma once

#include "coordinator/engine.h"
#include "coordinator/engine_tx.h"
#include "coordinator/trade_ops.h"

namespace coordinator {

class Engine::Ops final : public TradeOps {
 public:
  Ops(Engine& engine, Tx& tx) : m_e(engine), m_tx(tx) {}

  Store& store() override { return m_tx.store; }
  int64_t now() const override { return m_tx.now; }
  const TradeParams& params() const override { return m_e.m_d.params; }
  int64_t NewId(Table table) override { return m_tx.store.NewId(table); }

  void Put(const Order& o) override { m_tx.Put(o); }
  void Put(const Robot& r) override { m_tx.Put(r); }
  void Put(const HoldInvoice& h) override { m_tx.Put(h); }
  void Put(const Payout& p) override { m_tx.Put(p); }
  void Put(const Dispute& d) override { m_tx.Put(d); }
  void Put(const ChatMessage& m) override { m_tx.Put(m); }
  void Put(const RewardWithdrawal& w) override { m_tx.Put(w); }
  void Put(const Notification& n) override { m_tx.Put(n); }

  bool Deciding(const HoldInvoice& h) override;
  void SettleIntoCustody(HoldInvoice& h) override;
  void Return(HoldInvoice& h) override { m_e.Resolve(m_tx, h, /*settle=*/false); }
  void Forfeit(Order& o, HoldInvoice& bond, int64_t wronged_robot_id) override {
    m_e.Forfeit(m_tx, o, bond, wronged_robot_id);
  }
  void StartPayout(Order& o, Payout& p) override { m_e.StartPayout(m_tx, o, p); }
  void PayReward(RewardWithdrawal& w) override;
  void CreditRewards(int64_t order_id, int64_t robot_id, int64_t sats, const std::string& memo) override;
  void AddLedger(int64_t order_id, int64_t robot_id, LedgerKind kind, int64_t sats, std::string memo) override;
  void Finish(Order& o, OrderStatus terminal) override { m_e.FinishOrder(m_tx, o, terminal); }
  bool IsBuyer(const Order& o, int64_t robot_id) const override { return m_e.IsBuyer(o, robot_id); }

 private:
  Engine& m_e;
  Tx& m_tx;
};

}  // namespace coordinator
