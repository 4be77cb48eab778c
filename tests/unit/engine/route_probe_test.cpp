// The payout preflight's decision (coordinator/route_probe.h): what a probe of a payout or
// reward invoice says about accepting it. Pure: a table of probes and limits.
#include <gtest/gtest.h>

#include "coordinator/money.h"
#include "coordinator/route_probe.h"

namespace coordinator {
namespace {

using escrow::FailureReason;

// A 100 000 sat payout with the RoboSats client's default budget of 1000 ppm: the invoice is
// for 99 900 sat and 100 sat may go to routing fees.
constexpr int64_t kPayout = 100'000;
constexpr int64_t kClientPpm = 1000;

RouteLimits ClientLimits() {
  RouteLimits l;
  l.invoice_sats = PayoutInvoiceSats(kPayout, kClientPpm);
  l.budget_sats = RoutingBudgetSats(kPayout, kClientPpm);
  l.budget_base_sats = kPayout;
  l.max_budget_ppm = 100'000;
  l.max_time_lock = 1008;
  return l;
}

RouteProbe Route(int64_t fee_msat, int64_t time_lock) {
  RouteProbe p;
  p.payment_request = "lnbcrt…";
  p.decided = true;
  p.routing_fee_msat = fee_msat;
  p.time_lock_delay = time_lock;
  return p;
}

RouteProbe Failed(FailureReason reason) {
  RouteProbe p = Route(0, 0);
  p.failure_reason = reason;
  return p;
}

TEST(RouteProbeDecision, RouteWithinTheBudgetAndTimeLockIsRoutable) {
  ASSERT_EQ(ClientLimits().budget_sats, 100);
  EXPECT_EQ(DecideRouteProbe(Route(0, 80), ClientLimits()).verdict, ProbeVerdict::kRoutable);
  // Exactly the budget, exactly the limit: still routable.
  EXPECT_EQ(DecideRouteProbe(Route(100'000, 1008), ClientLimits()).verdict, ProbeVerdict::kRoutable);
}

TEST(RouteProbeDecision, NoRouteIsRefusedSayingSoWithTheAmount) {
  auto d = DecideRouteProbe(Failed(FailureReason::kNoRoute), ClientLimits());
  ASSERT_EQ(d.verdict, ProbeVerdict::kRefused);
  EXPECT_EQ(d.refusal.code, 3004);
  EXPECT_NE(d.refusal.message.find("no route"), std::string::npos) << d.refusal.message;
  EXPECT_NE(d.refusal.message.find("99900 Sats"), std::string::npos) << d.refusal.message;
}

TEST(RouteProbeDecision, FeeAboveTheBudgetIsRefusedNamingTheBudgetThatWouldDo) {
  // 100 001 msat: one msat over the 100 sat budget; 101 sat would do: 1001 ppm of 100 000
  // (budget = 100 000 − floor(100 000 − 100.1) = 101).
  auto d = DecideRouteProbe(Route(100'001, 80), ClientLimits());
  ASSERT_EQ(d.verdict, ProbeVerdict::kRefused);
  EXPECT_EQ(d.refusal.code, 3004);
  EXPECT_NE(d.refusal.message.find("budget is too small"), std::string::npos) << d.refusal.message;
  EXPECT_NE(d.refusal.message.find("costs 101 Sats"), std::string::npos) << d.refusal.message;
  EXPECT_NE(d.refusal.message.find("allows 100 Sats"), std::string::npos) << d.refusal.message;
  EXPECT_NE(d.refusal.message.find("1001 ppm"), std::string::npos) << d.refusal.message;
}

TEST(RouteProbeDecision, TheSuggestedBudgetIsTheSmallestThatCoversTheFee) {
  for (int64_t fee_msat : {1, 999, 1000, 1001, 150'000, 501'001, 2'345'678}) {
    for (int64_t base : {20'000, 99'999, 100'000, 123'457, 5'000'000}) {
      auto ppm = BudgetPpmCovering(base, fee_msat);
      ASSERT_TRUE(ppm) << fee_msat << " of " << base;
      EXPECT_GE(RoutingBudgetSats(base, *ppm) * 1000, fee_msat) << base << " at " << *ppm;
      if (*ppm > 0) {
        EXPECT_LT(RoutingBudgetSats(base, *ppm - 1) * 1000, fee_msat) << base << " at " << *ppm - 1;
      }
    }
  }
  EXPECT_EQ(BudgetPpmCovering(100'000, 0), 0);
  EXPECT_FALSE(BudgetPpmCovering(1'000, 2'000'000)) << "more than the whole amount";
}

TEST(RouteProbeDecision, FeeBeyondTheLargestAllowedBudgetSaysNoBudgetWouldDo) {
  // 20 000 sat of fees on a 100 000 sat payout: 200 000 ppm, over the 100 000 cap.
  auto d = DecideRouteProbe(Route(20'000'000, 80), ClientLimits());
  ASSERT_EQ(d.verdict, ProbeVerdict::kRefused);
  EXPECT_NE(d.refusal.message.find("largest routing budget"), std::string::npos) << d.refusal.message;
  EXPECT_EQ(d.refusal.message.find("would do"), std::string::npos) << d.refusal.message;
}

TEST(RouteProbeDecision, TimeLockOverTheLimitIsRefused) {
  auto d = DecideRouteProbe(Route(0, 1009), ClientLimits());
  ASSERT_EQ(d.verdict, ProbeVerdict::kRefused);
  EXPECT_NE(d.refusal.message.find("1009 blocks"), std::string::npos) << d.refusal.message;
  EXPECT_NE(d.refusal.message.find("at most 1008"), std::string::npos) << d.refusal.message;
  RouteLimits unlimited = ClientLimits();
  unlimited.max_time_lock = 0;
  EXPECT_EQ(DecideRouteProbe(Route(0, 5000), unlimited).verdict, ProbeVerdict::kRoutable);
}

TEST(RouteProbeDecision, AProbeThatCannotDecideNeverRefuses) {
  RouteProbe silent;  // timed out, or the node failed: decided = false
  silent.note = "no answer from the node within 10000 ms";
  auto d = DecideRouteProbe(silent, ClientLimits());
  EXPECT_EQ(d.verdict, ProbeVerdict::kUndecided);
  EXPECT_EQ(d.note, silent.note);
  // Failures that say nothing about the buyer's invoice: the probe's timeout, a node error, the
  // coordinator's own lack of liquidity, an odd answer from the destination.
  for (FailureReason r : {FailureReason::kTimeout, FailureReason::kError, FailureReason::kInsufficientBalance,
                          FailureReason::kIncorrectPaymentDetails, FailureReason::kCanceled}) {
    auto u = DecideRouteProbe(Failed(r), ClientLimits());
    EXPECT_EQ(u.verdict, ProbeVerdict::kUndecided) << escrow::FailureReasonName(r);
    EXPECT_NE(u.note.find(escrow::FailureReasonName(r)), std::string::npos) << u.note;
  }
  EXPECT_EQ(DecideRouteProbe(Route(-1, 80), ClientLimits()).verdict, ProbeVerdict::kUndecided);
}

}  // namespace
}  // namespace coordinator
