// Hold invoices and keysend end to end: the coordinator's LND backend creates, watches,
// settles and cancels; a wallet pays through its own node's REST API; the simln daemon is a
// separate process. Every stream event the test relies on arrives over HTTPS.
#include "escrow/crypto/sha256.h"
#include "tests/integration/lnd_backend/fixture.h"

namespace lnd_backend_test {
namespace {

using escrow::FailureReason;
using escrow::FailureReasonName;
using escrow::HtlcState;
using escrow::InvoiceState;
using escrow::PaymentStatus;

TEST_F(LndBackendTest, HoldInvoiceSettledPayerSeesSucceededWithPreimage) {
  auto coordinator = Lnd("coordinator");
  auto alice = Lnd("alice");
  ASSERT_TRUE(coordinator && alice);
  const int64_t total = TotalMsat();
  const auto alice_before = Balance(*alice);
  const auto coordinator_before = Balance(*coordinator);
  const Secret secret = MakeSecret("settled");
  constexpr int64_t kAmount = 100'000 * kMsatPerSat;

  auto added = coordinator->AddHoldInvoice(HoldRequest(secret.hash, kAmount));
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(added->payment_hash, secret.hash);
  StreamQueue<Invoice> invoices;
  auto invoice_sub = coordinator->SubscribeInvoice(secret.hash, invoices.Handlers());
  ASSERT_TRUE(AwaitInvoice(invoices, InvoiceState::kOpen));

  // The payer decodes the coordinator's payreq on its own node, then pays it.
  auto decoded = alice->DecodePayReq(added->payment_request);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->destination, Served("coordinator").pubkey);
  EXPECT_EQ(decoded->payment_hash, secret.hash);
  EXPECT_EQ(decoded->num_msat, kAmount);
  EXPECT_EQ(decoded->cltv_expiry, 80);
  StreamQueue<Payment> payments;
  auto pay_sub = alice->SendPayment(PayRequest(added->payment_request), payments.Handlers());
  auto in_flight = AwaitPayment(payments, PaymentStatus::kInFlight);
  ASSERT_TRUE(in_flight);
  EXPECT_EQ(in_flight->payment_hash, secret.hash);
  EXPECT_FALSE(in_flight->payment_preimage.has_value());

  auto accepted = AwaitInvoice(invoices, InvoiceState::kAccepted);
  ASSERT_TRUE(accepted);
  EXPECT_FALSE(accepted->r_preimage.has_value());
  ASSERT_EQ(accepted->htlcs.size(), 1u);
  EXPECT_EQ(accepted->htlcs[0].state, HtlcState::kAccepted);
  EXPECT_EQ(accepted->htlcs[0].amt_msat, kAmount);
  EXPECT_EQ(Balance(*alice).unsettled_local_msat, kAmount);  // locked in the held HTLC
  EXPECT_EQ(Balance(*coordinator).unsettled_remote_msat, kAmount);

  ASSERT_TRUE(coordinator->SettleInvoice(secret.preimage).ok());
  auto settled = AwaitInvoice(invoices, InvoiceState::kSettled);
  ASSERT_TRUE(settled);
  EXPECT_EQ(settled->r_preimage, secret.preimage);
  EXPECT_EQ(settled->amt_paid_msat, kAmount);
  ASSERT_EQ(settled->htlcs.size(), 1u);
  EXPECT_EQ(settled->htlcs[0].state, HtlcState::kSettled);
  EXPECT_TRUE(AwaitEnd(invoices));

  auto succeeded = AwaitPayment(payments, PaymentStatus::kSucceeded);
  ASSERT_TRUE(succeeded);
  EXPECT_EQ(succeeded->payment_preimage, secret.preimage);
  EXPECT_EQ(succeeded->value_msat, kAmount);
  EXPECT_EQ(succeeded->fee_msat, 0);  // a direct channel: no forwarding fee
  EXPECT_TRUE(AwaitEnd(payments));

  // A later TrackPayment tells the same story; the sats moved exactly once.
  StreamQueue<Payment> tracked;
  auto track_sub = alice->TrackPayment(secret.hash, tracked.Handlers());
  auto final_state = AwaitPayment(tracked, PaymentStatus::kSucceeded);
  ASSERT_TRUE(final_state);
  EXPECT_EQ(final_state->payment_preimage, secret.preimage);
  EXPECT_EQ(final_state->payment_index, succeeded->payment_index);
  EXPECT_EQ(Balance(*alice).local_msat, alice_before.local_msat - kAmount);
  EXPECT_EQ(Balance(*alice).unsettled_local_msat, 0);
  EXPECT_EQ(Balance(*coordinator).local_msat, coordinator_before.local_msat + kAmount);
  EXPECT_EQ(TotalMsat(), total);
}

TEST_F(LndBackendTest, CanceledHoldFailsThePayerWithIncorrectPaymentDetails) {
  auto coordinator = Lnd("coordinator");
  auto alice = Lnd("alice");
  ASSERT_TRUE(coordinator && alice);
  const auto alice_before = Balance(*alice);
  const Secret secret = MakeSecret("canceled");
  constexpr int64_t kAmount = 20'000 * kMsatPerSat;

  auto added = coordinator->AddHoldInvoice(HoldRequest(secret.hash, kAmount));
  ASSERT_TRUE(added.ok()) << added.error().message;
  StreamQueue<Invoice> invoices;
  auto invoice_sub = coordinator->SubscribeInvoice(secret.hash, invoices.Handlers());
  StreamQueue<Payment> payments;
  auto pay_sub = alice->SendPayment(PayRequest(added->payment_request), payments.Handlers());
  ASSERT_TRUE(AwaitInvoice(invoices, InvoiceState::kAccepted));
  EXPECT_EQ(Balance(*alice).unsettled_local_msat, kAmount);

  ASSERT_TRUE(coordinator->CancelInvoice(secret.hash).ok());
  auto canceled = AwaitInvoice(invoices, InvoiceState::kCanceled);
  ASSERT_TRUE(canceled);
  ASSERT_EQ(canceled->htlcs.size(), 1u);
  EXPECT_EQ(canceled->htlcs[0].state, HtlcState::kCanceled);
  EXPECT_EQ(canceled->amt_paid_msat, 0);
  EXPECT_TRUE(AwaitEnd(invoices));

  auto failed = AwaitPayment(payments, PaymentStatus::kFailed);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->failure_reason, FailureReason::kIncorrectPaymentDetails);
  EXPECT_STREQ(FailureReasonName(failed->failure_reason), "FAILURE_REASON_INCORRECT_PAYMENT_DETAILS");
  EXPECT_FALSE(failed->payment_preimage.has_value());
  EXPECT_TRUE(AwaitEnd(payments));

  // The HTLC went back: nothing locked, nothing lost; the invoice cannot be settled any more.
  const auto alice_after = Balance(*alice);
  EXPECT_EQ(alice_after.local_msat, alice_before.local_msat);
  EXPECT_EQ(alice_after.unsettled_local_msat, 0);
  auto late_settle = coordinator->SettleInvoice(secret.preimage);
  ASSERT_FALSE(late_settle.ok());
  EXPECT_EQ(late_settle.error().code, escrow::LnErrorCode::kAlreadyCanceled);
}

TEST_F(LndBackendTest, OpenInvoiceExpires) {
  auto coordinator = Lnd("coordinator");
  auto alice = Lnd("alice");
  ASSERT_TRUE(coordinator && alice);
  const Secret secret = MakeSecret("expires");
  auto request = HoldRequest(secret.hash, 5'000 * kMsatPerSat);
  request.expiry_seconds = 600;
  auto added = coordinator->AddHoldInvoice(request);
  ASSERT_TRUE(added.ok()) << added.error().message;
  StreamQueue<Invoice> invoices;
  auto invoice_sub = coordinator->SubscribeInvoice(secret.hash, invoices.Handlers());
  auto open = AwaitInvoice(invoices, InvoiceState::kOpen);
  ASSERT_TRUE(open);
  EXPECT_EQ(open->expiry, 600);

  Advance(std::chrono::seconds(601));  // the daemon's clock, past creation_date + expiry
  auto canceled = AwaitInvoice(invoices, InvoiceState::kCanceled);
  ASSERT_TRUE(canceled);
  EXPECT_TRUE(canceled->htlcs.empty());
  EXPECT_TRUE(AwaitEnd(invoices));
  auto looked_up = coordinator->LookupInvoice(secret.hash);
  ASSERT_TRUE(looked_up.ok()) << looked_up.error().message;
  EXPECT_EQ(looked_up->state, InvoiceState::kCanceled);

  // LND (routerrpc) refuses an expired payreq before sending anything: "invoice expired".
  StreamQueue<Payment> payments;
  auto pay_sub = alice->SendPayment(PayRequest(added->payment_request), payments.Handlers());
  auto refused = AwaitError(payments);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->code, escrow::LnErrorCode::kInvalidArgument) << refused->message;
  EXPECT_NE(refused->message.find("invoice expired"), std::string::npos) << refused->message;
}

TEST_F(LndBackendTest, AcceptedHoldIsAutoCanceledTwelveBlocksBeforeHtlcExpiry) {
  auto coordinator = Lnd("coordinator");
  auto alice = Lnd("alice");
  ASSERT_TRUE(coordinator && alice);
  const auto alice_before = Balance(*alice);
  const Secret secret = MakeSecret("auto-cancel");
  constexpr uint64_t kCltv = 40;
  auto added = coordinator->AddHoldInvoice(HoldRequest(secret.hash, 10'000 * kMsatPerSat, kCltv));
  ASSERT_TRUE(added.ok()) << added.error().message;
  StreamQueue<Invoice> invoices;
  auto invoice_sub = coordinator->SubscribeInvoice(secret.hash, invoices.Handlers());
  StreamQueue<Payment> payments;
  auto pay_sub = alice->SendPayment(PayRequest(added->payment_request), payments.Handlers());
  auto accepted = AwaitInvoice(invoices, InvoiceState::kAccepted);
  ASSERT_TRUE(accepted);
  ASSERT_EQ(accepted->htlcs.size(), 1u);
  auto info = coordinator->GetInfo();
  ASSERT_TRUE(info.ok()) << info.error().message;
  const int32_t height = static_cast<int32_t>(info->block_height);
  const int32_t expiry = accepted->htlcs[0].expiry_height;
  EXPECT_EQ(expiry, height + static_cast<int32_t>(kCltv));  // direct channel: the payreq's CLTV

  // LND's holdexpirydelta: the invoice registry cancels a held HTLC once
  // height >= expiry_height - 12. One block short of it, the HTLC is still held.
  const int32_t cancel_height = expiry - 12;
  Mine(static_cast<uint32_t>(cancel_height - 1 - height));
  auto still = coordinator->LookupInvoice(secret.hash);
  ASSERT_TRUE(still.ok()) << still.error().message;
  EXPECT_EQ(still->state, InvoiceState::kAccepted);
  EXPECT_EQ(coordinator->GetInfo()->block_height, static_cast<uint32_t>(cancel_height - 1));

  Mine(1);
  auto canceled = AwaitInvoice(invoices, InvoiceState::kCanceled);
  ASSERT_TRUE(canceled);
  ASSERT_EQ(canceled->htlcs.size(), 1u);
  EXPECT_EQ(canceled->htlcs[0].state, HtlcState::kCanceled);
  auto failed = AwaitPayment(payments, PaymentStatus::kFailed);
  ASSERT_TRUE(failed);
  EXPECT_STREQ(FailureReasonName(failed->failure_reason), "FAILURE_REASON_INCORRECT_PAYMENT_DETAILS");
  EXPECT_EQ(Balance(*alice).local_msat, alice_before.local_msat);
  EXPECT_EQ(Balance(*alice).unsettled_local_msat, 0);
}

TEST_F(LndBackendTest, KeysendCustomRecordsVisibleOnReceiverInvoice) {
  auto coordinator = Lnd("coordinator");
  auto alice = Lnd("alice");
  ASSERT_TRUE(coordinator && alice);
  const Secret secret = MakeSecret("keysend");
  constexpr int64_t kAmount = 3'000 * kMsatPerSat;
  const std::string note = "dev tax, ledger entry 42";
  const base::Bytes note_bytes(note.begin(), note.end());
  const base::Bytes blob = {0x00, 0xff, 0x10, 0x80};
  escrow::CustomRecords records = {{65537, note_bytes}, {70000, blob}};

  StreamQueue<Payment> payments;
  auto pay_sub =
      alice->SendPayment(escrow::MakeKeysend(Served("coordinator").pubkey, kAmount, secret.preimage, records),
                         payments.Handlers());
  auto succeeded = AwaitPayment(payments, PaymentStatus::kSucceeded);
  ASSERT_TRUE(succeeded);
  EXPECT_EQ(succeeded->payment_hash, secret.hash);
  EXPECT_EQ(succeeded->payment_preimage, secret.preimage);
  EXPECT_EQ(succeeded->value_msat, kAmount);

  // The receiver's node made an invoice of the keysend, with the sender's records on its HTLC.
  auto invoice = coordinator->LookupInvoice(secret.hash);
  ASSERT_TRUE(invoice.ok()) << invoice.error().message;
  EXPECT_TRUE(invoice->is_keysend);
  EXPECT_EQ(invoice->state, InvoiceState::kSettled);
  EXPECT_EQ(invoice->r_preimage, secret.preimage);
  EXPECT_EQ(invoice->amt_paid_msat, kAmount);
  ASSERT_EQ(invoice->htlcs.size(), 1u);
  const auto& seen = invoice->htlcs[0].custom_records;
  auto note_it = seen.find(65537);
  ASSERT_NE(note_it, seen.end());
  EXPECT_EQ(note_it->second, note_bytes);
  auto blob_it = seen.find(70000);
  ASSERT_NE(blob_it, seen.end());
  EXPECT_EQ(blob_it->second, blob);
  auto preimage_it = seen.find(escrow::kKeysendPreimageRecord);
  ASSERT_NE(preimage_it, seen.end());
  EXPECT_EQ(preimage_it->second, escrow::crypto::ToBytes(secret.preimage));
}

TEST_F(LndBackendTest, TwoHopPaymentPaysTheForwardingFeeOfTheHop) {
  auto coordinator = Lnd("coordinator");
  auto carol = Lnd("carol");
  auto hop = Lnd("hop");
  ASSERT_TRUE(coordinator && carol && hop);
  const int64_t total = TotalMsat();
  const auto carol_before = Balance(*carol);
  const auto hop_before = Balance(*hop);
  const auto coordinator_before = Balance(*coordinator);
  const Secret secret = MakeSecret("two hops");
  constexpr int64_t kAmount = 50'000 * kMsatPerSat;
  // BOLT #7: fee_base_msat + (amount_to_forward * fee_proportional_millionths / 1000000).
  constexpr int64_t kFee = kHopBaseFeeMsat + kAmount * kHopFeeRatePpm / 1'000'000;
  static_assert(kFee == 6000);

  auto added = coordinator->AddHoldInvoice(HoldRequest(secret.hash, kAmount));
  ASSERT_TRUE(added.ok()) << added.error().message;
  StreamQueue<Invoice> invoices;
  auto invoice_sub = coordinator->SubscribeInvoice(secret.hash, invoices.Handlers());

  // LND: a route whose fees exceed fee_limit is no route at all.
  {
    StreamQueue<Payment> stingy;
    auto sub = carol->SendPayment(PayRequest(added->payment_request, kFee - 1), stingy.Handlers());
    auto failed = AwaitPayment(stingy, PaymentStatus::kFailed);
    ASSERT_TRUE(failed);
    EXPECT_STREQ(FailureReasonName(failed->failure_reason), "FAILURE_REASON_NO_ROUTE");
  }

  StreamQueue<Payment> payments;
  auto pay_sub = carol->SendPayment(PayRequest(added->payment_request, kFee), payments.Handlers());
  auto accepted = AwaitInvoice(invoices, InvoiceState::kAccepted);
  ASSERT_TRUE(accepted);
  ASSERT_EQ(accepted->htlcs.size(), 1u);
  EXPECT_EQ(accepted->htlcs[0].amt_msat, kAmount);  // the hop kept its fee
  EXPECT_EQ(Balance(*carol).unsettled_local_msat, kAmount + kFee);
  ASSERT_TRUE(coordinator->SettleInvoice(secret.preimage).ok());
  auto succeeded = AwaitPayment(payments, PaymentStatus::kSucceeded);
  ASSERT_TRUE(succeeded);
  EXPECT_EQ(succeeded->payment_preimage, secret.preimage);
  EXPECT_EQ(succeeded->value_msat, kAmount);
  EXPECT_EQ(succeeded->fee_msat, kFee);

  EXPECT_EQ(Balance(*carol).local_msat, carol_before.local_msat - kAmount - kFee);
  EXPECT_EQ(Balance(*hop).local_msat, hop_before.local_msat + kFee);
  EXPECT_EQ(Balance(*coordinator).local_msat, coordinator_before.local_msat + kAmount);
  EXPECT_EQ(TotalMsat(), total);
}

}  // namespace
}  // namespace lnd_backend_test
