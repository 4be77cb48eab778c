// The checks every invoice the coordinator will pay must pass — a buyer's payout invoice
// (update_invoice) and a robot's reward withdrawal (/api/reward/) alike: a PGP signature by the
// robot, a valid BOLT 11 invoice of our network for exactly the expected amount, not expired,
// not payable to our own node, valid long enough for the payout (when the rules ask), a final CLTV within the payout limit, route hints within the
// routing budget, and a payment hash the coordinator has never paid or been asked to pay.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/base/status.h"
#include "coordinator/model.h"
#include "coordinator/params.h"
#include "coordinator/route_probe.h"
#include "coordinator/store/store.h"

namespace coordinator {

struct CheckedInvoice {
  std::string payment_request;  // as signed, trailing whitespace removed
  std::string payment_hash;     // hex
  int64_t expires_at = 0;       // Unix seconds
};

struct InvoiceRules {
  std::string network;          // the node's: "mainnet", "testnet", "regtest", …
  std::string node_pubkey;      // hex; "" unknown
  int32_t cltv_limit_blocks = 0;
  // Unix seconds until which the invoice must stay valid (0: only "not expired now"): a payout
  // invoice expiring before the payout can be made is refused when submitted.
  int64_t valid_until = 0;
  // Payout preflight (route_probe.h): the probe of this invoice, when one ran before the
  // command reached the engine, and what it is held to. A probe of another payment request is
  // ignored; an undecided one accepts the invoice and logs why at warn.
  std::optional<RouteProbe> probe{};
  int32_t max_route_time_lock = 0;  // blocks; 0: no limit
  int64_t max_budget_ppm = 0;
  int64_t budget_base_sats = 0;     // what a routing budget in ppm is taken of; 0: expected + budget
};

// `expected_sats`: the exact amount; `budget_sats`: the routing budget reserved beside it.
// Errors: 3000 empty, 1048 bad signature, 3004 with the reason for every other refusal (the
// route probe's included: no route, budget too small, time lock too long), 3002 a payment hash
// already used.
base::Result<CheckedInvoice> CheckSignedInvoice(Store& store, const Robot& robot, const std::string& signed_invoice,
                                                int64_t expected_sats, int64_t budget_sats, const InvoiceRules& rules,
                                                int64_t now);

// BOLT #11 human-readable prefixes: "bc" mainnet, "tb" testnet, "tbs" signet, "bcrt" regtest.
std::string Bolt11PrefixFor(const std::string& network);

}  // namespace coordinator
