#include "coordinator/money.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace coordinator {

double MakerFeeFraction(const TradeParams& p) { return p.fee * p.maker_fee_share; }
double TakerFeeFraction(const TradeParams& p) { return p.fee * (1.0 - p.maker_fee_share); }

double BuyerFeeFraction(const TradeParams& p, OrderType type) {
  return type == OrderType::kBuy ? MakerFeeFraction(p) : TakerFeeFraction(p);
}
double SellerFeeFraction(const TradeParams& p, OrderType type) {
  return type == OrderType::kSell ? MakerFeeFraction(p) : TakerFeeFraction(p);
}

int64_t BondSats(int64_t trade_sats, double bond_size_percent) {
  // Hundredths of a percent as an integer: the decimal arithmetic stays exact.
  const int64_t basis_points = std::llround(bond_size_percent * 100.0);
  return trade_sats * basis_points / 10000;
}

namespace {
// Python's round(float): to nearest, ties to even — std::nearbyint in the default rounding
// mode (FE_TONEAREST) does exactly that on the same double.
int64_t PythonRound(double v) { return static_cast<int64_t>(std::nearbyint(v)); }
}  // namespace

int64_t EscrowSats(const TradeParams& p, OrderType type, int64_t trade_sats) {
  const double fee_sats = static_cast<double>(trade_sats) * SellerFeeFraction(p, type);
  return PythonRound(static_cast<double>(trade_sats) + fee_sats);
}

int64_t PayoutSats(const TradeParams& p, OrderType type, int64_t trade_sats) {
  const double fee_sats = static_cast<double>(trade_sats) * BuyerFeeFraction(p, type);
  return PythonRound(static_cast<double>(trade_sats) - fee_sats);
}

int64_t PayoutInvoiceSats(int64_t payout_sats, int64_t ppm) {
  const double n = static_cast<double>(payout_sats);
  return static_cast<int64_t>(std::floor(n - n * (static_cast<double>(ppm) / 1000000.0)));
}

int64_t RoutingBudgetSats(int64_t payout_sats, int64_t ppm) { return payout_sats - PayoutInvoiceSats(payout_sats, ppm); }

uint32_t CltvBlocksFor(const TradeParams& p, int64_t seconds) {
  double blocks = std::ceil(static_cast<double>(seconds) * p.cltv_safety_factor / static_cast<double>(p.block_time_s));
  return static_cast<uint32_t>(blocks);
}

int64_t StatusSeconds(const TradeParams& p, const Order& o, OrderStatus status) {
  constexpr int64_t kDay = 86400;
  switch (status) {
    case OrderStatus::kWaitingMakerBond: return p.maker_bond_expiry_s;
    case OrderStatus::kPublic:
    case OrderStatus::kPaused: return o.public_duration;  // RoboSats: 0 (its old "Deleted"); a
                                                          // paused order's clock still runs
    case OrderStatus::kWaitingTakerBond: return p.taker_bond_expiry_s;
    case OrderStatus::kWaitingCollateralAndInvoice:
    case OrderStatus::kWaitingCollateral:
    case OrderStatus::kWaitingInvoice: return o.escrow_duration;
    case OrderStatus::kSendingFiat:
    case OrderStatus::kFiatSent: return p.fiat_exchange_duration_s;
    case OrderStatus::kInDispute: return kDay;
    case OrderStatus::kSendingSats:
    case OrderStatus::kSuccess:
    case OrderStatus::kRoutingFailed:
    case OrderStatus::kWaitingDisputeResolution:
    case OrderStatus::kMakerLostDispute:
    case OrderStatus::kTakerLostDispute: return 100 * kDay;
    case OrderStatus::kCancelled:
    case OrderStatus::kExpired:
    case OrderStatus::kCollaborativelyCancelled: return 0;
  }
  return 0;
}

int64_t EscrowHoldSeconds(const TradeParams& p, const Order& o) {
  return o.escrow_duration + p.fiat_exchange_duration_s;
}

int64_t TakerBondHoldSeconds(const TradeParams& p, const Order& o) {
  return p.taker_bond_expiry_s + EscrowHoldSeconds(p, o);
}

int64_t MakerBondHoldSeconds(const TradeParams& p, const Order& o) {
  return p.maker_bond_expiry_s + o.public_duration + TakerBondHoldSeconds(p, o);
}

namespace {

std::optional<double> ParseDecimalImpl(std::string_view text, int max_int_digits, int max_decimals,
                                       bool allow_sign) {
  if (text.empty() || text.size() > 40) return std::nullopt;
  size_t i = 0;
  bool negative = false;
  if (allow_sign && text[0] == '-') {
    negative = true;
    i = 1;
  }
  int int_digits = 0, dec_digits = 0;
  bool seen_dot = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (seen_dot) return std::nullopt;
      seen_dot = true;
    } else if (c >= '0' && c <= '9') {
      (seen_dot ? dec_digits : int_digits)++;
    } else {
      return std::nullopt;
    }
  }
  if (int_digits == 0 && dec_digits == 0) return std::nullopt;
  if (int_digits > max_int_digits || dec_digits > max_decimals) return std::nullopt;
  std::string copy(text);
  double v = std::strtod(copy.c_str(), nullptr);
  if (!std::isfinite(v)) return std::nullopt;
  return negative ? -std::fabs(v) : v;
}

}  // namespace

std::optional<double> ParseDecimal(std::string_view text, int max_int_digits, int max_decimals) {
  return ParseDecimalImpl(text, max_int_digits, max_decimals, false);
}

std::optional<double> ParseSignedDecimal(std::string_view text, int max_int_digits, int max_decimals) {
  return ParseDecimalImpl(text, max_int_digits, max_decimals, true);
}

std::string FormatDecimal(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::optional<int64_t> SatsForFiat(double fiat_amount, double rate, double premium_percent) {
  if (!(rate > 0) || !(fiat_amount > 0)) return std::nullopt;
  double price = rate * (1.0 + premium_percent / 100.0);
  if (!(price > 0)) return std::nullopt;
  double sats = fiat_amount / price * 1e8;
  if (!std::isfinite(sats) || sats > 2.1e15) return std::nullopt;
  return static_cast<int64_t>(std::llround(sats));
}

double PremiumFor(double fiat_amount, int64_t sats, double rate) {
  if (sats <= 0 || !(rate > 0)) return 0;
  double price = fiat_amount / (static_cast<double>(sats) / 1e8);
  return (price / rate - 1.0) * 100.0;
}

}  // namespace coordinator
