// The money arithmetic of a trade, in one place (DESIGN.md "Money rules"). All functions are
// pure; amounts are satoshis. Where RoboSats' clients compute the same figure themselves, the
// rounding is RoboSats' own (cited at each function), so that an invoice a client makes for
// "the amount the coordinator asked" is exactly what the coordinator checks.
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

// bond = floor(trade × bond_size / 100), exact for bond sizes with two decimals.
// RoboSats api/logics.py gen_maker_hold_invoice: int(last_satoshis * bond_size / 100) with a
// Decimal bond_size (exact decimal arithmetic, truncated).
int64_t BondSats(int64_t trade_sats, double bond_size_percent);
// escrow = round(trade + trade × seller fee).
// RoboSats api/logics.py escrow_amount: round(last_satoshis + last_satoshis * fee_fraction),
// Python's round() on a float: to nearest, ties to even.
int64_t EscrowSats(const TradeParams& p, OrderType type, int64_t trade_sats);
// What the buyer is owed before routing, RoboSats' `invoice_amount`:
// round(trade − trade × buyer fee) (api/logics.py payout_amount; Python round, ties to even).
int64_t PayoutSats(const TradeParams& p, OrderType type, int64_t trade_sats);
// The amount the buyer's payout invoice must carry for a routing budget of `ppm`:
// floor(n − n × ppm / 10⁶) computed in doubles, as both sides do it — the client
// (frontend/src/components/TradeBox/Forms/LightningPayout.tsx:
// Math.floor(tradeAmount - tradeAmount * (routingBudgetPPM / 1000000))) and the backend
// (api/logics.py update_invoice: int(num_satoshis - float(num_satoshis) * (ppm / 1_000_000))).
int64_t PayoutInvoiceSats(int64_t payout_sats, int64_t ppm);
// The routing budget that leaves: payout − PayoutInvoiceSats (what the coordinator may spend
// on routing fees; what it does not spend is proceeds).
int64_t RoutingBudgetSats(int64_t payout_sats, int64_t ppm);

// How long an order may stay in `status` (RoboSats api/models/order.py t_to_expire): the
// view's `total_secs_exp`, against which clients draw their countdown.
int64_t StatusSeconds(const TradeParams& p, const Order& o, OrderStatus status);

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
