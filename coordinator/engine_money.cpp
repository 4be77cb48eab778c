// The engine's money side: hold invoices (bonds, escrow), payouts and intents (its timers and
// recovery: engine_timers.cpp).
#include <algorithm>

#include "config/base/log.h"
#include "coordinator/engine.h"
#include "coordinator/disputes/disputes.h"
#include "coordinator/engine_ops.h"
#include "coordinator/engine_tx.h"
#include "coordinator/money.h"
#include "escrow/crypto/sha256.h"

namespace coordinator {
namespace {

const char* RoleName(HoldRole r) {
  switch (r) {
    case HoldRole::kMakerBond: return "maker bond";
    case HoldRole::kTakerBond: return "taker bond";
    case HoldRole::kEscrow: return "escrow";
  }
  return "?";
}

// RoboSats api/models/ln_payment.py LNPayment.FailureReason labels: what its client shows as
// the payout's `failure_reason`.
const char* FailureLabel(escrow::FailureReason r) {
  switch (r) {
    case escrow::FailureReason::kNone: return "Payment isn't failed (yet)";
    case escrow::FailureReason::kTimeout: return "There are more routes to try, but the payment timeout was exceeded.";
    case escrow::FailureReason::kNoRoute:
      return "All possible routes were tried and failed permanently. Or there were no routes to the destination at all.";
    case escrow::FailureReason::kError: return "A non-recoverable error has occurred.";
    case escrow::FailureReason::kIncorrectPaymentDetails:
      return "Payment details are incorrect (unknown hash, invalid amount or invalid final CLTV delta).";
    case escrow::FailureReason::kInsufficientBalance: return "Insufficient unlocked balance in RoboSats' node.";
    case escrow::FailureReason::kCanceled: return "A non-recoverable error has occurred.";
  }
  return "A non-recoverable error has occurred.";
}

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// A send the node refused outright, before any HTLC left (an expired invoice, unknown required
// features, no route, too little balance): a failed attempt, not an undecided one.
bool RefusedBeforeSending(escrow::LnErrorCode code) {
  switch (code) {
    case escrow::LnErrorCode::kInvalidArgument:
    case escrow::LnErrorCode::kNoRoute:
    case escrow::LnErrorCode::kInsufficientBalance:
      return true;
    case escrow::LnErrorCode::kUnreachable:
    case escrow::LnErrorCode::kTlsMismatch:
    case escrow::LnErrorCode::kUnauthorized:
    case escrow::LnErrorCode::kTimeout:
    case escrow::LnErrorCode::kNotFound:
    case escrow::LnErrorCode::kAlreadyExists:
    case escrow::LnErrorCode::kAlreadySettled:
    case escrow::LnErrorCode::kAlreadyCanceled:
    case escrow::LnErrorCode::kNotAccepted:
    case escrow::LnErrorCode::kAlreadyPaying:
    case escrow::LnErrorCode::kProtocol:
    case escrow::LnErrorCode::kInternal:
      return false;
  }
  return false;
}

HoldInvoice Engine::NewHold(Tx& tx, const Order& o, int64_t robot_id, HoldRole role, int64_t amount_sat,
                            int64_t take_id, int64_t open_seconds) {
  HoldInvoice h;
  h.id = tx.store.NewId(Table::kHold);
  h.order_id = o.id;
  h.robot_id = robot_id;
  h.take_id = take_id;
  h.role = role;
  h.amount_sat = amount_sat;
  escrow::Hash32 preimage = escrow::crypto::RandomHash32();
  h.preimage = escrow::crypto::ToHex(preimage);
  h.payment_hash = escrow::crypto::ToHex(escrow::crypto::Sha256(preimage.data(), preimage.size()));
  h.state = HoldState::kPending;
  h.created_at = tx.now;
  h.invoice_expires_at = tx.now + std::max<int64_t>(open_seconds, 60);
  int64_t hold_seconds = role == HoldRole::kMakerBond   ? MakerBondHoldSeconds(m_d.params, o)
                         : role == HoldRole::kTakerBond ? TakerBondHoldSeconds(m_d.params, o)
                                                        : EscrowHoldSeconds(m_d.params, o);
  h.cltv_expiry = CltvBlocksFor(m_d.params, hold_seconds);
  tx.Put(h);
  QueueIntent(tx, IntentKind::kAddHold, o.id, h.id);
  return h;
}

void Engine::QueueIntent(Tx& tx, IntentKind kind, int64_t order_id, int64_t target_id) {
  Intent i;
  i.id = tx.store.NewId(Table::kIntent);
  i.kind = kind;
  i.order_id = order_id;
  i.target_id = target_id;
  i.created_at = tx.now;
  tx.Put(i);
  tx.new_intents.push_back(i);
}

// Decides the fate of a hold: settle (take the sats) or cancel (return them). The node call
// happens after the commit, through the intent.
void Engine::Resolve(Tx& tx, HoldInvoice& h, bool settle) {
  if (h.state == HoldState::kSettled || h.state == HoldState::kCanceled) return;
  QueueIntent(tx, settle ? IntentKind::kSettleHold : IntentKind::kCancelHold, h.order_id, h.id);
}

// Marks an intent done inside the current transaction.
static void MarkDone(Engine::Tx& tx, int64_t intent_id) {
  auto intent = tx.store.IntentById(intent_id);
  if (!intent || intent->state == IntentState::kDone) return;
  intent->state = IntentState::kDone;
  intent->done_at = tx.now;
  tx.Put(*intent);
}

void Engine::Execute(const Intent& intent, bool redrive) {
  if (m_running_intents.count(intent.id)) return;
  m_running_intents.insert(intent.id);
  m_intent_retry_at.erase(intent.id);
  const int64_t id = intent.id;
  auto retry_later = [this, id](Tx& tx, const std::string& why) {
    (void)tx;
    base::Log(base::LogLevel::kWarn, "engine", "intent failed; will retry", {{"intent", std::to_string(id)}, {"error", why}});
    m_intent_retry_at[id] = SteadyMs() + intent_retry_interval.count();
  };

  switch (intent.kind) {
    case IntentKind::kAddHold: {
      auto h = m_d.store->HoldById(intent.target_id);
      if (!h) return;
      escrow::HoldSpec spec;
      spec.payment_hash = HashFromHex(h->payment_hash);
      spec.amount_sat = h->amount_sat;
      spec.memo = "RoboSats order #" + std::to_string(h->order_id) + ": " + RoleName(h->role);
      spec.expiry_seconds = std::max<int64_t>(60, h->invoice_expires_at - m_d.clock->NowSeconds());
      spec.cltv_expiry = h->cltv_expiry;
      m_d.holds->Add(spec, [this, id, retry_later](escrow::LnResult<escrow::AddInvoiceResult> r) {
        CrashPoint("node", IntentKind::kAddHold);
        Post(IntentResult{id, [this, id, r, retry_later](Tx& tx) {
          if (!r.ok()) return retry_later(tx, escrow::LnErrorCodeName(r.error().code));
          auto intent = tx.Must(tx.store.IntentById(id), "intent");
          auto h = tx.Must(tx.store.HoldById(intent.target_id), "hold");
          MarkDone(tx, id);
          if (h.state == HoldState::kPending) {
            h.payment_request = r->payment_request;
            h.state = HoldState::kOpen;
            tx.Put(h);
            tx.touched_orders.insert(h.order_id);
          } else if (h.state == HoldState::kCanceled) {
            // Given up while the node was creating it: cancel it there too, so it can't be paid.
            QueueIntent(tx, IntentKind::kCancelHold, h.order_id, h.id);
          }
          const int64_t hold_id = h.id;
          const std::string hash = h.payment_hash;
          tx.after_commit.push_back([this, hold_id, hash] {
            m_d.holds->Watch(HashFromHex(hash), [this, hold_id](const escrow::Invoice& inv) {
              Post(HoldUpdate{hold_id, inv});
            });
          });
        }});
      });
      return;
    }
    case IntentKind::kSettleHold:
    case IntentKind::kCancelHold: {
      auto h = m_d.store->HoldById(intent.target_id);
      if (!h) return;
      const bool settle = intent.kind == IntentKind::kSettleHold;
      auto on_done = [this, id, settle, retry_later](escrow::LnStatus st) {
        CrashPoint("node", settle ? IntentKind::kSettleHold : IntentKind::kCancelHold);
        Post(IntentResult{id, [this, id, settle, st, retry_later](Tx& tx) {
          auto intent = tx.Must(tx.store.IntentById(id), "intent");
          auto h = tx.Must(tx.store.HoldById(intent.target_id), "hold");
          auto order = tx.Must(tx.store.OrderById(h.order_id), "order");
          if (!st.ok()) {
            auto code = st.error().code;
            bool gone = code == escrow::LnErrorCode::kNotFound || code == escrow::LnErrorCode::kAlreadyCanceled;
            if (!settle && gone) {
              // Nothing to return: the invoice never reached the node, or is canceled already.
            } else if (settle && code == escrow::LnErrorCode::kAlreadyCanceled) {
              // The HTLC is gone before we could take it: nothing was collected.
              base::Log(base::LogLevel::kError, "engine", "settle found the invoice canceled",
                        {{"order", std::to_string(h.order_id)}, {"hold", std::to_string(h.id)}});
              MarkDone(tx, id);
              h.state = HoldState::kCanceled;
              tx.Put(h);
              OnHoldLost(tx, h, order);
              return;
            } else if (settle && code == escrow::LnErrorCode::kNotAccepted) {
              // Not paid (yet): nothing to take. Cancel it so that it can't be paid later.
              MarkDone(tx, id);
              QueueIntent(tx, IntentKind::kCancelHold, h.order_id, h.id);
              return;
            } else {
              return retry_later(tx, escrow::LnErrorCodeName(code));
            }
          }
          MarkDone(tx, id);
          if (h.state == HoldState::kSettled || h.state == HoldState::kCanceled) return;
          h.state = settle ? HoldState::kSettled : HoldState::kCanceled;
          tx.Put(h);
          tx.touched_orders.insert(order.id);
          if (settle) OnHoldSettled(tx, h, order);
        }});
      };
      if (settle) {
        m_d.holds->Settle(HashFromHex(h->preimage), on_done);
      } else {
        m_d.holds->Cancel(HashFromHex(h->payment_hash), on_done);
      }
      return;
    }
    case IntentKind::kPayReward: {
      auto w = m_d.store->RewardWithdrawalById(intent.target_id);
      if (!w) return;
      escrow::PaySpec spec;
      spec.payment_request = w->payment_request;
      spec.payment_hash = HashFromHex(w->payment_hash);
      spec.fee_limit_sat = w->routing_budget_sat;
      spec.timeout_seconds = 30;  // RoboSats REWARDS_TIMEOUT_SECONDS
      spec.cltv_limit = m_d.params.payout_cltv_limit_blocks;
      m_d.payouts->Pay(spec, escrow::PriorFailure::kIsThisAttempt, [this, id](escrow::LnResult<escrow::PayOutcome> r) {
        CrashPoint("node", IntentKind::kPayReward);
        Post(IntentResult{id, [this, id, r](Tx& tx) { OnRewardResult(tx, id, r); }});
      });
      return;
    }
    case IntentKind::kPayDevTax:
      ExecuteDevTax(intent);
      return;
    case IntentKind::kPay: {
      auto p = m_d.store->PayoutById(intent.target_id);
      if (!p) return;
      escrow::PaySpec spec;
      spec.payment_request = p->payment_request;
      spec.payment_hash = HashFromHex(p->payment_hash);
      spec.fee_limit_sat = p->routing_budget_sat;
      spec.timeout_seconds = 60;
      spec.cltv_limit = m_d.params.payout_cltv_limit_blocks;
      auto prior = redrive ? escrow::PriorFailure::kIsThisAttempt
                           : (p->attempts > 1 ? escrow::PriorFailure::kResend : escrow::PriorFailure::kIsThisAttempt);
      m_d.payouts->Pay(spec, prior, [this, id](escrow::LnResult<escrow::PayOutcome> r) {
        CrashPoint("node", IntentKind::kPay);
        Post(IntentResult{id, [this, id, r](Tx& tx) { OnPayoutResult(tx, id, r); }});
      });
      return;
    }
  }
}

void Engine::AddLedger(Tx& tx, const Order& o, int64_t robot_id, LedgerKind kind, int64_t amount_sat,
                       std::string memo) {
  AddLedger(tx, o.id, robot_id, kind, amount_sat, std::move(memo));
}

// Every ledger row of the engine is written here (proceeds included: one place to follow them).
void Engine::AddLedger(Tx& tx, int64_t order_id, int64_t robot_id, LedgerKind kind, int64_t amount_sat,
                       std::string memo) {
  LedgerEntry e;
  e.id = tx.store.NewId(Table::kLedger);
  e.order_id = order_id;
  e.robot_id = robot_id;
  e.kind = kind;
  e.amount_sat = amount_sat;
  e.created_at = tx.now;
  e.memo = std::move(memo);
  tx.Put(e);
  if (kind == LedgerKind::kProceeds) AccrueDevTax(tx, e);
}

// Ledger and rewards once a settle is confirmed by the node.
void Engine::OnHoldSettled(Tx& tx, HoldInvoice& h, Order& o) {
  AddLedger(tx, o, h.robot_id, h.role == HoldRole::kEscrow ? LedgerKind::kEscrowSettled : LedgerKind::kBondSettled,
            h.amount_sat, RoleName(h.role));
  if (h.custody) {
    AddLedger(tx, o, h.robot_id, LedgerKind::kDisputeCustody, h.amount_sat, RoleName(h.role));
    return;
  }
  if (h.role == HoldRole::kEscrow) {
    // The seller confirmed: now the buyer can be paid (never before the escrow is ours).
    if (o.status == OrderStatus::kSendingSats && o.payout_id != 0) {
      auto p = tx.Must(tx.store.PayoutById(o.payout_id), "payout");
      if (p.state == PayoutState::kPending) StartPayout(tx, o, p);
    }
    return;
  }
  // A forfeited bond: the wronged robot's share, the rest is proceeds.
  int64_t reward = 0;
  if (h.reward_robot_id != 0) {
    reward = static_cast<int64_t>(static_cast<double>(h.amount_sat) * m_d.params.reward_share);
    auto r = tx.Must(tx.store.RobotById(h.reward_robot_id), "robot");
    r.earned_rewards_sat += reward;
    tx.Put(r);
    AddLedger(tx, o, r.id, LedgerKind::kRewardCredited, reward, "rewards share of a forfeited bond");
  }
  AddLedger(tx, o, 0, LedgerKind::kProceeds, h.amount_sat - reward, "forfeited bond");
}

// A hold the order relied on was canceled by the node (its sats went back to the payer)
// without our asking. The order cannot go on as if it were locked: it ends as its status'
// expiry rules say (those decide the bonds; a bond the node gave back cannot be forfeited),
// and in 9/10 that opens a dispute with custody of what is still held. An escrow lost after the
// seller confirmed (13, a race with the node) leaves the buyer unpaid: a dispute too.
void Engine::OnHoldLost(Tx& tx, const HoldInvoice& h, Order& o) {
  if (IsTerminal(o.status)) return;
  const bool needed = h.id == o.maker_bond_id || h.id == o.taker_bond_id || h.id == o.escrow_id;
  if (!needed) return;
  tx.touched_orders.insert(o.id);
  Ops ops(*this, tx);
  if (o.status == OrderStatus::kSendingSats && h.id == o.escrow_id) {
    if (o.payout_id) {
      auto p = tx.Must(tx.store.PayoutById(o.payout_id), "payout");
      if (p.state == PayoutState::kPending) {
        p.state = PayoutState::kReplaced;
        tx.Put(p);
      }
    }
    disputes::OpenForLostHold(ops, o);
    return;
  }
  if (o.status == OrderStatus::kSendingFiat || o.status == OrderStatus::kFiatSent) {
    disputes::OpenForLostHold(ops, o);
    return;
  }
  Expire(tx, o);
}

void Engine::StartPayout(Tx& tx, Order& o, Payout& p) {
  if (tx.now >= p.invoice_expires_at) {
    // Checked before every attempt: an expired invoice cannot be paid. RoboSats moves such a
    // payout to "Failed lightning network routing" (15) and asks for a new invoice.
    p.state = PayoutState::kFailed;
    p.failure_reason = "The invoice has expired";
    p.next_attempt_at = 0;
    tx.Put(p);
    o.status = OrderStatus::kRoutingFailed;
    o.expires_at = 0;
    tx.Put(o);
    return;
  }
  p.state = PayoutState::kInFlight;
  p.attempts += 1;
  tx.Put(p);
  o.status = OrderStatus::kSendingSats;
  tx.Put(o);
  QueueIntent(tx, IntentKind::kPay, o.id, p.id);
}

// A payout attempt ended without success: retry a minute later up to the limit (and while the
// invoice is valid), then wait for a new invoice. Either way the order shows 15.
void Engine::FailPayoutAttempt(Tx& tx, Order& o, Payout& p, std::string reason) {
  p.failure_reason = std::move(reason);
  const bool expired = tx.now >= p.invoice_expires_at;
  if (p.attempts < m_d.params.payout_max_attempts && !expired) {
    p.state = PayoutState::kPending;
    p.next_attempt_at = tx.now + m_d.params.payout_retry_interval_s;
  } else {
    p.state = PayoutState::kFailed;
    p.next_attempt_at = 0;
  }
  tx.Put(p);
  o.status = OrderStatus::kRoutingFailed;
  tx.Put(o);
}

void Engine::OnPayoutResult(Tx& tx, int64_t intent_id, const escrow::LnResult<escrow::PayOutcome>& r) {
  auto intent = tx.Must(tx.store.IntentById(intent_id), "intent");
  if (intent.state == IntentState::kDone) return;
  auto p = tx.Must(tx.store.PayoutById(intent.target_id), "payout");
  auto o = tx.Must(tx.store.OrderById(p.order_id), "order");
  if (!r.ok()) {
    if (RefusedBeforeSending(r.error().code)) {
      // A definite refusal: no HTLC left. A failed attempt (RoboSats: an expired payout invoice
      // goes to 15 and a new one is accepted), never a wedge in 13.
      base::Log(base::LogLevel::kWarn, "engine", "payout refused by the node",
                {{"order", std::to_string(o.id)}, {"error", escrow::LnErrorCodeName(r.error().code)},
                 {"message", r.error().message}});
      MarkDone(tx, intent_id);
      tx.touched_orders.insert(o.id);
      FailPayoutAttempt(tx, o, p,
                        r.error().code == escrow::LnErrorCode::kInvalidArgument
                            ? "The node refused the invoice: " + r.error().message
                            : std::string(FailureLabel(r.error().code == escrow::LnErrorCode::kNoRoute
                                                           ? escrow::FailureReason::kNoRoute
                                                           : escrow::FailureReason::kInsufficientBalance)));
      return;
    }
    // The node could not be asked: nothing is known to be sent. Re-drive the same attempt.
    base::Log(base::LogLevel::kWarn, "engine", "payout attempt undecided; will re-drive",
              {{"order", std::to_string(o.id)}, {"error", escrow::LnErrorCodeName(r.error().code)}});
    m_intent_retry_at[intent_id] = SteadyMs() + intent_retry_interval.count();
    return;
  }
  MarkDone(tx, intent_id);
  tx.touched_orders.insert(o.id);
  if (r->status == escrow::PaymentStatus::kSucceeded) {
    p.state = PayoutState::kSucceeded;
    p.fee_sat = (r->fee_msat + 999) / 1000;  // a fraction of a sat of fee costs a whole one
    if (r->preimage) p.preimage = escrow::crypto::ToHex(*r->preimage);
    tx.Put(p);
    // Proceeds of the trade: escrow − payout − routing fee (fees + unspent routing budget).
    int64_t escrow_sat = 0;
    if (o.escrow_id) escrow_sat = tx.Must(tx.store.HoldById(o.escrow_id), "escrow").amount_sat;
    if (o.escrow_id) {
      // A dispute resolved as a successful trade: the escrow leaves custody now.
      auto esc = tx.Must(tx.store.HoldById(o.escrow_id), "escrow");
      if (esc.custody) AddLedger(tx, o, esc.robot_id, LedgerKind::kCustodyReleased, esc.amount_sat, "dispute: paid out");
    }
    AddLedger(tx, o, p.robot_id, LedgerKind::kPayoutSent, p.amount_sat, "payout");
    AddLedger(tx, o, p.robot_id, LedgerKind::kRoutingFee, p.fee_sat, "routing fee");
    AddLedger(tx, o, 0, LedgerKind::kProceeds, escrow_sat - p.amount_sat - p.fee_sat,
              "trade fees and unspent routing budget");
    o.status = OrderStatus::kSuccess;
    o.expires_at = tx.now;
    o.finished_at = tx.now;
    tx.Put(o);
    ReleaseRobots(tx, o);
    return;
  }
  // FAILED: retry up to the limit, a minute apart; then wait for a new invoice.
  FailPayoutAttempt(tx, o, p, FailureLabel(r->failure_reason));
}

// A hold invoice changed state at the node.
void Engine::Handle(HoldUpdate& u) {
  Transact(
      [&](Tx& tx) {
        auto h = tx.store.HoldById(u.hold_id);
        if (!h) return;
        auto o = tx.Must(tx.store.OrderById(h->order_id), "order");
        switch (u.invoice.state) {
          case escrow::InvoiceState::kOpen:
            return;
          case escrow::InvoiceState::kAccepted: {
            int32_t expiry = 0;
            for (const auto& htlc : u.invoice.htlcs) {
              if (htlc.state == escrow::HtlcState::kAccepted && (expiry == 0 || htlc.expiry_height < expiry)) {
                expiry = htlc.expiry_height;
              }
            }
            if (h->state == HoldState::kPending || h->state == HoldState::kOpen) {
              h->state = HoldState::kAccepted;
              h->htlc_expiry_height = expiry;
              tx.Put(*h);
              tx.touched_orders.insert(o.id);
              OnHoldAccepted(tx, *h, o);
            } else if (h->state == HoldState::kCanceled) {
              // Paid after we gave it up (e.g. a losing pre-taker): return it.
              QueueIntent(tx, IntentKind::kCancelHold, o.id, h->id);
            }
            return;
          }
          case escrow::InvoiceState::kSettled:
          case escrow::InvoiceState::kCanceled: {
            // Normally our own settle/cancel, whose intent result records it. A cancel we did
            // not ask for (OPEN expiry, or the node's auto-cancel) is recorded here.
            if (u.invoice.state == escrow::InvoiceState::kCanceled &&
                (h->state == HoldState::kPending || h->state == HoldState::kOpen || h->state == HoldState::kAccepted)) {
              bool was_accepted = h->state == HoldState::kAccepted;
              h->state = HoldState::kCanceled;
              tx.Put(*h);
              tx.touched_orders.insert(o.id);
              bool we_asked = false;
              for (const auto& i : tx.store.OpenIntents()) {
                we_asked |= i.kind == IntentKind::kCancelHold && i.target_id == h->id;
              }
              if (was_accepted && !we_asked) {
                base::Log(base::LogLevel::kError, "engine", "the node canceled a held invoice",
                          {{"order", std::to_string(o.id)}, {"hold", std::to_string(h->id)}});
                OnHoldLost(tx, *h, o);
              }
            }
            return;
          }
        }
      },
      nullptr);
}

}  // namespace coordinator
