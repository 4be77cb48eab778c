// What node events and timers do to an order: a hold invoice locks (bonds, escrow, the first
// taker bond wins), and each status' expiry with its money outcome.
#include "config/base/log.h"
#include "coordinator/engine.h"
#include "coordinator/disputes/disputes.h"
#include "coordinator/engine_ops.h"
#include "coordinator/engine_tx.h"
#include "coordinator/money.h"

namespace coordinator {

// A hold invoice is locked at the node: the order moves on.
void Engine::OnHoldAccepted(Tx& tx, HoldInvoice& h, Order& o) {
  const TradeParams& p = m_d.params;
  auto give_back = [&] { Resolve(tx, h, false); };
  switch (h.role) {
    case HoldRole::kMakerBond:
      if (o.status != OrderStatus::kWaitingMakerBond || o.maker_bond_id != h.id) return give_back();
      o.status = OrderStatus::kPublic;
      o.expires_at = tx.now + o.public_duration;
      tx.Put(o);
      return;
    case HoldRole::kTakerBond: {
      auto t = tx.Must(tx.store.TakeById(h.take_id), "take");
      if (t.state != TakeState::kPending || o.status != OrderStatus::kPublic || o.taker_id != 0) {
        // Locked too late (the order moved on): the bond goes back, the robot is free again.
        if (t.state == TakeState::kPending) {
          EndTake(tx, t, TakeState::kLost, /*penalise=*/false);
          return;
        }
        return give_back();
      }
      // First taker bond to lock wins the order.
      t.state = TakeState::kWon;
      tx.Put(t);
      o.taker_id = t.robot_id;
      o.taker_bond_id = h.id;
      o.taken_amount = t.amount;
      // The price is fixed now (RoboSats: at taker bond lock), except explicit orders.
      auto rate = m_d.rates->Rate(o.currency);
      double premium = ParseSignedDecimal(o.premium, 3, 2).value_or(0);
      int64_t sats = t.trade_satoshis;
      if (!o.is_explicit && rate) {
        if (auto s = SatsForFiat(ParseDecimal(t.amount, 10, 8).value_or(0), *rate, premium)) sats = *s;
      }
      o.trade_satoshis = sats;
      o.last_satoshis = sats;
      double fiat = ParseDecimal(t.amount, 10, 8).value_or(0);
      o.contract_price = sats > 0 ? fiat / (static_cast<double>(sats) / 1e8) : 0;
      o.contract_at = tx.now;
      o.status = OrderStatus::kWaitingCollateralAndInvoice;
      o.expires_at = tx.now + o.escrow_duration;
      const int64_t seller = o.type == OrderType::kSell ? o.maker_id : o.taker_id;
      auto esc = NewHold(tx, o, seller, HoldRole::kEscrow, EscrowSats(p, o.type, sats), 0, o.escrow_duration);
      o.escrow_id = esc.id;
      tx.Put(o);
      // The other pre-takers lose: their bonds go back.
      for (auto other : tx.store.TakesOfOrder(o.id)) {
        if (other.id != t.id && other.state == TakeState::kPending) EndTake(tx, other, TakeState::kLost, false);
      }
      // RoboSats API: Tick — one per contract.
      MarketTick tick;
      tick.id = tx.store.NewId(Table::kTick);
      tick.timestamp = tx.now;
      tick.currency = o.currency;
      tick.volume = FormatDecimal(static_cast<double>(sats) / 1e8, 8);
      tick.price = FormatDecimal(o.contract_price, 2);
      tick.premium = rate ? FormatDecimal(PremiumFor(fiat, sats, *rate), 2) : o.premium;
      tick.fee = FormatDecimal(p.fee, 6);
      tx.Put(tick);
      tx.after_commit.push_back([this] { m_stats_dirty = true; });
      return;
    }
    case HoldRole::kEscrow:
      if (o.escrow_id != h.id) return give_back();
      if (o.status == OrderStatus::kWaitingCollateralAndInvoice) {
        o.status = OrderStatus::kWaitingInvoice;
      } else if (o.status == OrderStatus::kWaitingCollateral) {
        o.status = OrderStatus::kSendingFiat;
        o.expires_at = tx.now + p.fiat_exchange_duration_s;
      } else {
        return give_back();
      }
      tx.Put(o);
      return;
  }
}

// The current status timed out (RoboSats api/logics.py order_expires, simplified where noted).
void Engine::Expire(Tx& tx, Order& o) {
  // A deadline extended for an outage and cut short at a held HTLC's margin penalises nobody.
  if (o.outage_capped && ExpireWithoutFault(tx, o)) return;
  auto hold = [&](int64_t id) { return tx.Must(tx.store.HoldById(id), "hold"); };
  auto expire_with = [&](ExpiryReason reason) {
    o.expiry_reason = reason;
    FinishOrder(tx, o, OrderStatus::kExpired);
  };
  const int64_t buyer = o.type == OrderType::kBuy ? o.maker_id : o.taker_id;
  const int64_t seller = o.type == OrderType::kSell ? o.maker_id : o.taker_id;
  auto bond_of = [&](int64_t robot_id) { return hold(robot_id == o.maker_id ? o.maker_bond_id : o.taker_bond_id); };
  switch (o.status) {
    case OrderStatus::kWaitingMakerBond: {
      auto b = hold(o.maker_bond_id);
      Resolve(tx, b, false);
      return expire_with(ExpiryReason::kMakerBondNotLocked);
    }
    case OrderStatus::kPublic:
    case OrderStatus::kPaused: {
      auto b = hold(o.maker_bond_id);
      Resolve(tx, b, false);
      return expire_with(ExpiryReason::kNotTaken);
    }
    case OrderStatus::kWaitingCollateralAndInvoice: {
      // Neither did their part: both bonds are taken, nobody is rewarded (RoboSats does the
      // same: "bonds must be charged to avoid service DDoSing").
      auto mb = hold(o.maker_bond_id), tb = hold(o.taker_bond_id), esc = hold(o.escrow_id);
      Forfeit(tx, o, mb, 0);
      Forfeit(tx, o, tb, 0);
      Resolve(tx, esc, false);
      return expire_with(ExpiryReason::kNeitherEscrowNorInvoice);
    }
    case OrderStatus::kWaitingCollateral: {
      // The seller did not lock the escrow. (RoboSats puts the order back in the book when the
      // taker is at fault; we end it, which keeps every hold's lifetime within its CLTV.)
      auto sb = bond_of(seller), bb = bond_of(buyer), esc = hold(o.escrow_id);
      Forfeit(tx, o, sb, buyer);
      Resolve(tx, bb, false);
      Resolve(tx, esc, false);
      return expire_with(ExpiryReason::kEscrowNotLocked);
    }
    case OrderStatus::kWaitingInvoice: {
      auto bb = bond_of(buyer), sb = bond_of(seller), esc = hold(o.escrow_id);
      Forfeit(tx, o, bb, seller);
      Resolve(tx, sb, false);
      Resolve(tx, esc, false);
      return expire_with(ExpiryReason::kInvoiceNotSubmitted);
    }
    case OrderStatus::kSendingFiat:
    case OrderStatus::kFiatSent: {
      // The fiat exchange timed out: RoboSats' automatic resolution, else a dispute with the
      // bonds and the escrow in custody, so that no HTLC is left to expire (disputes/).
      Ops ops(*this, tx);
      disputes::OpenAtExpiry(ops, o);
      return;
    }
    case OrderStatus::kInDispute:
    case OrderStatus::kWaitingDisputeResolution:
      return;  // no timer: expires_at is the resolution deadline, shown to the robots
    case OrderStatus::kWaitingTakerBond:
    case OrderStatus::kCancelled:
    case OrderStatus::kExpired:
    case OrderStatus::kCollaborativelyCancelled:
    case OrderStatus::kSendingSats:
    case OrderStatus::kSuccess:
    case OrderStatus::kRoutingFailed:
    case OrderStatus::kMakerLostDispute:
    case OrderStatus::kTakerLostDispute:
      o.expires_at = 0;
      tx.Put(o);
      return;
  }
}

}  // namespace coordinator
