// Payments: routing, fees, HTLC locking, hold invoices, keysend, the payment streams.
#include <future>

#include "escrow/bolt11.h"
#include "tests/unit/simln/simln_fixture.h"

namespace simln_test {
namespace {

using escrow::SendPaymentRequest;
using escrow::StreamQueue;

TEST_F(SimlnTest, RegularInvoicePaymentSettlesAtOnceAndMovesBalances) {
  auto inv = AddRegular("bob", 250'000, Preimage(1));
  StreamEnd end = PayInvoice("alice", inv.payment_request, 0);
  ASSERT_EQ(end.updates.size(), 2u);
  EXPECT_EQ(end.updates[0].status, PaymentStatus::kInFlight);
  EXPECT_EQ(end.updates[1].status, PaymentStatus::kSucceeded);
  EXPECT_EQ(end.updates[1].payment_preimage, Preimage(1));
  EXPECT_EQ(end.updates[1].fee_msat, 0);  // direct channel
  EXPECT_EQ(end.updates[1].value_msat, 250'000);
  EXPECT_EQ(end.updates[1].payment_request, inv.payment_request);
  EXPECT_TRUE(end.done);

  EXPECT_EQ(Balance("alice").local_msat, 1'000'000'000 - 250'000);
  EXPECT_EQ(Balance("alice").remote_msat, 1'000'000'000 + 250'000);
  EXPECT_EQ(Balance("alice").unsettled_local_msat, 0);
  Invoice settled = InvoiceOf("bob", inv.payment_hash);
  EXPECT_EQ(settled.state, InvoiceState::kSettled);
  EXPECT_EQ(settled.amt_paid_msat, 250'000);
}

TEST_F(SimlnTest, MultiHopPaymentPaysFeesToForwarders) {
  const int64_t amt = 100'000'000;
  auto inv = AddRegular("carol", amt, Preimage(2));
  auto bob_before = Balance("bob");
  StreamEnd end = PayInvoice("alice", inv.payment_request, 1'000'000);
  ASSERT_FALSE(end.updates.empty());
  const Payment& p = end.updates.back();
  ASSERT_EQ(p.status, PaymentStatus::kSucceeded);
  const int64_t fee = 1000 + amt / 1'000'000;  // bob's base + 1 ppm
  EXPECT_EQ(p.fee_msat, fee);
  EXPECT_EQ(p.value_msat, amt);
  EXPECT_EQ(Balance("alice").local_msat, 1'000'000'000 - amt - fee);
  EXPECT_EQ(Balance("carol").local_msat, 1'000'000'000 + amt);
  // Bob received amt + fee from alice and forwarded amt to carol: he keeps the fee.
  auto bob = Balance("bob");
  EXPECT_EQ(bob.local_msat, bob_before.local_msat + fee);
  EXPECT_EQ(bob.remote_msat, bob_before.remote_msat - fee);
}

TEST_F(SimlnTest, FeeLimitIsRespected) {
  auto inv = AddRegular("carol", 100'000'000);
  StreamEnd zero = PayInvoice("alice", inv.payment_request, 0);  // LND: 0 allows only fee-free routes
  ASSERT_FALSE(zero.updates.empty());
  EXPECT_EQ(zero.updates.back().status, PaymentStatus::kFailed);
  EXPECT_EQ(zero.updates.back().failure_reason, FailureReason::kNoRoute);
  StreamEnd tight = PayInvoice("alice", inv.payment_request, 1099);  // fee is 1100
  EXPECT_EQ(tight.updates.back().failure_reason, FailureReason::kNoRoute);
  StreamEnd enough = PayInvoice("alice", inv.payment_request, 1100);
  EXPECT_EQ(enough.updates.back().status, PaymentStatus::kSucceeded);
}

TEST_F(SimlnTest, HoldInvoicePaymentLocksTheRouteUntilSettled) {
  const int64_t amt = 40'000'000;
  Hash32 hash = HashOf(Preimage(3));
  auto inv = AddHold("carol", hash, amt, /*cltv=*/144);
  CustomRecords records = {{65536, {1, 2, 3}}};
  SendPaymentRequest req;
  req.payment_request = inv.payment_request;
  req.fee_limit_msat = 10'000;
  req.dest_custom_records = records;
  escrow::StreamQueue<Payment> q;
  auto sub = Node("alice").SendPayment(req, q.Handlers());
  auto in_flight = q.WaitFor([](const Payment& p) { return p.status == PaymentStatus::kInFlight; }, kWait);
  ASSERT_TRUE(in_flight.has_value());
  const int64_t fee = 1000 + amt / 1'000'000;

  // The HTLC is held: the invoice is ACCEPTED and lists it; balance sits in pending on both hops.
  uint32_t height = m_net->BlockHeight();
  Invoice accepted = InvoiceOf("carol", hash);
  EXPECT_EQ(accepted.state, InvoiceState::kAccepted);
  ASSERT_EQ(accepted.htlcs.size(), 1u);
  const escrow::InvoiceHtlc& h = accepted.htlcs[0];
  EXPECT_EQ(h.state, escrow::HtlcState::kAccepted);
  EXPECT_EQ(h.amt_msat, amt);
  EXPECT_EQ(h.accept_height, static_cast<int32_t>(height));
  EXPECT_EQ(h.expiry_height, static_cast<int32_t>(height + 144));  // the final hop's CLTV
  EXPECT_EQ(h.chan_id, ChannelId("bob", "carol"));
  EXPECT_EQ(h.accept_time, m_clock.NowSeconds());
  EXPECT_EQ(h.custom_records, records);
  EXPECT_FALSE(accepted.r_preimage.has_value());
  EXPECT_EQ(Balance("alice").unsettled_local_msat, amt + fee);
  EXPECT_EQ(Balance("carol").unsettled_remote_msat, amt);
  EXPECT_EQ(Balance("bob").unsettled_local_msat, amt);
  EXPECT_EQ(Balance("bob").unsettled_remote_msat, amt + fee);
  EXPECT_EQ(PaymentOf("alice", hash)->status, PaymentStatus::kInFlight);

  ASSERT_TRUE(Node("carol").SettleInvoice(Preimage(3)).ok());
  auto done = q.WaitFor([](const Payment& p) { return p.status != PaymentStatus::kInFlight; }, kWait);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->status, PaymentStatus::kSucceeded);
  EXPECT_EQ(done->payment_preimage, Preimage(3));
  EXPECT_EQ(done->fee_msat, fee);
  EXPECT_EQ(Balance("alice").unsettled_local_msat, 0);
  EXPECT_EQ(Balance("alice").local_msat, 1'000'000'000 - amt - fee);
  EXPECT_EQ(Balance("carol").local_msat, 1'000'000'000 + amt);
  EXPECT_EQ(Balance("carol").unsettled_remote_msat, 0);
}

TEST_F(SimlnTest, CanceledHoldInvoiceFailsThePaymentAndRestoresBalances) {
  Hash32 hash = HashOf(Preimage(4));
  auto inv = AddHold("carol", hash, 30'000'000);
  auto alice_before = Balance("alice");
  StreamQueue<Payment> q;
  SendPaymentRequest req;
  req.payment_request = inv.payment_request;
  req.fee_limit_msat = 10'000;
  auto sub = Node("alice").SendPayment(req, q.Handlers());
  ASSERT_TRUE(q.WaitFor([](const Payment& p) { return p.status == PaymentStatus::kInFlight; }, kWait));
  ASSERT_TRUE(Node("carol").CancelInvoice(hash).ok());
  auto failed = q.WaitFor([](const Payment& p) { return p.status == PaymentStatus::kFailed; }, kWait);
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->failure_reason, FailureReason::kIncorrectPaymentDetails);
  EXPECT_FALSE(failed->payment_preimage.has_value());
  EXPECT_EQ(Balance("alice").local_msat, alice_before.local_msat);
  EXPECT_EQ(Balance("alice").unsettled_local_msat, 0);
  Invoice canceled = InvoiceOf("carol", hash);
  EXPECT_EQ(canceled.state, InvoiceState::kCanceled);
  ASSERT_EQ(canceled.htlcs.size(), 1u);
  EXPECT_EQ(canceled.htlcs[0].state, escrow::HtlcState::kCanceled);
  EXPECT_EQ(canceled.htlcs[0].resolve_time, m_clock.NowSeconds());
}

TEST_F(SimlnTest, HoldInvoiceIsAutoCanceledTwelveBlocksBeforeHtlcExpiry) {
  Hash32 hash = HashOf(Preimage(5));
  auto inv = AddHold("bob", hash, 1'000'000, /*cltv=*/40);
  PayInvoice("alice", inv.payment_request, 0, PaymentStatus::kInFlight);
  int32_t expiry = InvoiceOf("bob", hash).htlcs.at(0).expiry_height;
  // One block short of expiry - 12: still held.
  m_net->MineBlocks(static_cast<uint32_t>(expiry - 12 - 1 - static_cast<int32_t>(m_net->BlockHeight())));
  m_net->Tick();
  EXPECT_EQ(InvoiceOf("bob", hash).state, InvoiceState::kAccepted);
  EXPECT_EQ(PaymentOf("alice", hash)->status, PaymentStatus::kInFlight);
  // Clock-driven blocks count as much as mined ones.
  Advance(600);
  m_net->Tick();
  EXPECT_EQ(static_cast<int32_t>(m_net->BlockHeight()), expiry - 12);
  EXPECT_EQ(InvoiceOf("bob", hash).state, InvoiceState::kCanceled);
  auto p = PaymentOf("alice", hash);
  EXPECT_EQ(p->status, PaymentStatus::kFailed);
  EXPECT_EQ(p->failure_reason, FailureReason::kIncorrectPaymentDetails);
  EXPECT_EQ(Balance("alice").unsettled_local_msat, 0);
  // Too late to settle now.
  EXPECT_EQ(ErrorOf(Node("bob").SettleInvoice(Preimage(5))), LnErrorCode::kAlreadyCanceled);
}

TEST_F(SimlnTest, PayingACanceledOrExpiredInvoiceFails) {
  Hash32 hash = HashOf(Preimage(6));
  auto canceled = AddHold("bob", hash, 1000);
  ASSERT_TRUE(Node("bob").CancelInvoice(hash).ok());
  StreamEnd end = PayInvoice("alice", canceled.payment_request, 0);
  EXPECT_EQ(end.updates.back().status, PaymentStatus::kFailed);
  EXPECT_EQ(end.updates.back().failure_reason, FailureReason::kIncorrectPaymentDetails);

  // An expired payreq is refused before any attempt, as LND does.
  auto expiring = AddHold("bob", HashOf(Preimage(7)), 1000, 40, /*expiry=*/60);
  Advance(61);
  StreamEnd late = PayInvoice("alice", expiring.payment_request, 0);
  EXPECT_TRUE(late.updates.empty());
  ASSERT_TRUE(late.error.has_value());
  EXPECT_EQ(late.error->code, LnErrorCode::kInvalidArgument);
  EXPECT_NE(late.error->message.find("expired"), std::string::npos);
  EXPECT_TRUE(late.done);
  EXPECT_FALSE(PaymentOf("alice", HashOf(Preimage(7))).has_value());
}

TEST_F(SimlnTest, PayreqOfAnotherNetworkOrUnparseableIsRejected) {
  escrow::bolt11::Invoice inv;
  inv.network_prefix = "tb";
  inv.amount_msat = 1000;
  inv.timestamp = static_cast<uint64_t>(m_clock.NowSeconds());
  inv.payment_hash = HashOf(Preimage(20));
  inv.payment_secret = Preimage(21);
  inv.description = "testnet";
  // Signed by bob's own key: only the network is wrong.
  std::string testnet = escrow::bolt11::Encode(inv, escrow::crypto::Signer::FromSeed("simln:bob"));
  StreamEnd end = PayInvoice("alice", testnet);
  ASSERT_TRUE(end.error.has_value());
  EXPECT_EQ(end.error->code, LnErrorCode::kInvalidArgument);
  EXPECT_TRUE(end.updates.empty());
  StreamEnd garbage = PayInvoice("alice", "lnbcrt1notaninvoice");
  ASSERT_TRUE(garbage.error.has_value());
  EXPECT_EQ(garbage.error->code, LnErrorCode::kInvalidArgument);
  EXPECT_TRUE(m_net->ListPayments("alice").empty());
}

TEST_F(SimlnTest, UnknownPaymentHashAtTheDestinationIsIncorrectPaymentDetails) {
  // A spontaneous payment without a keysend preimage: the receiver has no invoice for it.
  SendPaymentRequest req;
  req.dest = Pubkey("bob");
  req.amt_msat = 5000;
  req.payment_hash = HashOf(Preimage(8));
  StreamEnd end = Pay("alice", req);
  EXPECT_EQ(end.updates.back().failure_reason, FailureReason::kIncorrectPaymentDetails);
  EXPECT_EQ(Balance("alice").local_msat, 1'000'000'000);
}

TEST_F(SimlnTest, AmountRulesOfPayreqsAreLnds) {
  auto fixed = AddRegular("bob", 5000);
  SendPaymentRequest req;
  req.payment_request = fixed.payment_request;
  req.amt_msat = 4000;  // not the invoice's amount
  StreamEnd mismatch = Pay("alice", req);
  ASSERT_TRUE(mismatch.error.has_value());
  EXPECT_EQ(mismatch.error->code, LnErrorCode::kInvalidArgument);

  auto any = AddRegular("bob", 0);
  SendPaymentRequest no_amt;
  no_amt.payment_request = any.payment_request;
  StreamEnd missing = Pay("alice", no_amt);
  ASSERT_TRUE(missing.error.has_value());
  EXPECT_EQ(missing.error->code, LnErrorCode::kInvalidArgument);
  no_amt.amt_msat = 7777;
  StreamEnd ok = Pay("alice", no_amt);
  EXPECT_EQ(ok.updates.back().status, PaymentStatus::kSucceeded);
  EXPECT_EQ(InvoiceOf("bob", any.payment_hash).amt_paid_msat, 7777);
}

TEST_F(SimlnTest, SecondPaymentOfTheSameHashIsAlreadyPaying) {
  Hash32 hash = HashOf(Preimage(9));
  auto inv = AddHold("bob", hash, 1000);
  PayInvoice("alice", inv.payment_request, 0, PaymentStatus::kInFlight);
  StreamEnd in_flight = PayInvoice("alice", inv.payment_request, 0);
  ASSERT_TRUE(in_flight.error.has_value());
  EXPECT_EQ(in_flight.error->code, LnErrorCode::kAlreadyPaying);
  EXPECT_EQ(in_flight.error->message, "payment is in transition");

  ASSERT_TRUE(Node("bob").SettleInvoice(Preimage(9)).ok());
  StreamEnd paid = PayInvoice("alice", inv.payment_request, 0);
  ASSERT_TRUE(paid.error.has_value());
  EXPECT_EQ(paid.error->code, LnErrorCode::kAlreadyPaying);
  EXPECT_EQ(paid.error->message, "invoice is already paid");
  EXPECT_EQ(PaymentOf("alice", hash)->status, PaymentStatus::kSucceeded);  // untouched
}

TEST_F(SimlnTest, FailedPaymentMayBeRetried) {
  auto inv = AddRegular("carol", 10'000, Preimage(10));
  m_net->SetNodeFailure("bob", {FailureMode::kNoRoute, 0});
  StreamEnd first = PayInvoice("alice", inv.payment_request);
  EXPECT_EQ(first.updates.back().failure_reason, FailureReason::kNoRoute);
  uint64_t first_index = first.updates.back().payment_index;
  m_net->SetNodeFailure("bob", {});
  StreamEnd second = PayInvoice("alice", inv.payment_request);
  ASSERT_EQ(second.updates.back().status, PaymentStatus::kSucceeded);
  EXPECT_GT(second.updates.back().payment_index, first_index);
  EXPECT_EQ(m_net->ListPayments("alice").size(), 1u);
}

TEST_F(SimlnTest, KeysendCustomRecordsAreVisibleOnTheReceiversInvoice) {
  CustomRecords extra = {{34349334, {'h', 'i'}}, {7629169, {0x01}}};
  auto req = escrow::MakeKeysend(Pubkey("carol"), 21'000, Preimage(11), extra);
  req.fee_limit_msat = 5000;
  StreamEnd end = Pay("alice", req);
  ASSERT_EQ(end.updates.back().status, PaymentStatus::kSucceeded);
  EXPECT_EQ(end.updates.back().payment_preimage, Preimage(11));
  EXPECT_EQ(end.updates.back().fee_msat, 1000);  // 1000 + 21 000 × 1 ppm, rounded down

  Invoice inv = InvoiceOf("carol", HashOf(Preimage(11)));
  EXPECT_TRUE(inv.is_keysend);
  EXPECT_EQ(inv.state, InvoiceState::kSettled);
  EXPECT_EQ(inv.r_preimage, Preimage(11));
  EXPECT_EQ(inv.value_msat, 21'000);
  EXPECT_EQ(inv.amt_paid_msat, 21'000);
  ASSERT_EQ(inv.htlcs.size(), 1u);
  EXPECT_EQ(inv.htlcs[0].state, escrow::HtlcState::kSettled);
  const CustomRecords& seen = inv.htlcs[0].custom_records;
  EXPECT_EQ(seen.at(34349334), (base::Bytes{'h', 'i'}));
  EXPECT_EQ(seen.at(7629169), (base::Bytes{0x01}));
  const Hash32 preimage = Preimage(11);
  EXPECT_EQ(seen.at(escrow::kKeysendPreimageRecord), base::Bytes(preimage.begin(), preimage.end()));
}

TEST_F(SimlnTest, KeysendWithAPreimageThatDoesNotMatchTheHashFails) {
  auto req = escrow::MakeKeysend(Pubkey("bob"), 1000, Preimage(12));
  req.payment_hash = HashOf(Preimage(13));  // not SHA256 of the carried preimage
  StreamEnd end = Pay("alice", req);
  EXPECT_EQ(end.updates.back().failure_reason, FailureReason::kIncorrectPaymentDetails);
  EXPECT_EQ(ErrorOf(Node("bob").LookupInvoice(HashOf(Preimage(13)))), LnErrorCode::kNotFound);
  EXPECT_EQ(ErrorOf(Node("bob").LookupInvoice(HashOf(Preimage(12)))), LnErrorCode::kNotFound);
}

TEST_F(SimlnTest, CustomRecordsBelow65536AreRejected) {
  auto req = escrow::MakeKeysend(Pubkey("bob"), 1000, Preimage(14), {{65535, {1}}});
  StreamEnd end = Pay("alice", req);
  ASSERT_TRUE(end.error.has_value());
  EXPECT_EQ(end.error->code, LnErrorCode::kInvalidArgument);
}

TEST_F(SimlnTest, TrackPaymentOfAHashNeverSentIsNotFound) {
  StreamQueue<Payment> q;
  auto sub = Node("alice").TrackPayment(HashOf(Preimage(15)), q.Handlers());
  auto ev = q.Next(kWait);
  ASSERT_TRUE(ev && std::holds_alternative<escrow::LnError>(*ev));
  EXPECT_EQ(std::get<escrow::LnError>(*ev).code, LnErrorCode::kNotFound);
  auto end = q.Next(kWait);
  ASSERT_TRUE(end && std::holds_alternative<StreamQueue<Payment>::Ended>(*end));
  // The receiver did not send it either.
  auto inv = AddRegular("bob", 1000, Preimage(16));
  PayInvoice("alice", inv.payment_request, 0);
  StreamQueue<Payment> q2;
  auto sub2 = Node("bob").TrackPayment(inv.payment_hash, q2.Handlers());
  auto ev2 = q2.Next(kWait);
  ASSERT_TRUE(ev2 && std::holds_alternative<escrow::LnError>(*ev2));
}

TEST_F(SimlnTest, TrackPaymentFollowsAnInFlightPaymentAndEndsOnAFinishedOne) {
  Hash32 hash = HashOf(Preimage(17));
  auto inv = AddHold("bob", hash, 2000);
  PayInvoice("alice", inv.payment_request, 0, PaymentStatus::kInFlight);
  StreamQueue<Payment> q;
  auto sub = Node("alice").TrackPayment(hash, q.Handlers());
  auto first = q.WaitFor([](const Payment&) { return true; }, kWait);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, PaymentStatus::kInFlight);
  ASSERT_TRUE(Node("bob").SettleInvoice(Preimage(17)).ok());
  StreamEnd rest = Drain(q, std::nullopt);
  ASSERT_EQ(rest.updates.size(), 1u);
  EXPECT_EQ(rest.updates[0].status, PaymentStatus::kSucceeded);
  EXPECT_TRUE(rest.done);

  StreamQueue<Payment> again;
  auto sub2 = Node("alice").TrackPayment(hash, again.Handlers());
  StreamEnd final_only = Drain(again, std::nullopt);
  ASSERT_EQ(final_only.updates.size(), 1u);
  EXPECT_EQ(final_only.updates[0].status, PaymentStatus::kSucceeded);
  EXPECT_EQ(final_only.updates[0].payment_preimage, Preimage(17));
  EXPECT_TRUE(final_only.done);
}

TEST_F(SimlnTest, ChannelBalanceReportsLocalRemoteAndUnsettled) {
  auto b = Node("bob").GetChannelBalance();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->local_msat, 2'000'000'000);
  EXPECT_EQ(b->remote_msat, 2'000'000'000);
  EXPECT_EQ(b->unsettled_local_msat, 0);
  EXPECT_EQ(b->unsettled_remote_msat, 0);
  Hash32 hash = HashOf(Preimage(18));
  auto inv = AddHold("bob", hash, 3'000'000);
  PayInvoice("alice", inv.payment_request, 0, PaymentStatus::kInFlight);
  auto held = Node("bob").GetChannelBalance();
  EXPECT_EQ(held->unsettled_remote_msat, 3'000'000);
  EXPECT_EQ(held->local_msat, 2'000'000'000);
  auto alice = Node("alice").GetChannelBalance();
  EXPECT_EQ(alice->unsettled_local_msat, 3'000'000);
  EXPECT_EQ(alice->local_msat, 1'000'000'000 - 3'000'000);
  ASSERT_TRUE(Node("bob").CancelInvoice(hash).ok());
}

TEST_F(SimlnTest, CallbacksMayCallBackIntoTheNetwork) {
  // A callback that runs under the network's lock would deadlock here.
  auto inv = AddRegular("bob", 1000, Preimage(19));
  std::promise<InvoiceState> seen;
  escrow::StreamHandlers<Payment> h;
  escrow::LightningNode& bob = Node("bob");
  bool set = false;
  h.on_update = [&](const Payment& p) {
    if (p.status == PaymentStatus::kSucceeded && !set) {
      set = true;
      seen.set_value(bob.LookupInvoice(p.payment_hash)->state);
    }
  };
  SendPaymentRequest req;
  req.payment_request = inv.payment_request;
  auto sub = Node("alice").SendPayment(req, h);
  auto fut = seen.get_future();
  ASSERT_EQ(fut.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(fut.get(), InvoiceState::kSettled);
}

}  // namespace
}  // namespace simln_test
