// RouteProbe: what probing a payout invoice on the node said (LND's EstimateRouteFee with the
// payment request, run off the engine's thread before the command reaches the engine: see
// api/payout_preflight.h), and the pure decision the engine takes from it when it checks a
// buyer's payout invoice or a robot's reward invoice (coordinator/invoice_checks.h).
//
// An invoice the node cannot route to, or only through fees above the routing budget the robot
// chose, or only with a time lock above the coordinator's limit, is refused at once with the
// reason (and, for the budget, the budget that would do) instead of failing three attempts
// later. A probe that could not decide (timeout, node error, the coordinator's own lack of
// liquidity) never refuses: the invoice is accepted as without a probe.
#pragma once

#include <cstdint>
#include <string>

#include "config/base/status.h"
#include "escrow/lightning_node.h"

namespace coordinator {

struct RouteProbe {
  std::string payment_request;  // the invoice probed (the decision applies only to it)
  // false: the probe could not decide (timed out, the node failed or answered nonsense);
  // `note` says why, for the log.
  bool decided = false;
  std::string note;
  // When decided: LND's RouteFeeResponse.
  escrow::FailureReason failure_reason = escrow::FailureReason::kNone;
  int64_t routing_fee_msat = 0;
  int64_t time_lock_delay = 0;  // blocks above the current height, the final CLTV included
};

// What the coordinator allows the payment it would make.
struct RouteLimits {
  int64_t invoice_sats = 0;     // the invoice's amount
  int64_t budget_sats = 0;      // the routing fees the coordinator may spend to pay it
  int64_t budget_base_sats = 0; // the amount a routing budget in ppm is taken of (the payout)
  int64_t max_budget_ppm = 0;   // the largest routing_budget_ppm a robot may choose
  int32_t max_time_lock = 0;    // blocks; 0: no limit
};

enum class ProbeVerdict {
  kRoutable,   // a route within the budget and the time lock limit
  kUndecided,  // the probe said nothing usable: accept, and log it at warn
  kRefused,    // `refusal` says why (RoboSats' 3004, "bad_invoice")
};

struct ProbeDecision {
  ProbeVerdict verdict = ProbeVerdict::kUndecided;
  base::Status refusal;  // when kRefused
  std::string note;      // when kUndecided: why
};

ProbeDecision DecideRouteProbe(const RouteProbe& probe, const RouteLimits& limits);

// The smallest routing_budget_ppm whose budget over `base_sats` (money.h RoutingBudgetSats)
// covers `fee_msat`; nullopt when even 1 000 000 ppm would not.
std::optional<int64_t> BudgetPpmCovering(int64_t base_sats, int64_t fee_msat);

}  // namespace coordinator
