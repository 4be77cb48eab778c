// The nostr_events table (v4): one row per address (kind, pubkey, d); a new state of an
// address replaces the row in place; every event read back oldest first.
#include "tests/unit/store/store_test_support.h"

namespace coordinator::store_test {
namespace {

using NostrEventsTest = StoreTest;

NostrEventRecord Record(Store& store, const std::string& d, int64_t created_at, char id_digit) {
  NostrEventRecord r;
  r.id = store.NewId(Table::kNostrEvent);
  r.event_id = std::string(64, id_digit);
  r.kind = 38383;
  r.pubkey = std::string(64, 'p');
  r.d_tag = d;
  r.order_id = 0;
  r.created_at = created_at;
  r.json = "{\"id\":\"" + r.event_id + "\"}";
  return r;
}

TEST_F(NostrEventsTest, AnAddressHoldsOneEventReplacedInPlace) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto a = Record(*store, "a", 200, '1');
  auto b = Record(*store, "b", 100, '2');
  ASSERT_TRUE(store->Put(a).ok());
  ASSERT_TRUE(store->Put(b).ok());
  auto found = store->NostrEventAt(38383, std::string(64, 'p'), "a");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->event_id, a.event_id);
  EXPECT_EQ(found->json, a.json);
  EXPECT_FALSE(store->NostrEventAt(38383, std::string(64, 'p'), "c"));
  EXPECT_FALSE(store->NostrEventAt(31986, std::string(64, 'p'), "a"));

  // The next state of "a": the same row, a new event.
  auto a2 = a;
  a2.event_id = std::string(64, '3');
  a2.created_at = 300;
  ASSERT_TRUE(store->Put(a2).ok());
  EXPECT_EQ(store->NostrEventAt(38383, std::string(64, 'p'), "a")->event_id, a2.event_id);
  // A second row for the same address is refused.
  auto dup = Record(*store, "a", 400, '4');
  EXPECT_FALSE(store->Put(dup).ok());

  auto all = store->NostrEvents();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].d_tag, "b");  // oldest first
  EXPECT_EQ(all[1].event_id, a2.event_id);
}

TEST_F(NostrEventsTest, ARangeIsReadNewestFirstWithTiesByLowestEventIdAndLimited) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put(Record(*store, "a", 100, '5')).ok());
  ASSERT_TRUE(store->Put(Record(*store, "b", 300, '2')).ok());
  ASSERT_TRUE(store->Put(Record(*store, "c", 200, '9')).ok());
  ASSERT_TRUE(store->Put(Record(*store, "d", 200, '1')).ok());
  ASSERT_TRUE(store->Put(Record(*store, "e", 400, '3')).ok());
  auto d_tags = [](const std::vector<NostrEventRecord>& rows) {
    std::string out;
    for (const auto& r : rows) out += r.d_tag;
    return out;
  };
  EXPECT_EQ(d_tags(store->NostrEventsNewestFirst(0, 1000, 100)), "ebdca");
  EXPECT_EQ(d_tags(store->NostrEventsNewestFirst(200, 300, 100)), "bdc");  // both bounds inclusive
  EXPECT_EQ(d_tags(store->NostrEventsNewestFirst(0, 1000, 3)), "ebd");
  EXPECT_EQ(d_tags(store->NostrEventsNewestFirst(401, 1000, 3)), "");
}

}  // namespace
}  // namespace coordinator::store_test
