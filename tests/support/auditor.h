// The money auditor (DESIGN.md "Money rules"): reads a coordinator's store through its own
// connection and checks, for every order, that sats in (bonds and escrow settled) equal sats out
// (payouts, routing fees, rewards credited) plus proceeds plus what is still in dispute custody;
// that rewards balance (credited = owed + reserved by a withdrawal in flight + withdrawn); that
// no invoice was paid twice; and, given the node, that no hold of a finished order is left
// OPEN or ACCEPTED there. The dev tax: every proceeds row accrued exactly its share (the rounding
// rule of coordinator/dev_tax.h), succeeded payments cover contiguous accrual ranges and each
// brings the total paid to floor(accrued through its range / 1000), at most one is in flight,
// and the ledger's dev-tax rows match the payments. Used by the in-process engine tests, the multi-process tests and the
// soak.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "escrow/lightning_node.h"

namespace testsupport {

struct AuditReport {
  std::vector<std::string> violations;
  int orders = 0;
  int64_t rewards_credited = 0;
  int64_t rewards_withdrawn = 0;
  int64_t dev_tax_accrued_msat = 0;  // Σ accruals
  int64_t dev_tax_paid_sat = 0;      // Σ succeeded dev-tax payments
  int dev_tax_payments = 0;          // succeeded
  bool ok() const { return violations.empty(); }
  std::string Describe() const;
};

// `node_state` (may be empty): the node's state of a hold invoice by payment hash (hex),
// nullopt if the node does not know it. Holds still being decided are waited for by the caller.
AuditReport AuditStore(const std::string& db_path,
                       const std::function<std::optional<escrow::InvoiceState>(const std::string&)>& node_state = {});

// AuditStore against the coordinator's `node`: a hold still OPEN or ACCEPTED there is waited for
// (polled, at most `wait`) before it counts, since the coordinator's last node calls may still be
// on their way; a hash the node does not know is reported as such.
AuditReport AuditStoreAgainstNode(const std::string& db_path, escrow::LightningNode& node,
                                  std::chrono::milliseconds wait);

}  // namespace testsupport
