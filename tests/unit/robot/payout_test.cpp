// The payout invoice amount: the RoboSats client's arithmetic (LightningPayout.tsx), checked
// against vectors node computed with the client's own expressions (fixtures/payout_vectors.tsv).
#include <gtest/gtest.h>

#include <sstream>

#include "federation/robot/payout.h"
#include "tests/unit/robot/robot_fixtures.h"

namespace {

using federation::robot::PayoutInvoiceSats;
using federation::robot::RoutingBudgetSats;

TEST(Payout, InvoiceAmountAndBudgetMatchTheClientsFormulas) {
  std::stringstream in(robot_test::Fixture("payout_vectors.tsv"));
  int rows = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    std::stringstream fields(line);
    int64_t n = 0, ppm = 0, amount = 0, budget = 0;
    fields >> n >> ppm >> amount >> budget;
    ASSERT_FALSE(fields.fail()) << line;
    EXPECT_EQ(PayoutInvoiceSats(n, ppm), amount) << "n=" << n << " ppm=" << ppm;
    EXPECT_EQ(RoutingBudgetSats(n, ppm), budget) << "n=" << n << " ppm=" << ppm;
    ++rows;
  }
  EXPECT_EQ(rows, 247);
}

TEST(Payout, DefaultBudgetIsAThousandPpm) {
  EXPECT_EQ(federation::robot::kDefaultRoutingBudgetPpm, 1000);
  // 166 251 sats at 1000 ppm: 166 251 − 166.251 = 166 084.749 → 166 084.
  EXPECT_EQ(PayoutInvoiceSats(166251, 1000), 166084);
  EXPECT_EQ(PayoutInvoiceSats(100000, 0), 100000);
}

}  // namespace
