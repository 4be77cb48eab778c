// FiguresReader: the operator's figures (metrics) read from the store on a connection of its
// own, from exactly the rows the engine wrote.
#include <gtest/gtest.h>

#include "coordinator/store/figures.h"
#include "tests/unit/store/store_test_support.h"

namespace coordinator::store_test {
namespace {

class FiguresTest : public StoreTest {};

TEST_F(FiguresTest, CountsOrdersHeldSatsPayoutsAndOpenIntents) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Graph g = MakeGraph(*store, 1);
  g.order.status = OrderStatus::kWaitingInvoice;
  g.maker_bond.state = HoldState::kAccepted;
  g.maker_bond.amount_sat = 300;
  g.maker_bond.htlc_expiry_height = 900;
  g.taker_bond.state = HoldState::kSettled;
  g.escrow.state = HoldState::kAccepted;
  g.escrow.amount_sat = 10'000;
  g.escrow.htlc_expiry_height = 850;
  // Three attempts, the third succeeded: two failures.
  g.payout.state = PayoutState::kSucceeded;
  g.payout.attempts = 3;
  g.intent.state = IntentState::kOpen;
  g.intent.kind = IntentKind::kPay;
  g.intent.created_at = 1000;
  ASSERT_TRUE(PutAll(*store, g).ok());
  // A second order, public, and an invoice replaced after one failed attempt.
  Graph h = MakeGraph(*store, 2);
  h.order.status = OrderStatus::kPublic;
  for (HoldInvoice* hold : {&h.maker_bond, &h.taker_bond, &h.escrow}) hold->state = HoldState::kCanceled;
  h.payout.state = PayoutState::kReplaced;
  h.payout.attempts = 1;
  h.intent.state = IntentState::kOpen;
  h.intent.kind = IntentKind::kPay;
  h.intent.created_at = 900;
  ASSERT_TRUE(PutAll(*store, h).ok());

  auto reader = FiguresReader::Open(path());
  ASSERT_TRUE(reader.ok()) << reader.error();
  auto f = (*reader)->Read();
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->orders_by_status[static_cast<size_t>(OrderStatus::kWaitingInvoice)], 1);
  EXPECT_EQ(f->orders_by_status[static_cast<size_t>(OrderStatus::kPublic)], 1);
  EXPECT_EQ(f->orders_by_status[static_cast<size_t>(OrderStatus::kSuccess)], 0);
  EXPECT_EQ(f->held_sats[static_cast<size_t>(HoldRole::kMakerBond)], 300);
  EXPECT_EQ(f->held_sats[static_cast<size_t>(HoldRole::kTakerBond)], 0);
  EXPECT_EQ(f->held_sats[static_cast<size_t>(HoldRole::kEscrow)], 10'000);
  EXPECT_EQ(f->held_invoices[static_cast<size_t>(HoldRole::kEscrow)], 1);
  EXPECT_EQ(f->nearest_htlc_expiry_height, 850);
  EXPECT_EQ(f->payouts_by_state[static_cast<size_t>(PayoutState::kSucceeded)], 1);
  EXPECT_EQ(f->payouts_by_state[static_cast<size_t>(PayoutState::kReplaced)], 1);
  EXPECT_EQ(f->payout_attempts_succeeded, 1);
  EXPECT_EQ(f->payout_attempts_failed, 3);  // two before the success, one of the replaced invoice
  EXPECT_EQ(f->open_intents[static_cast<size_t>(IntentKind::kPay)], 2);
  EXPECT_EQ(f->oldest_open_intent_at[static_cast<size_t>(IntentKind::kPay)], 900);
  EXPECT_EQ(f->open_intents[static_cast<size_t>(IntentKind::kSettleHold)], 0);

  // The reader sees what the engine commits later (a new read transaction per Read).
  g.escrow.state = HoldState::kSettled;
  ASSERT_TRUE(store->Put(g.escrow).ok());
  f = (*reader)->Read();
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->held_sats[static_cast<size_t>(HoldRole::kEscrow)], 0);
  EXPECT_EQ(f->nearest_htlc_expiry_height, 900);
}

}  // namespace
}  // namespace coordinator::store_test
