// The joint book: parsing a coordinator's /api/book/ (404 = empty), filters as RoboSats'
// client applies them, merging in lottery order with stale marks, aggregated statistics, status.
#include <gtest/gtest.h>

#include "federation/book/book_filter.h"
#include "federation/book/book_order.h"
#include "federation/book/joint_book.h"
#include "federation/book/slot.h"

namespace {

using nlohmann::json;
using namespace federation;

json Order(int64_t id, int type, int currency, const char* amount, const char* min, const char* max,
           const char* method, const char* premium = "1.00", const char* expires = "2099-01-01T00:00:00.000000Z") {
  json o = {{"id", id},           {"type", type},       {"currency", currency},
            {"has_range", amount == nullptr},         {"payment_method", method},
            {"premium", premium}, {"expires_at", expires}, {"price", 100000.0}, {"maker_nick", "Robot"}};
  o["amount"] = amount ? json(amount) : json(nullptr);
  o["min_amount"] = min ? json(min) : json(nullptr);
  o["max_amount"] = max ? json(max) : json(nullptr);
  return o;
}

std::shared_ptr<const CoordinatorSlot> Slot(const std::string& alias, const json& book, int64_t updated_ms,
                                            const std::string& error = "") {
  auto s = std::make_shared<CoordinatorSlot>();
  s->short_alias = alias;
  auto parsed = ParseBook(200, book.dump(), alias);
  EXPECT_TRUE(parsed.ok());
  s->orders = std::make_shared<const std::vector<BookOrder>>(parsed.value());
  s->info = std::make_shared<const json>(json::object());
  s->updated_ms = updated_ms;
  s->latency_ms = 100;
  s->last_error = error;
  return s;
}

TEST(BookOrder, EmptyBookIsNotFoundNotAnError) {
  auto empty = ParseBook(404, R"({"not_found":"No orders found, be the first to make one"})", "lake");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(ParseBook(404, "<html>Not found</html>", "lake").ok());
  EXPECT_FALSE(ParseBook(500, "[]", "lake").ok());
  EXPECT_FALSE(ParseBook(200, "{}", "lake").ok());
}

TEST(BookOrder, TagsEachOrderWithItsCoordinator) {
  auto book = ParseBook(200, json::array({Order(7, 1, 2, "150.00", nullptr, nullptr, "SEPA")}).dump(), "lake");
  ASSERT_TRUE(book.ok());
  ASSERT_EQ(book->size(), 1u);
  const BookOrder& o = (*book)[0];
  EXPECT_EQ(o.id, 7);
  EXPECT_EQ(o.type, 1);
  EXPECT_EQ(o.currency, 2);
  EXPECT_EQ(o.amount, 150.0);
  EXPECT_EQ(o.premium, 1.0);
  EXPECT_EQ(o.expires_at, 4'070'908'800);
  json back = json::parse(o.json_open + "}");
  EXPECT_EQ(back["coordinatorShortAlias"], "lake");
  EXPECT_EQ(back["maker_nick"], "Robot");
}

TEST(BookOrder, ReadsIsoTimes) {
  EXPECT_EQ(ParseIsoTime("1970-01-02T00:00:01Z"), 86'401);
  EXPECT_EQ(ParseIsoTime("1970-01-02T00:00:01.123456Z"), 86'401);
  EXPECT_EQ(ParseIsoTime("1970-01-02T01:00:01+01:00"), 86'401);
  EXPECT_EQ(ParseIsoTime("yesterday"), std::nullopt);
}

TEST(BookFilter, FollowsTheClientsRules) {
  auto book = ParseBook(200,
                        json::array({Order(1, 0, 1, "100", nullptr, nullptr, "Strike Revolut"),
                                     Order(2, 1, 1, nullptr, "50", "500", "SEPA"),
                                     Order(3, 1, 2, "20", nullptr, nullptr, "Cash F2F")})
                            .dump(),
                        "lake")
                  .value();
  auto with = [](auto set) {
    BookFilter f;
    set(f);
    return f;
  };
  auto ids = [&](BookFilter f) {
    std::vector<int64_t> out;
    for (const auto& o : book)
      if (Matches(f, o, "lake")) out.push_back(o.id);
    return out;
  };
  EXPECT_EQ(ids({}), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(ids(with([](BookFilter& f) { f.currency = 1; })), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(ids(with([](BookFilter& f) { f.type = 1; })), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(ids(with([](BookFilter& f) { f.payment_method = "revolut"; })), (std::vector<int64_t>{1}));
  EXPECT_EQ(ids(with([](BookFilter& f) { f.amount = 100; })), (std::vector<int64_t>{1, 2}));  // fixed 100, range 50..500
  EXPECT_EQ(ids(with([](BookFilter& f) { f.amount = 501; })), (std::vector<int64_t>{}));
  EXPECT_EQ(ids(with([](BookFilter& f) { f.amount = 50; })), (std::vector<int64_t>{2}));
  EXPECT_EQ(ids(with([](BookFilter& f) { f.coordinator = "temple"; })), (std::vector<int64_t>{}));
}

TEST(BookFilter, QueryErrorsNameTheParameter) {
  auto ok = FilterFromQuery({{"currency", "2"}, {"type", "1"}, {"amount", "12.5"}, {"payment_method", "SEPA"}});
  ASSERT_TRUE(ok.ok()) << ok.error();
  EXPECT_EQ(ok->currency, 2);
  EXPECT_EQ(ok->amount, 12.5);
  EXPECT_EQ(FilterFromQuery({{"currency", "usd"}}).error(), "currency: 'usd' is not a currency id (0 = any)");
  EXPECT_EQ(FilterFromQuery({{"type", "3"}}).error(), "type: '3' is not 0 (buy), 1 (sell) or 2 (any)");
  EXPECT_EQ(FilterFromQuery({{"amount", "-1"}}).error(), "amount: '-1' is not a non-negative number");
  EXPECT_TRUE(FilterFromQuery({{"currency", ""}, {"amount", ""}}).ok());
}

TEST(JointBook, MergesInTheGivenOrderDropsExpiredAndMarksStale) {
  const int64_t now = 4'000'000'000'000;  // ms
  auto lake = Slot("lake", json::array({Order(1, 0, 1, "10", nullptr, nullptr, "SEPA"),
                                        Order(2, 0, 1, "10", nullptr, nullptr, "SEPA", "1", "2000-01-01T00:00:00Z")}),
                   now - 5'000);
  auto temple = Slot("temple", json::array({Order(1, 1, 1, "20", nullptr, nullptr, "Strike")}), now - 90'000,
                     "/api/book/: Connection refused");
  auto never = std::make_shared<CoordinatorSlot>();
  never->short_alias = "bazaar";
  std::vector<const CoordinatorSlot*> order = {temple.get(), never.get(), lake.get()};
  auto matched = SelectOrders(order, {}, now);
  ASSERT_EQ(matched.size(), 2u);  // lake's order 2 expired
  EXPECT_EQ(matched[0].slot, temple.get());
  EXPECT_EQ(matched[1].slot, lake.get());
  json merged = json::parse(OrdersJson(matched, now, 10'000));
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0]["coordinatorShortAlias"], "temple");
  EXPECT_EQ(merged[0]["stale"], true);
  EXPECT_EQ(merged[0]["data_age_s"], 90);
  EXPECT_EQ(merged[1]["coordinatorShortAlias"], "lake");
  EXPECT_EQ(merged[1]["stale"], false);
  EXPECT_EQ(merged[1]["id"], 1);
  EXPECT_EQ(OrdersJson({}, now, 10'000), "[]");
}

TEST(JointBook, AggregatesLikeTheClient) {
  auto a = std::make_shared<CoordinatorSlot>();
  a->updated_ms = 1;
  a->info = std::make_shared<const json>(json{{"num_public_buy_orders", 2}, {"num_public_sell_orders", 1},
                                              {"book_liquidity", 1000}, {"active_robots_today", 5},
                                              {"last_day_nonkyc_btc_premium", 2.0}, {"last_day_volume", 0.3},
                                              {"lifetime_volume", 10.0}, {"version", {{"major", 0}, {"minor", 8}, {"patch", 6}}}});
  auto b = std::make_shared<CoordinatorSlot>();
  b->updated_ms = 1;
  b->last_error = "timeout";  // offline, its kept info still counts (as the client's loaded info)
  b->info = std::make_shared<const json>(json{{"num_public_buy_orders", 3}, {"num_public_sell_orders", 4},
                                              {"book_liquidity", 500}, {"active_robots_today", 9},
                                              {"last_day_nonkyc_btc_premium", -1.0}, {"last_day_volume", 0.1},
                                              {"lifetime_volume", 1.5}, {"version", {{"major", 0}, {"minor", 9}, {"patch", 0}}}});
  auto c = std::make_shared<CoordinatorSlot>();  // never fetched
  json s = AggregateStats({a.get(), b.get(), c.get()}, 10, 10'000);
  EXPECT_EQ(s["num_public_buy_orders"], 5);
  EXPECT_EQ(s["num_public_sell_orders"], 5);
  EXPECT_EQ(s["book_liquidity"], 1500);
  EXPECT_EQ(s["active_robots_today"], 9);
  EXPECT_NEAR(s["last_day_nonkyc_btc_premium"].get<double>(), (2.0 * 0.3 - 1.0 * 0.1) / 0.4, 1e-12);
  EXPECT_NEAR(s["last_day_volume"].get<double>(), 0.4, 1e-12);
  EXPECT_EQ(s["version"], (json{{"major", 0}, {"minor", 9}, {"patch", 0}}));
  EXPECT_EQ(s["onlineCoordinators"], 1);
  EXPECT_EQ(s["totalCoordinators"], 3);
  EXPECT_EQ(AggregateStats({c.get()}, 10, 10'000)["last_day_nonkyc_btc_premium"], 0.0);
}

TEST(CoordinatorSlot, StatusFromTheLastRound) {
  CoordinatorSlot s;
  EXPECT_EQ(StatusOf(s, 1000, 500), SlotStatus::kOffline);  // never fetched
  s.updated_ms = 900;
  s.latency_ms = 100;
  EXPECT_EQ(StatusOf(s, 1000, 500), SlotStatus::kOnline);
  s.latency_ms = 600;
  EXPECT_EQ(StatusOf(s, 1000, 500), SlotStatus::kSlow);
  s.latency_ms = 100;
  s.in_flight_since_ms = 300;
  EXPECT_EQ(StatusOf(s, 1000, 500), SlotStatus::kSlow);  // a round under way for 700 ms
  s.last_error = "refused";
  EXPECT_EQ(StatusOf(s, 1000, 500), SlotStatus::kOffline);
  EXPECT_EQ(DataAgeSeconds(s, 3'900), 3);
}

}  // namespace
