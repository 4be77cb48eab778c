// RoboSats' federation lottery (frontend/src/utils/federationLottery.ts) and the client's size
// limit (Coordinator.model.ts calculateSizeLimit).
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>

#include "federation/model/lottery.h"
#include "federation/model/size_limit.h"

namespace {

using federation::FederationLottery;
using federation::LotteryTicket;

// Replays fixed numbers as Math.random() would return them.
std::function<double()> Sequence(std::deque<double> numbers) {
  auto q = std::make_shared<std::deque<double>>(std::move(numbers));
  return [q] {
    double v = q->front();
    q->pop_front();
    return v;
  };
}

TEST(FederationLottery, ReproducesTheClientsOrderForAGivenSequence) {
  // JS, by hand: temple 30 → weight −ln(0.5)/30 = 0.0231, tie 0.1;
  // lake 30 → −ln(0.9)/30 = 0.0035, tie 0.2; zero 0 → ∞ (no draw), tie 0.3;
  // big 80 → capped to 50: −ln(0.2)/50 = 0.0322, tie 0.4; none 0 → ∞, tie 0.05.
  std::vector<LotteryTicket> tickets = {{"temple", 30}, {"lake", 30}, {"zero", 0}, {"big", 80}, {"none", 0}};
  auto order = FederationLottery(tickets, Sequence({0.5, 0.1, 0.9, 0.2, 0.3, 0.2, 0.4, 0.05}));
  EXPECT_EQ(order, (std::vector<std::string>{"lake", "temple", "big", "none", "zero"}));
}

TEST(FederationLottery, ZeroDonorsAreAlwaysLast) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<LotteryTicket> tickets = {{"a", 0}, {"b", 1}, {"c", 0}, {"d", 50}, {"e", 20}};
  for (int i = 0; i < 500; ++i) {
    auto order = FederationLottery(tickets, [&] { return u(rng); });
    ASSERT_EQ(order.size(), 5u);
    EXPECT_TRUE((order[3] == "a" || order[3] == "c") && (order[4] == "a" || order[4] == "c"));
  }
}

TEST(FederationLottery, WeightsAreCappedAtFifty) {
  // 50 % and 100 % donors are the same ticket: each comes first about half the time.
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::map<std::string, int> first;
  const int kDraws = 20000;
  for (int i = 0; i < kDraws; ++i) first[FederationLottery({{"fifty", 50}, {"hundred", 100}}, [&] { return u(rng); })[0]]++;
  EXPECT_NEAR(first["hundred"] / double(kDraws), 0.5, 0.02);
  // Below the cap the weights count: 10 vs 30 → P(30 first) = 30/40.
  first.clear();
  for (int i = 0; i < kDraws; ++i) first[FederationLottery({{"ten", 10}, {"thirty", 30}}, [&] { return u(rng); })[0]]++;
  EXPECT_NEAR(first["thirty"] / double(kDraws), 0.75, 0.02);
}

TEST(FederationLottery, DrawsWeightOnlyForDonors) {
  int calls = 0;
  FederationLottery({{"a", 0}, {"b", 10}, {"c", 0}}, [&] {
    ++calls;
    return 0.5;
  });
  EXPECT_EQ(calls, 4);  // a: tie; b: weight + tie; c: tie
}

constexpr int64_t kDay = 86'400;

TEST(SizeLimit, GrowsThirtyPercentPerDifficultyAdjustmentThenMatures) {
  auto established = federation::ParseEstablished("2025-01-01");
  ASSERT_TRUE(established.has_value());
  EXPECT_EQ(*established, 1'735'689'600);
  const int64_t t0 = *established;
  // ceil(elapsed / 14 days) adjustments; the loop multiplies (n − 1) times.
  EXPECT_DOUBLE_EQ(federation::SizeLimitSats(false, t0, t0), 250'000);             // n = 0
  EXPECT_DOUBLE_EQ(federation::SizeLimitSats(false, t0, t0 + 1), 250'000);         // n = 1
  EXPECT_DOUBLE_EQ(federation::SizeLimitSats(false, t0, t0 + 14 * kDay), 250'000); // n = 1 exactly
  EXPECT_DOUBLE_EQ(federation::SizeLimitSats(false, t0, t0 + 14 * kDay + 1), 325'000);  // n = 2
  double twelve = 250'000;
  for (int i = 0; i < 11; ++i) twelve *= 1.3;
  EXPECT_DOUBLE_EQ(federation::SizeLimitSats(false, t0, t0 + 12 * 14 * kDay), twelve);       // n = 12
  EXPECT_DOUBLE_EQ(federation::SizeLimitSats(false, t0, t0 + 12 * 14 * kDay + 1), 21e8);     // n = 13
  EXPECT_DOUBLE_EQ(federation::SizeLimitSats(true, t0, t0), 21e8);  // founders
  EXPECT_DOUBLE_EQ(federation::SizeLimitSats(false, t0, t0 - 30 * kDay), 250'000);  // a future date
}

TEST(SizeLimit, UsesTheEntrysDateAndFounderBadge) {
  federation::CoordinatorEntry e;
  e.established = "2025-01-01";
  EXPECT_DOUBLE_EQ(federation::SizeLimitSats(e, 1'735'689'600 + 15 * kDay), 325'000);
  e.badges.is_founder = true;
  EXPECT_DOUBLE_EQ(federation::SizeLimitSats(e, 1'735'689'600 + 15 * kDay), 21e8);
  e.badges.is_founder = false;
  e.established = "soon";
  EXPECT_DOUBLE_EQ(federation::SizeLimitSats(e, 1'735'689'600), 250'000);
}

}  // namespace
