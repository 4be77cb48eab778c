#include "tests/support/auditor.h"

#include <map>
#include <set>

#include "coordinator/store/store.h"

namespace testsupport {

std::string AuditReport::Describe() const {
  std::string s = std::to_string(orders) + " orders audited";
  for (const auto& v : violations) s += "\n  violation: " + v;
  return s;
}

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
    }
  }
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

}  // namespace testsupport
