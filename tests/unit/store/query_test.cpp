// The filtered reads of store.h, and that each of them is served by an index.
#include <algorithm>
#include <limits>

#include "coordinator/store/rows.h"
#include "coordinator/store/sqlite_store.h"
#include "tests/unit/store/store_test_support.h"

namespace coordinator::store_test {
namespace {

using QueryTest = StoreTest;

template <class Row>
std::vector<int64_t> Ids(const std::vector<Row>& rows) {
  std::vector<int64_t> ids;
  for (const Row& r : rows) ids.push_back(r.id);
  return ids;
}

TEST_F(QueryTest, LiveOrdersAreTheNonTerminalStatuses) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Graph g = MakeGraph(*store, 1);
  ASSERT_TRUE(PutAll(*store, g).ok());
  std::vector<int64_t> live;
  ASSERT_TRUE(store->Begin().ok());
  for (int status = 18; status >= 0; --status) {  // ids in the reverse order of statuses
    Order o = g.order;
    o.id = store->NewId(Table::kOrder);
    o.status = static_cast<OrderStatus>(status);
    ASSERT_TRUE(store->Put(o).ok());
    const bool terminal = status == 4 || status == 5 || status == 12 || status == 14 || status == 17 ||
                          status == 18;
    if (!terminal) live.push_back(o.id);
  }
  // The graph's own order (status 9) is live too, and has the smallest id.
  live.insert(live.begin(), g.order.id);
  ASSERT_TRUE(store->Commit().ok());
  EXPECT_EQ(Ids(store->LiveOrders()), live);
  EXPECT_EQ(live.size(), 14u);
  // A status change moves an order out of the working set.
  Order done = *store->OrderById(g.order.id);
  done.status = OrderStatus::kSuccess;
  ASSERT_TRUE(store->Put(done).ok());
  live.erase(live.begin());
  EXPECT_EQ(Ids(store->LiveOrders()), live);
}

TEST_F(QueryTest, UnresolvedHoldsArePendingOpenOrAccepted) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Graph g = MakeGraph(*store, 1);  // holds: settled, accepted, open
  ASSERT_TRUE(PutAll(*store, g).ok());
  HoldInvoice pending = g.escrow, canceled = g.escrow;
  pending.id = store->NewId(Table::kHold);
  pending.payment_hash = "pending";
  pending.state = HoldState::kPending;
  canceled.id = store->NewId(Table::kHold);
  canceled.payment_hash = "canceled";
  canceled.state = HoldState::kCanceled;
  ASSERT_TRUE(store->Put(pending).ok());
  ASSERT_TRUE(store->Put(canceled).ok());
  EXPECT_EQ(Ids(store->UnresolvedHolds()), (std::vector<int64_t>{g.taker_bond.id, g.escrow.id, pending.id}));
  EXPECT_EQ(Ids(store->HoldsOfOrder(g.order.id)),
            (std::vector<int64_t>{g.maker_bond.id, g.taker_bond.id, g.escrow.id, pending.id, canceled.id}));
}

TEST_F(QueryTest, OpenIntentsAndTheRowsOfAnOrder) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const Graph a = MakeGraph(*store, 1);  // its intent is done
  const Graph b = MakeGraph(*store, 2);  // its intent is open
  ASSERT_TRUE(PutAll(*store, a).ok());
  ASSERT_TRUE(PutAll(*store, b).ok());
  Intent open = a.intent;
  open.id = store->NewId(Table::kIntent);
  open.state = IntentState::kOpen;
  ASSERT_TRUE(store->Put(open).ok());
  EXPECT_EQ(Ids(store->OpenIntents()), (std::vector<int64_t>{b.intent.id, open.id}));

  Take second_take = b.take;
  second_take.id = store->NewId(Table::kTake);
  ASSERT_TRUE(store->Put(second_take).ok());
  EXPECT_EQ(Ids(store->TakesOfOrder(b.order.id)), (std::vector<int64_t>{b.take.id, second_take.id}));
  EXPECT_EQ(Ids(store->TakesOfOrder(a.order.id)), (std::vector<int64_t>{a.take.id}));

  Payout replaced = b.payout;
  replaced.id = store->NewId(Table::kPayout);
  replaced.payment_hash = "another invoice";
  replaced.state = PayoutState::kReplaced;
  ASSERT_TRUE(store->Put(replaced).ok());
  EXPECT_EQ(Ids(store->PayoutsOfOrder(b.order.id)), (std::vector<int64_t>{b.payout.id, replaced.id}));
  EXPECT_EQ(Ids(store->PayoutsOfOrder(a.order.id)), (std::vector<int64_t>{a.payout.id}));

  LedgerEntry proceeds = a.ledger;  // the coordinator's: no robot
  proceeds.id = store->NewId(Table::kLedger);
  proceeds.robot_id = 0;
  proceeds.kind = LedgerKind::kProceeds;
  ASSERT_TRUE(store->Put(proceeds).ok());
  EXPECT_EQ(Ids(store->LedgerOfOrder(a.order.id)), (std::vector<int64_t>{a.ledger.id, proceeds.id}));
  EXPECT_EQ(Ids(store->Ledger()), (std::vector<int64_t>{a.ledger.id, b.ledger.id, proceeds.id}));
  EXPECT_EQ(store->LedgerOfOrder(a.order.id)[1].robot_id, 0);

  EXPECT_TRUE(store->HoldsOfOrder(12345).empty());
  EXPECT_FALSE(store->RobotByHashId("nobody"));
  EXPECT_FALSE(store->RobotByPublicKey("no key"));
  EXPECT_FALSE(store->HoldByHash("no hash"));
  EXPECT_EQ(store->CountRobots(), 4);
}

TEST_F(QueryTest, TicksByTimeRange) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  // Written out of time order: id order and time order differ.
  const int64_t times[] = {300, 100, 200, 400, 200};
  std::vector<MarketTick> ticks;
  for (int64_t t : times) {
    MarketTick tick;
    tick.id = store->NewId(Table::kTick);
    tick.timestamp = t;
    tick.price = std::to_string(t);
    ASSERT_TRUE(store->Put(tick).ok());
    ticks.push_back(tick);
  }
  auto stamps = [](const std::vector<MarketTick>& v) {
    std::vector<std::pair<int64_t, int64_t>> out;  // (timestamp, id)
    for (const auto& t : v) out.emplace_back(t.timestamp, t.id);
    return out;
  };
  using Stamps = std::vector<std::pair<int64_t, int64_t>>;
  // start inclusive, end exclusive, oldest first (ties by id).
  EXPECT_EQ(stamps(store->Ticks(200, 400, 10)), (Stamps{{200, 3}, {200, 5}, {300, 1}}));
  EXPECT_EQ(stamps(store->Ticks(200, 400, 2)), (Stamps{{200, 3}, {200, 5}}));
  EXPECT_EQ(stamps(store->Ticks(0, 1000, 0)), Stamps{});
  EXPECT_EQ(store->Ticks(0, 1000, std::numeric_limits<size_t>::max()).size(), 5u);
  EXPECT_EQ(stamps(store->Ticks(401, 1000, 10)), Stamps{});
  // The most recent, oldest first.
  EXPECT_EQ(stamps(store->LatestTicks(2)), (Stamps{{300, 1}, {400, 4}}));
  EXPECT_EQ(stamps(store->LatestTicks(4)), (Stamps{{200, 3}, {200, 5}, {300, 1}, {400, 4}}));
  EXPECT_EQ(store->LatestTicks(100).size(), 5u);
  EXPECT_TRUE(store->LatestTicks(0).empty());
}

// Every read runs on an index (or the primary key): none scans a whole table or sorts,
// except Ledger(), which reads the whole ledger by design, in rowid order.
TEST_F(QueryTest, EveryQueryUsesAnIndex) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const Graph g = MakeGraph(*store, 1);
  ASSERT_TRUE(PutAll(*store, g).ok());
  // Run each read once so that its statement is prepared and cached.
  (void)store->RobotById(1);
  (void)store->RobotByHashId("t");
  (void)store->RobotByPublicKey("k");
  (void)store->OrderById(1);
  (void)store->LiveOrders();
  (void)store->HoldById(1);
  (void)store->HoldByHash("h");
  (void)store->HoldsOfOrder(1);
  (void)store->UnresolvedHolds();
  (void)store->TakeById(1);
  (void)store->TakesOfOrder(1);
  (void)store->PayoutById(1);
  (void)store->PayoutsOfOrder(1);
  (void)store->IntentById(1);
  (void)store->OpenIntents();
  (void)store->LedgerOfOrder(1);
  (void)store->Ledger();
  (void)store->Ticks(0, 10, 10);
  (void)store->LatestTicks(10);
  (void)store->CountRobots();
  (void)store->CountRobotsSeenSince(10);
  (void)store->LastOrderIdOf(1);
  (void)store->NostrEventsNewestFirst(0, 100, 10);

  store::Db& db = dynamic_cast<store::SqliteStore&>(*store).db();
  const std::string whole_ledger = store::SelectSql<LedgerEntry>("ORDER BY id");
  int selects = 0;
  for (const std::string& sql : db.CachedSql()) {
    // Our reads; not the bookkeeping of Open (sqlite_schema, MAX(id)).
    if (sql.rfind("SELECT", 0) != 0 || sql.find("sqlite_schema") != std::string::npos) continue;
    ++selects;
    auto plan = db.Prepare("EXPLAIN QUERY PLAN " + sql);
    ASSERT_TRUE(plan.ok()) << plan.error();
    store::Use use(**plan);
    std::string details;
    for (;;) {
      auto row = use->Step();
      ASSERT_TRUE(row.ok()) << row.error();
      if (!*row) break;
      details += use->Text(3) + "\n";
    }
    SCOPED_TRACE(sql + "\n" + details);
    EXPECT_EQ(details.find("TEMP B-TREE"), std::string::npos);
    const bool scans_table = details.find("SCAN ") != std::string::npos &&
                             details.find("USING") == std::string::npos;
    if (sql == whole_ledger) {
      EXPECT_EQ(details, "SCAN ledger\n");
    } else {
      EXPECT_FALSE(scans_table);
    }
  }
  EXPECT_GE(selects, 20);
}

}  // namespace
}  // namespace coordinator::store_test
