// The buyer's payout invoice (RoboSats update_invoice): a PGP-signed BOLT 11 for exactly the
// payout minus the routing budget, checked here before any payout can be made to it.
#include <algorithm>

#include "coordinator/engine.h"
#include "coordinator/engine_tx.h"
#include "coordinator/errors.h"
#include "coordinator/invoice_checks.h"
#include "coordinator/money.h"

namespace coordinator {

using JsonResult = base::Result<nlohmann::json>;

namespace {

// The latest time the payout to an invoice submitted now may still be attempted: the end of the
// fiat window that remains (not yet started while collateral or the invoice is awaited) plus
// every payout attempt.
int64_t PayoutDeadline(const TradeParams& p, const Order& o, int64_t now) {
  int64_t window_end = now;
  switch (o.status) {
    case OrderStatus::kWaitingCollateralAndInvoice:
    case OrderStatus::kWaitingCollateral:
      window_end = std::max(now, o.expires_at) + p.fiat_exchange_duration_s;
      break;
    case OrderStatus::kWaitingInvoice:
      window_end = now + p.fiat_exchange_duration_s;
      break;
    case OrderStatus::kSendingFiat:
    case OrderStatus::kFiatSent:
      window_end = std::max(now, o.expires_at);
      break;
    default:
      break;  // 15: the payout starts at once
  }
  return window_end + static_cast<int64_t>(p.payout_max_attempts) * p.payout_retry_interval_s;
}

}  // namespace

InvoiceRules Engine::InvoiceRulesNow() const {
  InvoiceRules rules{m_d.node.network, m_d.node.pubkey, m_d.params.payout_cltv_limit_blocks};
  rules.max_route_time_lock = m_d.params.preflight_max_route_time_lock;
  rules.max_budget_ppm = m_d.params.max_routing_budget_ppm;
  return rules;
}

JsonResult Engine::DoUpdateInvoice(Tx& tx, Robot& robot, const UpdateInvoiceCmd& c) {
  const TradeParams& p = m_d.params;
  auto found = tx.store.OrderById(c.order_id);
  if (!found) return Refuse(err::kInvalidOrderId);
  Order o = *found;
  if (o.maker_id != robot.id && o.taker_id != robot.id) return Refuse(err::kNotParticipant);
  if (!IsBuyer(o, robot.id)) return Refuse(err::kOnlyBuyerInvoice);
  std::optional<Payout> previous;
  if (o.payout_id) previous = tx.store.PayoutById(o.payout_id);
  switch (o.status) {
    case OrderStatus::kWaitingCollateralAndInvoice:
    case OrderStatus::kWaitingCollateral:
    case OrderStatus::kWaitingInvoice:
    case OrderStatus::kSendingFiat:
    case OrderStatus::kFiatSent:
      break;
    case OrderStatus::kRoutingFailed:
      // Never two payouts in flight for one order.
      if (previous && previous->state == PayoutState::kInFlight) return Refuse(err::kInvoiceNotNow);
      // RoboSats: a new invoice only after expiration or 3 failed attempts.
      if (previous && previous->state != PayoutState::kFailed && tx.now < previous->invoice_expires_at) {
        return Refuse(err::kInvoiceNotNow);
      }
      break;
    case OrderStatus::kWaitingMakerBond:
    case OrderStatus::kPublic:
    case OrderStatus::kPaused:
    case OrderStatus::kWaitingTakerBond:
      return Refuse(err::kBondsNotLocked);
    case OrderStatus::kCancelled:
    case OrderStatus::kExpired:
    case OrderStatus::kInDispute:
    case OrderStatus::kCollaborativelyCancelled:
    case OrderStatus::kSendingSats:
    case OrderStatus::kSuccess:
    case OrderStatus::kWaitingDisputeResolution:
    case OrderStatus::kMakerLostDispute:
    case OrderStatus::kTakerLostDispute:
      return Refuse(err::kInvoiceNotNow, "You cannot submit an invoice now");
  }
  if (c.routing_budget_ppm < 0 || c.routing_budget_ppm > p.max_routing_budget_ppm) {
    return Refuse(err::kBadInvoice, "routing_budget_ppm must be between 0 and " + std::to_string(p.max_routing_budget_ppm));
  }
  const int64_t payout = PayoutSats(p, o.type, o.trade_satoshis);
  const int64_t expected = PayoutInvoiceSats(payout, c.routing_budget_ppm);
  const int64_t budget = payout - expected;
  InvoiceRules rules = InvoiceRulesNow();
  if (p.payout_expiry_covers_fiat_window) rules.valid_until = PayoutDeadline(p, o, tx.now);
  rules.probe = c.probe;
  auto checked = CheckSignedInvoice(tx.store, robot, c.signed_invoice, expected, budget, rules, tx.now);
  if (!checked.ok()) return base::Err(checked.error());
  if (previous && (previous->state == PayoutState::kPending || previous->state == PayoutState::kFailed)) {
    previous->state = PayoutState::kReplaced;
    tx.Put(*previous);
  }
  Payout po;
  po.id = tx.store.NewId(Table::kPayout);
  po.order_id = o.id;
  po.robot_id = robot.id;
  po.payment_request = checked->payment_request;
  po.payment_hash = checked->payment_hash;
  po.amount_sat = expected;
  po.routing_budget_ppm = c.routing_budget_ppm;
  po.routing_budget_sat = budget;
  po.invoice_expires_at = checked->expires_at;
  po.created_at = tx.now;
  tx.Put(po);
  o.payout_id = po.id;
  switch (o.status) {
    case OrderStatus::kWaitingCollateralAndInvoice:
      o.status = OrderStatus::kWaitingCollateral;
      break;
    case OrderStatus::kWaitingInvoice:
      o.status = OrderStatus::kSendingFiat;
      o.expires_at = tx.now + p.fiat_exchange_duration_s;
      break;
    case OrderStatus::kRoutingFailed:
      StartPayout(tx, o, po);
      break;
    default:
      break;  // 7, 9, 10: the invoice is replaced, the status stays
  }
  tx.Put(o);
  return AnswerOrder(tx, o, robot);
}

}  // namespace coordinator
