// Failures as the coordinator's LND backend sees them: each simln failure mode (set through
// the daemon's control API) ends the payer's stream with LND's failure_reason name or fails a
// call with the matching LnErrorCode; a wrong macaroon or certificate is refused, typed, and
// without echoing the secret.
#include "config/base/encoding.h"
#include "escrow/crypto/sha256.h"
#include "tests/integration/lnd_backend/fixture.h"
#include "tests/support/test_support.h"

namespace lnd_backend_test {
namespace {

using escrow::FailureReason;
using escrow::FailureReasonName;
using escrow::InvoiceState;
using escrow::LnErrorCode;
using escrow::LnErrorCodeName;
using escrow::PaymentStatus;

// Pays `payment_request` from `payer` and returns the FAILED update (bounded).
std::optional<Payment> PayAndFail(LightningNode& payer, const escrow::SendPaymentRequest& request) {
  StreamQueue<Payment> payments;
  auto sub = payer.SendPayment(request, payments.Handlers());
  auto failed = AwaitPayment(payments, PaymentStatus::kFailed);
  if (failed) {
    EXPECT_TRUE(AwaitEnd(payments));
  }
  return failed;
}

std::optional<Payment> PayAndSucceed(LightningNode& payer, const escrow::SendPaymentRequest& request) {
  StreamQueue<Payment> payments;
  auto sub = payer.SendPayment(request, payments.Handlers());
  return AwaitPayment(payments, PaymentStatus::kSucceeded);
}

// A regular invoice of `node` (the wallets' and the coordinator's nodes all take them).
std::string NewInvoice(LightningNode& node, int64_t value_msat) {
  escrow::InvoiceRequest req;
  req.value_msat = value_msat;
  req.memo = "failure test";
  auto added = node.AddInvoice(req);
  EXPECT_TRUE(added.ok()) << (added ? "" : added.error().message);
  return added ? added->payment_request : std::string();
}

std::string MacaroonHex(const std::string& path) {
  std::string raw = testsupport::ReadFile(path);
  return base::HexEncode(base::Bytes(raw.begin(), raw.end()));
}

TEST_F(LndBackendTest, NoRouteNodeOrChannelFailsWithNoRoute) {
  auto coordinator = Lnd("coordinator");
  auto alice = Lnd("alice");
  auto carol = Lnd("carol");
  ASSERT_TRUE(coordinator && alice && carol);
  constexpr int64_t kAmount = 1'000 * kMsatPerSat;

  // A node that routes nothing: carol's only way to the coordinator goes through it.
  SetNodeFailure("hop", "NO_ROUTE");
  auto via_hop = PayAndFail(*carol, PayRequest(NewInvoice(*coordinator, kAmount), 10'000));
  ASSERT_TRUE(via_hop);
  EXPECT_EQ(via_hop->failure_reason, FailureReason::kNoRoute);
  EXPECT_STREQ(FailureReasonName(via_hop->failure_reason), "FAILURE_REASON_NO_ROUTE");

  // A channel that routes nothing: alice's only channel.
  SetChannelFailure("alice", "coordinator", "NO_ROUTE");
  const std::string payreq = NewInvoice(*coordinator, kAmount);
  auto direct = PayAndFail(*alice, PayRequest(payreq));
  ASSERT_TRUE(direct);
  EXPECT_STREQ(FailureReasonName(direct->failure_reason), "FAILURE_REASON_NO_ROUTE");

  // Cleared, the same invoice is paid (a FAILED payment may be retried).
  SetChannelFailure("alice", "coordinator", "NONE");
  EXPECT_TRUE(PayAndSucceed(*alice, PayRequest(payreq)));
}

TEST_F(LndBackendTest, InsufficientBalanceFailsWithInsufficientBalance) {
  auto coordinator = Lnd("coordinator");
  auto alice = Lnd("alice");
  auto bob = Lnd("bob");
  ASSERT_TRUE(coordinator && alice && bob);

  // LND checks the sender's spendable balance before pathfinding: bob has 100 000 sat.
  auto too_much = PayAndFail(*bob, PayRequest(NewInvoice(*coordinator, 150'000 * kMsatPerSat)));
  ASSERT_TRUE(too_much);
  EXPECT_EQ(too_much->failure_reason, FailureReason::kInsufficientBalance);
  EXPECT_STREQ(FailureReasonName(too_much->failure_reason), "FAILURE_REASON_INSUFFICIENT_BALANCE");

  // The failure mode: alice has millions, but her node behaves as if she had nothing.
  SetNodeFailure("alice", "INSUFFICIENT_BALANCE");
  const std::string payreq = NewInvoice(*coordinator, 1'000 * kMsatPerSat);
  auto forced = PayAndFail(*alice, PayRequest(payreq));
  ASSERT_TRUE(forced);
  EXPECT_STREQ(FailureReasonName(forced->failure_reason), "FAILURE_REASON_INSUFFICIENT_BALANCE");
  SetNodeFailure("alice", "NONE");
  EXPECT_TRUE(PayAndSucceed(*alice, PayRequest(payreq)));
}

TEST_F(LndBackendTest, TimeoutHopKeepsThePaymentInFlightUntilItFailsWithTimeout) {
  auto coordinator = Lnd("coordinator");
  auto carol = Lnd("carol");
  ASSERT_TRUE(coordinator && carol);
  const int64_t total = TotalMsat();
  const auto carol_before = Balance(*carol);
  constexpr int64_t kAmount = 2'000 * kMsatPerSat;
  constexpr int32_t kPaymentTimeout = 30;

  SetNodeFailure("hop", "TIMEOUT");  // swallows the HTLC: the coordinator never sees it
  escrow::InvoiceRequest req;
  req.value_msat = kAmount;
  auto invoice = coordinator->AddInvoice(req);
  ASSERT_TRUE(invoice.ok()) << invoice.error().message;
  StreamQueue<Payment> payments;
  auto sub =
      carol->SendPayment(PayRequest(invoice->payment_request, 10'000, kPaymentTimeout), payments.Handlers());
  ASSERT_TRUE(AwaitPayment(payments, PaymentStatus::kInFlight));
  EXPECT_GT(Balance(*carol).unsettled_local_msat, kAmount);  // amount + the hop's fee, locked
  auto unpaid = coordinator->LookupInvoice(invoice->payment_hash);
  ASSERT_TRUE(unpaid.ok()) << unpaid.error().message;
  EXPECT_EQ(unpaid->state, InvoiceState::kOpen);

  // The payment's timeout_seconds pass on the daemon's clock.
  Advance(std::chrono::seconds(kPaymentTimeout + 1));
  auto failed = AwaitPayment(payments, PaymentStatus::kFailed);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->failure_reason, FailureReason::kTimeout);
  EXPECT_STREQ(FailureReasonName(failed->failure_reason), "FAILURE_REASON_TIMEOUT");
  EXPECT_TRUE(AwaitEnd(payments));
  EXPECT_EQ(Balance(*carol).unsettled_local_msat, 0);
  EXPECT_EQ(Balance(*carol).local_msat, carol_before.local_msat);
  EXPECT_EQ(TotalMsat(), total);
}

TEST_F(LndBackendTest, OfflineNodeIsUnreachableAndPaymentsThroughItFailWithNoRoute) {
  auto coordinator = Lnd("coordinator");
  auto carol = Lnd("carol");
  auto hop = Lnd("hop");
  ASSERT_TRUE(coordinator && carol && hop);
  ASSERT_TRUE(hop->GetInfo().ok());

  SetNodeFailure("hop", "OFFLINE");
  auto info = hop->GetInfo();
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code, LnErrorCode::kUnreachable) << LnErrorCodeName(info.error().code);
  escrow::InvoiceRequest req;
  req.value_msat = 1'000;
  auto refused = hop->AddInvoice(req);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, LnErrorCode::kUnreachable);

  const std::string payreq = NewInvoice(*coordinator, 1'000 * kMsatPerSat);
  auto failed = PayAndFail(*carol, PayRequest(payreq, 10'000));
  ASSERT_TRUE(failed);
  EXPECT_STREQ(FailureReasonName(failed->failure_reason), "FAILURE_REASON_NO_ROUTE");

  // Back online on the same URL: the same clients work again.
  SetNodeFailure("hop", "NONE");
  auto back = hop->GetInfo();
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->identity_pubkey, Served("hop").pubkey);
  EXPECT_TRUE(PayAndSucceed(*carol, PayRequest(payreq, 10'000)));
}

TEST_F(LndBackendTest, SlowRepliesBeyondTheRequestTimeoutAreTimeout) {
  // The node answers every request 2 s late; one client waits 250 ms, the other 10 s.
  SetNodeFailure("coordinator", "SLOW_REPLIES", 2000);
  auto config = Config("coordinator");
  config.request_timeout = std::chrono::milliseconds(250);
  auto impatient = Lnd(config);
  auto patient = Lnd("coordinator");
  ASSERT_TRUE(impatient && patient);

  auto timed_out = impatient->GetInfo();
  ASSERT_FALSE(timed_out.ok());
  EXPECT_EQ(timed_out.error().code, LnErrorCode::kTimeout)
      << LnErrorCodeName(timed_out.error().code) << " " << timed_out.error().message;
  auto slow = patient->GetInfo();  // slow, but within its deadline: slowness is not failure
  ASSERT_TRUE(slow.ok()) << LnErrorCodeName(slow.error().code) << " " << slow.error().message;
  EXPECT_EQ(slow->identity_pubkey, Served("coordinator").pubkey);

  SetNodeFailure("coordinator", "NONE");
  auto quick = patient->GetInfo();
  EXPECT_TRUE(quick.ok()) << LnErrorCodeName(quick.error().code) << " " << quick.error().message;
}

TEST_F(LndBackendTest, WrongMacaroonIsUnauthorized) {
  // bob's macaroon presented to alice's node, and one that was never issued.
  const std::string bobs = Served("bob").macaroon_path;
  const std::string forged_bytes(32, '\x5a');
  for (const std::string& path : {PrivateFile("bob.macaroon", testsupport::ReadFile(bobs)),
                                  PrivateFile("forged.macaroon", forged_bytes)}) {
    SCOPED_TRACE(path);
    auto config = Config("alice");
    config.macaroon_path = path;
    auto alice = Lnd(config);
    ASSERT_NE(alice, nullptr);
    auto info = alice->GetInfo();
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.error().code, LnErrorCode::kUnauthorized) << LnErrorCodeName(info.error().code);
    EXPECT_EQ(info.error().message.find(MacaroonHex(path)), std::string::npos) << "the macaroon leaked";

    // A stream is refused the same way, once: no reconnect loop on a bad credential.
    StreamQueue<Invoice> invoices;
    auto sub = alice->SubscribeInvoice(MakeSecret("unauthorized").hash, invoices.Handlers());
    auto error = AwaitError(invoices);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, LnErrorCode::kUnauthorized);
    EXPECT_TRUE(AwaitEnd(invoices));
  }
  // Alice's own macaroon still works.
  auto alice = Lnd("alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_TRUE(alice->GetInfo().ok());
}

TEST_F(LndBackendTest, WrongCertificateIsTlsMismatch) {
  auto coordinator = Lnd("coordinator");
  ASSERT_NE(coordinator, nullptr);
  // alice's URL, pinned to bob's certificate: whoever answers there is not who we expect.
  auto config = Config("alice");
  config.tls_cert_path = Served("bob").tls_cert_path;
  auto impostor = Lnd(config);
  ASSERT_NE(impostor, nullptr);
  auto info = impostor->GetInfo();
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code, LnErrorCode::kTlsMismatch)
      << LnErrorCodeName(info.error().code) << " " << info.error().message;
  EXPECT_EQ(info.error().message.find(MacaroonHex(config.macaroon_path)), std::string::npos);

  // The payment is refused before any byte of it leaves: nothing is in flight afterwards.
  const std::string payreq = NewInvoice(*coordinator, 1'000 * kMsatPerSat);
  StreamQueue<Payment> payments;
  auto sub = impostor->SendPayment(PayRequest(payreq), payments.Handlers());
  auto error = AwaitError(payments);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, LnErrorCode::kTlsMismatch);
  auto alice = Lnd("alice");
  ASSERT_NE(alice, nullptr);
  auto hash = alice->DecodePayReq(payreq);
  ASSERT_TRUE(hash.ok()) << hash.error().message;
  StreamQueue<Payment> never;
  auto never_sub = alice->TrackPayment(hash->payment_hash, never.Handlers());
  auto not_sent = AwaitError(never);
  ASSERT_TRUE(not_sent.has_value());
  EXPECT_EQ(not_sent->code, LnErrorCode::kNotFound);
}

}  // namespace
}  // namespace lnd_backend_test
