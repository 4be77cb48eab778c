// Publication state per (relay, address) (v7, coordinator/store/nostr_publications.h): an event
// is owed to a relay until that relay acknowledged exactly it; a newer state of the address is
// owed again at once; a refusal waits for its retry time (doubling, capped); the reconciler's
// Forget makes an acknowledged event owed again; another relay's state is its own; a second
// connection (a restart) sees the same.
#include "coordinator/store/nostr_publications.h"

#include "tests/unit/store/store_test_support.h"

namespace coordinator::store_test {
namespace {

using NostrPublicationsTest = StoreTest;
using store::NostrPublications;

NostrEventRecord Record(Store& store, const std::string& d, int64_t created_at, char id_digit) {
  NostrEventRecord r;
  auto previous = store.NostrEventAt(38383, std::string(64, 'p'), d);
  r.id = previous ? previous->id : store.NewId(Table::kNostrEvent);
  r.event_id = std::string(64, id_digit);
  r.kind = 38383;
  r.pubkey = std::string(64, 'p');
  r.d_tag = d;
  r.created_at = created_at;
  r.json = "{\"id\":\"" + r.event_id + "\"}";
  return r;
}

std::vector<std::string> OwedIds(NostrPublications& p, const std::string& relay, int64_t now) {
  std::vector<std::string> ids;
  auto owed = p.Owed(relay, now, 100);
  EXPECT_TRUE(owed.ok());
  if (owed.ok()) {
    for (const auto& e : *owed) ids.push_back(e.event_id.substr(0, 1));
  }
  return ids;
}

TEST_F(NostrPublicationsTest, AnEventIsOwedUntilAcknowledgedAndANewStateIsOwedAgain) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put(Record(*store, "a", 100, '1')).ok());
  ASSERT_TRUE(store->Put(Record(*store, "b", 200, '2')).ok());
  auto pubs = NostrPublications::Open(path());
  ASSERT_TRUE(pubs.ok()) << pubs.error();
  NostrPublications& p = **pubs;
  const std::string r1 = "wss://one.example", r2 = "ws://two.example:7777";
  EXPECT_EQ(OwedIds(p, r1, 1000), (std::vector<std::string>{"1", "2"}));  // oldest first
  auto owed = p.Owed(r1, 1000, 100);
  ASSERT_TRUE(p.Acked(r1, (*owed)[0], "", 1000).ok());
  EXPECT_EQ(OwedIds(p, r1, 1000), (std::vector<std::string>{"2"}));
  EXPECT_EQ(OwedIds(p, r2, 1000), (std::vector<std::string>{"1", "2"}));  // each relay its own
  // A new state of "a" (the engine replaces its row): owed to r1 again.
  ASSERT_TRUE(store->Put(Record(*store, "a", 300, '3')).ok());
  EXPECT_EQ(OwedIds(p, r1, 1000), (std::vector<std::string>{"2", "3"}));
  auto counts = p.Counts(r1);
  EXPECT_EQ(counts.events, 2);
  EXPECT_EQ(counts.acked, 0);
  // A restart (a new connection) sees the same state.
  auto again = NostrPublications::Open(path());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(OwedIds(**again, r1, 1000), (std::vector<std::string>{"2", "3"}));
}

TEST_F(NostrPublicationsTest, ARefusalWaitsForItsRetryTimeDoublingAndForgetMakesAnEventOwedAgain) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put(Record(*store, "a", 100, '1')).ok());
  auto pubs = NostrPublications::Open(path());
  ASSERT_TRUE(pubs.ok());
  NostrPublications& p = **pubs;
  const std::string r = "wss://one.example";
  auto e = (*p.Owed(r, 1000, 10))[0];
  ASSERT_TRUE(p.Failed(r, e, "refused: blocked", 1000, 5, 600).ok());
  EXPECT_TRUE(OwedIds(p, r, 1004).empty());
  EXPECT_EQ(OwedIds(p, r, 1005).size(), 1u);
  ASSERT_TRUE(p.Failed(r, e, "refused: blocked", 1005, 5, 600).ok());  // second failure: 10 s
  EXPECT_TRUE(OwedIds(p, r, 1014).empty());
  EXPECT_EQ(OwedIds(p, r, 1015).size(), 1u);
  EXPECT_EQ(p.Counts(r).failing, 1);
  // A newer state does not wait for the old one's retry time.
  ASSERT_TRUE(store->Put(Record(*store, "a", 200, '2')).ok());
  EXPECT_EQ(OwedIds(p, r, 1006), (std::vector<std::string>{"2"}));
  auto e2 = (*p.Owed(r, 1006, 10))[0];
  ASSERT_TRUE(p.Acked(r, e2, "", 1006).ok());
  EXPECT_TRUE(OwedIds(p, r, 2000).empty());
  EXPECT_EQ(p.Counts(r).acked, 1);
  ASSERT_TRUE(p.Forget(r, e2, 2000).ok());
  EXPECT_EQ(OwedIds(p, r, 2000), (std::vector<std::string>{"2"}));
}

TEST_F(NostrPublicationsTest, SideEventsAreOwedToo) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto pubs = NostrPublications::Open(path());
  ASSERT_TRUE(pubs.ok());
  store::OwnEvent info{38385, std::string(64, 'p'), std::string(64, 'p'), std::string(64, '7'), 500, "{}"};
  ASSERT_TRUE((*pubs)->PutSideEvent(info).ok());
  auto older = info;
  older.event_id = std::string(64, '6');
  older.created_at = 400;
  ASSERT_TRUE((*pubs)->PutSideEvent(older).ok());  // an older one does not replace it
  EXPECT_EQ((*pubs)->SideEventAt(38385, info.pubkey, info.d_tag)->event_id, info.event_id);
  EXPECT_EQ(OwedIds(**pubs, "ws://r", 1000), (std::vector<std::string>{"7"}));
}

}  // namespace
}  // namespace coordinator::store_test
