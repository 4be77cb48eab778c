// The money arithmetic against RoboSats' own: every expectation below was computed by RoboSats'
// formulas run in Python (Debian 12's python3), so rounding (Python's round(): ties to even),
// the order of the float operations and the Decimal bond sizes are those of RoboSats.
#include <gtest/gtest.h>

#include "coordinator/money.h"

namespace coordinator {
namespace {

struct FeeRow {
  int64_t trade_sats;
  bool maker_side;          // the fee fraction is the maker's (FEE × MAKER_FEE_SPLIT)
  int64_t invoice_amount;   // api/logics.py payout_amount: round(n − n × fee)
  int64_t escrow_amount;    // api/logics.py escrow_amount: round(n + n × fee)
};

// FEE = 0.002, MAKER_FEE_SPLIT = 0.125 (RoboSats .env-sample).
constexpr FeeRow kFeeRows[] = {
    {20000, true, 19995, 20005},       {20000, false, 19965, 20035},
    {100000, true, 99975, 100025},     {100000, false, 99825, 100175},
    {101234, true, 101209, 101259},    {101234, false, 101057, 101411},
    {102000, true, 101974, 102026},    {102000, false, 101822, 102178},  // 101974.5: tie, to even
    {106000, true, 105974, 106026},    {106000, false, 105814, 106186},  // 105973.5: tie, to even
    {123457, true, 123426, 123488},    {123457, false, 123241, 123673},  // floor would say 123240
    {250001, true, 249938, 250064},    {250001, false, 249563, 250439},
    {333333, true, 333250, 333416},    {333333, false, 332750, 333916},
    {499999, true, 499874, 500124},    {499999, false, 499124, 500874},
    {500000, true, 499875, 500125},    {500000, false, 499125, 500875},
    {4999999, true, 4998749, 5001249}, {4999999, false, 4991249, 5008749},
};

TEST(Money, InvoiceAndEscrowAmountsRoundAsRoboSats) {
  TradeParams p;  // fee 0.002, maker share 0.125
  for (const auto& r : kFeeRows) {
    // The buyer pays the maker's fee when it made a BUY order; the seller when it made a SELL.
    const OrderType buyer_side = r.maker_side ? OrderType::kBuy : OrderType::kSell;
    const OrderType seller_side = r.maker_side ? OrderType::kSell : OrderType::kBuy;
    EXPECT_EQ(PayoutSats(p, buyer_side, r.trade_sats), r.invoice_amount) << r.trade_sats;
    EXPECT_EQ(EscrowSats(p, seller_side, r.trade_sats), r.escrow_amount) << r.trade_sats;
  }
}

struct BudgetRow {
  int64_t invoice_amount;
  int64_t ppm;
  int64_t invoice_sats;  // int(n − float(n) × (ppm / 1_000_000)), = the client's Math.floor(…)
};

constexpr BudgetRow kBudgetRows[] = {
    {101974, 0, 101974},      {101974, 1, 101973},      {101974, 999, 101872},    {101974, 1000, 101872},
    {101974, 2500, 101719},   {101974, 100000, 91776},  {100000, 0, 100000},      {100000, 1, 99999},
    {100000, 999, 99900},     {100000, 1000, 99900},    {100000, 2500, 99750},    {100000, 100000, 90000},
    {123240, 0, 123240},      {123240, 1, 123239},      {123240, 999, 123116},    {123240, 1000, 123116},
    {123240, 2500, 122931},   {123240, 100000, 110916}, {99999, 0, 99999},        {99999, 1, 99998},
    {99999, 999, 99899},      {99999, 1000, 99899},     {99999, 2500, 99749},     {99999, 100000, 89999},
    {499123, 0, 499123},      {499123, 1, 499122},      {499123, 999, 498624},    {499123, 1000, 498623},
    {499123, 2500, 497875},   {499123, 100000, 449210},
};

TEST(Money, PayoutInvoiceAmountIsTheClientsFloorForEveryBudget) {
  for (const auto& r : kBudgetRows) {
    EXPECT_EQ(PayoutInvoiceSats(r.invoice_amount, r.ppm), r.invoice_sats) << r.invoice_amount << " " << r.ppm;
    EXPECT_EQ(RoutingBudgetSats(r.invoice_amount, r.ppm), r.invoice_amount - r.invoice_sats);
  }
}

TEST(Money, BondsTruncateTheExactDecimalProduct) {
  // api/logics.py: int(last_satoshis * bond_size / 100) with a Decimal bond_size.
  EXPECT_EQ(BondSats(100000, 3), 3000);
  EXPECT_EQ(BondSats(123457, 3), 3703);
  EXPECT_EQ(BondSats(123457, 2.5), 3086);
  EXPECT_EQ(BondSats(99999, 3.33), 3329);
  EXPECT_EQ(BondSats(500000, 15), 75000);
  EXPECT_EQ(BondSats(20001, 2.01), 402);
}

TEST(Money, StatusSecondsAreRoboSatsTimers) {
  TradeParams p;
  Order o;
  o.public_duration = 3600;
  o.escrow_duration = 7200;
  EXPECT_EQ(StatusSeconds(p, o, OrderStatus::kWaitingMakerBond), p.maker_bond_expiry_s);
  EXPECT_EQ(StatusSeconds(p, o, OrderStatus::kPublic), 3600);
  EXPECT_EQ(StatusSeconds(p, o, OrderStatus::kWaitingTakerBond), p.taker_bond_expiry_s);
  EXPECT_EQ(StatusSeconds(p, o, OrderStatus::kWaitingCollateral), 7200);
  EXPECT_EQ(StatusSeconds(p, o, OrderStatus::kFiatSent), p.fiat_exchange_duration_s);
  EXPECT_EQ(StatusSeconds(p, o, OrderStatus::kInDispute), 86400);
  EXPECT_EQ(StatusSeconds(p, o, OrderStatus::kSuccess), 100 * 86400);
  EXPECT_EQ(StatusSeconds(p, o, OrderStatus::kCancelled), 0);
}

}  // namespace
}  // namespace coordinator
