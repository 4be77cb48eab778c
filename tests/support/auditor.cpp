#include "tests/support/auditor.h"

#include <limits>
#include <map>
#include <set>
#include <thread>

#include "coordinator/dev_tax.h"
#include "coordinator/store/store.h"
#include "escrow/crypto/sha256.h"

namespace testsupport {

std::string AuditReport::Describe() const {
  std::string s = std::to_string(orders) + " orders audited";
  for (const auto& v : violations) s += "\n  violation: " + v;
  return s;
}

namespace {

void AuditDevTax(coordinator::Store& store, int64_t ledger_paid, AuditReport& r) {
  constexpr int64_t kAll = std::numeric_limits<int64_t>::max();
  std::map<int64_t, coordinator::DevTaxAccrual> by_ledger;
  std::map<int64_t, int64_t> cumulative;  // accrual id → Σ accrued_msat through it
  int64_t sum = 0;
  for (const auto& a : store.DevTaxAccrualsBetween(std::numeric_limits<int64_t>::min(), kAll)) {
    if (a.accrued_msat != coordinator::DevTaxAccruedMsat(a.proceeds_sat, a.share_ppm)) {
      r.violations.push_back("dev tax accrual " + std::to_string(a.id) + ": " + std::to_string(a.accrued_msat) +
                             " msat is not floor(" + std::to_string(a.proceeds_sat) + " × " +
                             std::to_string(a.share_ppm) + " / 1000)");
    }
    if (!by_ledger.emplace(a.ledger_id, a).second) {
      r.violations.push_back("dev tax: ledger row " + std::to_string(a.ledger_id) + " accrued twice");
    }
    sum += a.accrued_msat;
    cumulative[a.id] = sum;
  }
  r.dev_tax_accrued_msat = sum;
  for (const auto& e : store.Ledger()) {
    if (e.kind != coordinator::LedgerKind::kProceeds || e.amount_sat <= 0) continue;
    auto it = by_ledger.find(e.id);
    if (it == by_ledger.end()) {
      r.violations.push_back("dev tax: proceeds row " + std::to_string(e.id) + " accrued nothing");
    } else if (it->second.proceeds_sat != e.amount_sat) {
      r.violations.push_back("dev tax: proceeds row " + std::to_string(e.id) + " accrued on another amount");
    }
  }
  int64_t paid = 0, paid_through = 0, in_flight = 0;
  std::set<std::string> hashes;
  for (const auto& p : store.DevTaxPaymentsBetween(std::numeric_limits<int64_t>::min(), kAll)) {
    const std::string name = "dev tax payment " + std::to_string(p.id);
    // A Lightning-address payment whose invoice never came has no hash yet ("").
    if (!p.payment_hash.empty() && !hashes.insert(p.payment_hash).second) {
      r.violations.push_back(name + ": its hash was used before");
    }
    if (p.payment_hash.empty() && p.state == coordinator::PayoutState::kSucceeded) {
      r.violations.push_back(name + ": succeeded without a payment hash");
    }
    if (p.state == coordinator::PayoutState::kInFlight) ++in_flight;
    if (p.state != coordinator::PayoutState::kSucceeded) continue;
    ++r.dev_tax_payments;
    auto next = cumulative.upper_bound(paid_through);
    if (next == cumulative.end() || p.first_accrual_id != next->first) {
      r.violations.push_back(name + ": range starts at " + std::to_string(p.first_accrual_id) +
                             ", not right after " + std::to_string(paid_through) + " (a range paid twice or skipped)");
    }
    auto through = cumulative.find(p.last_accrual_id);
    if (through == cumulative.end() || through->second != p.accrued_msat_through) {
      r.violations.push_back(name + ": accrued_msat_through does not match the accruals");
    }
    paid += p.amount_sat;
    if (paid != p.accrued_msat_through / 1000) {
      r.violations.push_back(name + ": total paid " + std::to_string(paid) + " != floor(" +
                             std::to_string(p.accrued_msat_through) + " / 1000)");
    }
    paid_through = p.last_accrual_id;
  }
  r.dev_tax_paid_sat = paid;
  if (in_flight > 1) r.violations.push_back("dev tax: " + std::to_string(in_flight) + " payments in flight");
  if (paid != ledger_paid || paid != store.DevTaxPaidSat()) {
    r.violations.push_back("dev tax: payments say " + std::to_string(paid) + " sat paid, the ledger " +
                           std::to_string(ledger_paid));
  }
  if (paid > sum / 1000) r.violations.push_back("dev tax: paid more than accrued");
}

}  // namespace

AuditReport AuditStore(const std::string& db_path,
                       const std::function<std::optional<escrow::InvoiceState>(const std::string&)>& node_state) {
  AuditReport r;
  auto opened = coordinator::Store::Open(db_path);
  if (!opened.ok()) {
    r.violations.push_back("cannot open the store: " + opened.error());
    return r;
  }
  coordinator::Store& store = *opened.value();
  std::map<int64_t, int64_t> in, out, proceeds, custody;
  int64_t dev_tax_ledger_paid = 0;
  for (const auto& e : store.Ledger()) {
    using K = coordinator::LedgerKind;
    switch (e.kind) {
      case K::kBondSettled:
      case K::kEscrowSettled: in[e.order_id] += e.amount_sat; break;
      case K::kPayoutSent:
      case K::kRoutingFee: out[e.order_id] += e.amount_sat; break;
      case K::kRewardCredited:
        out[e.order_id] += e.amount_sat;
        r.rewards_credited += e.amount_sat;
        break;
      case K::kProceeds: proceeds[e.order_id] += e.amount_sat; break;
      case K::kDisputeCustody: custody[e.order_id] += e.amount_sat; break;
      case K::kCustodyReleased: custody[e.order_id] -= e.amount_sat; break;
      case K::kRewardWithdrawn: r.rewards_withdrawn += e.amount_sat; break;
      case K::kRewardRoutingFee: break;  // a withdrawal's cost (no order)
      case K::kDevTaxPaid: dev_tax_ledger_paid += e.amount_sat; break;
      case K::kDevTaxRoutingFee: break;  // a dev-tax payment's cost (no order)
    }
  }
  AuditDevTax(store, dev_tax_ledger_paid, r);
  for (const auto& [order, sats] : in) {
    if (order == 0) continue;
    if (sats != out[order] + proceeds[order] + custody[order]) {
      r.violations.push_back("order " + std::to_string(order) + ": in " + std::to_string(sats) + " != out " +
                             std::to_string(out[order]) + " + proceeds " + std::to_string(proceeds[order]) +
                             " + custody " + std::to_string(custody[order]));
    }
    if (custody[order] < 0) r.violations.push_back("order " + std::to_string(order) + ": custody released twice");
  }
  int64_t in_flight = 0;
  for (const auto& w : store.RewardWithdrawals()) {
    if (w.state == coordinator::PayoutState::kPending || w.state == coordinator::PayoutState::kInFlight) {
      in_flight += w.debited_sat;
    }
  }
  const int64_t owed = store.RewardsOutstanding();
  if (r.rewards_credited != owed + in_flight + r.rewards_withdrawn) {
    r.violations.push_back("rewards: credited " + std::to_string(r.rewards_credited) + " != owed " +
                           std::to_string(owed) + " + in flight " + std::to_string(in_flight) + " + withdrawn " +
                           std::to_string(r.rewards_withdrawn));
  }
  std::set<std::string> paid_hashes;
  for (int64_t id = 1;; ++id) {
    auto o = store.OrderById(id);
    if (!o) break;
    ++r.orders;
    int succeeded = 0;
    for (const auto& p : store.PayoutsOfOrder(id)) {
      if (p.state != coordinator::PayoutState::kSucceeded) continue;
      ++succeeded;
      if (!paid_hashes.insert(p.payment_hash).second) {
        r.violations.push_back("payment hash " + p.payment_hash.substr(0, 12) + "… paid twice");
      }
    }
    if (succeeded > 1) r.violations.push_back("order " + std::to_string(id) + ": the buyer was paid twice");
    if (!node_state || !coordinator::IsTerminal(o->status)) continue;
    for (const auto& h : store.HoldsOfOrder(id)) {
      auto st = node_state(h.payment_hash);
      if (st && (*st == escrow::InvoiceState::kAccepted || *st == escrow::InvoiceState::kOpen)) {
        r.violations.push_back("order " + std::to_string(id) + " (finished) left a hold " +
                               (*st == escrow::InvoiceState::kAccepted ? "ACCEPTED" : "OPEN") + " on the node");
      }
    }
  }
  for (const auto& w : store.RewardWithdrawals()) {
    if (w.state == coordinator::PayoutState::kSucceeded && !paid_hashes.insert(w.payment_hash).second) {
      r.violations.push_back("payment hash " + w.payment_hash.substr(0, 12) + "… paid twice");
    }
  }
  return r;
}

AuditReport AuditStoreAgainstNode(const std::string& db_path, escrow::LightningNode& node,
                                  std::chrono::milliseconds wait) {
  return AuditStore(db_path, [&](const std::string& hex) -> std::optional<escrow::InvoiceState> {
    auto hash = escrow::crypto::Hash32FromHex(hex);
    if (!hash) return std::nullopt;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
      auto inv = node.LookupInvoice(*hash);
      if (!inv.ok()) return std::nullopt;
      const bool settling = inv->state == escrow::InvoiceState::kAccepted || inv->state == escrow::InvoiceState::kOpen;
      if (!settling || std::chrono::steady_clock::now() >= deadline) return inv->state;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
}

}  // namespace testsupport
