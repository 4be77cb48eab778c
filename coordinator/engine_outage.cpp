// Outage-aware deadlines (issue #12, item 2): a deadline that penalises a trader is not allowed
// to run while the traders could not act — while the coordinator was down or its Lightning node
// unreachable. The engine beats (a heartbeat row) every few seconds; at start, a gap since the
// last beat is an outage; while running, the node monitor's reachability opens and ends one.
// When an outage ends, every live penalising deadline that falls inside or after it moves by its
// length — as far as every held HTLC still resolves before its expiry height − margin
// (DESIGN.md money rules). A deadline cut short at that margin ends the trade without
// penalising anyone (ExpireWithoutFault). See coordinator/README.md "Outages".
#include <algorithm>
#include <limits>

#include "config/base/log.h"
#include "coordinator/disputes/disputes.h"
#include "coordinator/engine.h"
#include "coordinator/engine_ops.h"
#include "coordinator/engine_tx.h"

namespace coordinator {
namespace {

// The statuses whose deadline forfeits a bond or decides the trade. Not the maker bond's wait
// (nothing is locked yet), not a public or paused order's (its expiry returns the bond), not a
// dispute's (the operator's deadline).
bool DeadlinePenalises(OrderStatus s) {
  switch (s) {
    case OrderStatus::kWaitingTakerBond:
    case OrderStatus::kWaitingCollateralAndInvoice:
    case OrderStatus::kWaitingCollateral:
    case OrderStatus::kWaitingInvoice:
    case OrderStatus::kSendingFiat:
    case OrderStatus::kFiatSent: return true;
    default: return false;
  }
}

const char* ReasonName(OutageReason r) {
  return r == OutageReason::kCoordinatorDown ? "coordinator_down" : "node_unreachable";
}

}  // namespace

void Engine::NoteDowntimeAtStart() {
  const int64_t now = m_d.clock->NowSeconds();
  auto beat = m_d.store->LastHeartbeat();
  const int64_t last = beat ? beat->beat_at : 0;
  // A node outage a crash left open ended, as far as this engine saw, when it last beat; the
  // time after that is the coordinator's own outage, below.
  if (auto open = m_d.store->OpenOutage(OutageReason::kNodeUnreachable)) {
    EndOutage(*open, std::clamp(last, open->started_at, std::max(open->started_at, now)));
  }
  if (beat && now - last >= m_d.outage.min_gap_s) {
    Outage down;
    down.reason = OutageReason::kCoordinatorDown;
    down.started_at = last;
    EndOutage(down, now);
  }
  if (auto r = m_d.store->Put(Heartbeat{1, now}); !r.ok()) {
    base::Log(base::LogLevel::kError, "engine", "heartbeat not recorded", {{"error", r.error()}});
  }
  m_last_beat = now;
}

void Engine::WatchLiveness() {
  const int64_t now = m_d.clock->NowSeconds();
  if (now - m_last_beat >= m_d.outage.heartbeat_interval_s || now < m_last_beat) {
    if (auto r = m_d.store->Put(Heartbeat{1, now}); !r.ok()) {
      base::Log(base::LogLevel::kError, "engine", "heartbeat not recorded", {{"error", r.error()}});
    } else {
      m_last_beat = now;
    }
  }
  if (!m_d.node_reachable) return;
  const bool up = m_d.node_reachable();
  if (!up && !m_node_outage) {
    Outage o;
    o.reason = OutageReason::kNodeUnreachable;
    o.started_at = now;
    if (Transact([&](Tx& tx) {
          o.id = tx.store.NewId(Table::kOutage);
          tx.Put(o);
        },
                 nullptr)) {
      m_node_outage = o;
      base::Log(base::LogLevel::kWarn, "engine", "the Lightning node is unreachable: trade deadlines are paused",
                {{"outage", std::to_string(o.id)}});
      Publish();
    }
  } else if (up && m_node_outage) {
    Outage o = *m_node_outage;
    m_node_outage.reset();
    EndOutage(o, now);
  }
}

void Engine::EndOutage(Outage outage, int64_t end) {
  const int64_t stretch = std::max<int64_t>(0, end - outage.started_at);
  Outage done = outage;
  const bool ok = Transact(
      [&](Tx& tx) {
        done = outage;
        done.ended_at = std::max(end, outage.started_at);
        if (done.id == 0) done.id = tx.store.NewId(Table::kOutage);
        if (m_d.outage.extend_deadlines && stretch > 0) {
          for (auto o : tx.store.LiveOrders()) ExtendForOutage(tx, o, outage, stretch, done);
        }
        tx.Put(done);
      },
      nullptr);
  if (!ok) {
    base::Log(base::LogLevel::kError, "engine", "outage not recorded: deadlines not extended",
              {{"reason", ReasonName(outage.reason)}, {"seconds", std::to_string(stretch)}});
    return;
  }
  base::Log(stretch > 0 ? base::LogLevel::kWarn : base::LogLevel::kInfo, "engine",
            "outage ended: deadlines extended by its length",
            {{"outage", std::to_string(done.id)},
             {"reason", ReasonName(done.reason)},
             {"started_at", std::to_string(done.started_at)},
             {"ended_at", std::to_string(done.ended_at)},
             {"seconds", std::to_string(stretch)},
             {"deadlines_extended", std::to_string(done.deadlines_extended)},
             {"deadlines_capped", std::to_string(done.deadlines_capped)}});
  Publish();
}

void Engine::ExtendForOutage(Tx& tx, Order& o, const Outage& outage, int64_t stretch, Outage& counts) {
  // A pending take's bond invoice expires with its deadline (taker_bond_expiry_s): after an
  // outage it ends without a penalty, its invoice is cancelled, and the robot may take again at
  // once (the order is still public).
  for (auto t : tx.store.TakesOfOrder(o.id)) {
    if (t.state != TakeState::kPending || t.expires_at < outage.started_at) continue;
    EndTake(tx, t, TakeState::kLost, /*penalise=*/false);
    ++counts.deadlines_extended;
  }
  if (!DeadlinePenalises(o.status) || o.expires_at == 0 || o.expires_at < outage.started_at) return;
  const int64_t wanted = o.expires_at + stretch;
  const int64_t safe = HtlcSafeUntil(tx, o);
  const int64_t extended = std::max(o.expires_at, std::min(wanted, safe));
  const bool capped = wanted > safe;
  o.outage_extended_s += extended - o.expires_at;
  o.expires_at = extended;
  if (capped) o.outage_capped = true;
  ++counts.deadlines_extended;
  if (capped) ++counts.deadlines_capped;
  // The seller's escrow invoice was made to expire with the old deadline (the node may have
  // cancelled it already, unseen while it was away): a fresh one for the new deadline (the old
  // one is cancelled; paid all the same, it is given back on lock).
  if ((o.status == OrderStatus::kWaitingCollateralAndInvoice || o.status == OrderStatus::kWaitingCollateral) &&
      o.escrow_id != 0) {
    auto esc = tx.Must(tx.store.HoldById(o.escrow_id), "escrow");
    if ((esc.state == HoldState::kOpen || esc.state == HoldState::kCanceled) && esc.invoice_expires_at < extended) {
      Resolve(tx, esc, /*settle=*/false);  // nothing for a cancelled one
      const int64_t seller = o.type == OrderType::kSell ? o.maker_id : o.taker_id;
      auto fresh = NewHold(tx, o, seller, HoldRole::kEscrow, esc.amount_sat, 0, extended - tx.now);
      o.escrow_id = fresh.id;
    }
  }
  tx.Put(o);
  base::Log(capped ? base::LogLevel::kWarn : base::LogLevel::kInfo, "engine",
            capped ? "deadline extended for an outage, cut short at a held HTLC's margin: nobody is penalised at it"
                   : "deadline extended for an outage",
            {{"order", std::to_string(o.id)},
             {"status", std::to_string(static_cast<int>(o.status))},
             {"extended_s", std::to_string(o.outage_extended_s)},
             {"expires_at", std::to_string(o.expires_at)}});
}

int64_t Engine::HtlcSafeUntil(Tx& tx, const Order& o) {
  int64_t until = std::numeric_limits<int64_t>::max();
  const uint32_t height = m_d.block_height ? m_d.block_height() : 0;
  if (height == 0) return until;
  for (const auto& h : tx.store.HoldsOfOrder(o.id)) {
    if (h.state != HoldState::kAccepted || h.htlc_expiry_height == 0) continue;
    // The height guard (ResolveHtlcsNearExpiry) acts at expiry − margin; at the average block
    // time that is this many seconds from now. Faster blocks: the guard acts first, and since
    // the order was extended it resolves without fault too.
    const int64_t blocks = int64_t{h.htlc_expiry_height} - m_d.params.htlc_expiry_margin_blocks - int64_t{height};
    until = std::min(until, tx.now + blocks * m_d.params.block_time_s);
  }
  return until;
}

bool Engine::ExpireWithoutFault(Tx& tx, Order& o) {
  auto give_back = [&](int64_t hold_id) {
    if (hold_id == 0) return;
    auto h = tx.Must(tx.store.HoldById(hold_id), "hold");
    Resolve(tx, h, /*settle=*/false);
  };
  std::optional<ExpiryReason> reason;
  switch (o.status) {
    case OrderStatus::kWaitingCollateralAndInvoice: reason = ExpiryReason::kNeitherEscrowNorInvoice; break;
    case OrderStatus::kWaitingCollateral: reason = ExpiryReason::kEscrowNotLocked; break;
    case OrderStatus::kWaitingInvoice: reason = ExpiryReason::kInvoiceNotSubmitted; break;
    case OrderStatus::kSendingFiat:
    case OrderStatus::kFiatSent: {
      // The fiat may have moved: the escrow and both bonds into custody, the operator decides on
      // the merits; nothing is forfeited for the time we were away.
      Ops ops(*this, tx);
      disputes::OpenAtOutageMargin(ops, o);
      return true;
    }
    default: return false;
  }
  // Before the fiat exchange: everything goes back, as in a collaborative cancel.
  give_back(o.maker_bond_id);
  give_back(o.taker_bond_id);
  give_back(o.escrow_id);
  base::Log(base::LogLevel::kWarn, "engine",
            "deadline reached a held HTLC's margin after an outage: bonds and escrow returned, nobody penalised",
            {{"order", std::to_string(o.id)}, {"status", std::to_string(static_cast<int>(o.status))}});
  o.expiry_reason = reason;
  FinishOrder(tx, o, OrderStatus::kExpired);
  return true;
}

}  // namespace coordinator
