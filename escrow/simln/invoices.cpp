// NetworkImpl: the invoice side of a node, with LND's invoice state machine:
//   OPEN → ACCEPTED (hold invoice, on HTLC arrival) → SETTLED | CANCELED
//   OPEN → SETTLED (regular invoice, on HTLC arrival); OPEN → CANCELED (cancel, or expiry)
#include <set>

#include "escrow/simln/network_impl.h"
#include "escrow/simln/payreq.h"

namespace escrow::simln {
namespace {

// LND: "memo too large" past 639 bytes, the most a BOLT 11 `d` field holds.
constexpr size_t kMaxMemoBytes = 639;
// LND: "expiry of %v seconds greater than max invoice expiry" (one year).
constexpr int64_t kMaxInvoiceExpiry = 365LL * 24 * 3600;
// LND: invoices ask for at least routing.MinCLTVDelta (18) blocks at the final hop.
constexpr uint64_t kMinCltvExpiry = 18;

LnError Invalid(std::string message) { return LnError{LnErrorCode::kInvalidArgument, std::move(message)}; }
// LND: invoices.ErrInvoiceNotFound.
LnError InvoiceNotFound() { return LnError{LnErrorCode::kNotFound, "unable to locate invoice"}; }

}  // namespace

LnResult<AddInvoiceResult> NetworkImpl::AddInvoiceLocked(const std::string& node, InvoiceRec rec, Txn& txn) {
  Invoice& inv = rec.inv;
  if (inv.value_msat < 0) return base::Err(Invalid("payment of negative value is not allowed"));
  if (inv.memo.size() > kMaxMemoBytes) {
    return base::Err(Invalid("memo too large: " + std::to_string(inv.memo.size()) + " bytes (maxlen=639)"));
  }
  if (inv.expiry < 0) return base::Err(Invalid("expiry must not be negative"));
  if (inv.expiry == 0) inv.expiry = kDefaultInvoiceExpiry;
  if (inv.expiry > kMaxInvoiceExpiry) {
    return base::Err(Invalid("expiry of " + std::to_string(inv.expiry) +
                             " seconds greater than max invoice expiry of 8760h0m0s"));
  }
  if (inv.cltv_expiry == 0) inv.cltv_expiry = kDefaultCltvExpiry;
  if (inv.cltv_expiry < kMinCltvExpiry) {
    return base::Err(
        Invalid("CLTV delta of " + std::to_string(inv.cltv_expiry) + " is too low, minimum is 18"));
  }
  if (inv.cltv_expiry > 0xFFFFFFFFull) return base::Err(Invalid("CLTV delta too large"));
  RecordKey key{node, inv.r_hash};
  if (m_state.invoices.count(key)) {
    // LND: invoices.ErrDuplicateInvoice.
    return base::Err(LnError{LnErrorCode::kAlreadyExists, "invoice with payment hash already exists"});
  }

  NodeRec& owner = m_state.nodes.at(node);
  rec.node = node;
  inv.creation_date = NowSeconds();
  inv.payment_addr = crypto::RandomHash32();
  PayReqFields f;
  f.network_prefix = m_prefix;
  f.payment_hash = inv.r_hash;
  f.payment_secret = inv.payment_addr;
  f.amount_msat = inv.value_msat;
  f.timestamp = inv.creation_date;
  f.memo = inv.memo;
  f.description_hash = inv.description_hash;
  f.expiry_seconds = inv.expiry;
  f.min_final_cltv_expiry = inv.cltv_expiry;
  inv.payment_request = EncodePayReq(f, m_signers.at(node));
  inv.add_index = ++owner.last_add_index;
  inv.state = InvoiceState::kOpen;

  AddInvoiceResult result{inv.r_hash, inv.payment_request, inv.add_index, inv.payment_addr};
  NoteDeadlineTime(inv.creation_date + inv.expiry);
  auto& stored = m_state.invoices.emplace(key, std::move(rec)).first->second;
  TouchNode(txn, node);
  TouchInvoice(txn, stored);
  if (auto s = Commit(txn); !s) return base::Err(s.error());
  return result;
}

LnResult<AddInvoiceResult> NetworkImpl::AddHoldInvoice(const std::string& node,
                                                       const HoldInvoiceRequest& req) {
  std::lock_guard lock(m_mu);
  Txn txn;
  ApplyTime(txn, false);
  if (auto s = CheckNodeUp(node); !s) {
    (void)Commit(txn);
    return base::Err(s.error());
  }
  InvoiceRec rec;
  rec.is_hold = true;
  rec.inv.r_hash = req.payment_hash;
  rec.inv.value_msat = req.value_msat;
  rec.inv.memo = req.memo;
  rec.inv.description_hash = req.description_hash;
  rec.inv.expiry = req.expiry_seconds;
  rec.inv.cltv_expiry = req.cltv_expiry;
  rec.inv.is_private = req.private_route_hints;
  return AddInvoiceLocked(node, std::move(rec), txn);
}

LnResult<AddInvoiceResult> NetworkImpl::AddInvoice(const std::string& node, const InvoiceRequest& req) {
  std::lock_guard lock(m_mu);
  Txn txn;
  ApplyTime(txn, false);
  if (auto s = CheckNodeUp(node); !s) {
    (void)Commit(txn);
    return base::Err(s.error());
  }
  Hash32 preimage = req.preimage ? *req.preimage : crypto::RandomHash32();
  InvoiceRec rec;
  rec.inv.r_preimage = preimage;
  rec.inv.r_hash = crypto::Sha256(preimage.data(), preimage.size());
  rec.inv.value_msat = req.value_msat;
  rec.inv.memo = req.memo;
  rec.inv.description_hash = req.description_hash;
  rec.inv.expiry = req.expiry_seconds;
  rec.inv.cltv_expiry = req.cltv_expiry;
  return AddInvoiceLocked(node, std::move(rec), txn);
}

void NetworkImpl::SettleInvoiceLocked(InvoiceRec& rec, const Hash32& preimage, Txn& txn) {
  int64_t now = NowSeconds();
  NodeRec& owner = m_state.nodes.at(rec.node);
  rec.inv.state = InvoiceState::kSettled;
  rec.inv.r_preimage = preimage;
  rec.inv.settle_date = now;
  rec.inv.settle_index = ++owner.last_settle_index;
  TouchNode(txn, rec.node);
  std::set<std::string> payers;
  for (size_t i = 0; i < rec.inv.htlcs.size(); ++i) {
    InvoiceHtlc& h = rec.inv.htlcs[i];
    if (h.state != HtlcState::kAccepted) continue;
    h.state = HtlcState::kSettled;
    h.resolve_time = now;
    payers.insert(rec.htlc_payers[i]);
  }
  TouchInvoice(txn, rec);
  for (const std::string& payer : payers) {
    auto it = m_state.payments.find({payer, rec.inv.r_hash});
    if (it != m_state.payments.end() && it->second.pay.status == PaymentStatus::kInFlight) {
      SucceedPayment(it->second, preimage, txn);
    }
  }
}

void NetworkImpl::CancelInvoiceLocked(InvoiceRec& rec, Txn& txn) {
  int64_t now = NowSeconds();
  rec.inv.state = InvoiceState::kCanceled;
  rec.inv.amt_paid_msat = 0;
  std::set<std::string> payers;
  for (size_t i = 0; i < rec.inv.htlcs.size(); ++i) {
    InvoiceHtlc& h = rec.inv.htlcs[i];
    if (h.state != HtlcState::kAccepted) continue;
    h.state = HtlcState::kCanceled;
    h.resolve_time = now;
    payers.insert(rec.htlc_payers[i]);
  }
  TouchInvoice(txn, rec);
  // LND fails a canceled hold invoice's HTLCs back with incorrect_or_unknown_payment_details.
  for (const std::string& payer : payers) {
    auto it = m_state.payments.find({payer, rec.inv.r_hash});
    if (it != m_state.payments.end() && it->second.pay.status == PaymentStatus::kInFlight) {
      FailPayment(it->second, FailureReason::kIncorrectPaymentDetails, txn);
    }
  }
}

LnStatus NetworkImpl::SettleInvoice(const std::string& node, const Hash32& preimage) {
  std::lock_guard lock(m_mu);
  Txn txn;
  ApplyTime(txn, false);
  auto finish = [&](LnStatus result) -> LnStatus {
    if (auto s = Commit(txn); !s) return s;
    return result;
  };
  if (auto s = CheckNodeUp(node); !s) return finish(s);
  auto it = m_state.invoices.find({node, crypto::Sha256(preimage.data(), preimage.size())});
  if (it == m_state.invoices.end()) return finish(base::Err(InvoiceNotFound()));
  InvoiceRec& rec = it->second;
  switch (rec.inv.state) {
    case InvoiceState::kOpen:
      // LND: invoices.ErrInvoiceStillOpen.
      return finish(base::Err(LnError{LnErrorCode::kNotAccepted, "invoice still open"}));
    case InvoiceState::kCanceled:
      // LND: invoices.ErrInvoiceAlreadyCanceled.
      return finish(base::Err(LnError{LnErrorCode::kAlreadyCanceled, "invoice already canceled"}));
    case InvoiceState::kSettled:
      // LND's invoicesrpc ignores ErrInvoiceAlreadySettled on SettleInvoice: idempotent.
      return finish({});
    case InvoiceState::kAccepted: SettleInvoiceLocked(rec, preimage, txn); return finish({});
  }
  return finish({});
}

LnStatus NetworkImpl::CancelInvoice(const std::string& node, const Hash32& payment_hash) {
  std::lock_guard lock(m_mu);
  Txn txn;
  ApplyTime(txn, false);
  auto finish = [&](LnStatus result) -> LnStatus {
    if (auto s = Commit(txn); !s) return s;
    return result;
  };
  if (auto s = CheckNodeUp(node); !s) return finish(s);
  auto it = m_state.invoices.find({node, payment_hash});
  if (it == m_state.invoices.end()) return finish(base::Err(InvoiceNotFound()));
  InvoiceRec& rec = it->second;
  switch (rec.inv.state) {
    case InvoiceState::kSettled:
      // LND: invoices.ErrInvoiceAlreadySettled.
      return finish(base::Err(LnError{LnErrorCode::kAlreadySettled, "invoice already settled"}));
    case InvoiceState::kCanceled: return finish({});  // LND: canceling a canceled invoice is a no-op
    case InvoiceState::kOpen:
    case InvoiceState::kAccepted: CancelInvoiceLocked(rec, txn); return finish({});
  }
  return finish({});
}

LnResult<Invoice> NetworkImpl::LookupInvoice(const std::string& node, const Hash32& payment_hash) {
  std::lock_guard lock(m_mu);
  Txn txn;
  ApplyTime(txn, false);
  if (auto s = Commit(txn); !s) return base::Err(s.error());
  if (auto s = CheckNodeUp(node); !s) return base::Err(s.error());
  auto it = m_state.invoices.find({node, payment_hash});
  if (it == m_state.invoices.end()) return base::Err(InvoiceNotFound());
  return it->second.inv;
}

std::unique_ptr<Subscription> NetworkImpl::SubscribeInvoice(const std::string& node,
                                                            const Hash32& payment_hash,
                                                            StreamHandlers<Invoice> handlers) {
  std::lock_guard lock(m_mu);
  Txn txn;
  ApplyTime(txn, false);
  if (auto s = Commit(txn); !s) return m_notifier.Failed(std::move(handlers), s.error());
  if (auto s = CheckNodeUp(node); !s) return m_notifier.Failed(std::move(handlers), s.error());
  // LND's SubscribeSingleInvoice accepts a hash it does not know yet ("the client is already
  // watching it in anticipation"): the stream starts when the invoice is added.
  std::optional<Invoice> current;
  if (auto it = m_state.invoices.find({node, payment_hash}); it != m_state.invoices.end()) {
    current = it->second.inv;
  }
  return m_notifier
      .Subscribe(Notifier::InvoiceKey(node, payment_hash), std::move(handlers), std::move(current))
      .subscription;
}

LnResult<PayReq> NetworkImpl::DecodePayReq(const std::string& node, const std::string& payment_request) {
  std::lock_guard lock(m_mu);
  if (auto s = CheckNodeUp(node); !s) return base::Err(s.error());
  auto decoded = bolt11::Decode(payment_request);
  if (!decoded) return base::Err(Invalid("invalid payment request: " + decoded.error()));
  if (decoded->network_prefix != m_prefix) {
    return base::Err(Invalid("invoice not for current active network '" + m_state.meta.network + "'"));
  }
  return ToPayReq(*decoded);
}

}  // namespace escrow::simln
