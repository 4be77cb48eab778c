// Every struct of model.h written and read back with every field set, optionals both empty
// and set, extreme values, and upserts that change every field.
#include <cstdint>
#include <limits>

#include "tests/unit/store/store_test_support.h"

namespace coordinator::store_test {
namespace {

using RoundTripTest = StoreTest;

void ExpectAllRowsRead(Store& store, const Graph& g) {
  EXPECT_EQ(Tie(*store.RobotById(g.maker.id)), Tie(g.maker));
  EXPECT_EQ(Tie(*store.RobotById(g.taker.id)), Tie(g.taker));
  EXPECT_EQ(Tie(*store.OrderById(g.order.id)), Tie(g.order));
  EXPECT_EQ(Tie(*store.HoldById(g.maker_bond.id)), Tie(g.maker_bond));
  EXPECT_EQ(Tie(*store.HoldById(g.taker_bond.id)), Tie(g.taker_bond));
  EXPECT_EQ(Tie(*store.HoldById(g.escrow.id)), Tie(g.escrow));
  EXPECT_EQ(Tie(*store.TakeById(g.take.id)), Tie(g.take));
  EXPECT_EQ(Tie(*store.PayoutById(g.payout.id)), Tie(g.payout));
  EXPECT_EQ(Tie(*store.IntentById(g.intent.id)), Tie(g.intent));
  ASSERT_EQ(store.LedgerOfOrder(g.order.id).size(), 1u);
  EXPECT_EQ(Tie(store.LedgerOfOrder(g.order.id)[0]), Tie(g.ledger));
  ASSERT_EQ(store.LatestTicks(1).size(), 1u);
  EXPECT_EQ(Tie(store.LatestTicks(1)[0]), Tie(g.tick));
}

TEST_F(RoundTripTest, EveryStructWithEveryFieldSet) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const Graph g = MakeGraph(*store, 1);
  ASSERT_TRUE(PutAll(*store, g).ok());
  // All present before a reader can see them: none of the rows may hide in a default.
  ASSERT_TRUE(store->RobotById(g.maker.id));
  ASSERT_TRUE(store->RobotById(g.taker.id));
  ASSERT_TRUE(store->OrderById(g.order.id));
  ASSERT_TRUE(store->HoldById(g.maker_bond.id) && store->HoldById(g.taker_bond.id) &&
              store->HoldById(g.escrow.id));
  ASSERT_TRUE(store->TakeById(g.take.id));
  ASSERT_TRUE(store->PayoutById(g.payout.id));
  ASSERT_TRUE(store->IntentById(g.intent.id));
  ExpectAllRowsRead(*store, g);
  // The secondary keys find the same rows.
  EXPECT_EQ(Tie(*store->RobotByHashId(g.maker.hash_id)), Tie(g.maker));
  EXPECT_EQ(Tie(*store->RobotByPublicKey(g.taker.public_key)), Tie(g.taker));
  EXPECT_EQ(Tie(*store->HoldByHash(g.escrow.payment_hash)), Tie(g.escrow));
}

TEST_F(RoundTripTest, SurvivesReopen) {
  Graph g;
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    g = MakeGraph(*store, 2);
    ASSERT_TRUE(PutAll(*store, g).ok());
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ExpectAllRowsRead(*store, g);
}

TEST_F(RoundTripTest, OptionalsEmptyAndSetToEmptyText) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Graph g = MakeGraph(*store, 3);
  g.order.latitude.reset();
  g.order.longitude = "";  // set, but empty: not the same as unset
  g.order.expiry_reason.reset();
  ASSERT_TRUE(PutAll(*store, g).ok());
  const auto order = store->OrderById(g.order.id);
  ASSERT_TRUE(order);
  EXPECT_FALSE(order->latitude.has_value());
  ASSERT_TRUE(order->longitude.has_value());
  EXPECT_EQ(*order->longitude, "");
  EXPECT_FALSE(order->expiry_reason.has_value());
  EXPECT_EQ(Tie(*order), Tie(g.order));
}

TEST_F(RoundTripTest, DefaultConstructedRowsWithOnlyRequiredReferences) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Robot robot;
  robot.id = store->NewId(Table::kRobot);
  robot.hash_id = "t";
  Order order;
  order.id = store->NewId(Table::kOrder);
  order.maker_id = robot.id;
  ASSERT_TRUE(store->Begin().ok());
  ASSERT_TRUE(store->Put(order).ok());
  ASSERT_TRUE(store->Put(robot).ok());
  ASSERT_TRUE(store->Commit().ok());
  EXPECT_EQ(Tie(*store->RobotById(robot.id)), Tie(robot));  // 0 references read back as 0
  EXPECT_EQ(Tie(*store->OrderById(order.id)), Tie(order));
  EXPECT_EQ(store->OrderById(order.id)->payment_method, "not specified");
}

TEST_F(RoundTripTest, ExtremeValues) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  Robot r;
  r.id = kMax;
  r.hash_id = std::string(64, 'f');
  r.public_key = std::string(100000, 'k');  // a large armored key
  r.created_at = kMin;
  r.last_seen_at = kMax;
  r.earned_rewards_sat = kMax;
  r.penalty_until = kMin;
  ASSERT_TRUE(store->Put(r).ok());
  EXPECT_EQ(Tie(*store->RobotById(kMax)), Tie(r));
  Order o;
  o.id = 1;
  o.maker_id = kMax;
  o.contract_price = 1e-300;
  o.satoshis = kMin;
  ASSERT_TRUE(store->Put(o).ok());
  EXPECT_EQ(Tie(*store->OrderById(1)), Tie(o));
  MarketTick t;
  t.id = 7;
  t.timestamp = kMin;
  t.currency = std::numeric_limits<int>::min();
  ASSERT_TRUE(store->Put(t).ok());
  ASSERT_EQ(store->Ticks(kMin, kMax, 10).size(), 1u);
  EXPECT_EQ(Tie(store->Ticks(kMin, kMax, 10)[0]), Tie(t));
}

TEST_F(RoundTripTest, UpsertReplacesEveryField) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const Graph first = MakeGraph(*store, 4);
  ASSERT_TRUE(PutAll(*store, first).ok());
  // The same ids and references, every other field changed.
  Graph second = first;
  FillGraph(second, 5);
  ASSERT_TRUE(PutAll(*store, second).ok());
  ExpectAllRowsRead(*store, second);
  EXPECT_EQ(store->CountRobots(), 2);
  EXPECT_EQ(store->Ledger().size(), 1u);
  EXPECT_FALSE(store->RobotByHashId(first.maker.hash_id));
  EXPECT_FALSE(store->HoldByHash(first.escrow.payment_hash));
}

}  // namespace
}  // namespace coordinator::store_test
