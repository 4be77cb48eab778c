// Cancels: before the take (bond returned), after it (the canceller's bond is forfeited, half
// to the counterparty), a pre-taker walking away, and the collaborative cancel.
#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

using coordinator::CancelCmd;
using coordinator::TakeCmd;

class Cancel : public EngineHarness {};

TEST_F(Cancel, MakerCancelsBeforeTheTakeAndGetsTheBondBack) {
  auto& maker = Robot("maker", "alice");
  int64_t alice = LocalSats("alice");
  int64_t id = MakePublic(maker, SellOrder("100"));
  Ok(maker, CancelCmd{id, 1});
  WaitStatus(maker, id, 4);
  m_engine->Drain();
  EXPECT_EQ(SatsWhenSettled("alice", alice), alice);
  CheckConservation();
}

TEST_F(Cancel, CancelStatusMismatchIsRefusedAndNothingChanges) {
  auto& maker = Robot("maker", "alice");
  int64_t id = MakePublic(maker, SellOrder("100"));
  auto r = Call(maker, CancelCmd{id, 0});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 1020);
  EXPECT_EQ(Order(maker, id)["status"], 1);
}

TEST_F(Cancel, TakerCancelsAfterTheTakeAndLosesTheBondToTheMaker) {
  auto& maker = Robot("maker", "alice");
  auto& taker = Robot("taker", "bob");
  int64_t alice = LocalSats("alice"), bob = LocalSats("bob");
  int64_t id = MakePublic(maker, SellOrder("100"));
  TakeAndLock(taker, id);
  int64_t bond = Order(taker, id)["bond_satoshis"];
  Ok(taker, CancelCmd{id, 6});
  WaitStatus(maker, id, 4);
  m_engine->Drain();
  EXPECT_EQ(SatsWhenSettled("alice", alice), alice);
  EXPECT_EQ(SatsWhenSettled("bob", bob - bond), bob - bond);
  EXPECT_EQ(RewardsWhenSettled(maker, bond / 2), bond / 2);
  CheckConservation();
}

TEST_F(Cancel, PreTakerWalksAwayWithItsBondAndAPenalty) {
  auto& maker = Robot("maker", "alice");
  auto& taker = Robot("taker", "bob");
  int64_t id = MakePublic(maker, SellOrder("100"));
  auto taken = Ok(taker, TakeCmd{id, "", std::nullopt});
  Ok(taker, CancelCmd{id, 3});
  EXPECT_EQ(Order(taker, id)["status"], 1);
  auto again = Call(taker, TakeCmd{id, "", std::nullopt});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, 1012);
  // Its bond invoice, if paid now, is returned at once.
  int64_t bob = LocalSats("bob");
  Pay("bob", taken.value("bond_invoice", ""));
  for (int i = 0; i < 200 && LocalSats("bob") != bob; ++i) {
    m_engine->Drain();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(SatsWhenSettled("bob", bob), bob);
  CheckConservation();
}

TEST_F(Cancel, CollaborativeCancelReturnsBondsAndEscrow) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t alice = LocalSats("alice"), bob = LocalSats("bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  LockEscrow(seller, id);
  SubmitInvoice(buyer, id);
  WaitStatus(buyer, id, 9);
  auto asked = Ok(seller, CancelCmd{id, 9});
  EXPECT_EQ(asked["asked_for_cancel"], true);
  EXPECT_EQ(Order(buyer, id)["pending_cancel"], true);
  Ok(buyer, CancelCmd{id, 9});
  WaitStatus(buyer, id, 12);
  m_engine->Drain();
  EXPECT_EQ(SatsWhenSettled("alice", alice), alice);
  EXPECT_EQ(SatsWhenSettled("bob", bob), bob);
  CheckConservation();
}

}  // namespace
}  // namespace enginetest

namespace enginetest {
namespace {

class LateTaker : public EngineHarness {};

// A pre-taker whose bond locks after the order left the book (here: the maker paused it) gets
// the bond back and is free to take another order at once.
TEST_F(LateTaker, BondLockedAfterTheOrderLeftTheBookIsReturnedAndTheRobotIsFree) {
  auto& maker = Robot("maker", "alice");
  auto& other_maker = Robot("other", "carol");
  auto& taker = Robot("taker", "bob");
  int64_t id = MakePublic(maker, SellOrder("100"));
  int64_t other = MakePublic(other_maker, SellOrder("100"));
  int64_t bob = LocalSats("bob");
  auto taken = Ok(taker, TakeCmd{id, "", std::nullopt});
  Ok(maker, coordinator::PauseCmd{id});
  Pay("bob", taken.value("bond_invoice", ""));
  EXPECT_EQ(SatsWhenSettled("bob", bob), bob);
  EXPECT_EQ(Order(maker, id)["status"], 2);
  auto again = Call(taker, TakeCmd{other, "", std::nullopt});
  EXPECT_TRUE(again.ok()) << (again.ok() ? "" : std::to_string(again.error().code));
  CheckConservation();
}

}  // namespace
}  // namespace enginetest
