// The heartbeat and the outages (schema version 6, coordinator/engine_outage.cpp): one heartbeat
// row that survives a reopen, the open outage of each reason, the latest first, and the figures
// the metrics read from them.
#include <gtest/gtest.h>

#include "coordinator/store/figures.h"
#include "tests/unit/store/store_test_support.h"

namespace coordinator::store_test {
namespace {

class OutagesTest : public StoreTest {};

TEST_F(OutagesTest, TheHeartbeatIsOneRowThatSurvivesAReopen) {
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    EXPECT_FALSE(store->LastHeartbeat().has_value());
    ASSERT_TRUE(store->Put(Heartbeat{1, 1000}).ok());
    ASSERT_TRUE(store->Put(Heartbeat{1, 1005}).ok());
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto beat = store->LastHeartbeat();
  ASSERT_TRUE(beat.has_value());
  EXPECT_EQ(beat->beat_at, 1005);
  EXPECT_FALSE(store->Put(Heartbeat{2, 1010}).ok()) << "one row only";
}

TEST_F(OutagesTest, TheOpenOutageOfEachReasonAndTheLatestFirst) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Outage down;
  down.id = store->NewId(Table::kOutage);
  down.reason = OutageReason::kCoordinatorDown;
  down.started_at = 100;
  down.ended_at = 400;
  down.deadlines_extended = 3;
  down.deadlines_capped = 1;
  ASSERT_TRUE(store->Put(down).ok());
  Outage node;
  node.id = store->NewId(Table::kOutage);
  node.reason = OutageReason::kNodeUnreachable;
  node.started_at = 500;
  ASSERT_TRUE(store->Put(node).ok());
  EXPECT_FALSE(store->OpenOutage(OutageReason::kCoordinatorDown).has_value());
  auto open = store->OpenOutage(OutageReason::kNodeUnreachable);
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->id, node.id);
  auto recent = store->RecentOutages(5);
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0].id, node.id);
  EXPECT_EQ(recent[1].deadlines_extended, 3);

  auto reader = FiguresReader::Open(path());
  ASSERT_TRUE(reader.ok()) << reader.error();
  auto f = reader.value()->Read();
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->outage_seconds[0], 300);
  EXPECT_EQ(f->outage_seconds[1], 0);  // still going on: counted when it ends
  EXPECT_EQ(f->deadlines_extended[0], 3);
  EXPECT_EQ(f->deadlines_capped, 1);
  EXPECT_TRUE(f->outage_open);

  node.ended_at = 560;
  node.deadlines_extended = 2;
  ASSERT_TRUE(store->Put(node).ok());
  EXPECT_FALSE(store->OpenOutage(OutageReason::kNodeUnreachable).has_value());
  f = reader.value()->Read();
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->outage_seconds[1], 60);
  EXPECT_FALSE(f->outage_open);
}

TEST_F(OutagesTest, AnOutageCannotEndBeforeItStarted) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Outage bad;
  bad.id = store->NewId(Table::kOutage);
  bad.started_at = 500;
  bad.ended_at = 400;
  EXPECT_FALSE(store->Put(bad).ok());
}

}  // namespace
}  // namespace coordinator::store_test
