// TradeParams: the engine's knobs, mapped from config by the executable's main (the engine
// never sees YAML). Defaults are RoboSats' (see config/coordinator.example.yaml).
#pragma once

#include <cstdint>
#include <string>

namespace coordinator {

struct TradeParams {
  double fee = 0.002;             // total trade fee
  double maker_fee_share = 0.125; // share of `fee` paid by the maker
  int64_t min_order_sat = 20000;
  int64_t max_order_sat = 500000;
  int max_public_orders = 100;
  double bond_default = 3, bond_min = 2, bond_max = 15;  // percent
  int64_t public_duration_default = 86400, public_duration_min = 600, public_duration_max = 86400;
  int64_t escrow_duration_default = 10800, escrow_duration_min = 1800, escrow_duration_max = 36000;
  int64_t maker_bond_expiry_s = 300;
  int64_t taker_bond_expiry_s = 200;
  int64_t fiat_exchange_duration_s = 86400;
  int64_t penalty_timeout_s = 60;
  double cltv_safety_factor = 1.7;
  int64_t block_time_s = 600;
  int payout_max_attempts = 3;
  int64_t payout_retry_interval_s = 60;
  int64_t max_routing_budget_ppm = 100000;
  // The most blocks a payout's HTLCs may stay locked (LND's cltv_limit; 0: the node's maximum).
  // An invoice asking for a longer final CLTV is refused when submitted.
  int32_t payout_cltv_limit_blocks = 1008;
  // When set, a payout invoice must stay valid until the fiat window that remains has run out
  // plus the payout's retries; a shorter one is refused when submitted.
  bool payout_expiry_covers_fiat_window = false;
  // Payout preflight (route_probe.h): the longest route time lock (blocks above the current
  // height, the final CLTV included) a probed payout or reward invoice may need; 0: no limit.
  int32_t preflight_max_route_time_lock = 1008;
  // A payout in flight longer than this is overdue: logged once at warn, listed to the
  // operator, counted in the metrics (the buyer's order view shows every payout in flight).
  int64_t payout_in_flight_budget_s = 300;
  double reward_share = 0.5;      // of a forfeited bond, credited to the wronged robot
  // The coordinator's promise: a dispute is resolved within this long of its opening (shown in
  // the order's status message and /api/info/).
  int64_t dispute_resolution_s = 48 * 3600;
  // Margin (blocks) before a held HTLC's expiry at which the engine must have resolved it.
  int32_t htlc_expiry_margin_blocks = 24;
};

// Outage-aware deadlines (config outages.*; engine_outage.cpp).
struct OutageParams {
  // Extend the deadlines that penalise a trader by the stretches the traders could not act in.
  // false: outages are still recorded and shown, deadlines run as if nothing happened.
  bool extend_deadlines = true;
  int64_t heartbeat_interval_s = 5;  // how often the engine records that it is alive
  // A gap between two heartbeats (found at start) at least this long is an outage.
  int64_t min_gap_s = 30;
};

// The dev tax (config dev_tax.*; DESIGN.md "Dev tax"; arithmetic in coordinator/dev_tax.h).
struct DevTaxParams {
  int64_t share_ppm = 200000;        // dev_tax.share × 1e6 (0: nothing accrues)
  std::string node_pubkey;           // hex; "": accrue only, never pay (unless lightning_address)
  std::string lightning_address;     // user@domain (LUD-16), paid instead of node_pubkey when set
  int64_t min_payment_sat = 1000;    // pay once this much is payable ...
  int64_t interval_s = 3600;         // ... or, if anything is payable, this long after the last payment
  int64_t routing_budget_ppm = 10000;  // fee limit of a payment: max(min, amount × ppm / 1e6)
  int64_t routing_budget_min_sat = 10;
  int64_t retry_base_s = 60;         // after a failed payment: base × 2^(failures − 1), at most max
  int64_t retry_max_s = 3600;
  int32_t payment_timeout_s = 60;
  std::string coordinator_name = "coordinatord";  // named in the keysend message record
};

}  // namespace coordinator
