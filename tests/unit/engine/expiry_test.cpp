// Every expiry path of a trade, with its outcome on the robots' balances (DESIGN.md money
// rules; RoboSats expiry reasons 0–4). The clock is moved past each timer.
#include "coordinator/store/store.h"
#include "escrow/crypto/sha256.h"
#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

using namespace std::chrono_literals;
using coordinator::TakeCmd;

class Expiry : public EngineHarness {};

TEST_F(Expiry, MakerBondNotLockedExpiresWithReasonOne) {
  auto& maker = Robot("maker", "alice");
  int64_t alice = LocalSats("alice");
  int64_t id = Ok(maker, SellOrder("100"))["id"];
  Advance(std::chrono::seconds(m_params.maker_bond_expiry_s + 1));
  auto v = WaitStatus(maker, id, 5);
  EXPECT_EQ(v["expiry_reason"], 1);
  EXPECT_EQ(SatsWhenSettled("alice", alice), alice);
  CheckConservation();
}

TEST_F(Expiry, PublicOrderNotTakenExpiresAndTheMakerBondIsReturned) {
  auto& maker = Robot("maker", "alice");
  int64_t alice = LocalSats("alice");
  int64_t id = MakePublic(maker, SellOrder("100"));
  EXPECT_LT(LocalSats("alice"), alice);  // the bond is held
  Advance(std::chrono::seconds(m_params.public_duration_default + 1));
  auto v = WaitStatus(maker, id, 5);
  EXPECT_EQ(v["expiry_reason"], 0);
  m_engine->Drain();
  EXPECT_EQ(SatsWhenSettled("alice", alice), alice);
  CheckConservation();
}

TEST_F(Expiry, TakerBondNotLockedLeavesTheOrderPublicAndPenalisesTheTaker) {
  auto& maker = Robot("maker", "alice");
  auto& taker = Robot("taker", "bob");
  int64_t id = MakePublic(maker, SellOrder("100"));
  EXPECT_EQ(Ok(taker, TakeCmd{id, "", std::nullopt})["status"], 3);
  Advance(std::chrono::seconds(m_params.taker_bond_expiry_s + 1));
  EXPECT_EQ(WaitStatus(taker, id, 1)["is_taker"], false);
  EXPECT_EQ(Order(maker, id)["status"], 1);
  auto again = Call(taker, TakeCmd{id, "", std::nullopt});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, 1012);
  CheckConservation();
}

TEST_F(Expiry, EscrowNotLockedForfeitsTheSellerBondAndRewardsTheBuyer) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t alice = LocalSats("alice"), bob = LocalSats("bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  SubmitInvoice(buyer, id);
  WaitStatus(buyer, id, 7);
  int64_t bond = Order(seller, id)["bond_satoshis"];
  Advance(std::chrono::seconds(m_params.escrow_duration_default + 1));
  auto v = WaitStatus(seller, id, 5);
  EXPECT_EQ(v["expiry_reason"], 2);
  m_engine->Drain();
  EXPECT_EQ(SatsWhenSettled("alice", alice - bond), alice - bond);   // the seller's bond is lost
  EXPECT_EQ(SatsWhenSettled("bob", bob), bob);              // the buyer's bond came back
  EXPECT_EQ(RewardsWhenSettled(buyer, bond / 2), bond / 2);
  EXPECT_EQ(RewardsWhenSettled(seller, 0), 0);
  CheckConservation();
}

TEST_F(Expiry, InvoiceNotSubmittedForfeitsTheBuyerBondAndReturnsTheEscrow) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t alice = LocalSats("alice"), bob = LocalSats("bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  LockEscrow(seller, id);
  int64_t bond = Order(buyer, id)["bond_satoshis"];
  Advance(std::chrono::seconds(m_params.escrow_duration_default + 1));
  auto v = WaitStatus(seller, id, 5);
  EXPECT_EQ(v["expiry_reason"], 3);
  m_engine->Drain();
  EXPECT_EQ(SatsWhenSettled("alice", alice), alice);          // bond and escrow returned
  EXPECT_EQ(SatsWhenSettled("bob", bob - bond), bob - bond);
  EXPECT_EQ(RewardsWhenSettled(seller, bond / 2), bond / 2);
  CheckConservation();
}

TEST_F(Expiry, NeitherEscrowNorInvoiceForfeitsBothBonds) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t alice = LocalSats("alice"), bob = LocalSats("bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  int64_t maker_bond = Order(seller, id)["bond_satoshis"];
  int64_t taker_bond = Order(buyer, id)["bond_satoshis"];
  Advance(std::chrono::seconds(m_params.escrow_duration_default + 1));
  auto v = WaitStatus(seller, id, 5);
  EXPECT_EQ(v["expiry_reason"], 4);
  m_engine->Drain();
  EXPECT_EQ(SatsWhenSettled("alice", alice - maker_bond), alice - maker_bond);
  EXPECT_EQ(SatsWhenSettled("bob", bob - taker_bond), bob - taker_bond);
  EXPECT_EQ(EarnedRewards(seller) + EarnedRewards(buyer), 0);
  CheckConservation();
}

TEST_F(Expiry, FiatExchangeTimeoutOpensADisputeWithEverythingInCustody) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  LockEscrow(seller, id);
  SubmitInvoice(buyer, id);
  WaitStatus(buyer, id, 9);
  Advance(std::chrono::seconds(m_params.fiat_exchange_duration_s + 1));
  auto v = WaitStatus(buyer, id, 11);
  EXPECT_EQ(v["is_disputed"], true);
  CheckConservation();  // custody counts; no HTLC left held
}

}  // namespace
}  // namespace enginetest

namespace enginetest {
namespace {

class HtlcExpiry : public EngineHarness {};

// DESIGN.md: the engine resolves every held HTLC before expiry_height − margin, never leaving
// it to the node's auto-cancel (12 blocks before expiry).
TEST_F(HtlcExpiry, HeldBondNearItsHtlcExpiryIsResolvedByTheEngineNotTheNode) {
  auto& maker = Robot("maker", "alice");
  int64_t alice = LocalSats("alice");
  int64_t id = MakePublic(maker, SellOrder("100"));
  m_engine->Drain();
  auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
  ASSERT_TRUE(audit.ok());
  auto bond = audit.value()->HoldById(1);
  ASSERT_TRUE(bond.has_value());
  ASSERT_GT(bond->htlc_expiry_height, 0);
  // Inside the engine's margin (24 blocks) but before the node's own auto-cancel (12).
  uint32_t target = static_cast<uint32_t>(bond->htlc_expiry_height - 20);
  m_net->MineBlocks(target - m_net->BlockHeight());
  auto v = WaitStatus(maker, id, 5);
  EXPECT_EQ(v["expiry_reason"], 0);
  auto hash = escrow::crypto::Hash32FromHex(bond->payment_hash);
  for (int i = 0; i < 400; ++i) {
    auto inv = m_coord_node->LookupInvoice(*hash);
    if (inv.ok() && inv->state == escrow::InvoiceState::kCanceled) break;
    m_engine->Drain();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(m_coord_node->LookupInvoice(*hash)->state, escrow::InvoiceState::kCanceled);
  EXPECT_EQ(SatsWhenSettled("alice", alice), alice);
  CheckConservation();
}

}  // namespace
}  // namespace enginetest
