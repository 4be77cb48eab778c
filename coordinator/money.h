// The money arithmetic of a trade, in one place (DESIGN.md "Money rules"). All functions are
// pure; amounts are satoshis and round down (the coordinator never asks for or pays a
// fraction of a sat more than the rules say).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "coordinator/model.h"
#include "coordinator/params.h"

namespace coordinator {

// Fee fractions: maker pays fee × share, taker fee × (1 − share).
double MakerFeeFraction(const TradeParams& p);
double TakerFeeFraction(const TradeParams& p);
// The buyer is the maker of a BUY order and the taker of a SELL order.
double BuyerFeeFraction(const TradeParams& p, OrderType type);
double SellerFeeFraction(const TradeParams& p, OrderType type);

// bond = trade × bond_size% (floor).
int64_t BondSats(int64_t trade_sats, double bond_size_percent);
// escrow = trade × (1 + seller fee) (floor).
int64_t EscrowSats(const TradeParams& p, OrderType type, int64_t trade_sats);
// What the buyer is owed before routing: trade × (1 − buyer fee) (floor): RoboSats'
// `invoice_amount`.
int64_t PayoutSats(const TradeParams& p, OrderType type, int64_t trade_sats);
// Routing budget reserved from the payout: payout × ppm / 1e6 (floor).
int64_t RoutingBudgetSats(int64_t payout_sats, int64_t ppm);

// Blocks a hold invoice must stay held: ceil(seconds × safety factor / block time).
uint32_t CltvBlocksFor(const TradeParams& p, int64_t seconds);
// What each hold invoice must outlive, in seconds (DESIGN.md: every timer it must outlive).
int64_t MakerBondHoldSeconds(const TradeParams& p, const Order& o);
int64_t TakerBondHoldSeconds(const TradeParams& p, const Order& o);
int64_t EscrowHoldSeconds(const TradeParams& p, const Order& o);

// Parses a non-negative decimal string with at most `max_decimals` decimals ("12", "0.5",
// "100.25"); nullopt on anything else (signs, exponents, spaces, empty, too many digits).
std::optional<double> ParseDecimal(std::string_view text, int max_int_digits, int max_decimals);
// Same, allowing a leading '-'.
std::optional<double> ParseSignedDecimal(std::string_view text, int max_int_digits, int max_decimals);
// Formats with exactly `decimals` decimals, no exponent.
std::string FormatDecimal(double value, int decimals);

// RoboSats' pricing: price = rate × (1 + premium/100); sats = fiat / price × 1e8 (rounded).
// Explicit orders have fixed sats. nullopt if the rate is unknown or not positive.
std::optional<int64_t> SatsForFiat(double fiat_amount, double rate, double premium_percent);
// The premium implied by an explicit order's sats at the current rate.
double PremiumFor(double fiat_amount, int64_t sats, double rate);

}  // namespace coordinator
