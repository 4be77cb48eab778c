// Disputes: what happens when a trade goes wrong after the escrow is locked (statuses 9/10 →
// 11 → 16 → an outcome). RoboSats v0.8.6 is the reference (api/logics.py open_dispute,
// automatic_dispute_resolution, dispute_statement; api/admin.py's four resolutions), with
// DESIGN.md's money rules where RoboSats differs:
//
// - Opening settles the escrow and both bonds into the coordinator's custody at once: no HTLC
//   is held while a dispute lasts days.
// - At the fiat exchange's expiry, if the buyer never marked the fiat sent, RoboSats resolves
//   by itself: a robot that never wrote in the chat loses (the other's bond and the escrow go
//   back, the silent one's bond is forfeited, half to the other); if neither wrote, the escrow
//   goes back and both bonds go into custody for the operator to decide.
// - Resolution (the operator's, once): maker_wins → 18, taker_wins → 17, return_everything →
//   12, successful_trade → the buyer is paid (13 → 14). Only what is in custody is given out,
//   and only once it is settled; each share is credited as rewards, the winner also earning the
//   rewards share of the loser's bond, the rest of it being proceeds.
#pragma once

#include <string>

#include "config/base/status.h"
#include "coordinator/trade_ops.h"

namespace coordinator::disputes {

// RoboSats: a participant may open a dispute in 9/10 from 18 h before the status' expiry.
constexpr int64_t kOpenableBeforeExpiryS = 18 * 3600;
// RoboSats api/logics.py dispute_statement: 100..50 000 characters (2001, 2000).
constexpr size_t kMinStatement = 100;
constexpr size_t kMaxStatement = 50000;

// action=dispute by `robot` (a participant). Errors: 1013 not in 9/10, 1054 too early.
base::Status OpenByRobot(TradeOps& ops, Order& o, const Robot& robot);
// The fiat exchange (9/10) timed out: the automatic resolution, else a dispute.
void OpenAtExpiry(TradeOps& ops, Order& o);
// The fiat exchange's deadline, extended for an outage (engine_outage.cpp), reached a held
// HTLC's margin: a dispute with everything in custody, never RoboSats' automatic resolution
// (which punishes silence — silence we may have caused).
void OpenAtOutageMargin(TradeOps& ops, Order& o);
// The node gave back a hold the trade relied on (the escrow): a dispute with custody of what
// is still held; nothing is taken from holds already being decided.
void OpenForLostHold(TradeOps& ops, Order& o);

// action=submit_statement. Errors: 1014 not in dispute, 2000 too long, 2001 too short.
base::Status SubmitStatement(TradeOps& ops, Order& o, const Robot& robot, const std::string& statement);

// The operator's resolution, once. Errors (kNotUnderstood with the reason): no open dispute,
// an automatic outcome asked for, custody still being settled, successful_trade without the
// escrow in custody or without a payout invoice.
base::Status Resolve(TradeOps& ops, Order& o, DisputeOutcome outcome, const std::string& note,
                     const std::string& resolver);

// What the status message says of a dispute's deadline, e.g. "In dispute - the coordinator
// resolves it by 2026-12-04 10:00 UTC".
std::string StatusMessageWithDeadline(OrderStatus status, int64_t deadline_at);

}  // namespace coordinator::disputes
