// Kind-38383 order events: the tags RoboSats v0.8.6 emits for the same order (api/nostr.py
// generate_tags, as its api/tests/test_nostr.py reads them), our NIP-69 status values, and the
// orders never published.
#include "coordinator/nostr/order_event.h"

#include <gtest/gtest.h>

namespace coordinator::nostr {
namespace {

Order SellOrder() {
  Order o;
  o.id = 42;
  o.status = OrderStatus::kPublic;
  o.type = OrderType::kSell;
  o.currency = 2;
  o.amount = "100.00000000";
  o.payment_method = "Revolut SEPA";
  o.premium = "1.50";
  o.bond_size = "3.00";
  o.escrow_duration = 3600;
  o.expires_at = 4070908800;  // 2099-01-01
  o.description = "fast";
  return o;
}

Robot Maker() {
  Robot r;
  r.nickname = "RoboMaker";
  r.hash_id = "abc123";
  return r;
}

const OrderEventFacts kFacts{"TestCoord", "test.onion", "testnet"};

TEST(OrderEvent, TagsAreRoboSatsTagsFieldForField) {
  // RoboSats: generate_tags(order, "RoboMaker", "abc123", "EUR") with COORDINATOR_ALIAS
  // "TestCoord", HOST_NAME "test.onion", NETWORK "testnet"; d = uuid(md5("TestCoord42")).
  const Tags expected = {
      {"d", "5223b4f9-4a94-d849-e75a-f44e49f1d87d"},
      {"name", "RoboMaker", "abc123"},
      {"k", "sell"},
      {"f", "EUR"},
      {"s", "pending"},
      {"amt", "0"},
      {"fa", "100.00000000"},
      {"pm", "Revolut", "SEPA"},
      {"premium", "1.50"},
      {"source", "http://test.onion/order/testcoord/42"},
      {"expiration", "4070908800", "3600"},
      {"y", "robosats", "testcoord"},
      {"network", "testnet"},
      {"layer", "lightning"},
      {"bond", "3.00"},
      {"z", "order"},
  };
  auto e = OrderEvent(SellOrder(), Maker(), "EUR", kFacts, 1700000000);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->tags, expected);
  EXPECT_EQ(e->kind, 38383);
  EXPECT_EQ(e->created_at, 1700000000);
  EXPECT_EQ(e->content, "fast");
}

TEST(OrderEvent, RangeBuyOrderWithCoordinatesAndOddPaymentMethods) {
  Order o = SellOrder();
  o.type = OrderType::kBuy;
  o.has_range = true;
  o.amount.clear();
  o.min_amount = "20.00000000";
  o.max_amount = "200.00000000";
  o.payment_method = "Cash  F2F";  // Python's split(" ") keeps the empty piece
  o.latitude = "57.649110";
  o.longitude = "10.407440";
  auto e = OrderEvent(o, Maker(), "EUR", kFacts, 1700000000);
  ASSERT_TRUE(e);
  auto find = [&](const char* name) {
    for (const auto& t : e->tags) if (t[0] == name) return t;
    return Tag{};
  };
  EXPECT_EQ(find("k"), (Tag{"k", "buy"}));
  EXPECT_EQ(find("fa"), (Tag{"fa", "20.00000000", "200.00000000"}));
  EXPECT_EQ(find("pm"), (Tag{"pm", "Cash", "", "F2F"}));
  ASSERT_EQ(find("g").size(), 2u);
  EXPECT_EQ(find("g")[1].substr(0, 11), "u4pruydqqvj");  // the geohash of 57.64911, 10.40744
  EXPECT_EQ(e->tags.back()[0], "g");
}

TEST(OrderEvent, GeohashMatchesKnownValues) {
  EXPECT_EQ(Geohash(57.64911, 10.40744, 11), "u4pruydqqvj");
  EXPECT_EQ(Geohash(42.6, -5.6, 5), "ezs42");
  EXPECT_EQ(Geohash(0.0001, 0.0001, 12).size(), 12u);
}

TEST(OrderEvent, StatusTagMovesTheOrderOutOfEveryBook) {
  EXPECT_EQ(StatusTag(OrderStatus::kWaitingMakerBond), std::nullopt);
  EXPECT_EQ(StatusTag(OrderStatus::kPublic), "pending");
  EXPECT_EQ(StatusTag(OrderStatus::kPaused), "canceled");
  EXPECT_EQ(StatusTag(OrderStatus::kCancelled), "canceled");
  EXPECT_EQ(StatusTag(OrderStatus::kCollaborativelyCancelled), "canceled");
  EXPECT_EQ(StatusTag(OrderStatus::kExpired), "expired");
  for (auto s : {OrderStatus::kWaitingTakerBond, OrderStatus::kWaitingCollateralAndInvoice,
                 OrderStatus::kWaitingCollateral, OrderStatus::kWaitingInvoice, OrderStatus::kSendingFiat,
                 OrderStatus::kFiatSent, OrderStatus::kInDispute, OrderStatus::kSendingSats,
                 OrderStatus::kRoutingFailed, OrderStatus::kWaitingDisputeResolution}) {
    EXPECT_EQ(StatusTag(s), "in-progress") << static_cast<int>(s);
  }
  for (auto s : {OrderStatus::kSuccess, OrderStatus::kMakerLostDispute, OrderStatus::kTakerLostDispute}) {
    EXPECT_EQ(StatusTag(s), "success") << static_cast<int>(s);
  }
}

TEST(OrderEvent, ClosingEventOutlivesItsCreationSoRelaysKeepIt) {
  Order o = SellOrder();
  o.status = OrderStatus::kExpired;
  o.expires_at = 1700000000;  // already past: a NIP-40 relay would drop an event expiring now
  auto e = OrderEvent(o, Maker(), "EUR", kFacts, 1700000005);
  ASSERT_TRUE(e);
  bool found = false;
  for (const auto& t : e->tags) {
    if (t[0] == "s") {
      EXPECT_EQ(t[1], "expired");
    }
    if (t[0] == "expiration") {
      found = true;
      EXPECT_EQ(t[1], std::to_string(1700000005 + kClosedEventLifetimeS));
      EXPECT_EQ(t[2], "3600");
    }
  }
  EXPECT_TRUE(found);
}

TEST(OrderEvent, PasswordProtectedAndNeverPublicOrdersAreNotPublished) {
  Order o = SellOrder();
  o.password_hash = std::string(64, 'a');
  EXPECT_FALSE(OrderEvent(o, Maker(), "EUR", kFacts, 1));
  Order w = SellOrder();
  w.status = OrderStatus::kWaitingMakerBond;
  EXPECT_FALSE(OrderEvent(w, Maker(), "EUR", kFacts, 1));
}

TEST(OrderEvent, DTagIsRoboSatsUuidOfAliasAndId) {
  EXPECT_EQ(OrderDTag("TestCoord", 42), "5223b4f9-4a94-d849-e75a-f44e49f1d87d");
  EXPECT_NE(OrderDTag("testcoord", 42), OrderDTag("TestCoord", 42));  // the alias as configured
}

}  // namespace
}  // namespace coordinator::nostr
