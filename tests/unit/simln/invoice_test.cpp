// Identity, block height and LND's invoice state machine on the in-process nodes.
#include "escrow/bolt11.h"
#include "escrow/crypto/secp256k1.h"
#include "tests/unit/simln/simln_fixture.h"

namespace simln_test {
namespace {

using escrow::HoldInvoiceRequest;
using escrow::StreamQueue;

TEST_F(SimlnTest, NodeIdentityKeyComesFromItsSeed) {
  auto info = Node("alice").GetInfo();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->identity_pubkey,
            escrow::crypto::ToHex(escrow::crypto::Signer::FromSeed("simln:alice").PublicKey()));
  EXPECT_EQ(info->alias, "alice");
  EXPECT_EQ(info->network, "regtest");
  EXPECT_TRUE(info->synced_to_chain);
  EXPECT_EQ(info->num_active_channels, 1u);
  EXPECT_EQ(info->block_height, 800000u);

  // An explicit seed wins over the default.
  NetworkSpec spec = LineSpec();
  spec.nodes.push_back({"frank", "frank's seed"});
  Reopen(spec);
  EXPECT_EQ(Pubkey("frank"),
            escrow::crypto::ToHex(escrow::crypto::Signer::FromSeed("frank's seed").PublicKey()));
}

TEST_F(SimlnTest, BlockHeightFollowsTheClockAndMinedBlocks) {
  EXPECT_EQ(m_net->BlockHeight(), 800000u);
  Advance(599);
  EXPECT_EQ(m_net->BlockHeight(), 800000u);
  Advance(1);
  EXPECT_EQ(m_net->BlockHeight(), 800001u);
  Advance(600 * 4);
  EXPECT_EQ(m_net->BlockHeight(), 800005u);
  m_net->MineBlocks(10);
  EXPECT_EQ(m_net->BlockHeight(), 800015u);
  EXPECT_EQ(Node("bob").GetInfo()->block_height, 800015u);
  // The genesis time is stored: a restart does not reset the clock-driven blocks.
  Reopen();
  EXPECT_EQ(m_net->BlockHeight(), 800015u);
}

TEST_F(SimlnTest, HoldInvoiceIsARealBolt11InvoiceSignedByTheNode) {
  Hash32 hash = HashOf(Preimage(1));
  HoldInvoiceRequest req;
  req.payment_hash = hash;
  req.value_msat = 150'000'000;
  req.memo = "Robosats bond";
  req.expiry_seconds = 1800;
  req.cltv_expiry = 144;
  auto added = Node("carol").AddHoldInvoice(req);
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(added->payment_hash, hash);
  EXPECT_EQ(added->payment_request.rfind("lnbcrt1500u1", 0), 0u) << added->payment_request;

  auto inv = escrow::bolt11::Decode(added->payment_request);
  ASSERT_TRUE(inv.ok()) << inv.error();
  EXPECT_EQ(inv->network_prefix, "bcrt");
  EXPECT_EQ(inv->amount_msat, 150'000'000u);
  EXPECT_EQ(escrow::crypto::ToHex(inv->payee_pubkey), Pubkey("carol"));
  EXPECT_EQ(inv->payment_hash, hash);
  EXPECT_EQ(inv->payment_secret, added->payment_addr);
  EXPECT_EQ(inv->description, "Robosats bond");
  EXPECT_EQ(inv->expiry_seconds, 1800u);
  EXPECT_EQ(inv->min_final_cltv_expiry, 144u);
  EXPECT_EQ(inv->timestamp, static_cast<uint64_t>(m_clock.NowSeconds()));
  EXPECT_TRUE(inv->HasFeature(8));   // var_onion_optin, required
  EXPECT_TRUE(inv->HasFeature(14));  // payment_secret, required

  // DecodePayReq reports the same, LND-shaped.
  auto pr = Node("alice").DecodePayReq(added->payment_request);
  ASSERT_TRUE(pr.ok()) << pr.error().message;
  EXPECT_EQ(pr->destination, Pubkey("carol"));
  EXPECT_EQ(pr->num_msat, 150'000'000);
  EXPECT_EQ(pr->cltv_expiry, 144);
  EXPECT_EQ(pr->expiry, 1800);
  EXPECT_EQ(pr->description, "Robosats bond");
  EXPECT_EQ(pr->payment_addr, added->payment_addr);
  EXPECT_NE(std::find(pr->features.begin(), pr->features.end(), 14u), pr->features.end());

  // The lookup: OPEN, no preimage yet for a hold invoice.
  Invoice looked = InvoiceOf("carol", hash);
  EXPECT_EQ(looked.state, InvoiceState::kOpen);
  EXPECT_FALSE(looked.r_preimage.has_value());
  EXPECT_EQ(looked.payment_request, added->payment_request);
  EXPECT_EQ(looked.value_msat, 150'000'000);
  EXPECT_EQ(looked.cltv_expiry, 144u);
  EXPECT_EQ(looked.expiry, 1800);
}

TEST_F(SimlnTest, DescriptionHashReplacesTheMemoInThePayreq) {
  HoldInvoiceRequest req;
  req.payment_hash = HashOf(Preimage(2));
  req.value_msat = 1000;
  req.memo = "kept on the invoice";
  req.description_hash = HashOf(Preimage(99));
  auto added = Node("carol").AddHoldInvoice(req);
  ASSERT_TRUE(added.ok());
  auto inv = escrow::bolt11::Decode(added->payment_request);
  ASSERT_TRUE(inv.ok()) << inv.error();
  EXPECT_FALSE(inv->description.has_value());
  EXPECT_EQ(inv->description_hash, HashOf(Preimage(99)));
  EXPECT_EQ(InvoiceOf("carol", req.payment_hash).description_hash, HashOf(Preimage(99)));
}

TEST_F(SimlnTest, AddWithAnExistingHashIsAlreadyExists) {
  Hash32 hash = HashOf(Preimage(3));
  AddHold("carol", hash, 1000);
  HoldInvoiceRequest req;
  req.payment_hash = hash;
  req.value_msat = 2000;
  auto again = Node("carol").AddHoldInvoice(req);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(ErrorOf(again), LnErrorCode::kAlreadyExists);
  // A regular invoice with that preimage collides too; another node may use the hash.
  escrow::InvoiceRequest reg;
  reg.preimage = Preimage(3);
  reg.value_msat = 1000;
  EXPECT_EQ(ErrorOf(Node("carol").AddInvoice(reg)), LnErrorCode::kAlreadyExists);
  EXPECT_TRUE(Node("bob").AddHoldInvoice(req).ok());
}

TEST_F(SimlnTest, InvalidInvoiceRequestsAreRejected) {
  HoldInvoiceRequest req;
  req.payment_hash = HashOf(Preimage(4));
  req.value_msat = -1;
  EXPECT_EQ(ErrorOf(Node("carol").AddHoldInvoice(req)), LnErrorCode::kInvalidArgument);
  req.value_msat = 1000;
  req.memo = std::string(640, 'x');
  EXPECT_EQ(ErrorOf(Node("carol").AddHoldInvoice(req)), LnErrorCode::kInvalidArgument);
  req.memo = "";
  req.cltv_expiry = 10;
  EXPECT_EQ(ErrorOf(Node("carol").AddHoldInvoice(req)), LnErrorCode::kInvalidArgument);
  req.cltv_expiry = 0;  // the default
  req.expiry_seconds = 0;
  ASSERT_TRUE(Node("carol").AddHoldInvoice(req).ok());
  Invoice inv = InvoiceOf("carol", req.payment_hash);
  EXPECT_EQ(inv.cltv_expiry, 40u);
  EXPECT_EQ(inv.expiry, 86400);
}

TEST_F(SimlnTest, SettleOfAnOpenInvoiceIsNotAccepted) {
  AddHold("carol", HashOf(Preimage(5)), 1000);
  auto s = Node("carol").SettleInvoice(Preimage(5));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(ErrorOf(s), LnErrorCode::kNotAccepted);
  EXPECT_EQ(InvoiceOf("carol", HashOf(Preimage(5))).state, InvoiceState::kOpen);
}

TEST_F(SimlnTest, UnknownInvoicesAreNotFound) {
  Hash32 hash = HashOf(Preimage(6));
  EXPECT_EQ(ErrorOf(Node("carol").LookupInvoice(hash)), LnErrorCode::kNotFound);
  EXPECT_EQ(ErrorOf(Node("carol").SettleInvoice(Preimage(6))), LnErrorCode::kNotFound);
  EXPECT_EQ(ErrorOf(Node("carol").CancelInvoice(hash)), LnErrorCode::kNotFound);
  // Invoices belong to their node.
  AddHold("carol", hash, 1000);
  EXPECT_EQ(ErrorOf(Node("bob").LookupInvoice(hash)), LnErrorCode::kNotFound);
}

TEST_F(SimlnTest, HoldInvoiceGoesOpenAcceptedSettledAndSettleIsIdempotent) {
  Hash32 hash = HashOf(Preimage(7));
  auto added = AddHold("bob", hash, 50'000'000);
  StreamEnd paid = PayInvoice("alice", added.payment_request, 0, PaymentStatus::kInFlight);
  ASSERT_EQ(paid.updates.size(), 1u);
  EXPECT_EQ(InvoiceOf("bob", hash).state, InvoiceState::kAccepted);

  ASSERT_TRUE(Node("bob").SettleInvoice(Preimage(7)).ok());
  Invoice settled = InvoiceOf("bob", hash);
  EXPECT_EQ(settled.state, InvoiceState::kSettled);
  EXPECT_EQ(settled.r_preimage, Preimage(7));
  EXPECT_EQ(settled.amt_paid_msat, 50'000'000);
  EXPECT_EQ(settled.settle_date, m_clock.NowSeconds());
  ASSERT_EQ(settled.htlcs.size(), 1u);
  EXPECT_EQ(settled.htlcs[0].state, escrow::HtlcState::kSettled);

  EXPECT_TRUE(Node("bob").SettleInvoice(Preimage(7)).ok());  // idempotent
  auto cancel = Node("bob").CancelInvoice(hash);
  ASSERT_FALSE(cancel.ok());
  EXPECT_EQ(ErrorOf(cancel), LnErrorCode::kAlreadySettled);
  EXPECT_EQ(InvoiceOf("bob", hash).settle_index, settled.settle_index);  // nothing moved
}

TEST_F(SimlnTest, CancelTwiceIsOkAndSettleAfterCancelIsAlreadyCanceled) {
  Hash32 hash = HashOf(Preimage(8));
  AddHold("carol", hash, 1000);
  ASSERT_TRUE(Node("carol").CancelInvoice(hash).ok());
  EXPECT_TRUE(Node("carol").CancelInvoice(hash).ok());
  EXPECT_EQ(InvoiceOf("carol", hash).state, InvoiceState::kCanceled);
  auto s = Node("carol").SettleInvoice(Preimage(8));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(ErrorOf(s), LnErrorCode::kAlreadyCanceled);
}

TEST_F(SimlnTest, OpenInvoiceIsCanceledWhenItExpires) {
  Hash32 hold = HashOf(Preimage(9));
  AddHold("carol", hold, 1000, 40, /*expiry=*/600);
  auto regular = AddRegular("carol", 2000);
  Advance(599);
  m_net->Tick();
  EXPECT_EQ(m_net->ListInvoices("carol")[0].state, InvoiceState::kOpen);
  Advance(1);
  m_net->Tick();
  auto invoices = m_net->ListInvoices("carol");
  ASSERT_EQ(invoices.size(), 2u);
  EXPECT_EQ(invoices[0].state, InvoiceState::kCanceled);
  EXPECT_EQ(invoices[1].state, InvoiceState::kOpen);  // the default expiry is 24 h
  Advance(86400);
  m_net->Tick();
  EXPECT_EQ(InvoiceOf("carol", regular.payment_hash).state, InvoiceState::kCanceled);
}

TEST_F(SimlnTest, NodeCallsApplyTheClockWithoutATick) {
  Hash32 hash = HashOf(Preimage(10));
  AddHold("carol", hash, 1000, 40, 600);
  Advance(600);
  EXPECT_EQ(InvoiceOf("carol", hash).state, InvoiceState::kCanceled);
}

TEST_F(SimlnTest, AddAndSettleIndexesIncreaseMonotonicallyPerNode) {
  uint64_t last_add = 0;
  for (uint8_t i = 20; i < 25; ++i) {
    auto added = AddRegular("carol", 1000, Preimage(i));
    EXPECT_GT(added.add_index, last_add);
    last_add = added.add_index;
  }
  EXPECT_EQ(AddRegular("bob", 1000, Preimage(30)).add_index, 1u);  // per node
  uint64_t last_settle = 0;
  for (uint8_t i = 20; i < 25; ++i) {
    auto paid = PayInvoice("bob", m_net->ListInvoices("carol")[i - 20].payment_request);
    ASSERT_EQ(paid.updates.back().status, PaymentStatus::kSucceeded);
    uint64_t idx = InvoiceOf("carol", HashOf(Preimage(i))).settle_index;
    EXPECT_GT(idx, last_settle);
    last_settle = idx;
  }
  // Keysend invoices take the next indexes too.
  auto ks = Pay("bob", escrow::MakeKeysend(Pubkey("carol"), 1000, Preimage(31)));
  ASSERT_EQ(ks.updates.back().status, PaymentStatus::kSucceeded);
  Invoice k = InvoiceOf("carol", HashOf(Preimage(31)));
  EXPECT_EQ(k.add_index, last_add + 1);
  EXPECT_EQ(k.settle_index, last_settle + 1);
}

TEST_F(SimlnTest, SubscribeInvoiceDeliversTheCurrentStateThenEachChangeAndEnds) {
  Hash32 hash = HashOf(Preimage(11));
  auto added = AddHold("bob", hash, 10'000);
  StreamQueue<Invoice> q;
  auto sub = Node("bob").SubscribeInvoice(hash, q.Handlers());
  auto first = q.Next(kWait);
  ASSERT_TRUE(first && std::holds_alternative<Invoice>(*first));
  EXPECT_EQ(std::get<Invoice>(*first).state, InvoiceState::kOpen);

  PayInvoice("alice", added.payment_request, 0, PaymentStatus::kInFlight);
  auto accepted = q.Next(kWait);
  ASSERT_TRUE(accepted && std::holds_alternative<Invoice>(*accepted));
  EXPECT_EQ(std::get<Invoice>(*accepted).state, InvoiceState::kAccepted);
  ASSERT_EQ(std::get<Invoice>(*accepted).htlcs.size(), 1u);

  ASSERT_TRUE(Node("bob").SettleInvoice(Preimage(11)).ok());
  auto settled = q.Next(kWait);
  ASSERT_TRUE(settled && std::holds_alternative<Invoice>(*settled));
  EXPECT_EQ(std::get<Invoice>(*settled).state, InvoiceState::kSettled);
  EXPECT_EQ(std::get<Invoice>(*settled).r_preimage, Preimage(11));
  auto end = q.Next(kWait);
  ASSERT_TRUE(end.has_value());
  EXPECT_TRUE(std::holds_alternative<StreamQueue<Invoice>::Ended>(*end));

  // Subscribing to a finished invoice: its final state, then the end.
  StreamQueue<Invoice> late;
  auto sub2 = Node("bob").SubscribeInvoice(hash, late.Handlers());
  auto only = late.Next(kWait);
  ASSERT_TRUE(only && std::holds_alternative<Invoice>(*only));
  EXPECT_EQ(std::get<Invoice>(*only).state, InvoiceState::kSettled);
  auto end2 = late.Next(kWait);
  ASSERT_TRUE(end2 && std::holds_alternative<StreamQueue<Invoice>::Ended>(*end2));
}

TEST_F(SimlnTest, SubscribeInvoiceBeforeItExistsStartsWhenItIsAdded) {
  Hash32 hash = HashOf(Preimage(12));
  StreamQueue<Invoice> q;
  auto sub = Node("carol").SubscribeInvoice(hash, q.Handlers());
  AddHold("carol", hash, 1000);
  ASSERT_TRUE(Node("carol").CancelInvoice(hash).ok());
  auto open = q.WaitFor([](const Invoice& i) { return i.state == InvoiceState::kOpen; }, kWait);
  ASSERT_TRUE(open.has_value());
  auto canceled = q.WaitFor([](const Invoice& i) { return i.state == InvoiceState::kCanceled; }, kWait);
  ASSERT_TRUE(canceled.has_value());
}

TEST_F(SimlnTest, OfflineNodeRefusesItsCalls) {
  m_net->SetNodeFailure("carol", {FailureMode::kOffline, 0});
  EXPECT_EQ(ErrorOf(Node("carol").GetInfo()), LnErrorCode::kUnreachable);
  HoldInvoiceRequest req;
  req.payment_hash = HashOf(Preimage(13));
  req.value_msat = 1000;
  EXPECT_EQ(ErrorOf(Node("carol").AddHoldInvoice(req)), LnErrorCode::kUnreachable);
  StreamQueue<Invoice> q;
  auto sub = Node("carol").SubscribeInvoice(req.payment_hash, q.Handlers());
  auto ev = q.Next(kWait);
  ASSERT_TRUE(ev && std::holds_alternative<escrow::LnError>(*ev));
  EXPECT_EQ(std::get<escrow::LnError>(*ev).code, LnErrorCode::kUnreachable);
  m_net->SetNodeFailure("carol", {});
  EXPECT_TRUE(Node("carol").GetInfo().ok());
}

TEST_F(SimlnTest, DecodePayReqRejectsAnotherNetworkAndGarbage) {
  escrow::bolt11::Invoice inv;
  inv.network_prefix = "bc";
  inv.amount_msat = 1000;
  inv.timestamp = static_cast<uint64_t>(m_clock.NowSeconds());
  inv.payment_hash = HashOf(Preimage(14));
  inv.payment_secret = Preimage(15);
  inv.description = "mainnet";
  std::string mainnet = escrow::bolt11::Encode(inv, escrow::crypto::Signer::FromSeed("someone"));
  auto r = Node("alice").DecodePayReq(mainnet);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorOf(r), LnErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("regtest"), std::string::npos);
  EXPECT_EQ(ErrorOf(Node("alice").DecodePayReq("lnbcrt1garbage")), LnErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace simln_test
