// The simln daemon dies (SIGKILL) or stops (SIGTERM) and comes back on the same state dir and
// the same ports: invoices, held HTLCs and balances are as they were, and the LND backend's
// streams opened before the restart carry on to the end without the caller noticing.
#include <signal.h>

#include "escrow/crypto/sha256.h"
#include "tests/integration/lnd_backend/fixture.h"

namespace lnd_backend_test {
namespace {

using escrow::ChannelBalance;
using escrow::HtlcState;
using escrow::InvoiceState;
using escrow::PaymentStatus;

const char* const kNodeNames[] = {"coordinator", "alice", "bob", "carol", "hop"};

void ExpectSameBalance(const ChannelBalance& a, const ChannelBalance& b, const std::string& node) {
  SCOPED_TRACE(node);
  EXPECT_EQ(a.local_msat, b.local_msat);
  EXPECT_EQ(a.remote_msat, b.remote_msat);
  EXPECT_EQ(a.unsettled_local_msat, b.unsettled_local_msat);
  EXPECT_EQ(a.unsettled_remote_msat, b.unsettled_remote_msat);
}

void ExpectSameInvoice(const Invoice& a, const Invoice& b) {
  EXPECT_EQ(a.r_hash, b.r_hash);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.r_preimage, b.r_preimage);
  EXPECT_EQ(a.value_msat, b.value_msat);
  EXPECT_EQ(a.amt_paid_msat, b.amt_paid_msat);
  EXPECT_EQ(a.payment_request, b.payment_request);
  EXPECT_EQ(a.add_index, b.add_index);
  EXPECT_EQ(a.settle_index, b.settle_index);
  EXPECT_EQ(a.creation_date, b.creation_date);
  EXPECT_EQ(a.cltv_expiry, b.cltv_expiry);
  ASSERT_EQ(a.htlcs.size(), b.htlcs.size());
  for (size_t i = 0; i < a.htlcs.size(); ++i) {
    EXPECT_EQ(a.htlcs[i].chan_id, b.htlcs[i].chan_id);
    EXPECT_EQ(a.htlcs[i].htlc_index, b.htlcs[i].htlc_index);
    EXPECT_EQ(a.htlcs[i].amt_msat, b.htlcs[i].amt_msat);
    EXPECT_EQ(a.htlcs[i].state, b.htlcs[i].state);
    EXPECT_EQ(a.htlcs[i].accept_height, b.htlcs[i].accept_height);
    EXPECT_EQ(a.htlcs[i].expiry_height, b.htlcs[i].expiry_height);
  }
}

class RestartTest : public LndBackendTest {
 protected:
  // Stops the daemon with `sig`, starts it again on the same state dir, and checks that every
  // node kept its URL (so that clients made before the restart reach it).
  void Restart(int sig) {
    std::vector<escrow::simln::ServedNode> before = m_nodes;
    int code = StopDaemon(sig);
    EXPECT_EQ(code, sig == SIGKILL ? 128 + SIGKILL : 0) << "see " << m_log;
    ASSERT_NO_FATAL_FAILURE(StartDaemon());
    ASSERT_EQ(m_nodes.size(), before.size());
    for (size_t i = 0; i < before.size(); ++i) {
      EXPECT_EQ(m_nodes[i].name, before[i].name);
      EXPECT_EQ(m_nodes[i].rest_url, before[i].rest_url) << "a restarted node moved";
      EXPECT_EQ(m_nodes[i].pubkey, before[i].pubkey);
    }
  }

  std::map<std::string, ChannelBalance> Balances() {
    std::map<std::string, ChannelBalance> out;
    for (const char* name : kNodeNames) {
      auto node = Lnd(name);
      if (node) out.emplace(name, Balance(*node));
    }
    return out;
  }
};

TEST_F(RestartTest, DaemonKilledWithSigkillKeepsInvoicesHtlcsAndBalances) {
  auto coordinator = Lnd("coordinator");
  auto alice = Lnd("alice");
  auto bob = Lnd("bob");
  ASSERT_TRUE(coordinator && alice && bob);
  constexpr int64_t kHeld = 40'000 * kMsatPerSat;

  // Three invoices in three states: ACCEPTED (held HTLC), OPEN, SETTLED.
  const Secret held = MakeSecret("held across kill -9");
  auto held_invoice = coordinator->AddHoldInvoice(HoldRequest(held.hash, kHeld));
  ASSERT_TRUE(held_invoice.ok()) << held_invoice.error().message;
  StreamQueue<Invoice> invoices;
  auto invoice_sub = coordinator->SubscribeInvoice(held.hash, invoices.Handlers());
  StreamQueue<Payment> payments;
  auto pay_sub = alice->SendPayment(PayRequest(held_invoice->payment_request), payments.Handlers());
  ASSERT_TRUE(AwaitPayment(payments, PaymentStatus::kInFlight));
  ASSERT_TRUE(AwaitInvoice(invoices, InvoiceState::kAccepted));

  const Secret open = MakeSecret("open across kill -9");
  ASSERT_TRUE(coordinator->AddHoldInvoice(HoldRequest(open.hash, 1'000 * kMsatPerSat)).ok());

  escrow::InvoiceRequest regular;
  regular.value_msat = 7'000 * kMsatPerSat;
  auto paid_invoice = coordinator->AddInvoice(regular);
  ASSERT_TRUE(paid_invoice.ok()) << paid_invoice.error().message;
  {
    StreamQueue<Payment> q;
    auto sub = bob->SendPayment(PayRequest(paid_invoice->payment_request), q.Handlers());
    ASSERT_TRUE(AwaitPayment(q, PaymentStatus::kSucceeded));
  }

  std::map<std::string, Invoice> invoices_before;
  for (const Hash32& hash : {held.hash, open.hash, paid_invoice->payment_hash}) {
    auto inv = coordinator->LookupInvoice(hash);
    ASSERT_TRUE(inv.ok()) << inv.error().message;
    invoices_before.emplace(escrow::crypto::ToHex(hash), *inv);
  }
  EXPECT_EQ(invoices_before.at(escrow::crypto::ToHex(held.hash)).state, InvoiceState::kAccepted);
  EXPECT_EQ(invoices_before.at(escrow::crypto::ToHex(open.hash)).state, InvoiceState::kOpen);
  EXPECT_EQ(invoices_before.at(escrow::crypto::ToHex(paid_invoice->payment_hash)).state,
            InvoiceState::kSettled);
  const auto balances_before = Balances();
  ASSERT_EQ(balances_before.at("alice").unsettled_local_msat, kHeld);
  const int64_t total = TotalMsat();

  ASSERT_NO_FATAL_FAILURE(Restart(SIGKILL));

  for (const auto& [hash_hex, before] : invoices_before) {
    SCOPED_TRACE(hash_hex);
    auto after = coordinator->LookupInvoice(before.r_hash);
    ASSERT_TRUE(after.ok()) << after.error().message;
    ExpectSameInvoice(*after, before);
  }
  const auto balances_after = Balances();
  for (const char* name : kNodeNames) {
    ASSERT_TRUE(balances_after.count(name) && balances_before.count(name)) << name;
    ExpectSameBalance(balances_after.at(name), balances_before.at(name), name);
  }
  EXPECT_EQ(TotalMsat(), total);
  {
    StreamQueue<Payment> tracked;
    auto sub = alice->TrackPayment(held.hash, tracked.Handlers());
    auto still = AwaitPayment(tracked, PaymentStatus::kInFlight);
    ASSERT_TRUE(still);
    EXPECT_FALSE(still->payment_preimage.has_value());
  }

  // Settled after the restart: the payer's stream from before the kill ends SUCCEEDED.
  ASSERT_TRUE(coordinator->SettleInvoice(held.preimage).ok());
  auto succeeded = AwaitPayment(payments, PaymentStatus::kSucceeded);
  ASSERT_TRUE(succeeded);
  EXPECT_EQ(succeeded->payment_preimage, held.preimage);
  EXPECT_EQ(succeeded->value_msat, kHeld);
  EXPECT_TRUE(AwaitEnd(payments));
  auto settled = AwaitInvoice(invoices, InvoiceState::kSettled);
  ASSERT_TRUE(settled);
  EXPECT_EQ(settled->r_preimage, held.preimage);
  // LND's local_balance already excluded the held HTLC (it was in unsettled_local_balance).
  EXPECT_EQ(Balance(*alice).local_msat, balances_before.at("alice").local_msat);
  EXPECT_EQ(Balance(*alice).unsettled_local_msat, 0);
  EXPECT_EQ(Balance(*coordinator).local_msat, balances_before.at("coordinator").local_msat + kHeld);
  EXPECT_EQ(Balance(*coordinator).unsettled_remote_msat, 0);
  EXPECT_EQ(TotalMsat(), total);
}

TEST_F(RestartTest, SubscriptionReconnectsAcrossDaemonRestart) {
  auto coordinator = Lnd("coordinator");
  auto alice = Lnd("alice");
  ASSERT_TRUE(coordinator && alice);
  const Secret secret = MakeSecret("reconnect");
  constexpr int64_t kAmount = 8'000 * kMsatPerSat;
  auto added = coordinator->AddHoldInvoice(HoldRequest(secret.hash, kAmount));
  ASSERT_TRUE(added.ok()) << added.error().message;
  StreamQueue<Invoice> invoices;
  auto invoice_sub = coordinator->SubscribeInvoice(secret.hash, invoices.Handlers());
  ASSERT_TRUE(AwaitInvoice(invoices, InvoiceState::kOpen));

  // A clean stop closes the stream from the server side; the backend reconnects and the
  // payment made after the restart arrives on the subscription made before it.
  ASSERT_NO_FATAL_FAILURE(Restart(SIGTERM));
  StreamQueue<Payment> payments;
  auto pay_sub = alice->SendPayment(PayRequest(added->payment_request), payments.Handlers());
  auto accepted = AwaitInvoice(invoices, InvoiceState::kAccepted);  // fails on any stream error
  ASSERT_TRUE(accepted);
  ASSERT_EQ(accepted->htlcs.size(), 1u);
  EXPECT_EQ(accepted->htlcs[0].state, HtlcState::kAccepted);

  // A kill -9 drops the connection without a word; the same subscription sees the settle.
  ASSERT_NO_FATAL_FAILURE(Restart(SIGKILL));
  ASSERT_TRUE(coordinator->SettleInvoice(secret.preimage).ok());
  auto settled = AwaitInvoice(invoices, InvoiceState::kSettled);
  ASSERT_TRUE(settled);
  EXPECT_EQ(settled->r_preimage, secret.preimage);
  EXPECT_TRUE(AwaitEnd(invoices));
  auto succeeded = AwaitPayment(payments, PaymentStatus::kSucceeded);
  ASSERT_TRUE(succeeded);
  EXPECT_EQ(succeeded->payment_preimage, secret.preimage);
}

}  // namespace
}  // namespace lnd_backend_test
