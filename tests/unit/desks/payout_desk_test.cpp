// PayoutDesk: a payment is sent at most once per attempt, whatever the order in which the
// node's answers arrive, and a known failure is not re-sent unless a new attempt asks for it.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "escrow/crypto/sha256.h"
#include "escrow/payout_desk.h"
#include "tests/unit/desks/desk_fixture.h"
#include "tests/unit/desks/observed_node.h"

namespace {

using namespace std::chrono_literals;

// Forwards every call to a real node; TrackPayment returns only after the node has already
// answered on its own thread — the ordering that once lost the send stream.
class AnswerBeforeReturnNode : public desktest::ForwardingNode {
 public:
  using ForwardingNode::ForwardingNode;
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

  std::atomic<int> sends{0};
};

class PayoutDeskTest : public desktest::DeskTest {
 protected:
  void SetUp() override {
    DeskTest::SetUp();
    m_node = std::make_unique<AnswerBeforeReturnNode>(*m_coord);
  }
  void TearDown() override {
    m_node.reset();
    DeskTest::TearDown();
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
  // A hold invoice of bob's: a payment to it stays in flight until bob settles it.
  escrow::PaySpec HoldInvoice(const escrow::Hash32& preimage) {
    escrow::HoldInvoiceRequest hold;
    hold.payment_hash = escrow::crypto::Sha256(preimage.data(), preimage.size());
    hold.value_msat = 5000000;
    hold.cltv_expiry = 40;
    auto added = m_bob->AddHoldInvoice(hold);
    EXPECT_TRUE(added.ok());
    escrow::PaySpec spec;
    spec.payment_request = added.ok() ? added->payment_request : "";
    spec.payment_hash = hold.payment_hash;
    spec.fee_limit_sat = 10;
    return spec;
  }
  bool WaitAccepted(const escrow::Hash32& hash) {
    for (int i = 0; i < 400; ++i) {
      auto inv = m_bob->LookupInvoice(hash);
      if (inv.ok() && inv->state == escrow::InvoiceState::kAccepted) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
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

  std::unique_ptr<AnswerBeforeReturnNode> m_node;
};

TEST_F(PayoutDeskTest, PaymentCompletesWhenTheNodeAnswersBeforeTheSubscribeCallReturns) {
  escrow::PayoutDesk desk(*m_node);
  // A hold invoice: the payment stays in flight after the subscribing calls returned, so the
  // outcome must come through the send stream the desk kept.
  escrow::Hash32 preimage = escrow::crypto::RandomHash32();
  auto spec = HoldInvoice(preimage);
  auto done = std::make_shared<std::promise<escrow::LnResult<escrow::PayOutcome>>>();
  auto fut = done->get_future();
  desk.Pay(spec, escrow::PriorFailure::kIsThisAttempt,
           [done](escrow::LnResult<escrow::PayOutcome> r) { done->set_value(std::move(r)); });
  WaitAccepted(spec.payment_hash);
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

// The desk's destructor must wait for a callback that has delivered the outcome (`done`) but
// is still inside the desk: the owner destroys the desk as soon as it has its answer. Before,
// that callback went on to post to the destroyed desk's worker pool (sanitizer: "pthread_mutex_lock
// ... Assertion e != ESRCH || !robust failed"); a post that landed after the pool had stopped
// was never run, and the job and the stream's handlers kept each other alive (a leak).
TEST_F(PayoutDeskTest, DestroyingTheDeskWaitsForTheCallbackThatDeliveredTheOutcome) {
  desktest::ObservedNode node(*m_coord);
  desktest::HeldCallback held;
  node.OnCancel([&] { held.StreamCancelled(); });
  // The coordinator's node pays bob's hold invoice outside the desk: it is in flight when the
  // desk asks, so the outcome comes on the track stream that Pay keeps before it returns.
  escrow::Hash32 preimage = escrow::crypto::RandomHash32();
  auto spec = HoldInvoice(preimage);
  escrow::SendPaymentRequest req;
  req.payment_request = spec.payment_request;
  req.fee_limit_msat = 10000;
  m_coord->SendPayment(req, {}).reset();  // the payment goes on without its stream
  ASSERT_TRUE(WaitAccepted(spec.payment_hash));

  auto desk = std::make_unique<escrow::PayoutDesk>(node);
  std::mutex mu;
  std::optional<escrow::LnResult<escrow::PayOutcome>> outcome;
  desk->Pay(spec, escrow::PriorFailure::kIsThisAttempt, [&](escrow::LnResult<escrow::PayOutcome> r) {
    {
      std::lock_guard lock(mu);
      outcome = std::move(r);
    }
    held.Hold();
  });
  ASSERT_TRUE(m_bob->SettleInvoice(preimage).ok());
  ASSERT_TRUE(held.WaitEntered()) << "the outcome never came";
  EXPECT_TRUE(held.DestroyAndCheck(desk)) << "the desk was destroyed while its callback was still running";
  EXPECT_FALSE(node.AnyHandlersAlive()) << "the stream's handlers outlived the desk";
  std::lock_guard lock(mu);
  ASSERT_TRUE(outcome.has_value() && outcome->ok());
  EXPECT_EQ((*outcome)->status, escrow::PaymentStatus::kSucceeded);
}

}  // namespace
