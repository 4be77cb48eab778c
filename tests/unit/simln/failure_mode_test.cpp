// Injected failures per node and per channel, and real lack of balance, → LND's FailureReason.
#include "escrow/bolt11.h"
#include "escrow/crypto/secp256k1.h"
#include "tests/unit/simln/simln_fixture.h"

namespace simln_test {
namespace {

// alice —— bob —— carol plus a dearer detour alice —— dave —— carol.
NetworkSpec DiamondSpec() {
  NetworkSpec spec = LineSpec();
  spec.channels.push_back({"alice", "dave", 1'000'000, 1'000'000, 5000, 10, 40});
  spec.channels.push_back({"dave", "carol", 1'000'000, 1'000'000, 5000, 10, 40});
  return spec;
}

class SimlnFailureTest : public SimlnTest {
 protected:
  void SetUp() override {
    m_dir = testsupport::MakeTempDir("simln-fail");
    Open(DiamondSpec());
    m_total = m_net->TotalMsat();
  }
  Payment PayCarol(int64_t amt_msat, uint8_t seed) {
    auto inv = AddRegular("carol", amt_msat, Preimage(seed));
    StreamEnd end = PayInvoice("alice", inv.payment_request, 1'000'000);
    EXPECT_FALSE(end.updates.empty());
    EXPECT_FALSE(end.error.has_value());
    return end.updates.empty() ? Payment{} : end.updates.back();
  }
};

TEST_F(SimlnFailureTest, RoutesTakeTheCheapestPathAndAvoidAnOfflineNode) {
  Payment cheap = PayCarol(10'000, 1);
  ASSERT_EQ(cheap.status, PaymentStatus::kSucceeded);
  EXPECT_EQ(cheap.fee_msat, 1000);  // through bob
  m_net->SetNodeFailure("bob", {FailureMode::kOffline, 0});
  Payment detour = PayCarol(10'000, 2);
  ASSERT_EQ(detour.status, PaymentStatus::kSucceeded);
  EXPECT_EQ(detour.fee_msat, 5000);  // through dave
  m_net->SetNodeFailure("dave", {FailureMode::kOffline, 0});
  Payment none = PayCarol(10'000, 3);
  EXPECT_EQ(none.status, PaymentStatus::kFailed);
  EXPECT_EQ(none.failure_reason, FailureReason::kNoRoute);
}

TEST_F(SimlnFailureTest, NodeNoRouteFailsWithNoRoute) {
  m_net->SetNodeFailure("carol", {FailureMode::kNoRoute, 0});
  EXPECT_EQ(PayCarol(10'000, 4).failure_reason, FailureReason::kNoRoute);
  // As sender too.
  m_net->SetNodeFailure("carol", {});
  m_net->SetNodeFailure("alice", {FailureMode::kNoRoute, 0});
  EXPECT_EQ(PayCarol(10'000, 5).failure_reason, FailureReason::kNoRoute);
}

TEST_F(SimlnFailureTest, ChannelNoRouteIsNeverUsed) {
  m_net->SetChannelFailure(ChannelId("bob", "carol"), {FailureMode::kNoRoute, 0});
  Payment p = PayCarol(10'000, 6);
  ASSERT_EQ(p.status, PaymentStatus::kSucceeded);
  EXPECT_EQ(p.fee_msat, 5000);  // the detour
  m_net->SetChannelFailure(ChannelId("dave", "carol"), {FailureMode::kNoRoute, 0});
  EXPECT_EQ(PayCarol(10'000, 7).failure_reason, FailureReason::kNoRoute);
}

TEST_F(SimlnFailureTest, NodeInsufficientBalanceFailsItsOutgoingPaymentsOnly) {
  m_net->SetNodeFailure("alice", {FailureMode::kInsufficientBalance, 0});
  EXPECT_EQ(PayCarol(10'000, 8).failure_reason, FailureReason::kInsufficientBalance);
  // Alice can still be paid.
  auto inv = AddRegular("alice", 10'000);
  EXPECT_EQ(PayInvoice("bob", inv.payment_request).updates.back().status, PaymentStatus::kSucceeded);
}

TEST_F(SimlnFailureTest, RealInsufficientBalanceOnTheFirstHopIsInsufficientBalance) {
  // Alice has 2 000 000 sat over two channels; 2 000 001 sat can never leave her.
  Payment p = PayCarol(2'000'001'000, 9);
  EXPECT_EQ(p.status, PaymentStatus::kFailed);
  EXPECT_EQ(p.failure_reason, FailureReason::kInsufficientBalance);
  // A channel in INSUFFICIENT_BALANCE counts as empty.
  m_net->SetChannelFailure(ChannelId("alice", "bob"), {FailureMode::kInsufficientBalance, 0});
  m_net->SetChannelFailure(ChannelId("alice", "dave"), {FailureMode::kInsufficientBalance, 0});
  EXPECT_EQ(PayCarol(10'000, 10).failure_reason, FailureReason::kInsufficientBalance);
}

TEST_F(SimlnFailureTest, NoCapacityFurtherOnIsNoRoute) {
  // Alice's channels together hold enough, but no single path can carry 1 500 000 sat.
  Payment p = PayCarol(1'500'000'000, 11);
  EXPECT_EQ(p.status, PaymentStatus::kFailed);
  EXPECT_EQ(p.failure_reason, FailureReason::kNoRoute);
}

TEST_F(SimlnFailureTest, TimeoutKeepsThePaymentInFlightUntilTimeoutSecondsPass) {
  m_net->SetNodeFailure("bob", {FailureMode::kTimeout, 0});
  m_net->SetNodeFailure("dave", {FailureMode::kOffline, 0});
  auto inv = AddRegular("carol", 50'000, Preimage(12));
  escrow::SendPaymentRequest req;
  req.payment_request = inv.payment_request;
  req.fee_limit_msat = 10'000;
  req.timeout_seconds = 30;
  escrow::StreamQueue<Payment> q;
  auto sub = Node("alice").SendPayment(req, q.Handlers());
  ASSERT_TRUE(q.WaitFor([](const Payment& p) { return p.status == PaymentStatus::kInFlight; }, kWait));
  // The HTLC is stuck at bob: alice's side is locked, carol saw nothing.
  EXPECT_EQ(Balance("alice").unsettled_local_msat, 51'000);
  EXPECT_EQ(Balance("carol").unsettled_remote_msat, 0);
  EXPECT_EQ(InvoiceOf("carol", inv.payment_hash).state, InvoiceState::kOpen);

  Advance(29);
  m_net->Tick();
  EXPECT_EQ(PaymentOf("alice", inv.payment_hash)->status, PaymentStatus::kInFlight);
  Advance(1);
  m_net->Tick();
  auto failed = q.WaitFor([](const Payment& p) { return p.status == PaymentStatus::kFailed; }, kWait);
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->failure_reason, FailureReason::kTimeout);
  EXPECT_EQ(Balance("alice").unsettled_local_msat, 0);
  EXPECT_EQ(Balance("alice").local_msat, 2'000'000'000);
}

TEST_F(SimlnFailureTest, ChannelTimeoutFailsWithTimeout) {
  m_net->SetChannelFailure(ChannelId("bob", "carol"), {FailureMode::kTimeout, 0});
  m_net->SetNodeFailure("dave", {FailureMode::kNoRoute, 0});
  auto inv = AddRegular("carol", 50'000, Preimage(13));
  escrow::SendPaymentRequest req;
  req.payment_request = inv.payment_request;
  req.fee_limit_msat = 10'000;
  req.timeout_seconds = 5;
  StreamEnd start = Pay("alice", req, PaymentStatus::kInFlight);
  ASSERT_EQ(start.updates.size(), 1u);
  // Offered on both hops (bob forwarded it onto the stuck channel).
  EXPECT_EQ(Balance("bob").unsettled_local_msat, 50'000);
  Advance(5);
  m_net->Tick();
  auto p = PaymentOf("alice", inv.payment_hash);
  EXPECT_EQ(p->status, PaymentStatus::kFailed);
  EXPECT_EQ(p->failure_reason, FailureReason::kTimeout);
  EXPECT_EQ(Balance("bob").unsettled_local_msat, 0);
}

TEST_F(SimlnFailureTest, SlowRepliesIsOnlyStored) {
  m_net->SetNodeFailure("carol", {FailureMode::kSlowReplies, 250});
  auto view = m_net->GetNode("carol");
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->failure.mode, FailureMode::kSlowReplies);
  EXPECT_EQ(view->failure.delay_ms, 250);
  EXPECT_EQ(PayCarol(10'000, 14).status, PaymentStatus::kSucceeded);
  m_net->SetChannelFailure(ChannelId("bob", "carol"), {FailureMode::kSlowReplies, 10});
  bool found = false;
  for (const auto& c : m_net->Channels()) {
    if (c.chan_id == ChannelId("bob", "carol")) {
      found = true;
      EXPECT_EQ(c.failure.mode, FailureMode::kSlowReplies);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(SimlnFailureTest, PaymentToAnUnknownNodeIsNoRoute) {
  // A payreq signed by a key that is no node of this network.
  escrow::bolt11::Invoice inv;
  inv.network_prefix = "bcrt";
  inv.amount_msat = 1000;
  inv.timestamp = static_cast<uint64_t>(m_clock.NowSeconds());
  inv.payment_hash = HashOf(Preimage(15));
  inv.payment_secret = Preimage(16);
  inv.description = "elsewhere";
  std::string payreq = escrow::bolt11::Encode(inv, escrow::crypto::Signer::FromSeed("stranger"));
  StreamEnd end = PayInvoice("alice", payreq);
  EXPECT_EQ(end.updates.back().failure_reason, FailureReason::kNoRoute);
}

TEST_F(SimlnFailureTest, SelfPaymentIsNoRoute) {
  auto inv = AddRegular("alice", 1000);
  EXPECT_EQ(PayInvoice("alice", inv.payment_request).updates.back().failure_reason, FailureReason::kNoRoute);
}

TEST_F(SimlnFailureTest, OfflineSenderCannotPay) {
  auto inv = AddRegular("carol", 1000);
  m_net->SetNodeFailure("alice", {FailureMode::kOffline, 0});
  StreamEnd end = PayInvoice("alice", inv.payment_request);
  ASSERT_TRUE(end.error.has_value());
  EXPECT_EQ(end.error->code, LnErrorCode::kUnreachable);
}

}  // namespace
}  // namespace simln_test
