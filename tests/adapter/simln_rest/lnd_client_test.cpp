// End to end: the production LND backend (escrow::lnd::CreateLndNode) against the simln
// daemon over HTTPS. What the REST client reads back must equal what the same node answers
// in-process, and LND's errors must map back onto the same LnErrorCode.
#include <sys/stat.h>

#include <fstream>

#include "escrow/crypto/sha256.h"
#include "escrow/lnd/lnd_node.h"
#include "escrow/stream_queue.h"
#include "tests/adapter/simln_rest/daemon_fixture.h"

namespace simln_rest_test {
namespace {

using escrow::Invoice;
using escrow::InvoiceState;
using escrow::LightningNode;
using escrow::LnErrorCode;
using escrow::Payment;
using escrow::PaymentStatus;
using escrow::StreamQueue;
using escrow::crypto::Hash32;
using escrow::crypto::Sha256;
using escrow::crypto::ToBytes;

class LndClientTest : public DaemonTest {
 protected:
  escrow::lnd::LndConfig Config(const std::string& node) const {
    escrow::lnd::LndConfig c;
    c.rest_url = Node(node).rest_url;
    c.tls_cert_path = Node(node).tls_cert_path;
    c.macaroon_path = Node(node).macaroon_path;
    c.request_timeout = std::chrono::milliseconds(10000);
    return c;
  }
  std::unique_ptr<LightningNode> Lnd(const std::string& node) { return Lnd(Config(node)); }
  std::unique_ptr<LightningNode> Lnd(const escrow::lnd::LndConfig& config) {
    auto n = escrow::lnd::CreateLndNode(config);
    EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().message);
    return n.ok() ? std::move(*n) : nullptr;
  }
  std::unique_ptr<LightningNode> Local(const std::string& node) { return m_network->Node(node); }

  template <class T>
  static std::optional<T> Until(StreamQueue<T>& q, std::function<bool(const T&)> pred) {
    return q.WaitFor(pred, std::chrono::milliseconds(20000));
  }
};

void ExpectSameInvoice(const Invoice& a, const Invoice& b) {
  EXPECT_EQ(a.memo, b.memo);
  EXPECT_EQ(a.r_preimage, b.r_preimage);
  EXPECT_EQ(a.r_hash, b.r_hash);
  EXPECT_EQ(a.value_msat, b.value_msat);
  EXPECT_EQ(a.creation_date, b.creation_date);
  EXPECT_EQ(a.settle_date, b.settle_date);
  EXPECT_EQ(a.payment_request, b.payment_request);
  EXPECT_EQ(a.description_hash, b.description_hash);
  EXPECT_EQ(a.expiry, b.expiry);
  EXPECT_EQ(a.cltv_expiry, b.cltv_expiry);
  EXPECT_EQ(a.is_private, b.is_private);
  EXPECT_EQ(a.add_index, b.add_index);
  EXPECT_EQ(a.settle_index, b.settle_index);
  EXPECT_EQ(a.amt_paid_msat, b.amt_paid_msat);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.is_keysend, b.is_keysend);
  EXPECT_EQ(a.payment_addr, b.payment_addr);
  ASSERT_EQ(a.htlcs.size(), b.htlcs.size());
  for (size_t i = 0; i < a.htlcs.size(); ++i) {
    EXPECT_EQ(a.htlcs[i].chan_id, b.htlcs[i].chan_id);
    EXPECT_EQ(a.htlcs[i].htlc_index, b.htlcs[i].htlc_index);
    EXPECT_EQ(a.htlcs[i].amt_msat, b.htlcs[i].amt_msat);
    EXPECT_EQ(a.htlcs[i].accept_height, b.htlcs[i].accept_height);
    EXPECT_EQ(a.htlcs[i].accept_time, b.htlcs[i].accept_time);
    EXPECT_EQ(a.htlcs[i].resolve_time, b.htlcs[i].resolve_time);
    EXPECT_EQ(a.htlcs[i].expiry_height, b.htlcs[i].expiry_height);
    EXPECT_EQ(a.htlcs[i].state, b.htlcs[i].state);
    EXPECT_EQ(a.htlcs[i].custom_records, b.htlcs[i].custom_records);
  }
}

TEST_F(LndClientTest, GetInfoBalanceAndDecodeMatchTheInProcessNode) {
  auto remote = Lnd("coordinator");
  ASSERT_NE(remote, nullptr);
  auto local = Local("coordinator");
  auto ri = remote->GetInfo();
  auto li = local->GetInfo();
  ASSERT_TRUE(ri.ok()) << ri.error().message;
  EXPECT_EQ(ri->identity_pubkey, li->identity_pubkey);
  EXPECT_EQ(ri->alias, li->alias);
  EXPECT_EQ(ri->block_height, li->block_height);
  EXPECT_EQ(ri->block_hash, li->block_hash);
  EXPECT_EQ(ri->num_active_channels, li->num_active_channels);
  EXPECT_EQ(ri->network, li->network);

  auto rb = remote->GetChannelBalance();
  auto lb = local->GetChannelBalance();
  ASSERT_TRUE(rb.ok()) << rb.error().message;
  EXPECT_EQ(rb->local_msat, lb->local_msat);
  EXPECT_EQ(rb->remote_msat, lb->remote_msat);

  escrow::HoldInvoiceRequest req;
  req.payment_hash = Sha256("decode me");
  req.value_msat = 123'456'000;
  req.memo = "a bond";
  req.cltv_expiry = 144;
  req.expiry_seconds = 7200;
  auto added = remote->AddHoldInvoice(req);
  ASSERT_TRUE(added.ok()) << added.error().message;
  auto rp = Lnd("alice")->DecodePayReq(added->payment_request);
  auto lp = Local("alice")->DecodePayReq(added->payment_request);
  ASSERT_TRUE(rp.ok()) << rp.error().message;
  ASSERT_TRUE(lp.ok());
  EXPECT_EQ(rp->destination, lp->destination);
  EXPECT_EQ(rp->payment_hash, lp->payment_hash);
  EXPECT_EQ(rp->num_msat, lp->num_msat);
  EXPECT_EQ(rp->timestamp, lp->timestamp);
  EXPECT_EQ(rp->expiry, lp->expiry);
  EXPECT_EQ(rp->description, lp->description);
  EXPECT_EQ(rp->cltv_expiry, lp->cltv_expiry);
  EXPECT_EQ(rp->payment_addr, lp->payment_addr);
  EXPECT_EQ(rp->features, lp->features);
  EXPECT_EQ(rp->expiry, 7200);
}

TEST_F(LndClientTest, HoldInvoiceFlowThroughTheLndBackend) {
  auto coordinator = Lnd("coordinator");
  auto alice = Lnd("alice");
  ASSERT_TRUE(coordinator && alice);
  Hash32 preimage = Sha256("e2e preimage");
  Hash32 hash = Sha256(ToBytes(preimage));
  escrow::HoldInvoiceRequest req;
  req.payment_hash = hash;
  req.value_msat = 30'000'000;
  req.memo = "escrow";
  req.cltv_expiry = 100;
  auto added = coordinator->AddHoldInvoice(req);
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(added->payment_hash, hash);

  StreamQueue<Invoice> invoices;
  auto invoice_sub = coordinator->SubscribeInvoice(hash, invoices.Handlers());
  ASSERT_TRUE(Until<Invoice>(invoices, [](const Invoice& i) { return i.state == InvoiceState::kOpen; }));

  escrow::SendPaymentRequest pay;
  pay.payment_request = added->payment_request;
  pay.fee_limit_msat = 100'000;
  StreamQueue<Payment> payments;
  auto pay_sub = alice->SendPayment(pay, payments.Handlers());
  auto in_flight =
      Until<Payment>(payments, [](const Payment& p) { return p.status == PaymentStatus::kInFlight; });
  ASSERT_TRUE(in_flight.has_value());
  EXPECT_FALSE(in_flight->payment_preimage.has_value());
  EXPECT_EQ(in_flight->payment_hash, hash);

  auto accepted =
      Until<Invoice>(invoices, [](const Invoice& i) { return i.state == InvoiceState::kAccepted; });
  ASSERT_TRUE(accepted.has_value());
  auto remote_lookup = coordinator->LookupInvoice(hash);
  auto local_lookup = Local("coordinator")->LookupInvoice(hash);
  ASSERT_TRUE(remote_lookup.ok()) << remote_lookup.error().message;
  ASSERT_TRUE(local_lookup.ok());
  ExpectSameInvoice(*remote_lookup, *local_lookup);
  ExpectSameInvoice(*accepted, *local_lookup);

  ASSERT_TRUE(coordinator->SettleInvoice(preimage).ok());
  ASSERT_TRUE(coordinator->SettleInvoice(preimage).ok());  // idempotent
  auto settled = Until<Invoice>(invoices, [](const Invoice& i) { return i.state == InvoiceState::kSettled; });
  ASSERT_TRUE(settled.has_value());
  EXPECT_EQ(settled->r_preimage, preimage);
  auto succeeded =
      Until<Payment>(payments, [](const Payment& p) { return p.status == PaymentStatus::kSucceeded; });
  ASSERT_TRUE(succeeded.has_value());
  EXPECT_EQ(succeeded->payment_preimage, preimage);
  EXPECT_EQ(succeeded->value_msat, 30'000'000);

  StreamQueue<Payment> tracked;
  auto track_sub = alice->TrackPayment(hash, tracked.Handlers());
  auto t = Until<Payment>(tracked, [](const Payment& p) { return p.status == PaymentStatus::kSucceeded; });
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->payment_preimage, preimage);
  EXPECT_EQ(t->fee_msat, succeeded->fee_msat);
  EXPECT_EQ(t->payment_index, succeeded->payment_index);
}

TEST_F(LndClientTest, LndErrorsMapBackOntoTheSameCodes) {
  auto coordinator = Lnd("coordinator");
  auto alice = Lnd("alice");
  ASSERT_TRUE(coordinator && alice);
  Hash32 preimage = Sha256("error preimage");
  escrow::HoldInvoiceRequest req;
  req.payment_hash = Sha256(ToBytes(preimage));
  req.value_msat = 1'000'000;
  ASSERT_TRUE(coordinator->AddHoldInvoice(req).ok());
  auto dup = coordinator->AddHoldInvoice(req);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, LnErrorCode::kAlreadyExists);
  auto open = coordinator->SettleInvoice(preimage);
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.error().code, LnErrorCode::kNotAccepted);
  auto unknown = coordinator->SettleInvoice(Sha256("nobody"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, LnErrorCode::kNotFound);
  auto missing = coordinator->LookupInvoice(Sha256("nothing"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, LnErrorCode::kNotFound);
  ASSERT_TRUE(coordinator->CancelInvoice(req.payment_hash).ok());
  ASSERT_TRUE(coordinator->CancelInvoice(req.payment_hash).ok());
  auto canceled = coordinator->SettleInvoice(preimage);
  ASSERT_FALSE(canceled.ok());
  EXPECT_EQ(canceled.error().code, LnErrorCode::kAlreadyCanceled);

  // A paid invoice: cancel refuses (kAlreadySettled), paying again refuses (kAlreadyPaying).
  escrow::InvoiceRequest regular;
  regular.value_msat = 2'000'000;
  auto inv = coordinator->AddInvoice(regular);
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  escrow::SendPaymentRequest pay;
  pay.payment_request = inv->payment_request;
  pay.fee_limit_msat = 10'000;
  {
    StreamQueue<Payment> q;
    auto sub = alice->SendPayment(pay, q.Handlers());
    ASSERT_TRUE(Until<Payment>(q, [](const Payment& p) { return p.status == PaymentStatus::kSucceeded; }));
  }
  auto settled_cancel = coordinator->CancelInvoice(inv->payment_hash);
  ASSERT_FALSE(settled_cancel.ok());
  EXPECT_EQ(settled_cancel.error().code, LnErrorCode::kAlreadySettled);
  StreamQueue<Payment> again;
  auto again_sub = alice->SendPayment(pay, again.Handlers());
  auto event = again.Next(std::chrono::milliseconds(20000));
  ASSERT_TRUE(event.has_value());
  ASSERT_TRUE(std::holds_alternative<escrow::LnError>(*event));
  EXPECT_EQ(std::get<escrow::LnError>(*event).code, LnErrorCode::kAlreadyPaying);

  StreamQueue<Payment> never;
  auto never_sub = alice->TrackPayment(Sha256("never sent"), never.Handlers());
  auto none = never.Next(std::chrono::milliseconds(20000));
  ASSERT_TRUE(none.has_value());
  ASSERT_TRUE(std::holds_alternative<escrow::LnError>(*none));
  EXPECT_EQ(std::get<escrow::LnError>(*none).code, LnErrorCode::kNotFound);
}

TEST_F(LndClientTest, MacaroonTlsAndOfflineFailuresAreTyped) {
  // Another node's macaroon (0600 copy): the daemon's "verification failed" → kUnauthorized.
  std::string foreign = m_dir + "/foreign.macaroon";
  {
    std::ofstream out(foreign, std::ios::binary);
    out << testsupport::ReadFile(Node("bob").macaroon_path);
  }
  ::chmod(foreign.c_str(), 0600);
  auto config = Config("alice");
  config.macaroon_path = foreign;
  auto wrong_mac = Lnd(config);
  ASSERT_NE(wrong_mac, nullptr);
  auto unauthorized = wrong_mac->GetInfo();
  ASSERT_FALSE(unauthorized.ok());
  EXPECT_EQ(unauthorized.error().code, LnErrorCode::kUnauthorized);

  config = Config("alice");
  config.tls_cert_path = Node("bob").tls_cert_path;
  auto wrong_cert = Lnd(config);
  ASSERT_NE(wrong_cert, nullptr);
  auto mismatch = wrong_cert->GetInfo();
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code, LnErrorCode::kTlsMismatch);

  auto alice = Lnd("alice");
  ASSERT_EQ(Control("POST", "/control/failure", {{"node", "alice"}, {"mode", "OFFLINE"}}).status, 200);
  auto offline = alice->GetInfo();
  ASSERT_FALSE(offline.ok());
  EXPECT_EQ(offline.error().code, LnErrorCode::kUnreachable);
  ASSERT_EQ(Control("POST", "/control/failure", {{"node", "alice"}, {"mode", "NONE"}}).status, 200);
  EXPECT_TRUE(alice->GetInfo().ok());
}

}  // namespace
}  // namespace simln_rest_test
