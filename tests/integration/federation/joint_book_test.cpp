// federationd over a real SOCKS5 proxy with three coordinatords: the joint book carries every
// coordinator's orders; a slow coordinator delays nobody else; a killed one keeps its last
// orders, flagged offline with their age; without the proxy nothing is fetched.
#include "tests/integration/federation/federation_fixture.h"

namespace federation_test {
namespace {

TEST_F(FederationCluster, JointBookHasEveryCoordinatorsOrdersThroughTheProxy) {
  ASSERT_TRUE(WaitAllInBook()) << Get("/api/book/").dump();
  json book = Get("/api/book/");
  ASSERT_EQ(book.size(), 4u) << book.dump();
  for (const auto& o : book) {
    EXPECT_FALSE(o["stale"].get<bool>()) << o.dump();
    EXPECT_TRUE(o.contains("maker_nick")) << o.dump();
  }
  // Filters: USD (currency 1) only — one order from each coordinator; EUR — beta's.
  json usd = Get("/api/book/?currency=1");
  EXPECT_EQ(AliasesInBook(usd), (std::set<std::string>{"alpha", "beta", "gamma"}));
  EXPECT_EQ(usd.size(), 3u);
  json eur = Get("/api/book/?currency=2");
  ASSERT_EQ(eur.size(), 1u);
  EXPECT_EQ(eur[0]["coordinatorShortAlias"], "beta");
  EXPECT_EQ(Get("/api/book/?type=0").size(), 1u);               // beta's buy order
  EXPECT_EQ(Get("/api/book/?payment_method=strike").size(), 2u);  // alpha and gamma
  EXPECT_EQ(Get("/api/book/?currency=1&amount=150").size(), 0u);
  EXPECT_EQ(Get("/api/book/?currency=1&amount=200").size(), 1u);
  // Lottery order: gamma donates 0 % and always comes last.
  EXPECT_EQ(Get("/api/book/?currency=1&seed=7").back()["coordinatorShortAlias"], "gamma");
  // Totals: 4 public orders (1 buy, 3 sell), all coordinators online or slow.
  json info = Get("/api/info/");
  EXPECT_EQ(info["num_public_buy_orders"], 1);
  EXPECT_EQ(info["num_public_sell_orders"], 3);
  EXPECT_EQ(info["totalCoordinators"], 3);
  EXPECT_EQ(info["onlineCoordinators"], 3);
  auto coordinators = Coordinators();
  EXPECT_EQ(coordinators["alpha"]["info"].value("bond_size", 0.0), 3.0);
  EXPECT_EQ(coordinators["gamma"]["status"], "slow") << coordinators["gamma"].dump();
  EXPECT_GE(coordinators["gamma"]["latency_ms"].get<int64_t>(), m_gamma_delay.count());
  EXPECT_EQ(coordinators["alpha"]["badges"]["isFounder"], true);
  EXPECT_DOUBLE_EQ(coordinators["alpha"]["size_limit"].get<double>(), 21e8);  // founder
  // One coordinator's detail carries its limits (per currency, as its /api/limits/).
  json detail = Get("/api/coordinator/?short_alias=beta");
  EXPECT_TRUE(detail["limits"].contains("1")) << detail.dump().substr(0, 400);

  // The proxy carried it all: without it, every coordinator goes offline (each still runs).
  StopSocks();
  bool all_failed = testsupport::WaitUntil(
      [&] {
        auto c = Coordinators();
        for (const auto& alias : kAliases) {
          if (c[alias].value("last_error", "").empty()) return false;
        }
        return true;
      },
      kWait, 100ms);
  EXPECT_TRUE(all_failed) << Get("/api/coordinators/").dump();
  for (const auto& alias : kAliases) EXPECT_TRUE(m_coordinators[alias]->Wait(0ms) == std::nullopt) << alias;
  // Their orders are kept, flagged stale.
  for (const auto& o : Get("/api/book/")) EXPECT_TRUE(o["stale"].get<bool>()) << o.dump();
  // Back through the proxy, back online.
  StartSocks();
  EXPECT_TRUE(testsupport::WaitUntil(
      [&] {
        auto c = Coordinators();
        return c["alpha"]["status"] == "online" && c["beta"]["status"] == "online";
      },
      kWait, 100ms));
}

// The slow coordinator (gamma, each request held 1.5 s by its DelayProxy) never holds up the
// others' refresh: while gamma's slot is updated once, alpha's and beta's are updated again
// and again. Measured by the slots' own update timestamps, not by wall-clock thresholds.
TEST_F(FederationCluster, SlowCoordinatorDoesNotDelayTheOthers) {
  ASSERT_TRUE(WaitAllInBook());
  std::map<std::string, std::vector<int64_t>> updates;  // distinct updated_ms, in order
  auto sample = [&] {
    for (auto& [alias, c] : Coordinators()) {
      int64_t t = c.value("updated_ms", int64_t{0});
      auto& seen = updates[alias];
      if (t != 0 && (seen.empty() || seen.back() != t)) seen.push_back(t);
    }
  };
  // Until gamma has been updated three times (bounded by count and time).
  bool enough = testsupport::WaitUntil(
      [&] {
        sample();
        return updates["gamma"].size() >= 3;
      },
      kWait, 50ms);
  ASSERT_TRUE(enough) << "gamma updates: " << updates["gamma"].size();
  const int64_t from = updates["gamma"][updates["gamma"].size() - 2];
  const int64_t to = updates["gamma"].back();
  for (const char* fast : {"alpha", "beta"}) {
    int between = 0;
    for (int64_t t : updates[fast]) between += t > from && t < to;
    EXPECT_GE(between, 2) << fast << " was updated " << between << " times between two updates of gamma (" << from
                          << " → " << to << ")";
  }
}

TEST_F(FederationCluster, KilledCoordinatorKeepsItsOrdersFlaggedOfflineWithTheirAge) {
  ASSERT_TRUE(WaitAllInBook());
  ASSERT_EQ(m_coordinators["beta"]->Stop(kWait), std::optional<int>(0));
  ASSERT_TRUE(testsupport::WaitUntil([&] { return Coordinators()["beta"]["status"] == "offline"; }, kWait, 100ms));
  const int64_t alpha_before = Coordinators()["alpha"]["updated_ms"].get<int64_t>();
  // Wait until beta's data is at least a second old, then look again.
  ASSERT_TRUE(testsupport::WaitUntil([&] { return Coordinators()["beta"]["data_age_s"].get<int64_t>() >= 1; }, kWait,
                                     100ms));
  json book = Get("/api/book/");
  int beta_orders = 0;
  for (const auto& o : book) {
    const bool is_beta = o["coordinatorShortAlias"] == "beta";
    EXPECT_EQ(o["stale"].get<bool>(), is_beta) << o.dump();
    if (is_beta) {
      ++beta_orders;
      EXPECT_GE(o["data_age_s"].get<int64_t>(), 1);
    }
  }
  EXPECT_EQ(beta_orders, 2);
  auto c = Coordinators();
  EXPECT_FALSE(c["beta"]["last_error"].get<std::string>().empty());
  EXPECT_FALSE(c["beta"]["last_seen"].get<std::string>().empty());
  // The others stay fresh.
  EXPECT_GT(c["alpha"]["updated_ms"].get<int64_t>(), alpha_before);
  EXPECT_NE(c["alpha"]["status"], "offline");
  EXPECT_NE(c["gamma"]["status"], "offline");
  EXPECT_EQ(Get("/api/info/")["onlineCoordinators"], 2);
  // The page marks it too, with the age of its data.
  auto page = RobotClient::Anonymous(m_url + "/?currency=1");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("data-short-alias=\"beta\" data-status=\"offline\""), std::string::npos);
  EXPECT_NE(page.body.find("offline · data "), std::string::npos);
}

}  // namespace
}  // namespace federation_test
