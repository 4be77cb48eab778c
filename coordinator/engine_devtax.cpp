// The engine's dev tax: a share of every proceeds ledger row accrues (same transaction), and a
// streaming job pays what is payable by keysend to the dev fund's node — or to its Lightning
// address, whose invoice is fetched as the first step of the same intent — through an intent like
// every payout: the payment row (range, amount, preimage) and its intent are committed before
// the node is asked; a restart re-drives the intent, which looks the hash up before any send.
// At most one payment is in flight (a UNIQUE index says so too): a range is never paid twice,
// and a failed payment's range goes into the next one, so none is forgotten.
//
// A Lightning-address payment's steps: (1) the payment row (range, amount, no hash yet) and its
// intent commit; (2) the invoice is fetched off the engine thread (DevTaxInvoiceSource); (3) its
// payment hash and the invoice are recorded in the row — nothing has been paid yet; (4) the
// invoice is paid through the PayoutDesk, which tracks the hash before any send. A crash before
// (3) fetches a new invoice on restart (the old one was never paid: only (4) pays, and (4) only
// pays a recorded invoice); a crash after (3) tracks the recorded hash. Never twice, never lost.
#include <algorithm>

#include "config/base/log.h"
#include "coordinator/dev_tax.h"
#include "coordinator/engine.h"
#include "coordinator/engine_tx.h"
#include "escrow/bolt11.h"
#include "escrow/crypto/sha256.h"

namespace coordinator {

// bLIP-0010 (keysend messages): a UTF-8 text message in TLV record 34349334.
constexpr uint64_t kKeysendMessageRecord = 34349334ULL;

std::string DevTaxMessage(const std::string& coordinator_name, int64_t payment_id, int64_t first_accrual_id,
                          int64_t last_accrual_id) {
  return "dev tax from " + coordinator_name + ": accruals " + std::to_string(first_accrual_id) + ".." +
         std::to_string(last_accrual_id) + ", payment " + std::to_string(payment_id);
}

void Engine::AccrueDevTax(Tx& tx, const LedgerEntry& proceeds) {
  if (proceeds.amount_sat <= 0) return;
  DevTaxAccrual a;
  a.id = tx.store.NewId(Table::kDevTaxAccrual);
  a.ledger_id = proceeds.id;
  a.order_id = proceeds.order_id;
  a.proceeds_sat = proceeds.amount_sat;
  a.share_ppm = m_d.dev_tax.share_ppm;
  a.accrued_msat = DevTaxAccruedMsat(a.proceeds_sat, a.share_ppm);
  a.created_at = tx.now;
  tx.Put(a);
  m_dev_tax_next_check = 0;  // maybe payable now
}

void Engine::MaybePayDevTax() {
  const DevTaxParams& d = m_d.dev_tax;
  if (d.node_pubkey.empty() && d.lightning_address.empty()) return;
  const int64_t now = m_d.clock->NowSeconds();
  if (m_dev_tax_next_check != 0 && now < m_dev_tax_next_check) return;
  Transact(
      [&](Tx& tx) {
        // Something in flight: its answer decides what comes next.
        if (tx.store.DevTaxPaymentInFlight()) {
          m_dev_tax_next_check = now + 3600;  // its result resets this
          return;
        }
        auto last = tx.store.LastDevTaxPayment();
        int attempt = 1;
        if (last && last->state == PayoutState::kFailed) {
          attempt = last->attempt + 1;
          const int64_t retry_at = last->finished_at + DevTaxRetryDelay(last->attempt, d.retry_base_s, d.retry_max_s);
          if (now < retry_at) {
            m_dev_tax_next_check = retry_at;
            return;
          }
        }
        const auto totals = tx.store.DevTaxAccrued();
        const int64_t payable = DevTaxPayableSat(totals.accrued_msat, tx.store.DevTaxPaidSat());
        const int64_t paid_through = tx.store.DevTaxPaidThrough();
        auto oldest = tx.store.DevTaxAccrualAfter(paid_through);
        if (payable <= 0 || !oldest) {
          m_dev_tax_next_check = now + 3600;  // a new accrual resets this
          return;
        }
        // Whichever comes first: enough to pay, or the oldest unpaid accrual waited an interval.
        if (payable < d.min_payment_sat && now < oldest->created_at + d.interval_s) {
          m_dev_tax_next_check = oldest->created_at + d.interval_s;
          return;
        }
        DevTaxPayment p;
        p.id = tx.store.NewId(Table::kDevTaxPayment);
        p.first_accrual_id = oldest->id;
        p.last_accrual_id = totals.last_accrual_id;
        p.accrued_msat_through = totals.accrued_msat;
        p.amount_sat = payable;
        if (!d.lightning_address.empty()) {
          // The payee's invoice, fetched by the intent, brings the hash (and the preimage comes
          // back with the payment).
          p.payee = d.lightning_address;
        } else {
          p.payee = d.node_pubkey;
          escrow::Hash32 preimage = escrow::crypto::RandomHash32();
          p.preimage = escrow::crypto::ToHex(preimage);
          p.payment_hash = escrow::crypto::ToHex(escrow::crypto::Sha256(preimage.data(), preimage.size()));
        }
        p.state = PayoutState::kInFlight;
        p.attempt = attempt;
        p.fee_limit_sat = DevTaxFeeLimitSat(payable, d.routing_budget_ppm, d.routing_budget_min_sat);
        p.created_at = now;
        tx.Put(p);
        QueueIntent(tx, IntentKind::kPayDevTax, 0, p.id);
        CrashPoint("decide", IntentKind::kPayDevTax);  // the payment and its intent not yet committed
        m_dev_tax_next_check = now + 3600;
        base::Log(base::LogLevel::kInfo, "devtax", "paying the dev fund",
                  {{"payment", std::to_string(p.id)}, {"amount_sat", std::to_string(p.amount_sat)},
                   {"accruals", std::to_string(p.first_accrual_id) + ".." + std::to_string(p.last_accrual_id)},
                   {"attempt", std::to_string(p.attempt)}});
      },
      nullptr);
}

void Engine::ExecuteDevTax(const Intent& intent) {
  const int64_t id = intent.id;
  auto p = m_d.store->DevTaxPaymentById(intent.target_id);
  if (!p) return;
  if (DevTaxPayeeIsLightningAddress(p->payee)) {
    if (p->payment_request.empty()) {
      // Step 2: the invoice, off the engine thread. Nothing is paid before it is recorded.
      auto on_invoice = [this, id](base::Expected<std::string, std::string> r) {
        CrashPoint("fetched", IntentKind::kPayDevTax);
        Post(IntentResult{id, [this, id, r](Tx& tx) { OnDevTaxInvoice(tx, id, r); }});
      };
      if (m_d.dev_tax_invoices == nullptr) {
        Post(IntentResult{id, [this, id](Tx& tx) {
          OnDevTaxInvoice(tx, id, base::Err(std::string("no Lightning-address client configured")));
        }});
        return;
      }
      m_d.dev_tax_invoices->FetchInvoice(p->amount_sat * 1000, std::move(on_invoice));
      return;
    }
    // Step 4: pay the recorded invoice; after a restart the desk tracks its hash first.
    escrow::PaySpec spec;
    spec.payment_request = p->payment_request;
    auto hash = escrow::crypto::Hash32FromHex(p->payment_hash);
    if (!hash) return;
    spec.payment_hash = *hash;
    spec.fee_limit_sat = p->fee_limit_sat;
    spec.timeout_seconds = m_d.dev_tax.payment_timeout_s;
    spec.cltv_limit = m_d.params.payout_cltv_limit_blocks;
    spec.on_sent = [this] { CrashPoint("sent", IntentKind::kPayDevTax); };
    m_d.payouts->Pay(spec, escrow::PriorFailure::kIsThisAttempt, [this, id](escrow::LnResult<escrow::PayOutcome> r) {
      CrashPoint("node", IntentKind::kPayDevTax);
      Post(IntentResult{id, [this, id, r](Tx& tx) { OnDevTaxResult(tx, id, r); }});
    });
    return;
  }
  auto preimage = escrow::crypto::Hash32FromHex(p->preimage);
  auto hash = escrow::crypto::Hash32FromHex(p->payment_hash);
  if (!preimage || !hash) return;
  escrow::PaySpec spec;
  spec.payment_hash = *hash;
  spec.keysend_dest = p->payee;
  spec.keysend_amt_msat = p->amount_sat * 1000;
  spec.keysend_preimage = *preimage;
  const std::string message = DevTaxMessage(m_d.dev_tax.coordinator_name, p->id, p->first_accrual_id, p->last_accrual_id);
  spec.keysend_records[kKeysendMessageRecord] = base::Bytes(message.begin(), message.end());
  spec.fee_limit_sat = p->fee_limit_sat;
  spec.timeout_seconds = m_d.dev_tax.payment_timeout_s;
  spec.cltv_limit = m_d.params.payout_cltv_limit_blocks;
  spec.on_sent = [this] { CrashPoint("sent", IntentKind::kPayDevTax); };
  // Every attempt has its own hash: a FAILED record of this hash is this attempt's outcome.
  m_d.payouts->Pay(spec, escrow::PriorFailure::kIsThisAttempt, [this, id](escrow::LnResult<escrow::PayOutcome> r) {
    CrashPoint("node", IntentKind::kPayDevTax);
    Post(IntentResult{id, [this, id, r](Tx& tx) { OnDevTaxResult(tx, id, r); }});
  });
}

void Engine::OnDevTaxInvoice(Tx& tx, int64_t intent_id, const base::Expected<std::string, std::string>& invoice) {
  auto intent = tx.Must(tx.store.IntentById(intent_id), "intent");
  if (intent.state == IntentState::kDone) return;
  auto p = tx.Must(tx.store.DevTaxPaymentById(intent.target_id), "dev tax payment");
  if (!p.payment_request.empty()) return;  // recorded already
  // The client checked the LNURL side (bounds, description hash); the engine checks again what
  // it is about to pay: an invoice of exactly the amount, with a hash, not expired.
  std::string refused;
  std::optional<escrow::bolt11::Invoice> decoded;
  if (!invoice.ok()) {
    refused = invoice.error();
  } else if (auto d = escrow::bolt11::Decode(invoice.value()); !d.ok()) {
    refused = "the Lightning address's invoice does not decode: " + d.error();
  } else if (!d->amount_msat || static_cast<int64_t>(*d->amount_msat) != p.amount_sat * 1000) {
    refused = "the Lightning address's invoice is for " +
              (d->amount_msat ? std::to_string(*d->amount_msat) + " msat" : std::string("any amount")) +
              ", not the " + std::to_string(p.amount_sat * 1000) + " msat asked";
  } else if (!d->payment_hash) {
    refused = "the Lightning address's invoice has no payment hash";
  } else if (d->IsExpired(static_cast<uint64_t>(tx.now))) {
    refused = "the Lightning address's invoice has expired";
  } else if (tx.store.DevTaxPaymentByHash(escrow::crypto::ToHex(*d->payment_hash))) {
    refused = "the Lightning address answered with an invoice already used by an earlier payment";
  } else {
    decoded = std::move(d.value());
  }
  if (!decoded) {
    base::Log(p.attempt >= 3 ? base::LogLevel::kError : base::LogLevel::kWarn, "devtax",
              "dev fund Lightning address refused; will retry",
              {{"payment", std::to_string(p.id)}, {"attempt", std::to_string(p.attempt)},
               {"payee", p.payee}, {"error", refused}});
    intent.state = IntentState::kDone;
    intent.done_at = tx.now;
    tx.Put(intent);
    p.state = PayoutState::kFailed;
    p.failure_reason = "lightning address: " + refused;
    p.finished_at = tx.now;
    tx.Put(p);
    m_dev_tax_next_check = 0;
    return;
  }
  // Step 3: the hash and the invoice are ours before a single sat moves.
  p.payment_request = invoice.value();
  p.payment_hash = escrow::crypto::ToHex(*decoded->payment_hash);
  tx.Put(p);
  base::Log(base::LogLevel::kInfo, "devtax", "dev fund invoice fetched from the Lightning address",
            {{"payment", std::to_string(p.id)}, {"payment_hash", p.payment_hash}});
  tx.after_commit.push_back([this, intent] {
    CrashPoint("recorded", IntentKind::kPayDevTax);
    Execute(intent, /*redrive=*/false);
  });
}

void Engine::OnDevTaxResult(Tx& tx, int64_t intent_id, const escrow::LnResult<escrow::PayOutcome>& r) {
  auto intent = tx.Must(tx.store.IntentById(intent_id), "intent");
  if (intent.state == IntentState::kDone) return;
  auto p = tx.Must(tx.store.DevTaxPaymentById(intent.target_id), "dev tax payment");
  auto finish = [&](PayoutState state, std::string reason) {
    intent.state = IntentState::kDone;
    intent.done_at = tx.now;
    tx.Put(intent);
    p.state = state;
    p.failure_reason = std::move(reason);
    p.finished_at = tx.now;
    tx.Put(p);
    m_dev_tax_next_check = 0;
  };
  if (!r.ok()) {
    if (RefusedBeforeSending(r.error().code)) {
      base::Log(base::LogLevel::kWarn, "devtax", "dev fund payment refused by the node; will retry",
                {{"payment", std::to_string(p.id)}, {"attempt", std::to_string(p.attempt)},
                 {"error", escrow::LnErrorCodeName(r.error().code)}});
      finish(PayoutState::kFailed, escrow::LnErrorCodeName(r.error().code));
      return;
    }
    // Undecided (the node could not be asked): re-drive the same payment, same hash.
    base::Log(base::LogLevel::kWarn, "devtax", "dev fund payment undecided; will re-drive",
              {{"payment", std::to_string(p.id)}, {"error", escrow::LnErrorCodeName(r.error().code)}});
    m_intent_retry_at[intent_id] =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count() +
        intent_retry_interval.count();
    return;
  }
  if (r->status == escrow::PaymentStatus::kSucceeded) {
    p.fee_sat = (r->fee_msat + 999) / 1000;  // a fraction of a sat of fee costs a whole one
    if (p.preimage.empty() && r->preimage) p.preimage = escrow::crypto::ToHex(*r->preimage);  // the payee's
    finish(PayoutState::kSucceeded, "");
    AddLedger(tx, 0, 0, LedgerKind::kDevTaxPaid, p.amount_sat, "dev tax payment " + std::to_string(p.id));
    AddLedger(tx, 0, 0, LedgerKind::kDevTaxRoutingFee, p.fee_sat, "routing fee of dev tax payment " + std::to_string(p.id));
    base::Log(base::LogLevel::kInfo, "devtax", "dev fund paid",
              {{"payment", std::to_string(p.id)}, {"amount_sat", std::to_string(p.amount_sat)},
               {"fee_sat", std::to_string(p.fee_sat)}});
    return;
  }
  // FAILED: nothing was paid; the range goes into the next attempt, after a backoff.
  const char* reason = escrow::FailureReasonName(r->failure_reason);
  base::Log(p.attempt >= 3 ? base::LogLevel::kError : base::LogLevel::kWarn, "devtax",
            "dev fund payment failed; the payee may be unreachable",
            {{"payment", std::to_string(p.id)}, {"attempt", std::to_string(p.attempt)}, {"reason", reason}});
  finish(PayoutState::kFailed, reason);
}

}  // namespace coordinator
