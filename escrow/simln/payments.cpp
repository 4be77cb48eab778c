// NetworkImpl: the paying side. A payment is validated (LND's synchronous errors), routed over
// the cheapest path with enough balance, its HTLCs locked hop by hop (local → pending), then
// delivered to the destination, which settles it (regular invoice, keysend), holds it (hold
// invoice: the payment stays IN_FLIGHT until the invoice is settled or canceled) or rejects it.
#include <limits>
#include <map>

#include "escrow/simln/network_impl.h"
#include "escrow/simln/payreq.h"

namespace escrow::simln {
namespace {

// LND REST: custom records "with types below 65536 are reserved" (record.CustomTypeStart).
constexpr uint64_t kCustomTypeStart = 65536;
// LND's routerrpc default when timeout_seconds is not set.
constexpr int64_t kDefaultPaymentTimeout = 60;

LnError Invalid(std::string message) { return LnError{LnErrorCode::kInvalidArgument, std::move(message)}; }

bool BlocksRouting(FailureMode m) {
  switch (m) {
    case FailureMode::kNoRoute:
    case FailureMode::kOffline: return true;
    case FailureMode::kNone:
    case FailureMode::kInsufficientBalance:
    case FailureMode::kTimeout:
    case FailureMode::kSlowReplies: return false;
  }
  return false;
}

int64_t NowNanos(const base::Clock& clock) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock.Now().time_since_epoch()).count();
}

}  // namespace

LnResult<NetworkImpl::PaymentPlan> NetworkImpl::PlanPayment(const SendPaymentRequest& req) const {
  PaymentPlan plan;
  for (const auto& [type, value] : req.dest_custom_records) {
    if (type < kCustomTypeStart) {
      return base::Err(Invalid("no custom records with types below 65536 allowed"));
    }
  }
  if (req.fee_limit_msat < 0) return base::Err(Invalid("fee limit must not be negative"));
  plan.records = req.dest_custom_records;
  plan.fee_limit_msat = req.fee_limit_msat;
  plan.timeout_seconds = req.timeout_seconds > 0 ? req.timeout_seconds : kDefaultPaymentTimeout;
  if (req.cltv_limit < 0) return base::Err(Invalid("cltv_limit must not be negative"));
  plan.cltv_limit = req.cltv_limit;

  if (!req.payment_request.empty()) {
    auto decoded = bolt11::Decode(req.payment_request);
    if (!decoded) return base::Err(Invalid("invalid payment request: " + decoded.error()));
    const bolt11::Invoice& inv = *decoded;
    if (inv.network_prefix != m_prefix) {
      return base::Err(Invalid("invoice not for current active network '" + m_state.meta.network + "'"));
    }
    // LND (routerrpc): "invoice expired. Valid until <time>".
    if (inv.IsExpired(static_cast<uint64_t>(NowSeconds()))) {
      return base::Err(
          Invalid("invoice expired. Valid until " + std::to_string(inv.timestamp + inv.expiry_seconds)));
    }
    int64_t invoice_amt = inv.amount_msat ? static_cast<int64_t>(*inv.amount_msat) : 0;
    if (invoice_amt > 0 && req.amt_msat != 0 && req.amt_msat != invoice_amt) {
      return base::Err(Invalid("amount must not be specified when paying a non-zero amount invoice"));
    }
    if (invoice_amt == 0 && req.amt_msat <= 0) {
      return base::Err(Invalid("amount must be specified when paying a zero amount invoice"));
    }
    plan.amt_msat = invoice_amt > 0 ? invoice_amt : req.amt_msat;
    plan.payment_hash = *inv.payment_hash;  // Decode guarantees `p`
    plan.payment_addr = inv.payment_secret;
    plan.payment_request = req.payment_request;
    plan.dest_pubkey = crypto::ToHex(inv.payee_pubkey);
    plan.final_cltv_delta = static_cast<uint32_t>(inv.min_final_cltv_expiry);
    plan.keysend = false;
    return plan;
  }

  // A payment without an invoice: keysend when the preimage record is present.
  if (!req.dest) return base::Err(Invalid("destination or payment request required"));
  auto dest = crypto::PubKeyFromHex(*req.dest);
  if (!dest) return base::Err(Invalid("invalid destination public key"));
  if (req.amt_msat <= 0) return base::Err(Invalid("amount must be greater than zero"));
  if (!req.payment_hash) return base::Err(Invalid("payment hash required"));
  plan.dest_pubkey = crypto::ToHex(*dest);
  plan.amt_msat = req.amt_msat;
  plan.payment_hash = *req.payment_hash;
  plan.final_cltv_delta = kDefaultCltvExpiry;
  plan.keysend = req.dest_custom_records.count(kKeysendPreimageRecord) != 0;
  return plan;
}

std::unique_ptr<Subscription> NetworkImpl::SendPayment(const std::string& node, const SendPaymentRequest& req,
                                                       StreamHandlers<Payment> handlers) {
  std::lock_guard lock(m_mu);
  Txn txn;
  ApplyTime(txn, false);
  auto fail = [&](LnError error) {
    (void)Commit(txn);
    return m_notifier.Failed(std::move(handlers), std::move(error));
  };
  if (auto s = CheckNodeUp(node); !s) return fail(s.error());
  auto plan = PlanPayment(req);
  if (!plan) return fail(plan.error());
  if (auto it = m_state.payments.find({node, plan->payment_hash}); it != m_state.payments.end()) {
    switch (it->second.pay.status) {
      // LND: channeldb.ErrAlreadyPaid / ErrPaymentInFlight.
      case PaymentStatus::kSucceeded:
        return fail(LnError{LnErrorCode::kAlreadyPaying, "invoice is already paid"});
      case PaymentStatus::kInFlight:
      case PaymentStatus::kInitiated:
        return fail(LnError{LnErrorCode::kAlreadyPaying, "payment is in transition"});
      case PaymentStatus::kFailed:
      case PaymentStatus::kUnknown: break;  // a failed payment may be retried
    }
  }
  auto handle =
      m_notifier.Subscribe(Notifier::PaymentKey(node, plan->payment_hash), std::move(handlers), std::nullopt);
  ExecutePayment(node, *plan, txn);
  if (auto s = Commit(txn); !s) m_notifier.FailOne(handle.id, s.error());
  return std::move(handle.subscription);
}

std::unique_ptr<Subscription> NetworkImpl::TrackPayment(const std::string& node, const Hash32& payment_hash,
                                                        StreamHandlers<Payment> handlers) {
  std::lock_guard lock(m_mu);
  Txn txn;
  ApplyTime(txn, false);
  if (auto s = Commit(txn); !s) return m_notifier.Failed(std::move(handlers), s.error());
  if (auto s = CheckNodeUp(node); !s) return m_notifier.Failed(std::move(handlers), s.error());
  auto it = m_state.payments.find({node, payment_hash});
  if (it == m_state.payments.end()) {
    // LND: routing.ErrPaymentNotInitiated.
    return m_notifier.Failed(std::move(handlers), LnError{LnErrorCode::kNotFound, "payment isn't initiated"});
  }
  return m_notifier.Subscribe(Notifier::PaymentKey(node, payment_hash), std::move(handlers), it->second.pay)
      .subscription;
}

// LND 0.18 (routerrpc EstimateRouteFee with a payment request) sends a probe HTLC with a random
// hash along the route it would pay; the destination failing it with
// incorrect_or_unknown_payment_details proves the route, and the answer is that route's fee
// and its total time lock above the current height. Here the probe is the route search the
// payment itself would do (same balances, failures and CLTV arithmetic) without a fee limit,
// and nothing is locked: no HTLC, no payment record, no state change.
LnResult<RouteFeeEstimate> NetworkImpl::EstimateRouteFee(const std::string& node, const RouteFeeRequest& req) {
  std::lock_guard lock(m_mu);
  Txn txn;
  ApplyTime(txn, false);
  if (auto s = Commit(txn); !s) return base::Err(s.error());
  if (auto s = CheckNodeUp(node); !s) return base::Err(s.error());
  if (req.payment_request.empty()) return base::Err(Invalid("payment request or dest and amount required"));
  SendPaymentRequest as_payment;
  as_payment.payment_request = req.payment_request;
  auto plan = PlanPayment(as_payment);
  if (!plan) return base::Err(plan.error());
  // A probe of a zero-amount invoice has nothing to route (LND refuses it likewise).
  if (plan->amt_msat <= 0) return base::Err(Invalid("amount must be specified when probing a zero amount invoice"));
  plan->fee_limit_msat = std::numeric_limits<int64_t>::max() / 2;  // the cheapest route, whatever it costs

  RouteFeeEstimate out;
  auto failed = [&](FailureReason reason) {
    out.failure_reason = reason;
    return out;
  };
  const NodeRec& sender = m_state.nodes.at(node);
  switch (sender.failure.mode) {
    case FailureMode::kInsufficientBalance: return failed(FailureReason::kInsufficientBalance);
    case FailureMode::kNoRoute: return failed(FailureReason::kNoRoute);
    case FailureMode::kTimeout: return failed(FailureReason::kTimeout);
    case FailureMode::kNone:
    case FailureMode::kOffline:
    case FailureMode::kSlowReplies: break;
  }
  auto dest = m_by_pubkey.find(plan->dest_pubkey);
  if (dest == m_by_pubkey.end()) return failed(FailureReason::kNoRoute);
  FailureReason reason = FailureReason::kNoRoute;
  auto route = FindRoute(node, dest->second, *plan, &reason);
  if (!route) return failed(reason);
  // A probe swallowed by a TIMEOUT node or channel never comes back: it ends as LND's probe
  // does when its timeout passes.
  for (const PlannedHop& hop : route->hops) {
    const ChannelRec& channel = m_state.channels.at(hop.chan_id);
    const NodeRec& next = m_state.nodes.at(channel.node[1 - hop.from_side]);
    if (channel.failure.mode == FailureMode::kTimeout || next.failure.mode == FailureMode::kTimeout) {
      return failed(FailureReason::kTimeout);
    }
  }
  out.routing_fee_msat = route->fee_msat;
  out.time_lock_delay = static_cast<int64_t>(route->total_time_lock) - static_cast<int64_t>(HeightLocked());
  return out;
}

// --- Execution -------------------------------------------------------------------------------

void NetworkImpl::ExecutePayment(const std::string& node, const PaymentPlan& plan, Txn& txn) {
  NodeRec& sender = m_state.nodes.at(node);
  PaymentRec fresh;
  fresh.node = node;
  fresh.pay.payment_hash = plan.payment_hash;
  fresh.pay.value_msat = plan.amt_msat;
  fresh.pay.payment_request = plan.payment_request;
  fresh.pay.status = PaymentStatus::kInFlight;
  fresh.pay.creation_time_ns = NowNanos(m_clock);
  fresh.pay.payment_index = ++sender.last_payment_index;
  TouchNode(txn, node);
  PaymentRec& rec =
      m_state.payments.insert_or_assign({node, plan.payment_hash}, std::move(fresh)).first->second;
  TouchPayment(txn, rec);  // IN_FLIGHT first, as LND streams it

  switch (sender.failure.mode) {
    case FailureMode::kInsufficientBalance: return FailPayment(rec, FailureReason::kInsufficientBalance, txn);
    case FailureMode::kNoRoute: return FailPayment(rec, FailureReason::kNoRoute, txn);
    case FailureMode::kNone:
    case FailureMode::kTimeout:
    case FailureMode::kOffline:
    case FailureMode::kSlowReplies: break;
  }
  auto dest = m_by_pubkey.find(plan.dest_pubkey);
  if (dest == m_by_pubkey.end()) return FailPayment(rec, FailureReason::kNoRoute, txn);
  rec.dest_node = dest->second;

  FailureReason reason = FailureReason::kNoRoute;
  auto route = FindRoute(node, rec.dest_node, plan, &reason);
  if (!route) return FailPayment(rec, reason, txn);

  for (const PlannedHop& h : route->hops) {
    rec.route.push_back(HopRec{h.chan_id, h.from_side, h.amt_msat, h.expiry_height, false});
  }
  rec.pay.fee_msat = route->fee_msat;

  // A TIMEOUT node or channel swallows the HTLC: the hops up to it stay locked until the
  // payment's own timeout fails it (on Tick or the next operation).
  std::optional<size_t> stuck_after;  // number of hops locked before the payment got stuck
  if (sender.failure.mode == FailureMode::kTimeout) stuck_after = 0;
  for (size_t i = 0; !stuck_after && i < rec.route.size(); ++i) {
    const ChannelRec& channel = m_state.channels.at(rec.route[i].chan_id);
    const NodeRec& next = m_state.nodes.at(channel.node[1 - rec.route[i].from_side]);
    if (channel.failure.mode == FailureMode::kTimeout || next.failure.mode == FailureMode::kTimeout) {
      stuck_after = i + 1;
    }
  }
  uint64_t last_htlc_index = 0;
  size_t lock_count = stuck_after ? *stuck_after : rec.route.size();
  for (size_t i = 0; i < lock_count; ++i) {
    last_htlc_index = m_state.channels.at(rec.route[i].chan_id).next_htlc_index;
    LockHop(rec.route[i], txn);
  }
  if (stuck_after) {
    rec.timeout_at = NowSeconds() + plan.timeout_seconds;
    NoteDeadlineTime(rec.timeout_at);
    return;  // already marked for writing; its IN_FLIGHT update is queued
  }

  Hash32 preimage{};
  switch (DeliverHtlc(rec, plan, last_htlc_index, &preimage, txn)) {
    case Delivery::kSettled: return SucceedPayment(rec, preimage, txn);
    case Delivery::kAccepted: return;  // held: IN_FLIGHT until the invoice is resolved
    case Delivery::kRejected: return FailPayment(rec, FailureReason::kIncorrectPaymentDetails, txn);
  }
}

std::optional<PlannedRoute> NetworkImpl::FindRoute(const std::string& source, const std::string& dest,
                                                   const PaymentPlan& plan, FailureReason* reason) const {
  *reason = FailureReason::kNoRoute;
  if (source == dest) return std::nullopt;  // self-payments are not simulated
  std::map<std::string, int> index;
  for (const auto& [name, node] : m_state.nodes) index.emplace(name, static_cast<int>(index.size()));
  auto usable_node = [&](const std::string& name) {
    return name == source || !BlocksRouting(m_state.nodes.at(name).failure.mode);
  };

  // LND: when the sender's channels together cannot carry the amount, the payment fails with
  // INSUFFICIENT_BALANCE before any path search; otherwise a failed search is NO_ROUTE. An
  // OFFLINE peer or channel is a routing failure here (NO_ROUTE), not a lack of balance.
  int64_t outgoing = 0;
  std::vector<GraphEdge> edges;
  for (const auto& [id, c] : m_state.channels) {
    bool has_balance = c.failure.mode != FailureMode::kInsufficientBalance;
    for (int side = 0; side < 2; ++side) {
      const std::string& from = c.node[side];
      const std::string& to = c.node[1 - side];
      if (from == source && has_balance) outgoing += c.local_msat[side];
      if (!has_balance || BlocksRouting(c.failure.mode)) continue;
      if (!usable_node(from) || !usable_node(to)) continue;
      edges.push_back(GraphEdge{id, index.at(from), index.at(to), side, c.local_msat[side], c.base_fee_msat,
                                c.fee_rate_ppm, c.cltv_delta});
    }
  }
  if (outgoing < plan.amt_msat) {
    *reason = FailureReason::kInsufficientBalance;
    return std::nullopt;
  }
  if (!usable_node(dest)) return std::nullopt;
  RouteRequest rr{index.at(source),    index.at(dest),        plan.amt_msat,
                  plan.fee_limit_msat, plan.final_cltv_delta, HeightLocked()};
  auto route = FindCheapestRoute(static_cast<int>(index.size()), edges, rr);
  // LND: routes whose total time lock exceeds cltv_limit are not considered.
  if (route && plan.cltv_limit > 0 &&
      static_cast<int64_t>(route->total_time_lock) - HeightLocked() > plan.cltv_limit) {
    *reason = FailureReason::kNoRoute;
    return std::nullopt;
  }
  return route;
}

void NetworkImpl::LockHop(HopRec& hop, Txn& txn) {
  ChannelRec& c = m_state.channels.at(hop.chan_id);
  c.local_msat[hop.from_side] -= hop.amt_msat;
  c.pending_msat[hop.from_side] += hop.amt_msat;
  ++c.next_htlc_index;
  hop.locked = true;
  TouchChannel(txn, hop.chan_id);
}

NetworkImpl::Delivery NetworkImpl::DeliverHtlc(PaymentRec& pay, const PaymentPlan& plan, uint64_t htlc_index,
                                               Hash32* preimage, Txn& txn) {
  const HopRec& last = pay.route.back();
  int64_t now = NowSeconds();
  int64_t height = HeightLocked();
  InvoiceHtlc htlc;
  htlc.chan_id = last.chan_id;
  htlc.htlc_index = htlc_index;
  htlc.amt_msat = last.amt_msat;
  htlc.accept_height = static_cast<int32_t>(height);
  htlc.accept_time = now;
  htlc.expiry_height = static_cast<int32_t>(last.expiry_height);
  htlc.state = HtlcState::kAccepted;
  htlc.custom_records = plan.records;
  NodeRec& dest = m_state.nodes.at(pay.dest_node);
  RecordKey key{pay.dest_node, plan.payment_hash};
  auto existing = m_state.invoices.find(key);

  if (plan.keysend) {
    // The receiver checks the preimage it is given against the HTLC's payment hash.
    const base::Bytes& bytes = plan.records.at(kKeysendPreimageRecord);
    auto pre = crypto::Hash32FromBytes(bytes);
    if (!pre || crypto::Sha256(pre->data(), pre->size()) != plan.payment_hash) return Delivery::kRejected;
    if (existing != m_state.invoices.end()) return Delivery::kRejected;  // hash already used
    InvoiceRec rec;
    rec.node = pay.dest_node;
    rec.inv.r_preimage = *pre;
    rec.inv.r_hash = plan.payment_hash;
    rec.inv.value_msat = htlc.amt_msat;
    rec.inv.creation_date = now;
    rec.inv.settle_date = now;
    rec.inv.expiry = kDefaultInvoiceExpiry;
    rec.inv.cltv_expiry = plan.final_cltv_delta;
    rec.inv.add_index = ++dest.last_add_index;
    rec.inv.settle_index = ++dest.last_settle_index;
    rec.inv.amt_paid_msat = htlc.amt_msat;
    rec.inv.state = InvoiceState::kSettled;
    rec.inv.is_keysend = true;
    htlc.state = HtlcState::kSettled;
    htlc.resolve_time = now;
    rec.inv.htlcs.push_back(htlc);
    rec.htlc_payers.push_back(pay.node);
    TouchNode(txn, pay.dest_node);
    TouchInvoice(txn, m_state.invoices.emplace(key, std::move(rec)).first->second);
    *preimage = *pre;
    return Delivery::kSettled;
  }

  // LND's invoice registry: unknown hash, an invoice no longer OPEN (already paid, canceled or
  // expired), a wrong payment address, too little money or too short a time lock all fail the
  // HTLC back with incorrect_or_unknown_payment_details.
  if (existing == m_state.invoices.end()) return Delivery::kRejected;
  InvoiceRec& rec = existing->second;
  if (rec.inv.state != InvoiceState::kOpen) return Delivery::kRejected;
  if (now >= rec.inv.creation_date + rec.inv.expiry) return Delivery::kRejected;
  if (!plan.payment_addr || *plan.payment_addr != rec.inv.payment_addr) return Delivery::kRejected;
  if (rec.inv.value_msat > 0 && htlc.amt_msat < rec.inv.value_msat) return Delivery::kRejected;
  if (int64_t{last.expiry_height} < height + static_cast<int64_t>(rec.inv.cltv_expiry))
    return Delivery::kRejected;
  if (rec.is_hold && int64_t{last.expiry_height} - kHoldExpiryDelta <= height) return Delivery::kRejected;

  rec.inv.amt_paid_msat = htlc.amt_msat;
  if (!rec.is_hold) {
    htlc.state = HtlcState::kSettled;
    htlc.resolve_time = now;
    rec.inv.state = InvoiceState::kSettled;
    rec.inv.settle_date = now;
    rec.inv.settle_index = ++dest.last_settle_index;
    TouchNode(txn, pay.dest_node);
  } else {
    rec.inv.state = InvoiceState::kAccepted;
    NoteDeadlineHeight(int64_t{last.expiry_height} - kHoldExpiryDelta);
  }
  rec.inv.htlcs.push_back(htlc);
  rec.htlc_payers.push_back(pay.node);
  TouchInvoice(txn, rec);
  if (rec.is_hold) return Delivery::kAccepted;
  *preimage = *rec.inv.r_preimage;
  return Delivery::kSettled;
}

void NetworkImpl::SucceedPayment(PaymentRec& rec, const Hash32& preimage, Txn& txn) {
  for (HopRec& hop : rec.route) {
    if (!hop.locked) continue;
    ChannelRec& c = m_state.channels.at(hop.chan_id);
    c.pending_msat[hop.from_side] -= hop.amt_msat;
    c.local_msat[1 - hop.from_side] += hop.amt_msat;
    hop.locked = false;
    TouchChannel(txn, hop.chan_id);
  }
  rec.pay.status = PaymentStatus::kSucceeded;
  rec.pay.failure_reason = FailureReason::kNone;
  rec.pay.payment_preimage = preimage;
  rec.pay.fee_msat = rec.route.empty() ? 0 : rec.route.front().amt_msat - rec.pay.value_msat;
  rec.timeout_at = 0;
  TouchPayment(txn, rec);
}

void NetworkImpl::FailPayment(PaymentRec& rec, FailureReason reason, Txn& txn) {
  for (HopRec& hop : rec.route) {
    if (!hop.locked) continue;
    ChannelRec& c = m_state.channels.at(hop.chan_id);
    c.pending_msat[hop.from_side] -= hop.amt_msat;
    c.local_msat[hop.from_side] += hop.amt_msat;
    hop.locked = false;
    TouchChannel(txn, hop.chan_id);
  }
  rec.pay.status = PaymentStatus::kFailed;
  rec.pay.failure_reason = reason;
  rec.pay.payment_preimage.reset();
  rec.pay.fee_msat = 0;
  rec.timeout_at = 0;
  TouchPayment(txn, rec);
}

}  // namespace escrow::simln
