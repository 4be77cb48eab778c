#include "coordinator/route_probe.h"

#include <optional>

#include "coordinator/errors.h"
#include "coordinator/money.h"

namespace coordinator {

std::optional<int64_t> BudgetPpmCovering(int64_t base_sats, int64_t fee_msat) {
  if (fee_msat <= 0) return int64_t{0};
  if (base_sats <= 0) return std::nullopt;
  const int64_t fee_sats = (fee_msat + 999) / 1000;  // budgets are whole sats
  // The budget is base − floor(base − base × ppm / 10⁶), about ceil(base × ppm / 10⁶): start
  // just below the smallest ppm that can reach fee_sats, then step up (floating point rounding).
  int64_t ppm = static_cast<int64_t>(static_cast<__int128>(fee_sats - 1) * 1'000'000 / base_sats);
  ppm = ppm > 2 ? ppm - 2 : 0;
  for (int steps = 0; ppm <= 1'000'000 && steps < 1000; ++ppm, ++steps) {
    if (RoutingBudgetSats(base_sats, ppm) >= fee_sats) return ppm;
  }
  return std::nullopt;
}

ProbeDecision DecideRouteProbe(const RouteProbe& probe, const RouteLimits& limits) {
  ProbeDecision d;
  auto undecided = [&](std::string note) {
    d.verdict = ProbeVerdict::kUndecided;
    d.note = std::move(note);
    return d;
  };
  auto refuse = [&](std::string message) {
    d.verdict = ProbeVerdict::kRefused;
    d.refusal = Error(err::kBadInvoice, std::move(message));
    return d;
  };
  if (!probe.decided) return undecided(probe.note.empty() ? "the probe did not answer" : probe.note);
  using escrow::FailureReason;
  switch (probe.failure_reason) {
    case FailureReason::kNone: break;
    case FailureReason::kNoRoute:
      return refuse("The coordinator's node finds no route to your node for " + std::to_string(limits.invoice_sats) +
                    " Sats: your wallet may not have enough inbound liquidity for this amount, or is not reachable. "
                    "Submit an invoice from a wallet that can receive this amount");
    // The rest say nothing about the buyer's invoice: the probe timed out, the node erred, the
    // coordinator's own channels lack the balance, or the destination answered oddly.
    case FailureReason::kTimeout:
    case FailureReason::kError:
    case FailureReason::kIncorrectPaymentDetails:
    case FailureReason::kInsufficientBalance:
    case FailureReason::kCanceled:
      return undecided(std::string("the probe failed: ") + escrow::FailureReasonName(probe.failure_reason));
  }
  if (probe.routing_fee_msat < 0 || probe.time_lock_delay < 0) return undecided("the probe answered a negative figure");
  if (probe.routing_fee_msat > limits.budget_sats * 1000) {
    const int64_t fee_sats = (probe.routing_fee_msat + 999) / 1000;
    std::string message = "The routing budget is too small: the cheapest route to your node costs " +
                          std::to_string(fee_sats) + " Sats in fees and your budget allows " +
                          std::to_string(limits.budget_sats) + " Sats. ";
    auto ppm = BudgetPpmCovering(limits.budget_base_sats, probe.routing_fee_msat);
    if (ppm && *ppm <= limits.max_budget_ppm) {
      message += "A routing budget of " + std::to_string(*ppm) + " ppm (routing_budget_ppm) would do";
    } else {
      message += "It needs more than the largest routing budget this coordinator allows (" +
                 std::to_string(limits.max_budget_ppm) + " ppm): submit an invoice from a better connected wallet";
    }
    return refuse(std::move(message));
  }
  if (limits.max_time_lock > 0 && probe.time_lock_delay > limits.max_time_lock) {
    return refuse("The route to your node would lock the payment for " + std::to_string(probe.time_lock_delay) +
                  " blocks; this coordinator routes payouts locked for at most " +
                  std::to_string(limits.max_time_lock) + " blocks");
  }
  d.verdict = ProbeVerdict::kRoutable;
  return d;
}

}  // namespace coordinator
