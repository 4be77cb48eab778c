// PayoutDesk: a payment is sent at most once per attempt, whatever the order in which the
// node's answers arrive, and a known failure is not re-sent unless a new attempt asks for it.
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <future>

#include "escrow/crypto/sha256.h"
#include "escrow/payout_desk.h"
#include "escrow/simln/network.h"
#include "tests/support/test_support.h"

namespace {

using namespace std::chrono_literals;

// Forwards every call to a real node; TrackPayment returns only after the node has already
// answered on its own thread — the ordering that once lost the send stream.
class AnswerBeforeReturnNode : public escrow::LightningNode {
 public:
  explicit AnswerBeforeReturnNode(escrow::LightningNode& inner) : m_inner(inner) {}
  escrow::LnResult<escrow::NodeInfo> GetInfo() override { return m_inner.GetInfo(); }
  escrow::LnResult<escrow::AddInvoiceResult> AddHoldInvoice(const escrow::HoldInvoiceRequest& r) override {
    return m_inner.AddHoldInvoice(r);
  }
  escrow::LnResult<escrow::AddInvoiceResult> AddInvoice(const escrow::InvoiceRequest& r) override {
    return m_inner.AddInvoice(r);
  }
  escrow::LnStatus SettleInvoice(const escrow::Hash32& p) override { return m_inner.SettleInvoice(p); }
  escrow::LnStatus CancelInvoice(const escrow::Hash32& h) override { return m_inner.CancelInvoice(h); }
  escrow::LnResult<escrow::Invoice> LookupInvoice(const escrow::Hash32& h) override { return m_inner.LookupInvoice(h); }
  std::unique_ptr<escrow::Subscription> SubscribeInvoice(const escrow::Hash32& h,
                                                         escrow::StreamHandlers<escrow::Invoice> hs) override {
    return m_inner.SubscribeInvoice(h, std::move(hs));
  }
  escrow::LnResult<escrow::PayReq> DecodePayReq(const std::string& p) override { return m_inner.DecodePayReq(p); }
  std::unique_ptr<escrow::Subscription> SendPayment(const escrow::SendPaymentRequest& r,
                                                    escrow::StreamHandlers<escrow::Payment> hs) override {
    ++sends;
    return m_inner.SendPayment(r, std::move(hs));
  }
  std::unique_ptr<escrow::Subscription> TrackPayment(const escrow::Hash32& h,
                                                     escrow::StreamHandlers<escrow::Payment> hs) override {
    auto answered = std::make_shared<std::promise<void>>();
    auto fut = answered->get_future();
    auto once = std::make_shared<std::once_flag>();
    auto signal = [answered, once] { std::call_once(*once, [&] { answered->set_value(); }); };
    escrow::StreamHandlers<escrow::Payment> wrapped;
    wrapped.on_update = [hs, signal](const escrow::Payment& p) {
      if (hs.on_update) hs.on_update(p);
      signal();
    };
    wrapped.on_error = [hs, signal](const escrow::LnError& e) {
      if (hs.on_error) hs.on_error(e);
      signal();
    };
    wrapped.on_done = hs.on_done;
    auto sub = m_inner.TrackPayment(h, std::move(wrapped));
    fut.wait_for(5s);
    std::this_thread::sleep_for(50ms);  // let what the answer started (a send) get going
    return sub;
  }
  escrow::LnResult<escrow::ChannelBalance> GetChannelBalance() override { return m_inner.GetChannelBalance(); }

  std::atomic<int> sends{0};

 private:
  escrow::LightningNode& m_inner;
};

class PayoutDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = testsupport::MakeTempDir("payout-desk");
    escrow::simln::NetworkSpec spec;
    spec.nodes = {{"coordinator", ""}, {"bob", ""}};
    escrow::simln::ChannelSpec ch;
    ch.node_a = "coordinator";
    ch.node_b = "bob";
    ch.a_balance_sat = ch.b_balance_sat = 1000000;
    spec.channels = {ch};
    auto net = escrow::simln::Network::Open(m_dir + "/simln.db", spec, m_clock);
    ASSERT_TRUE(net.ok()) << net.error();
    m_net = std::move(net.value());
    m_coord = m_net->Node("coordinator");
    m_bob = m_net->Node("bob");
    m_node = std::make_unique<AnswerBeforeReturnNode>(*m_coord);
  }
  void TearDown() override {
    m_node.reset();
    m_bob.reset();
    m_coord.reset();
    m_net.reset();
    std::filesystem::remove_all(m_dir);
  }
  escrow::PaySpec Invoice(int64_t sats) {
    escrow::InvoiceRequest req;
    req.value_msat = sats * 1000;
    auto added = m_bob->AddInvoice(req);
    EXPECT_TRUE(added.ok());
    escrow::PaySpec spec;
    spec.payment_request = added->payment_request;
    spec.payment_hash = added->payment_hash;
    spec.fee_limit_sat = 10;
    return spec;
  }
  escrow::LnResult<escrow::PayOutcome> PayAndWait(escrow::PayoutDesk& desk, const escrow::PaySpec& spec,
                                                  escrow::PriorFailure prior) {
    auto done = std::make_shared<std::promise<escrow::LnResult<escrow::PayOutcome>>>();
    auto fut = done->get_future();
    desk.Pay(spec, prior, [done](escrow::LnResult<escrow::PayOutcome> r) { done->set_value(std::move(r)); });
    if (fut.wait_for(10s) != std::future_status::ready) {
      return base::Err(escrow::LnError{escrow::LnErrorCode::kTimeout, "the desk never answered"});
    }
    return fut.get();
  }

  std::string m_dir;
  base::ManualClock m_clock{std::chrono::system_clock::now()};
  std::unique_ptr<escrow::simln::Network> m_net;
  std::unique_ptr<escrow::LightningNode> m_coord, m_bob;
  std::unique_ptr<AnswerBeforeReturnNode> m_node;
};

TEST_F(PayoutDeskTest, PaymentCompletesWhenTheNodeAnswersBeforeTheSubscribeCallReturns) {
  escrow::PayoutDesk desk(*m_node);
  // A hold invoice: the payment stays in flight after the subscribing calls returned, so the
  // outcome must come through the send stream the desk kept.
  escrow::Hash32 preimage = escrow::crypto::RandomHash32();
  escrow::HoldInvoiceRequest hold;
  hold.payment_hash = escrow::crypto::Sha256(preimage.data(), preimage.size());
  hold.value_msat = 5000000;
  hold.cltv_expiry = 40;
  auto added = m_bob->AddHoldInvoice(hold);
  ASSERT_TRUE(added.ok());
  escrow::PaySpec spec;
  spec.payment_request = added->payment_request;
  spec.payment_hash = hold.payment_hash;
  spec.fee_limit_sat = 10;
  auto done = std::make_shared<std::promise<escrow::LnResult<escrow::PayOutcome>>>();
  auto fut = done->get_future();
  desk.Pay(spec, escrow::PriorFailure::kIsThisAttempt,
           [done](escrow::LnResult<escrow::PayOutcome> r) { done->set_value(std::move(r)); });
  for (int i = 0; i < 400; ++i) {
    auto inv = m_bob->LookupInvoice(hold.payment_hash);
    if (inv.ok() && inv->state == escrow::InvoiceState::kAccepted) break;
    std::this_thread::sleep_for(5ms);
  }
  std::this_thread::sleep_for(100ms);  // TrackPayment has returned by now
  ASSERT_TRUE(m_bob->SettleInvoice(preimage).ok());
  ASSERT_EQ(fut.wait_for(10s), std::future_status::ready) << "the payment's outcome was lost";
  auto r = fut.get();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, escrow::PaymentStatus::kSucceeded);
  EXPECT_EQ(m_node->sends, 1);
}

TEST_F(PayoutDeskTest, SucceededPaymentIsReportedNotResent) {
  escrow::PayoutDesk desk(*m_node);
  auto spec = Invoice(5000);
  ASSERT_TRUE(PayAndWait(desk, spec, escrow::PriorFailure::kIsThisAttempt).ok());
  auto again = PayAndWait(desk, spec, escrow::PriorFailure::kResend);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, escrow::PaymentStatus::kSucceeded);
  EXPECT_EQ(m_node->sends, 1);
}

TEST_F(PayoutDeskTest, KnownFailureIsNotResentOnRedriveButIsOnANewAttempt) {
  escrow::PayoutDesk desk(*m_node);
  auto spec = Invoice(5000);
  m_net->SetNodeFailure("bob", {escrow::simln::FailureMode::kNoRoute, 0});
  auto first = PayAndWait(desk, spec, escrow::PriorFailure::kIsThisAttempt);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->status, escrow::PaymentStatus::kFailed);
  EXPECT_EQ(first->failure_reason, escrow::FailureReason::kNoRoute);
  EXPECT_EQ(m_node->sends, 1);
  // Re-driving the same attempt (after a restart) reports its failure without sending.
  auto redrive = PayAndWait(desk, spec, escrow::PriorFailure::kIsThisAttempt);
  ASSERT_TRUE(redrive.ok());
  EXPECT_EQ(redrive->status, escrow::PaymentStatus::kFailed);
  EXPECT_EQ(m_node->sends, 1);
  // A new attempt sends again.
  m_net->SetNodeFailure("bob", {escrow::simln::FailureMode::kNone, 0});
  auto retry = PayAndWait(desk, spec, escrow::PriorFailure::kResend);
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->status, escrow::PaymentStatus::kSucceeded);
  EXPECT_EQ(m_node->sends, 2);
}

}  // namespace
