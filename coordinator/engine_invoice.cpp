// The buyer's payout invoice (RoboSats update_invoice): a PGP-signed BOLT 11 for exactly the
// payout minus the routing budget, checked here before any payout can be made to it.
#include "coordinator/engine.h"
#include "coordinator/engine_tx.h"
#include "coordinator/errors.h"
#include "coordinator/identity/pgp.h"
#include "coordinator/money.h"
#include "escrow/bolt11.h"
#include "escrow/crypto/sha256.h"

namespace coordinator {
namespace {

using Json = nlohmann::json;
using JsonResult = base::Result<Json>;


// BOLT 11 prefixes per network (BOLT #11: "lnbc" mainnet, "lntb" testnet, "lntbs" signet,
// "lnbcrt" regtest).
std::string PrefixFor(const std::string& network) {
  if (network == "mainnet") return "bc";
  if (network == "testnet") return "tb";
  if (network == "signet") return "tbs";
  if (network == "regtest") return "bcrt";
  if (network == "simnet") return "sb";
  return network;
}

}  // namespace

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
  if (c.signed_invoice.empty()) return Refuse(err::kEmptyInvoice);
  if (c.routing_budget_ppm < 0 || c.routing_budget_ppm > p.max_routing_budget_ppm) {
    return Refuse(err::kBadInvoice, "routing_budget_ppm must be between 0 and " + std::to_string(p.max_routing_budget_ppm));
  }
  // Verified as of an hour from now: a client whose clock runs ahead of ours makes signatures
  // "in the future", which must not be refused.
  constexpr int64_t kClockSkewSeconds = 3600;
  auto text = identity::VerifyCleartextSigned(c.signed_invoice, robot.public_key, tx.now + kClockSkewSeconds);
  if (!text.ok()) return Refuse(err::kBadSignature);
  std::string payreq = *text;
  while (!payreq.empty() && (payreq.back() == '\n' || payreq.back() == '\r' || payreq.back() == ' ')) payreq.pop_back();
  auto inv = escrow::bolt11::Decode(payreq);
  if (!inv.ok()) return Refuse(err::kBadInvoice, "Does not look like a valid lightning invoice: " + inv.error());
  if (inv->network_prefix != PrefixFor(m_d.node.network)) {
    return Refuse(err::kBadInvoice, "The invoice is for another network");
  }
  const int64_t payout = PayoutSats(p, o.type, o.trade_satoshis);
  const int64_t expected = PayoutInvoiceSats(payout, c.routing_budget_ppm);
  const int64_t budget = payout - expected;
  if (!inv->amount_msat || *inv->amount_msat != static_cast<uint64_t>(expected) * 1000) {
    return Refuse(err::kBadInvoice, "The invoice provided has the wrong amount: it must be exactly " +
                                        std::to_string(expected) + " Sats");
  }
  if (inv->IsExpired(static_cast<uint64_t>(tx.now))) return Refuse(err::kBadInvoice, "The invoice provided has already expired");
  if (!inv->payment_hash) return Refuse(err::kBadInvoice, "The invoice has no payment hash");
  // An invoice of our own node would be "paid" by moving nothing: the escrow's sats would stay
  // with the coordinator while the order says the buyer was paid.
  if (!m_d.node.pubkey.empty() &&
      escrow::crypto::ToHex(inv->payee_pubkey) == m_d.node.pubkey) {
    return Refuse(err::kBadInvoice, "The invoice is payable to this coordinator's own node");
  }
  if (p.payout_cltv_limit_blocks > 0 && inv->min_final_cltv_expiry >= static_cast<uint64_t>(p.payout_cltv_limit_blocks)) {
    return Refuse(err::kBadInvoice, "The invoice asks for a final CLTV of " + std::to_string(inv->min_final_cltv_expiry) +
                                        " blocks; this coordinator routes payouts locked for at most " +
                                        std::to_string(p.payout_cltv_limit_blocks) + " blocks");
  }
  // Route hints: the fees to cross a hint must fit in the routing budget.
  for (const auto& hint : inv->route_hints) {
    int64_t fee_msat = 0;
    for (const auto& hop : hint) {
      fee_msat += hop.fee_base_msat + static_cast<int64_t>(hop.fee_proportional_millionths) * expected / 1000;
    }
    if (fee_msat > budget * 1000) {
      return Refuse(err::kBadInvoice, "The invoice's route hints need more fees than the routing budget allows");
    }
  }
  std::string hash = escrow::crypto::ToHex(*inv->payment_hash);
  // An invoice is paid once, for one order: a hash seen before (here or elsewhere) is refused.
  if (tx.store.PayoutByHash(hash)) return Refuse(err::kNewInvoice);
  if (previous && (previous->state == PayoutState::kPending || previous->state == PayoutState::kFailed)) {
    previous->state = PayoutState::kReplaced;
    tx.Put(*previous);
  }
  Payout po;
  po.id = tx.store.NewId(Table::kPayout);
  po.order_id = o.id;
  po.robot_id = robot.id;
  po.payment_request = payreq;
  po.payment_hash = hash;
  po.amount_sat = expected;
  po.routing_budget_ppm = c.routing_budget_ppm;
  po.routing_budget_sat = budget;
  po.invoice_expires_at = static_cast<int64_t>(inv->timestamp + inv->expiry_seconds);
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
