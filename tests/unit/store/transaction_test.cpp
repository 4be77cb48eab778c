// Units of work: all or nothing, deferred references, error values without row contents.
#include "tests/unit/store/store_test_support.h"

namespace coordinator::store_test {
namespace {

using TransactionTest = StoreTest;

// Nothing of graph g is visible.
void ExpectNoneOf(Store& store, const Graph& g) {
  EXPECT_FALSE(store.RobotById(g.maker.id));
  EXPECT_FALSE(store.RobotById(g.taker.id));
  EXPECT_FALSE(store.RobotByHashId(g.maker.hash_id));
  EXPECT_FALSE(store.OrderById(g.order.id));
  EXPECT_FALSE(store.HoldById(g.maker_bond.id));
  EXPECT_FALSE(store.HoldByHash(g.escrow.payment_hash));
  EXPECT_FALSE(store.TakeById(g.take.id));
  EXPECT_FALSE(store.PayoutById(g.payout.id));
  EXPECT_FALSE(store.IntentById(g.intent.id));
  EXPECT_TRUE(store.LedgerOfOrder(g.order.id).empty());
  EXPECT_TRUE(store.LatestTicks(10).empty());
}

TEST_F(TransactionTest, RollbackWritesNothing) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const Graph g = MakeGraph(*store, 1);
  ASSERT_TRUE(store->Begin().ok());
  ASSERT_TRUE(store->Put(g.maker).ok());
  ASSERT_TRUE(store->Put(g.taker).ok());
  ASSERT_TRUE(store->Put(g.order).ok());
  ASSERT_TRUE(store->Put(g.maker_bond).ok());
  ASSERT_TRUE(store->Put(g.tick).ok());
  // Inside the transaction its own writes are visible...
  EXPECT_TRUE(store->RobotById(g.maker.id));
  store->Rollback();
  // ...and after the rollback nothing is, in this connection or after a reopen.
  ExpectNoneOf(*store, g);
  EXPECT_EQ(store->CountRobots(), 0);
  store.reset();
  store = OpenStore();
  ASSERT_NE(store, nullptr);
  ExpectNoneOf(*store, g);
}

TEST_F(TransactionTest, FailingPutInTheMiddleThenRollbackWritesNothing) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const Graph g = MakeGraph(*store, 1);
  Order bad = g.order;
  bad.status = static_cast<OrderStatus>(19);
  ASSERT_TRUE(store->Begin().ok());
  ASSERT_TRUE(store->Put(g.maker).ok());
  ASSERT_TRUE(store->Put(g.taker).ok());
  auto failed = store->Put(bad);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().find("orders"), std::string::npos) << failed.error();
  EXPECT_NE(failed.error().find("CHECK constraint failed"), std::string::npos) << failed.error();
  EXPECT_FALSE(ContainsSecret(failed.error())) << failed.error();
  ASSERT_TRUE(store->Put(g.maker_bond).ok());
  store->Rollback();
  ExpectNoneOf(*store, g);
}

TEST_F(TransactionTest, CommitAfterAFailedPutRollsBackTheWholeUnit) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const Graph g = MakeGraph(*store, 1);
  HoldInvoice bad = g.escrow;
  bad.role = static_cast<HoldRole>(3);
  ASSERT_TRUE(store->Begin().ok());
  ASSERT_TRUE(store->Put(g.maker).ok());
  ASSERT_FALSE(store->Put(bad).ok());
  auto commit = store->Commit();
  ASSERT_FALSE(commit.ok());
  EXPECT_NE(commit.error().find("rolled back"), std::string::npos) << commit.error();
  ExpectNoneOf(*store, g);
  // No transaction is left open: the next unit works.
  Robot idle = g.maker;
  idle.active_order_id = 0;
  ASSERT_TRUE(store->Begin().ok());
  ASSERT_TRUE(store->Put(idle).ok());
  ASSERT_TRUE(store->Commit().ok());
  EXPECT_TRUE(store->RobotById(idle.id));
}

TEST_F(TransactionTest, RowsOfOneUnitMayBePutInAnyOrder) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const Graph g = MakeGraph(*store, 1);
  ASSERT_TRUE(PutAll(*store, g).ok());  // children first, parents last
  EXPECT_TRUE(store->OrderById(g.order.id));
}

TEST_F(TransactionTest, DanglingReferenceFailsTheCommitAndWritesNothing) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Graph g = MakeGraph(*store, 1);
  g.take.bond_id = 999;  // no such hold
  ASSERT_TRUE(store->Begin().ok());
  for (auto put : {store->Put(g.maker), store->Put(g.taker), store->Put(g.order),
                   store->Put(g.maker_bond), store->Put(g.taker_bond), store->Put(g.escrow),
                   store->Put(g.take), store->Put(g.payout)}) {
    ASSERT_TRUE(put.ok()) << put.error();
  }
  auto commit = store->Commit();
  ASSERT_FALSE(commit.ok());
  EXPECT_NE(commit.error().find("FOREIGN KEY constraint failed"), std::string::npos) << commit.error();
  EXPECT_FALSE(ContainsSecret(commit.error())) << commit.error();
  ExpectNoneOf(*store, g);
  ASSERT_TRUE(store->Begin().ok());
  store->Rollback();
}

TEST_F(TransactionTest, EveryReferenceIsChecked) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const Graph base = MakeGraph(*store, 1);
  // Each case breaks one reference of an otherwise consistent graph.
  const std::vector<std::pair<const char*, void (*)(Graph&)>> cases = {
      {"robots.active_order_id", [](Graph& g) { g.maker.active_order_id = 999; }},
      {"orders.maker_id", [](Graph& g) { g.order.maker_id = 999; }},
      {"orders.taker_id", [](Graph& g) { g.order.taker_id = 999; }},
      {"orders.maker_bond_id", [](Graph& g) { g.order.maker_bond_id = 999; }},
      {"orders.taker_bond_id", [](Graph& g) { g.order.taker_bond_id = 999; }},
      {"orders.escrow_id", [](Graph& g) { g.order.escrow_id = 999; }},
      {"orders.payout_id", [](Graph& g) { g.order.payout_id = 999; }},
      {"holds.order_id", [](Graph& g) { g.escrow.order_id = 999; }},
      {"holds.robot_id", [](Graph& g) { g.escrow.robot_id = 999; }},
      {"holds.take_id", [](Graph& g) { g.taker_bond.take_id = 999; }},
      {"holds.reward_robot_id", [](Graph& g) { g.maker_bond.reward_robot_id = 999; }},
      {"takes.order_id", [](Graph& g) { g.take.order_id = 999; }},
      {"takes.robot_id", [](Graph& g) { g.take.robot_id = 999; }},
      {"payouts.order_id", [](Graph& g) { g.payout.order_id = 999; }},
      {"payouts.robot_id", [](Graph& g) { g.payout.robot_id = 999; }},
      {"intents.order_id", [](Graph& g) { g.intent.order_id = 999; }},
      {"ledger.order_id", [](Graph& g) { g.ledger.order_id = 999; }},
      {"ledger.robot_id", [](Graph& g) { g.ledger.robot_id = 999; }},
  };
  for (const auto& [name, breaks] : cases) {
    Graph g = base;
    breaks(g);
    auto put = PutAll(*store, g);
    EXPECT_FALSE(put.ok()) << name;
    ExpectNoneOf(*store, g);
  }
  ASSERT_TRUE(PutAll(*store, base).ok());
}

TEST_F(TransactionTest, PutOutsideATransactionIsItsOwnUnit) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const Graph g = MakeGraph(*store, 1);
  ASSERT_TRUE(store->Put(g.tick).ok());
  Order orphan = g.order;
  orphan.maker_bond_id = orphan.taker_bond_id = orphan.escrow_id = orphan.payout_id = 0;
  orphan.taker_id = 0;
  auto put = store->Put(orphan);  // its maker does not exist
  ASSERT_FALSE(put.ok());
  EXPECT_NE(put.error().find("FOREIGN KEY"), std::string::npos) << put.error();
  store.reset();
  store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->LatestTicks(5).size(), 1u);
  EXPECT_FALSE(store->OrderById(g.order.id));
  // The failure outside a transaction poisons nothing.
  Robot idle = g.maker;
  idle.active_order_id = 0;
  ASSERT_TRUE(store->Begin().ok());
  ASSERT_TRUE(store->Put(idle).ok());
  ASSERT_TRUE(store->Commit().ok());
}

TEST_F(TransactionTest, MisuseIsAnErrorValue) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->Commit().ok());  // none open
  store->Rollback();                   // none open: nothing happens
  ASSERT_TRUE(store->Begin().ok());
  EXPECT_FALSE(store->Begin().ok());  // already open
  EXPECT_TRUE(store->Commit().ok());
  Robot no_id;
  no_id.hash_id = "SECRET-TOKEN-x";
  auto put = store->Put(no_id);
  ASSERT_FALSE(put.ok());
  EXPECT_NE(put.error().find("id"), std::string::npos);
  EXPECT_EQ(store->CountRobots(), 0);
}

TEST_F(TransactionTest, UniqueKeysAndErrorsWithoutRowContents) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const Graph g = MakeGraph(*store, 1);
  ASSERT_TRUE(PutAll(*store, g).ok());

  Robot same_hash_id = g.taker;
  same_hash_id.id = store->NewId(Table::kRobot);
  same_hash_id.hash_id = g.maker.hash_id;
  auto robot = store->Put(same_hash_id);
  ASSERT_FALSE(robot.ok());
  EXPECT_NE(robot.error().find("robots.hash_id"), std::string::npos) << robot.error();
  EXPECT_FALSE(ContainsSecret(robot.error())) << robot.error();

  HoldInvoice same_hash = g.escrow;
  same_hash.id = store->NewId(Table::kHold);
  auto hold = store->Put(same_hash);
  ASSERT_FALSE(hold.ok());
  EXPECT_NE(hold.error().find("holds.payment_hash"), std::string::npos) << hold.error();
  EXPECT_FALSE(ContainsSecret(hold.error())) << hold.error();

  // A payout row per invoice: the same invoice again is the same row, never a second one.
  Payout same_invoice = g.payout;
  same_invoice.id = store->NewId(Table::kPayout);
  auto payout = store->Put(same_invoice);
  ASSERT_FALSE(payout.ok());
  EXPECT_NE(payout.error().find("payouts.payment_hash"), std::string::npos) << payout.error();
  EXPECT_FALSE(ContainsSecret(payout.error())) << payout.error();

  // Robots may share a public key; the lookup answers the oldest.
  Robot same_key = g.taker;
  same_key.id = store->NewId(Table::kRobot);
  same_key.hash_id = "other";
  ASSERT_TRUE(store->Put(same_key).ok());
  EXPECT_EQ(store->RobotByPublicKey(g.taker.public_key)->id, g.taker.id);
}

TEST_F(TransactionTest, ConstraintsOnEnumsBoolsAndAmounts) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const Graph g = MakeGraph(*store, 1);
  ASSERT_TRUE(PutAll(*store, g).ok());
  auto rejects = [&](auto row, const char* what) {
    auto put = store->Put(row);
    EXPECT_FALSE(put.ok()) << what;
    if (!put.ok()) {
      EXPECT_FALSE(ContainsSecret(put.error())) << put.error();
    }
  };
  Order o = g.order;
  o.status = static_cast<OrderStatus>(-1);
  rejects(o, "status -1");
  o = g.order;
  o.type = static_cast<OrderType>(2);
  rejects(o, "type 2");
  o = g.order;
  o.expiry_reason = static_cast<ExpiryReason>(5);
  rejects(o, "expiry_reason 5");
  o = g.order;
  o.platform_rating = 6;
  rejects(o, "rating 6");
  HoldInvoice h = g.escrow;
  h.state = static_cast<HoldState>(5);
  rejects(h, "hold state 5");
  h = g.escrow;
  h.amount_sat = -1;
  rejects(h, "negative hold amount");
  Take t = g.take;
  t.state = static_cast<TakeState>(5);
  rejects(t, "take state 5");
  Payout p = g.payout;
  p.state = static_cast<PayoutState>(5);
  rejects(p, "payout state 5");
  p = g.payout;
  p.attempts = -1;
  rejects(p, "negative attempts");
  Intent i = g.intent;
  i.kind = static_cast<IntentKind>(16);  // kinds 0..15 are reserved (store v3)
  rejects(i, "intent kind 16");
  i = g.intent;
  i.state = static_cast<IntentState>(2);
  rejects(i, "intent state 2");
  LedgerEntry e = g.ledger;
  e.kind = static_cast<LedgerKind>(32);  // kinds 0..31 are reserved (store v3)
  rejects(e, "ledger kind 32");
  e = g.ledger;
  e.amount_sat = -5;
  rejects(e, "negative ledger amount");
  Robot r = g.maker;
  r.earned_rewards_sat = -1;
  rejects(r, "negative rewards");
  // The rows are unchanged.
  EXPECT_EQ(Tie(*store->OrderById(g.order.id)), Tie(g.order));
  EXPECT_EQ(Tie(*store->HoldById(g.escrow.id)), Tie(g.escrow));
  EXPECT_EQ(Tie(*store->PayoutById(g.payout.id)), Tie(g.payout));
  EXPECT_EQ(Tie(*store->RobotById(g.maker.id)), Tie(g.maker));
}

TEST_F(TransactionTest, NewIdCountsOnFromTheLargestIdAcrossReopens) {
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->NewId(Table::kRobot), 1);
    EXPECT_EQ(store->NewId(Table::kRobot), 2);
    EXPECT_EQ(store->NewId(Table::kOrder), 1);  // one counter per table
    const Graph g = MakeGraph(*store, 1);     // robots 3 and 4
    ASSERT_TRUE(store->Begin().ok());
    ASSERT_TRUE(store->Put(g.tick).ok());
    store->Rollback();
    EXPECT_GT(store->NewId(Table::kTick), g.tick.id);  // a rolled-back id is skipped
    ASSERT_TRUE(PutAll(*store, g).ok());
    // An id written by hand is never handed out afterwards.
    Robot manual = g.maker;
    manual.id = 100;
    manual.hash_id = "manual";
    ASSERT_TRUE(store->Put(manual).ok());
    EXPECT_EQ(store->NewId(Table::kRobot), 101);
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->NewId(Table::kRobot), 101);  // from MAX(id) = 100
  EXPECT_EQ(store->NewId(Table::kOrder), 3);    // MAX(id) = 2
}

}  // namespace
}  // namespace coordinator::store_test
