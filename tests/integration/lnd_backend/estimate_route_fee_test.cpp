// Payout preflight over the wire: the coordinator's LND backend asks the simln daemon
// POST /v2/router/route/estimatefee with a payment request, as LND 0.18 probes it. The
// estimate is the fee and the time lock the payment itself then pays; a route that does not
// exist answers failure_reason NO_ROUTE (a value, not an error); nothing moves.
#include "escrow/bolt11.h"
#include "tests/integration/lnd_backend/fixture.h"

namespace lnd_backend_test {
namespace {

using escrow::FailureReason;
using escrow::FailureReasonName;
using escrow::LnErrorCode;
using escrow::PaymentStatus;

// simln's channels default to a 40-block cltv_delta (escrow/simln/network.h ChannelSpec).
constexpr int64_t kDefaultCltvDelta = 40;
constexpr uint64_t kFinalCltv = 80;  // LND's default min_final_cltv_expiry since 0.17

std::string NewInvoice(LightningNode& node, int64_t value_msat) {
  escrow::InvoiceRequest req;
  req.value_msat = value_msat;
  req.memo = "payout";
  req.cltv_expiry = kFinalCltv;
  auto added = node.AddInvoice(req);
  EXPECT_TRUE(added.ok()) << (added ? "" : added.error().message);
  return added ? added->payment_request : std::string();
}

escrow::RouteFeeRequest Probe(const std::string& payreq) {
  escrow::RouteFeeRequest req;
  req.payment_request = payreq;
  req.timeout_seconds = 10;
  return req;
}

TEST_F(LndBackendTest, EstimateRouteFeeIsTheFeeAndTimeLockThePaymentThenPays) {
  auto coordinator = Lnd("coordinator");
  auto carol = Lnd("carol");
  ASSERT_TRUE(coordinator && carol);
  constexpr int64_t kAmount = 120'000 * kMsatPerSat;
  const std::string payreq = NewInvoice(*carol, kAmount);
  const int64_t total_before = TotalMsat();

  auto estimate = coordinator->EstimateRouteFee(Probe(payreq));
  ASSERT_TRUE(estimate.ok()) << estimate.error().message;
  EXPECT_EQ(estimate->failure_reason, FailureReason::kNone);
  EXPECT_GT(estimate->routing_fee_msat, 0) << "hop forwards for a fee";
  // The final CLTV plus hop's delta on the channel it forwards over.
  EXPECT_EQ(estimate->time_lock_delay, static_cast<int64_t>(kFinalCltv) + kDefaultCltvDelta);
  // A probe moves nothing: the invoice is still open, no payment exists.
  EXPECT_EQ(TotalMsat(), total_before);
  auto decoded = escrow::bolt11::Decode(payreq);
  ASSERT_TRUE(decoded.ok() && decoded->payment_hash);
  auto open = carol->LookupInvoice(*decoded->payment_hash);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->state, escrow::InvoiceState::kOpen);

  auto paid = [&] {
    StreamQueue<Payment> payments;
    auto sub = coordinator->SendPayment(PayRequest(payreq, /*fee_limit_msat=*/10'000'000), payments.Handlers());
    return AwaitPayment(payments, PaymentStatus::kSucceeded);
  }();
  ASSERT_TRUE(paid);
  EXPECT_EQ(paid->fee_msat, estimate->routing_fee_msat) << "the estimate is what the payment costs";
}

TEST_F(LndBackendTest, EstimateRouteFeeOfADirectPeerIsFreeWithTheFinalCltvOnly) {
  auto coordinator = Lnd("coordinator");
  auto bob = Lnd("bob");
  ASSERT_TRUE(coordinator && bob);
  auto estimate = coordinator->EstimateRouteFee(Probe(NewInvoice(*bob, 50'000 * kMsatPerSat)));
  ASSERT_TRUE(estimate.ok()) << estimate.error().message;
  EXPECT_EQ(estimate->failure_reason, FailureReason::kNone);
  EXPECT_EQ(estimate->routing_fee_msat, 0);
  EXPECT_EQ(estimate->time_lock_delay, static_cast<int64_t>(kFinalCltv));
}

TEST_F(LndBackendTest, EstimateRouteFeeWithoutARouteAnswersNoRouteAsAValue) {
  auto coordinator = Lnd("coordinator");
  auto carol = Lnd("carol");
  auto bob = Lnd("bob");
  ASSERT_TRUE(coordinator && carol && bob);
  const std::string to_carol = NewInvoice(*carol, 10'000 * kMsatPerSat);
  SetNodeFailure("hop", "NO_ROUTE");
  auto blocked = coordinator->EstimateRouteFee(Probe(to_carol));
  ASSERT_TRUE(blocked.ok()) << blocked.error().message;
  EXPECT_EQ(blocked->failure_reason, FailureReason::kNoRoute);
  EXPECT_STREQ(FailureReasonName(blocked->failure_reason), "FAILURE_REASON_NO_ROUTE");
  EXPECT_EQ(blocked->routing_fee_msat, 0);
  SetNodeFailure("hop", "NONE");

  // More than bob's side of the channel can receive (the coordinator has 100 000 sat towards
  // bob, and 6 M sat in all): no route for this amount.
  auto too_much = coordinator->EstimateRouteFee(Probe(NewInvoice(*bob, 150'000 * kMsatPerSat)));
  ASSERT_TRUE(too_much.ok()) << too_much.error().message;
  EXPECT_EQ(too_much->failure_reason, FailureReason::kNoRoute);

  // A node that swallows HTLCs: the probe ends as LND's does when its timeout passes.
  SetNodeFailure("hop", "TIMEOUT");
  auto swallowed = coordinator->EstimateRouteFee(Probe(to_carol));
  ASSERT_TRUE(swallowed.ok()) << swallowed.error().message;
  EXPECT_EQ(swallowed->failure_reason, FailureReason::kTimeout);
}

TEST_F(LndBackendTest, EstimateRouteFeeRefusesWhatIsNotAPaymentRequest) {
  auto coordinator = Lnd("coordinator");
  ASSERT_TRUE(coordinator);
  auto bad = coordinator->EstimateRouteFee(Probe("lnbcrt1notaninvoice"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, LnErrorCode::kInvalidArgument) << bad.error().message;
  auto empty = coordinator->EstimateRouteFee(Probe(""));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, LnErrorCode::kInvalidArgument);
}

TEST_F(LndBackendTest, EstimateRouteFeeOfAnOfflineNodeIsUnreachable) {
  auto coordinator = Lnd("coordinator");
  auto bob = Lnd("bob");
  ASSERT_TRUE(coordinator && bob);
  const std::string payreq = NewInvoice(*bob, 10'000 * kMsatPerSat);
  SetNodeFailure("coordinator", "OFFLINE");
  auto down = coordinator->EstimateRouteFee(Probe(payreq));
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, LnErrorCode::kUnreachable) << down.error().message;
  SetNodeFailure("coordinator", "NONE");
}

}  // namespace
}  // namespace lnd_backend_test
