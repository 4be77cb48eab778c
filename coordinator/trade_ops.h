// TradeOps: what the rules of disputes (disputes/), chat (chat/), rewards (rewards/) and
// notifications (notifications/) may do, inside the engine's current transaction. The engine
// implements it (engine_ops.cpp); the rules never see its thread, its queue or the node: every
// money effect is an intent the engine carries out after the commit.
//
// All writes join the open transaction; a store failure aborts the whole transition.
#pragma once

#include <cstdint>
#include <string>

#include "coordinator/model.h"
#include "coordinator/params.h"
#include "coordinator/store/store.h"

namespace coordinator {

class TradeOps {
 public:
  virtual ~TradeOps() = default;

  virtual Store& store() = 0;
  virtual int64_t now() const = 0;
  virtual const TradeParams& params() const = 0;
  virtual int64_t NewId(Table table) = 0;

  virtual void Put(const Order& o) = 0;
  virtual void Put(const Robot& r) = 0;
  virtual void Put(const HoldInvoice& h) = 0;
  virtual void Put(const Payout& p) = 0;
  virtual void Put(const Dispute& d) = 0;
  virtual void Put(const ChatMessage& m) = 0;
  virtual void Put(const RewardWithdrawal& w) = 0;
  virtual void Put(const Notification& n) = 0;

  // Money. A hold already settled or canceled is left alone, and so is one whose settle or
  // cancel is already decided (an open intent).
  virtual bool Deciding(const HoldInvoice& h) = 0;
  virtual void SettleIntoCustody(HoldInvoice& h) = 0;
  virtual void Return(HoldInvoice& h) = 0;
  // Settles a locked bond as forfeited; `wronged_robot_id` (0: nobody) earns the rewards share
  // when the settle is confirmed (DESIGN.md money rules).
  virtual void Forfeit(Order& o, HoldInvoice& bond, int64_t wronged_robot_id) = 0;
  // Starts a payout attempt of the order's buyer (or fails it at once if the invoice expired).
  virtual void StartPayout(Order& o, Payout& p) = 0;
  // Queues the payment of a reward withdrawal (the row must be Put first).
  virtual void PayReward(RewardWithdrawal& w) = 0;
  // Credits `sats` of rewards to a robot (the coordinator then owes them), with its ledger row.
  virtual void CreditRewards(int64_t order_id, int64_t robot_id, int64_t sats, const std::string& memo) = 0;
  virtual void AddLedger(int64_t order_id, int64_t robot_id, LedgerKind kind, int64_t sats, std::string memo) = 0;

  // Ends an order in a terminal status: frees its robots, returns pending takes' bonds.
  virtual void Finish(Order& o, OrderStatus terminal) = 0;
  virtual bool IsBuyer(const Order& o, int64_t robot_id) const = 0;
};

}  // namespace coordinator
