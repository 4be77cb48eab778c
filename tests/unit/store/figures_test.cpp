// FiguresReader: the operator's figures (metrics) read from the store on a connection of its
// own, from exactly the rows the engine wrote.
#include <gtest/gtest.h>

#include <array>
#include <vector>

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

// Orders by status are exact through every kind of change — orders made, live ones ending,
// an old order staying live while newer ones end — although the reader remembers the terminal
// orders before the oldest live one instead of counting them at every reading.
TEST_F(FiguresTest, OrdersByStatusStayExactAsOrdersEndAndTheOldestLiveOneMoves) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto reader = FiguresReader::Open(path());
  ASSERT_TRUE(reader.ok()) << reader.error();
  std::vector<Graph> orders;
  std::array<int64_t, 19> expected{};
  auto put = [&](Graph& g, OrderStatus status) {
    g.order.status = status;
    ASSERT_TRUE(store->Put(g.order).ok());
  };
  auto check = [&](const char* when) {
    auto f = (*reader)->Read();
    ASSERT_TRUE(f.ok()) << f.error();
    for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(f->orders_by_status[i], expected[i]) << when << ", status " << i;
  };
  auto make = [&](OrderStatus status) {
    Graph g = MakeGraph(*store, static_cast<int>(orders.size()) + 10);
    g.order.status = status;
    ASSERT_TRUE(PutAll(*store, g).ok());
    ++expected[static_cast<size_t>(status)];
    orders.push_back(g);
  };
  auto end = [&](size_t i, OrderStatus status) {
    --expected[static_cast<size_t>(orders[i].order.status)];
    ++expected[static_cast<size_t>(status)];
    put(orders[i], status);
  };
  check("empty");
  make(OrderStatus::kSuccess);
  make(OrderStatus::kExpired);
  check("only terminal orders");
  make(OrderStatus::kPublic);         // 2: the oldest live order from now on
  make(OrderStatus::kSuccess);
  make(OrderStatus::kFiatSent);       // 4
  check("live and terminal");
  end(4, OrderStatus::kSuccess);      // a newer one ends while the oldest stays live
  make(OrderStatus::kCancelled);
  check("a newer order ended");
  end(2, OrderStatus::kExpired);      // the oldest live one ends: the mark moves to the end
  check("the oldest live order ended");
  make(OrderStatus::kInDispute);      // 6
  make(OrderStatus::kMakerLostDispute);
  check("after the mark moved");
  end(6, OrderStatus::kTakerLostDispute);
  check("everything ended");
  int64_t total = 0;
  for (auto n : expected) total += n;
  EXPECT_EQ(total, static_cast<int64_t>(orders.size()));
}

// Accrued is the latest payment's accrued_msat_through plus the accruals after its range (the
// reader never sums the whole table); paid counts succeeded payments only.
TEST_F(FiguresTest, DevTaxAccruedPaidPendingAndPaymentsByState) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto reader = FiguresReader::Open(path());
  ASSERT_TRUE(reader.ok()) << reader.error();
  auto none = (*reader)->Read();
  ASSERT_TRUE(none.ok()) << none.error();
  EXPECT_EQ(none->dev_tax_accrued_msat, 0);
  EXPECT_EQ(none->dev_tax_pending_msat, 0);

  // Four proceeds events of 10 001 sats at a 0.25 share: 2 500 250 msat each.
  std::vector<int64_t> accrual_ids;
  for (int i = 0; i < 4; ++i) {
    LedgerEntry e;
    e.id = store->NewId(Table::kLedger);
    e.kind = LedgerKind::kProceeds;
    e.amount_sat = 10'001;
    e.created_at = 1000 + i;
    ASSERT_TRUE(store->Put(e).ok());
    DevTaxAccrual a;
    a.id = store->NewId(Table::kDevTaxAccrual);
    a.ledger_id = e.id;
    a.proceeds_sat = 10'001;
    a.share_ppm = 250'000;
    a.accrued_msat = 2'500'250;
    a.created_at = e.created_at;
    ASSERT_TRUE(store->Put(a).ok());
    accrual_ids.push_back(a.id);
  }
  auto payment = [&](int64_t first, int64_t last, int64_t through_msat, int64_t amount, PayoutState state,
                     int64_t fee) {
    DevTaxPayment p;
    p.id = store->NewId(Table::kDevTaxPayment);
    p.first_accrual_id = first;
    p.last_accrual_id = last;
    p.accrued_msat_through = through_msat;
    p.amount_sat = amount;
    p.payee = std::string(66, 'd');
    p.payment_hash = std::string(63, 'a') + std::to_string(p.id % 10);
    p.preimage = std::string(64, 'b');
    p.state = state;
    p.fee_sat = fee;
    p.created_at = 2000 + p.id;
    return store->Put(p);
  };
  // Accruals 1..2 failed once, then paid (5 000 sats, 500 msat carried); accrual 3 in flight.
  ASSERT_TRUE(payment(accrual_ids[0], accrual_ids[1], 5'000'500, 5'000, PayoutState::kFailed, 0).ok());
  ASSERT_TRUE(payment(accrual_ids[0], accrual_ids[1], 5'000'500, 5'000, PayoutState::kSucceeded, 3).ok());
  ASSERT_TRUE(payment(accrual_ids[2], accrual_ids[2], 7'500'750, 2'500, PayoutState::kInFlight, 0).ok());

  auto f = (*reader)->Read();
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->dev_tax_accrued_msat, 4 * 2'500'250);
  EXPECT_EQ(f->dev_tax_paid_sat, 5'000);
  EXPECT_EQ(f->dev_tax_fees_sat, 3);
  EXPECT_EQ(f->dev_tax_pending_msat, 4 * 2'500'250 - 5'000'000);
  EXPECT_EQ(f->dev_tax_payments_by_state[static_cast<size_t>(PayoutState::kSucceeded)], 1);
  EXPECT_EQ(f->dev_tax_payments_by_state[static_cast<size_t>(PayoutState::kFailed)], 1);
  EXPECT_EQ(f->dev_tax_payments_by_state[static_cast<size_t>(PayoutState::kInFlight)], 1);
}

}  // namespace
}  // namespace coordinator::store_test
