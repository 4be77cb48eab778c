// The consistency watchdog's comparison (federation/watchdog/consistency.h): a coordinator's
// /api/book/ against its signed kind-38383 events. Quiet for an honest one; an order public in
// one and not the other, or a field that differs, is reported with the coordinator's name once
// it has lasted the grace period — and forgotten when it heals.
#include "federation/watchdog/consistency.h"

#include <gtest/gtest.h>

#include "coordinator/nostr/event.h"
#include "escrow/crypto/secp256k1.h"

namespace federation {
namespace {

namespace cn = coordinator::nostr;

constexpr int64_t kNow = 1700000000;

std::string Code(int id) { return id == 1 ? "USD" : id == 2 ? "EUR" : ""; }

BookOrder Order(int64_t id, int type, double amount, const std::string& pm, double premium) {
  BookOrder o;
  o.id = id;
  o.type = type;
  o.currency = 1;
  o.amount = amount;
  o.payment_method = pm;
  o.premium = premium;
  return o;
}

// An event as RoboSats' api/nostr.py shapes it (the fields the watchdog reads).
cn::Event Event(int64_t id, const std::string& s, const std::string& k, const std::string& fa, std::vector<std::string> pm,
                const std::string& premium, int64_t expiration = kNow + 3600, int64_t created_at = kNow - 10) {
  cn::Event e;
  e.kind = 38383;
  e.created_at = created_at;
  cn::Tag pm_tag = {"pm"};
  pm_tag.insert(pm_tag.end(), pm.begin(), pm.end());
  e.tags = {{"d", "uuid-" + std::to_string(id)}, {"k", k}, {"f", "USD"}, {"s", s}, {"amt", "0"}, {"fa", fa}, pm_tag,
            {"premium", premium}, {"source", "http://host:1/order/local coordinator/" + std::to_string(id)},
            {"expiration", std::to_string(expiration), "10800"}};
  cn::Sign(e, escrow::crypto::Signer::FromSeed("watchdog-test"));
  return e;
}

TEST(ConsistencyWatchdog, AnHonestCoordinatorIsQuiet) {
  std::vector<BookOrder> book = {Order(7, 1, 100, "Strike Revolut", 1.5), Order(8, 0, 50, "SEPA", -2)};
  std::vector<cn::Event> events = {
      Event(7, "pending", "sell", "100.00000000", {"Strike", "Revolut"}, "1.50"),
      Event(8, "pending", "buy", "50.00000000", {"SEPA"}, "-2.00"),
      // Orders that left the book, closed on the relay; and an old pending state superseded.
      Event(9, "canceled", "sell", "10.00000000", {"SEPA"}, "0.00"),
      Event(9, "pending", "sell", "10.00000000", {"SEPA"}, "0.00", kNow + 3600, kNow - 100),
      // Pending, but its NIP-40 expiration passed: no client shows it.
      Event(10, "pending", "sell", "10.00000000", {"SEPA"}, "0.00", kNow - 1),
  };
  EXPECT_TRUE(Compare("alpha", book, events, kNow, Code).empty());
}

TEST(ConsistencyWatchdog, APublicOrderWithoutEventAGhostEventAndADifferingFieldAreNamed) {
  std::vector<BookOrder> book = {Order(7, 1, 100, "Strike", 1.5), Order(8, 0, 50, "SEPA", -2)};
  std::vector<cn::Event> events = {
      Event(8, "pending", "buy", "50.00000000", {"SEPA"}, "3.00"),     // premium differs
      Event(11, "pending", "sell", "20.00000000", {"SEPA"}, "0.00"),  // not in the book
  };
  auto found = Compare("liar", book, events, kNow, Code);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].order_id, 7);
  EXPECT_EQ(found[0].kind, "missing_event");
  EXPECT_EQ(found[1].order_id, 8);
  EXPECT_EQ(found[1].kind, "field_differs");
  EXPECT_NE(found[1].detail.find("premium"), std::string::npos) << found[1].detail;
  EXPECT_EQ(found[2].order_id, 11);
  EXPECT_EQ(found[2].kind, "missing_in_book");
  for (const auto& d : found) EXPECT_EQ(d.coordinator, "liar");
}

TEST(ConsistencyWatchdog, ADiscrepancyIsReportedOnlyAfterTheGracePeriodAndForgottenWhenHealed) {
  ConsistencyWatchdog w(60000);
  std::vector<BookOrder> book = {Order(7, 1, 100, "Strike", 1.5)};
  const int64_t t0 = kNow * 1000;
  // The order was just made: its event is not there yet.
  EXPECT_TRUE(w.Observe("alpha", Compare("alpha", book, {}, kNow, Code), t0).empty());
  EXPECT_TRUE(w.Reported(t0 + 59999).empty());
  // Healed within the grace period: never reported.
  std::vector<cn::Event> events = {Event(7, "pending", "sell", "100.00000000", {"Strike"}, "1.50")};
  EXPECT_TRUE(w.Observe("alpha", Compare("alpha", book, events, kNow, Code), t0 + 30000).empty());
  EXPECT_TRUE(w.Reported(t0 + 120000).empty());
  // A lasting one: reported once when the grace period passes, listed until it heals.
  EXPECT_TRUE(w.Observe("beta", Compare("beta", book, {}, kNow, Code), t0).empty());
  auto fresh = w.Observe("beta", Compare("beta", book, {}, kNow, Code), t0 + 60000);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].coordinator, "beta");
  EXPECT_EQ(fresh[0].since_ms, t0);
  EXPECT_TRUE(w.Observe("beta", Compare("beta", book, {}, kNow, Code), t0 + 90000).empty());
  EXPECT_EQ(w.Reported(t0 + 90000).size(), 1u);
  w.Observe("beta", Compare("beta", book, events, kNow, Code), t0 + 120000);
  EXPECT_TRUE(w.Reported(t0 + 120000).empty());
}

TEST(ConsistencyWatchdog, TheOrderIdComesFromTheSourceTag) {
  EXPECT_EQ(OrderIdOfEvent(Event(42, "pending", "sell", "1", {"x"}, "0")), 42);
  cn::Event none;
  none.tags = {{"source", "http://host/order/alias/not-a-number"}};
  EXPECT_FALSE(OrderIdOfEvent(none).has_value());
}

}  // namespace
}  // namespace federation
