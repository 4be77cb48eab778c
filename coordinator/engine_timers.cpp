// The engine's clock: each order's next deadline, the timers that fire it, the HTLC-margin
// guard, and the recovery after a start (re-driven intents, re-watched holds).
#include <algorithm>

#include "config/base/log.h"
#include "coordinator/engine.h"
#include "coordinator/engine_ops.h"
#include "coordinator/engine_tx.h"
#include "coordinator/payouts_in_flight.h"

namespace coordinator {

int64_t Engine::NextDeadline(const Order& o) {
  if (IsTerminal(o.status)) return 0;
  // A dispute's expires_at is the operator's deadline, not a timer of the engine.
  if (o.status == OrderStatus::kInDispute || o.status == OrderStatus::kWaitingDisputeResolution) return 0;
  int64_t next = o.expires_at;
  auto earlier = [&](int64_t t) {
    if (t != 0 && (next == 0 || t < next)) next = t;
  };
  for (const auto& t : m_d.store->TakesOfOrder(o.id)) {
    if (t.state == TakeState::kPending) earlier(t.expires_at);
  }
  if (o.status == OrderStatus::kRoutingFailed && o.payout_id) {
    auto p = m_d.store->PayoutById(o.payout_id);
    if (p && p->state == PayoutState::kPending) earlier(p->next_attempt_at);
  }
  return next;
}

void Engine::Schedule(int64_t order_id) {
  if (auto it = m_timer_of.find(order_id); it != m_timer_of.end()) {
    auto range = m_timers.equal_range(it->second);
    for (auto t = range.first; t != range.second; ++t) {
      if (t->second == order_id) {
        m_timers.erase(t);
        break;
      }
    }
    m_timer_of.erase(it);
  }
  auto o = m_d.store->OrderById(order_id);
  if (!o) return;
  NoteTransition(*o);
  int64_t deadline = NextDeadline(*o);
  if (deadline == 0) return;
  m_timers.emplace(deadline, order_id);
  m_timer_of[order_id] = deadline;  // NOLINT: insert-or-assign
}

void Engine::NoteTransition(const Order& o) {
  auto it = m_logged_status.find(o.id);
  const bool known = it != m_logged_status.end();
  if (known && it->second == o.status) return;
  std::string reason;
  if (o.status == OrderStatus::kExpired && o.expiry_reason) reason = ExpiryMessage(*o.expiry_reason);
  base::Log(base::LogLevel::kInfo, "engine", "order status",
            {{"order", std::to_string(o.id)},
             {"from", known ? std::to_string(static_cast<int>(it->second)) : std::string("new")},
             {"to", std::to_string(static_cast<int>(o.status))},
             {"status", StatusMessage(o.status)},
             {"reason", reason}});
  if (IsTerminal(o.status)) {
    if (known) m_logged_status.erase(it);
  } else {
    m_logged_status.insert_or_assign(o.id, o.status);
  }
}

void Engine::RunDueTimers(int64_t now) {
  std::vector<int64_t> due;
  for (auto it = m_timers.begin(); it != m_timers.end() && it->first <= now; ++it) due.push_back(it->second);
  for (int64_t id : due) {
    bool committed = Transact(
        [&](Tx& tx) {
          auto o = tx.Must(tx.store.OrderById(id), "order");
          tx.touched_orders.insert(id);  // re-scheduled after the commit, whatever happens
          for (auto t : tx.store.TakesOfOrder(id)) {
            if (t.state == TakeState::kPending && t.expires_at <= tx.now) {
              EndTake(tx, t, TakeState::kExpired, /*penalise=*/true);
            }
          }
          if (o.expires_at != 0 && o.expires_at <= tx.now) Expire(tx, o);
          if (o.status == OrderStatus::kRoutingFailed && o.payout_id) {
            auto p = tx.Must(tx.store.PayoutById(o.payout_id), "payout");
            if (p.state == PayoutState::kPending && p.next_attempt_at <= tx.now) StartPayout(tx, o, p);
          }
        },
        nullptr);
    if (!committed) Schedule(id);  // keep it queued; the next tick tries again
  }
}

// DESIGN.md: every held HTLC is settled or canceled before expiry_height − margin; the node
// must never auto-cancel it. The timers' CLTV safety factor makes this the exception: an
// order still holding an HTLC that close to expiry ends now, by its status' expiry rules.
// Checked when the block height moves.
void Engine::ResolveHtlcsNearExpiry() {
  const uint32_t height = m_d.block_height ? m_d.block_height() : 0;
  if (height == m_last_height_checked) return;
  m_last_height_checked = height;
  for (const auto& h : m_d.store->UnresolvedHolds()) {
    if (h.state != HoldState::kAccepted || h.htlc_expiry_height == 0) continue;
    if (static_cast<int64_t>(height) < int64_t{h.htlc_expiry_height} - m_d.params.htlc_expiry_margin_blocks) continue;
    bool deciding = false;
    for (const auto& i : m_d.store->OpenIntents()) deciding |= i.target_id == h.id && i.kind != IntentKind::kAddHold;
    if (deciding) continue;
    base::Log(base::LogLevel::kWarn, "engine", "held HTLC near its expiry: resolving now",
              {{"order", std::to_string(h.order_id)}, {"hold", std::to_string(h.id)},
               {"expiry_height", std::to_string(h.htlc_expiry_height)}, {"height", std::to_string(height)}});
    const int64_t hold_id = h.id;
    Transact(
        [&](Tx& tx) {
          auto o = tx.Must(tx.store.OrderById(h.order_id), "order");
          // An order whose deadline was moved for an outage (or while the node is away) ends
          // without penalising anyone: the margin came from our downtime (engine_outage.cpp).
          if (!IsTerminal(o.status) && (o.outage_extended_s > 0 || m_node_outage)) o.outage_capped = true;
          if (!IsTerminal(o.status)) Expire(tx, o);
          // Still undecided (e.g. a lost pre-taker's bond, or a status without an expiry rule):
          // return it rather than let it lapse.
          auto again = tx.Must(tx.store.HoldById(hold_id), "hold");
          bool decided = false;
          for (const auto& i : tx.new_intents) decided |= i.target_id == hold_id;
          if (!decided) Resolve(tx, again, false);
        },
        nullptr);
  }
}

void Engine::OnTimers() {
  // Intents whose node call failed: re-drive when due.
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now().time_since_epoch()).count();
  std::vector<int64_t> due;
  for (const auto& [id, at] : m_intent_retry_at) {
    if (at <= now_ms) due.push_back(id);
  }
  for (int64_t id : due) {
    m_intent_retry_at.erase(id);
    m_running_intents.erase(id);
    auto intent = m_d.store->IntentById(id);
    if (intent && intent->state == IntentState::kOpen) Execute(*intent, /*redrive=*/true);
  }

  // The heartbeat and the node's reachability; while the node is away no deadline runs (it is
  // extended by the stretch when the node is back: engine_outage.cpp).
  WatchLiveness();
  if (!m_node_outage || !m_d.outage.extend_deadlines) RunDueTimers(m_d.clock->NowSeconds());
  MaybePayDevTax();
  PurgeChats();
  // /api/info/'s statistics follow the clock even when no order changes.
  if (m_stats_at >= 0 && m_d.clock->NowSeconds() - m_stats_at >= 60) Publish();
  ResolveHtlcsNearExpiry();
  WarnOverduePayouts();

  // The slow safety net: ask the node about every hold we still consider unresolved.
  auto steady_now = std::chrono::steady_clock::now();
  if (steady_now - m_last_reconcile >= reconcile_interval) {
    m_last_reconcile = steady_now;
    for (const auto& h : m_d.store->UnresolvedHolds()) {
      if (h.state == HoldState::kPending) continue;  // its AddHold intent is still open
      const int64_t hold_id = h.id;
      m_d.holds->Lookup(HashFromHex(h.payment_hash), [this, hold_id](escrow::LnResult<escrow::Invoice> r) {
        if (r.ok()) Post(HoldUpdate{hold_id, *r});
      });
    }
  }
}

// A payout in flight past its budget is logged once at warn (per attempt; again after a
// restart, which forgets what was logged). The admin API lists it and the metrics count it.
void Engine::WarnOverduePayouts() {
  const int64_t now = m_d.clock->NowSeconds();
  std::set<int64_t> still_open;
  for (const auto& f : PayoutsInFlight(*m_d.store)) {
    still_open.insert(f.intent_id);
    if (now - f.since <= m_d.params.payout_in_flight_budget_s) continue;
    if (!m_overdue_payouts_logged.insert(f.intent_id).second) continue;
    base::Log(base::LogLevel::kWarn, "engine", "payout in flight past its budget",
              {{"order", std::to_string(f.payout.order_id)},
               {"payment_hash", f.payout.payment_hash},
               {"since", IsoTime(f.since)},
               {"age_s", std::to_string(now - f.since)},
               {"budget_s", std::to_string(m_d.params.payout_in_flight_budget_s)}});
  }
  std::erase_if(m_overdue_payouts_logged, [&](int64_t id) { return !still_open.count(id); });
}

void Engine::Recover() {
  // Every intent left open by a crash is carried out again: settle and cancel are idempotent,
  // AddHold finds an invoice the node already has, and a payment is looked up by its hash
  // before any re-send (escrow::PayoutDesk).
  for (const auto& intent : m_d.store->OpenIntents()) Execute(intent, /*redrive=*/true);
  // Re-watch every hold the node may still hold for us; the first update is the current state.
  for (const auto& h : m_d.store->UnresolvedHolds()) {
    if (h.state == HoldState::kPending) continue;
    const int64_t hold_id = h.id;
    m_d.holds->Watch(HashFromHex(h.payment_hash), [this, hold_id](const escrow::Invoice& inv) {
      Post(HoldUpdate{hold_id, inv});
    });
  }
}

}  // namespace coordinator
