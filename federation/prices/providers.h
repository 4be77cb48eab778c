// The public price APIs RoboSats uses (.env-sample MARKET_PRICE_APIS), their URLs and the parts
// of their JSON that RoboSats reads (api/utils.py get_exchange_rates). Parsers are pure.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/base/expected.h"

namespace federation {

enum class Provider { kYadio, kBlockchain, kBitpay, kCriptoya };

// "yadio", "blockchain", "bitpay", "criptoya" (the names of prices.http.providers).
std::string_view ProviderName(Provider provider);
std::optional<Provider> ProviderFromName(std::string_view name);

// The public API's origin, e.g. "https://api.yadio.io". Tests substitute a local server.
std::string_view DefaultBaseUrl(Provider provider);

// Currency code → price of 1 BTC.
using Rates = std::map<std::string, double, std::less<>>;
using CodeSet = std::set<std::string, std::less<>>;

// yadio: GET {base}/exrates/BTC → {"BTC": {"USD": 97000.1, …}, "base": "BTC", "timestamp": …}.
inline constexpr std::string_view kYadioPath = "/exrates/BTC";
base::Expected<Rates, std::string> ParseYadio(std::string_view body, const CodeSet& wanted);

// blockchain.info: GET {base}/ticker → {"USD": {"15m": …, "last": 97000.1, "buy": …, "sell": …,
// "symbol": "$"}, …}. ARS is skipped, as RoboSats does.
inline constexpr std::string_view kBlockchainPath = "/ticker";
base::Expected<Rates, std::string> ParseBlockchain(std::string_view body, const CodeSet& wanted);

// bitpay: GET {base}/rates/BTC with "X-Accept-Version: 2.0.0" → {"data": [{"code": "USD",
// "name": "US Dollar", "rate": 97000.1}, …]}. The older /api/rates answer (the same array
// without "data") is accepted too.
inline constexpr std::string_view kBitpayPath = "/rates/BTC";
base::Expected<Rates, std::string> ParseBitpay(std::string_view body, const CodeSet& wanted);

// criptoya: one GET per currency, {base}/api/btc/{CODE} → {"<exchange>": {"ask": …, "totalAsk":
// …, "bid": …, "totalBid": …, "time": …}, …}, only for the currencies below.
inline constexpr std::string_view kCriptoyaPathPrefix = "/api/btc/";
inline constexpr std::string_view kCriptoyaCurrencies[] = {"ARS", "COP", "MXN", "BRL",
                                                           "PEN", "CLP", "USD", "VES"};
// The price of one currency from one criptoya answer.
base::Expected<double, std::string> ParseCriptoya(std::string_view body);

}  // namespace federation
