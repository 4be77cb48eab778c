#include "coordinator/disputes/disputes.h"

#include <ctime>

#include "config/base/log.h"
#include "coordinator/errors.h"
#include "coordinator/money.h"

namespace coordinator::disputes {
namespace {

HoldInvoice MustHold(TradeOps& ops, int64_t id) {
  auto h = id ? ops.store().HoldById(id) : std::nullopt;
  if (!h) {
    // Every order in 9/10 has its three holds: their absence is a broken store.
    base::Log(base::LogLevel::kError, "disputes", "an order's hold is missing", {{"hold", std::to_string(id)}});
    return HoldInvoice{};
  }
  return *h;
}

// Takes a locked hold into custody (settled now); leaves alone one already decided.
void TakeIntoCustody(TradeOps& ops, int64_t hold_id) {
  if (hold_id == 0) return;
  HoldInvoice h = MustHold(ops, hold_id);
  if (h.id == 0 || h.state != HoldState::kAccepted || ops.Deciding(h)) return;
  ops.SettleIntoCustody(h);
}

void LogDispute(const Order& o, const char* what, const std::string& detail) {
  base::Log(base::LogLevel::kInfo, "disputes", what, {{"order", std::to_string(o.id)}, {"detail", detail}});
}

Dispute NewDispute(TradeOps& ops, const Order& o, DisputeCause cause, int64_t by) {
  Dispute d;
  d.id = ops.NewId(Table::kDispute);
  d.order_id = o.id;
  d.cause = cause;
  d.opened_by = by;
  d.opened_at = ops.now();
  d.deadline_at = ops.now() + ops.params().dispute_resolution_s;
  return d;
}

// The common part: custody of everything still locked, status 11 until the deadline.
void OpenWithCustody(TradeOps& ops, Order& o, DisputeCause cause, int64_t by) {
  TakeIntoCustody(ops, o.escrow_id);
  TakeIntoCustody(ops, o.maker_bond_id);
  TakeIntoCustody(ops, o.taker_bond_id);
  Dispute d = NewDispute(ops, o, cause, by);
  ops.Put(d);
  o.is_disputed = true;
  o.status = OrderStatus::kInDispute;
  o.expires_at = d.deadline_at;
  ops.Put(o);
}

}  // namespace

base::Status OpenByRobot(TradeOps& ops, Order& o, const Robot& robot) {
  if (o.status != OrderStatus::kSendingFiat && o.status != OrderStatus::kFiatSent) {
    return Error(err::kCannotDispute);
  }
  // RoboSats: "if order.expires_at and now < expires_at - 18 h: 1054".
  if (o.expires_at != 0 && ops.now() < o.expires_at - kOpenableBeforeExpiryS) return Error(err::kDisputeTooEarly);
  OpenWithCustody(ops, o, DisputeCause::kRobot, robot.id);
  LogDispute(o, "dispute opened", "by a participant");
  return base::Status::Ok();
}

void OpenAtExpiry(TradeOps& ops, Order& o) {
  // RoboSats api/logics.py automatic_dispute_resolution: only when the fiat was never marked
  // sent (nor marked and undone), at expiry.
  if (!o.fiat_sent_ever) {
    const int64_t maker_msgs = ops.store().CountChatBy(o.id, o.maker_id);
    const int64_t taker_msgs = ops.store().CountChatBy(o.id, o.taker_id);
    if (maker_msgs == 0 || taker_msgs == 0) {
      HoldInvoice escrow = MustHold(ops, o.escrow_id);
      if (escrow.id) ops.Return(escrow);
      if (maker_msgs == 0 && taker_msgs == 0) {
        // "No robot wrote in the chat, the dispute cannot be solved automatically": both bonds
        // into custody, the escrow back; the operator decides.
        TakeIntoCustody(ops, o.maker_bond_id);
        TakeIntoCustody(ops, o.taker_bond_id);
        Dispute d = NewDispute(ops, o, DisputeCause::kExpiry, 0);
        ops.Put(d);
        o.is_disputed = true;
        o.status = OrderStatus::kInDispute;
        o.expires_at = d.deadline_at;
        ops.Put(o);
        LogDispute(o, "dispute opened", "at expiry; nobody wrote in the chat");
        return;
      }
      // One side never wrote: it loses its bond (half to the other), the rest goes back.
      const bool maker_silent = maker_msgs == 0;
      HoldInvoice lost = MustHold(ops, maker_silent ? o.maker_bond_id : o.taker_bond_id);
      HoldInvoice kept = MustHold(ops, maker_silent ? o.taker_bond_id : o.maker_bond_id);
      if (lost.id) ops.Forfeit(o, lost, maker_silent ? o.taker_id : o.maker_id);
      if (kept.id) ops.Return(kept);
      Dispute d = NewDispute(ops, o, DisputeCause::kExpiry, 0);
      d.outcome = maker_silent ? DisputeOutcome::kMakerSilent : DisputeOutcome::kTakerSilent;
      d.resolved_at = ops.now();
      d.resolved_by = "auto";
      d.note = maker_silent ? "the maker did not write in the chat" : "the taker did not write in the chat";
      ops.Put(d);
      o.is_disputed = true;
      ops.Finish(o, maker_silent ? OrderStatus::kMakerLostDispute : OrderStatus::kTakerLostDispute);
      LogDispute(o, "dispute resolved automatically", d.note);
      return;
    }
  }
  OpenWithCustody(ops, o, DisputeCause::kExpiry, 0);
  LogDispute(o, "dispute opened", "at expiry");
}

void OpenAtOutageMargin(TradeOps& ops, Order& o) {
  // No automatic resolution: the silence it would punish may be our own downtime.
  OpenWithCustody(ops, o, DisputeCause::kExpiry, 0);
  LogDispute(o, "dispute opened", "at a held HTLC's margin after an outage; nobody is penalised automatically");
}

void OpenForLostHold(TradeOps& ops, Order& o) {
  OpenWithCustody(ops, o, DisputeCause::kEscrowLost, 0);
  LogDispute(o, "dispute opened", "the node gave back a hold the trade relied on");
}

base::Status SubmitStatement(TradeOps& ops, Order& o, const Robot& robot, const std::string& statement) {
  if (o.status != OrderStatus::kInDispute) return Error(err::kStatementNotNow);
  if (statement.size() > kMaxStatement) return Error(err::kStatementTooLong);
  if (statement.size() < kMinStatement) return Error(err::kStatementTooShort);
  auto found = ops.store().DisputeOfOrder(o.id);
  if (!found) return Error(err::kStatementNotNow);
  Dispute d = *found;
  if (robot.id == o.maker_id) {
    d.maker_statement = statement;
    d.maker_statement_at = ops.now();
  } else {
    d.taker_statement = statement;
    d.taker_statement_at = ops.now();
  }
  ops.Put(d);
  // Both statements in: RoboSats' "Wait for dispute resolution".
  if (!d.maker_statement.empty() && !d.taker_statement.empty()) {
    o.status = OrderStatus::kWaitingDisputeResolution;
    ops.Put(o);
  }
  return base::Status::Ok();
}

base::Status Resolve(TradeOps& ops, Order& o, DisputeOutcome outcome, const std::string& note,
                     const std::string& resolver) {
  auto refuse = [](std::string why) { return Error(err::kNotUnderstood, std::move(why)); };
  auto found = ops.store().DisputeOfOrder(o.id);
  if (!found || found->outcome != DisputeOutcome::kOpen ||
      (o.status != OrderStatus::kInDispute && o.status != OrderStatus::kWaitingDisputeResolution)) {
    return refuse("Order " + std::to_string(o.id) + " has no open dispute (already resolved, or none)");
  }
  switch (outcome) {
    case DisputeOutcome::kMakerWins:
    case DisputeOutcome::kTakerWins:
    case DisputeOutcome::kReturnEverything:
    case DisputeOutcome::kSuccessfulTrade:
      break;
    case DisputeOutcome::kOpen:
    case DisputeOutcome::kMakerSilent:
    case DisputeOutcome::kTakerSilent:
      return refuse(std::string("\"") + DisputeOutcomeName(outcome) +
                    "\" is not a resolution: maker_wins, taker_wins, return_everything or successful_trade");
  }
  // What is in custody, and only once settled: the shares are given out of sats the coordinator
  // holds, never of sats still on their way.
  struct Held {
    HoldInvoice hold;
    bool in_custody = false;
  };
  Held mb{MustHold(ops, o.maker_bond_id)}, tb{MustHold(ops, o.taker_bond_id)}, esc{MustHold(ops, o.escrow_id)};
  for (Held* h : {&mb, &tb, &esc}) {
    if (!h->hold.custody) continue;
    if (h->hold.state == HoldState::kAccepted) {
      return refuse("The custody of order " + std::to_string(o.id) +
                    " is still being settled at the node; try again in a moment");
    }
    h->in_custody = h->hold.state == HoldState::kSettled;
  }
  std::optional<Payout> payout;
  if (outcome == DisputeOutcome::kSuccessfulTrade) {
    if (!esc.in_custody) {
      return refuse("The escrow of order " + std::to_string(o.id) +
                    " is not in custody (it went back to the seller): the trade cannot be completed");
    }
    if (o.payout_id) payout = ops.store().PayoutById(o.payout_id);
    if (!payout) return refuse("The buyer of order " + std::to_string(o.id) + " gave no payout invoice");
  }

  const int64_t seller = o.type == OrderType::kSell ? o.maker_id : o.taker_id;
  const int64_t winner = outcome == DisputeOutcome::kMakerWins ? o.maker_id : o.taker_id;
  const std::string label = std::string("dispute: ") + DisputeOutcomeName(outcome);
  // Gives a custodial hold's sats out: shares as rewards, the rest as proceeds.
  auto give = [&](const Held& h, std::initializer_list<std::pair<int64_t, int64_t>> shares) {
    if (!h.in_custody) return;
    ops.AddLedger(o.id, h.hold.robot_id, LedgerKind::kCustodyReleased, h.hold.amount_sat, label);
    int64_t given = 0;
    for (const auto& [robot, sats] : shares) {
      if (sats <= 0 || robot == 0) continue;
      ops.CreditRewards(o.id, robot, sats, label);
      given += sats;
    }
    if (h.hold.amount_sat > given) ops.AddLedger(o.id, 0, LedgerKind::kProceeds, h.hold.amount_sat - given, label);
  };
  const TradeParams& p = ops.params();
  OrderStatus end = o.status;
  switch (outcome) {
    case DisputeOutcome::kMakerWins:
    case DisputeOutcome::kTakerWins: {
      const Held& own = winner == o.maker_id ? mb : tb;
      const Held& lost = winner == o.maker_id ? tb : mb;
      const auto reward = static_cast<int64_t>(static_cast<double>(lost.hold.amount_sat) * p.reward_share);
      give(own, {{winner, own.hold.amount_sat}});
      give(lost, {{winner, reward}});
      // The trade: a winning seller gets the escrow back whole; a winning buyer gets what a
      // successful trade would have paid (the fees are proceeds).
      const int64_t trade_share =
          winner == seller ? esc.hold.amount_sat : std::min(esc.hold.amount_sat, PayoutSats(p, o.type, o.trade_satoshis));
      give(esc, {{winner, trade_share}});
      end = winner == o.maker_id ? OrderStatus::kTakerLostDispute : OrderStatus::kMakerLostDispute;
      break;
    }
    case DisputeOutcome::kReturnEverything:
      give(mb, {{o.maker_id, mb.hold.amount_sat}});
      give(tb, {{o.taker_id, tb.hold.amount_sat}});
      give(esc, {{seller, esc.hold.amount_sat}});
      end = OrderStatus::kCollaborativelyCancelled;
      break;
    case DisputeOutcome::kSuccessfulTrade:
      give(mb, {{o.maker_id, mb.hold.amount_sat}});
      give(tb, {{o.taker_id, tb.hold.amount_sat}});
      // The escrow stays in custody until the payout succeeds (the engine releases it then, as
      // for any trade: escrow − payout − routing fee is proceeds).
      end = OrderStatus::kSendingSats;
      break;
    case DisputeOutcome::kOpen:
    case DisputeOutcome::kMakerSilent:
    case DisputeOutcome::kTakerSilent:
      break;
  }
  Dispute d = *found;
  d.outcome = outcome;
  d.resolved_at = ops.now();
  d.resolved_by = resolver;
  d.note = note;
  ops.Put(d);
  if (outcome == DisputeOutcome::kSuccessfulTrade) {
    o.expires_at = 0;
    ops.StartPayout(o, *payout);  // 13, or 15 if the invoice expired meanwhile
  } else {
    ops.Finish(o, end);
  }
  base::Log(base::LogLevel::kInfo, "disputes", "dispute resolved",
            {{"order", std::to_string(o.id)}, {"outcome", DisputeOutcomeName(outcome)}, {"by", resolver}});
  return base::Status::Ok();
}

std::string StatusMessageWithDeadline(OrderStatus status, int64_t deadline_at) {
  std::time_t t = static_cast<std::time_t>(deadline_at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
  return std::string(StatusMessage(status)) + " - the coordinator resolves it by " + when;
}

}  // namespace coordinator::disputes
