// federationd's joint book built from relays (federation/watchdog/event_book.h): the public
// orders a coordinator's signed kind-38383 events say, read as RoboSats' client reads them
// (frontend/src/utils/nostr.ts eventToPublicOrder). The events are made by our own publisher's
// code (coordinator/nostr/order_event.h) from orders, so a field lost on the way fails here.
#include "federation/watchdog/event_book.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "coordinator/nostr/order_event.h"
#include "escrow/crypto/secp256k1.h"

namespace federation {
namespace {

namespace cn = coordinator::nostr;
using nlohmann::json;

constexpr int64_t kNow = 1'700'000'000;

std::optional<int> CurrencyId(const std::string& code) {
  if (code == "USD") return 1;
  if (code == "EUR") return 2;
  return std::nullopt;
}

coordinator::Order PublicOrder(int64_t id) {
  coordinator::Order o;
  o.id = id;
  o.status = coordinator::OrderStatus::kPublic;
  o.type = coordinator::OrderType::kSell;
  o.currency = 2;
  o.amount = "250";
  o.payment_method = "Revolut SEPA Instant";
  o.premium = "1.5";
  o.escrow_duration = 10800;
  o.bond_size = "3.2";
  o.expires_at = kNow + 3600;
  return o;
}

cn::Event Signed(const coordinator::Order& o, int64_t created_at, const std::string& currency = "EUR") {
  coordinator::Robot maker;
  maker.nickname = "UptightPhotographer";
  maker.hash_id = std::string(64, 'a');
  cn::OrderEventFacts facts{"Alpha Coordinator", "alpha.onion", "mainnet"};
  auto e = cn::OrderEvent(o, maker, currency, facts, created_at);
  EXPECT_TRUE(e.has_value());
  cn::Sign(*e, escrow::crypto::Signer::FromSeed("event-book-test"));
  return *e;
}

TEST(EventBook, APendingEventBecomesTheOrderTheClientShows) {
  auto o = PublicOrder(42);
  o.latitude = "57.64911";
  o.longitude = "10.40744";
  auto book = BookFromEvents({Signed(o, kNow - 5)}, "alpha", kNow, CurrencyId);
  ASSERT_EQ(book.size(), 1u);
  const BookOrder& b = book[0];
  EXPECT_EQ(b.id, 42);
  EXPECT_EQ(b.type, 1);
  EXPECT_EQ(b.currency, 2);
  EXPECT_FALSE(b.has_range);
  EXPECT_EQ(b.amount, 250.0);
  EXPECT_EQ(b.payment_method, "Revolut SEPA Instant");
  EXPECT_DOUBLE_EQ(b.premium, 1.5);
  EXPECT_EQ(b.expires_at, kNow + 3600);
  json j = json::parse(b.json_open + "}");
  EXPECT_EQ(j["coordinatorShortAlias"], "alpha");
  EXPECT_EQ(j["maker_nick"], "UptightPhotographer");
  EXPECT_EQ(j["maker_hash_id"], std::string(64, 'a'));
  EXPECT_EQ(j["bond_size"], "3.2");
  EXPECT_EQ(j["escrow_duration"], 10800);
  EXPECT_EQ(j["amount"], "250");
  EXPECT_EQ(j["premium"], "1.5");
  EXPECT_EQ(j["link"], "http://alpha.onion/order/alpha coordinator/42");
  EXPECT_EQ(j["nostr_event_id"].get<std::string>().size(), 64u);
  EXPECT_NEAR(j["latitude"].get<double>(), 57.64911, 1e-4);
  EXPECT_NEAR(j["longitude"].get<double>(), 10.40744, 1e-4);
}

TEST(EventBook, ARangeOrderKeepsItsBounds) {
  auto o = PublicOrder(43);
  o.has_range = true;
  o.amount = "";
  o.min_amount = "20";
  o.max_amount = "500";
  auto book = BookFromEvents({Signed(o, kNow - 5)}, "alpha", kNow, CurrencyId);
  ASSERT_EQ(book.size(), 1u);
  EXPECT_TRUE(book[0].has_range);
  EXPECT_EQ(book[0].min_amount, 20.0);
  EXPECT_EQ(book[0].max_amount, 500.0);
  EXPECT_FALSE(book[0].amount.has_value());
}

TEST(EventBook, OnlyTheNewestEventOfAnOrderCountsAndOnlyWhilePendingAndUnexpired) {
  auto taken = PublicOrder(1);
  auto taken_later = taken;
  taken_later.status = coordinator::OrderStatus::kWaitingCollateralAndInvoice;
  auto expired = PublicOrder(2);
  expired.expires_at = kNow - 1;
  auto unknown_currency = PublicOrder(3);
  auto fine = PublicOrder(4);
  std::vector<cn::Event> events = {
      Signed(taken, kNow - 100), Signed(taken_later, kNow - 50),  // pending, then in-progress
      Signed(expired, kNow - 100),                               // NIP-40 expiration passed
      Signed(unknown_currency, kNow - 100, "XYZ"),               // the client drops it
      Signed(fine, kNow - 100),
  };
  // The relay may give them in any order.
  std::swap(events[0], events[1]);
  auto book = BookFromEvents(events, "alpha", kNow, CurrencyId);
  ASSERT_EQ(book.size(), 1u);
  EXPECT_EQ(book[0].id, 4);
}

TEST(EventBook, GeohashDecodesToTheCentreOfItsCell) {
  auto ll = DecodeGeohash("u4pruydqqvj");  // the classic example: 57.64911, 10.40744
  ASSERT_TRUE(ll.has_value());
  EXPECT_NEAR(ll->first, 57.64911, 1e-5);
  EXPECT_NEAR(ll->second, 10.40744, 1e-5);
  EXPECT_FALSE(DecodeGeohash("").has_value());
  EXPECT_FALSE(DecodeGeohash("u4pa").has_value());  // 'a' is not in geohash's base32
}

}  // namespace
}  // namespace federation
