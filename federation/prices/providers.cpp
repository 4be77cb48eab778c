#include "federation/prices/providers.h"

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "coordinator/prices/price_book.h"

namespace federation {

namespace {

using Json = nlohmann::json;

base::Expected<Json, std::string> ParseJson(std::string_view body) {
  Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return base::Err(std::string("body is not JSON"));
  return doc;
}

// A usable price: a JSON number (or a numeric string, as some feeds quote them), finite, > 0.
std::optional<double> PriceOf(const Json& value) {
  double v = 0;
  if (value.is_number()) {
    v = value.get<double>();
  } else if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(v) || v <= 0) return std::nullopt;
  return v;
}

base::Expected<Rates, std::string> NonEmpty(Rates rates) {
  if (rates.empty()) return base::Err(std::string("no usable price for any wanted currency"));
  return rates;
}

}  // namespace

std::string_view ProviderName(Provider provider) {
  switch (provider) {
    case Provider::kYadio: return "yadio";
    case Provider::kBlockchain: return "blockchain";
    case Provider::kBitpay: return "bitpay";
    case Provider::kCriptoya: return "criptoya";
  }
  return "unknown";
}

std::optional<Provider> ProviderFromName(std::string_view name) {
  for (Provider p : {Provider::kYadio, Provider::kBlockchain, Provider::kBitpay, Provider::kCriptoya}) {
    if (ProviderName(p) == name) return p;
  }
  return std::nullopt;
}

std::string_view DefaultBaseUrl(Provider provider) {
  // RoboSats .env-sample: MARKET_PRICE_APIS = https://blockchain.info/ticker,
  // https://api.yadio.io/exrates/BTC, https://bitpay.com/rates/BTC, https://criptoya.com/api/btc
  switch (provider) {
    case Provider::kYadio: return "https://api.yadio.io";
    case Provider::kBlockchain: return "https://blockchain.info";
    case Provider::kBitpay: return "https://bitpay.com";
    case Provider::kCriptoya: return "https://criptoya.com";
  }
  return "";
}

base::Expected<Rates, std::string> ParseYadio(std::string_view body, const CodeSet& wanted) {
  auto doc = ParseJson(body);
  if (!doc.ok()) return base::Err(doc.error());
  // RoboSats api/utils.py: yadio_rates.append(float(yadio_prices["BTC"][currency]))
  auto btc = doc->find("BTC");
  if (!doc->is_object() || btc == doc->end() || !btc->is_object()) {
    return base::Err(std::string("no \"BTC\" object in the answer"));
  }
  Rates rates;
  for (const auto& [code, value] : btc->items()) {
    if (wanted.find(code) == wanted.end()) continue;
    if (auto price = PriceOf(value)) rates.emplace(code, *price);
  }
  return NonEmpty(std::move(rates));
}

base::Expected<Rates, std::string> ParseBlockchain(std::string_view body, const CodeSet& wanted) {
  auto doc = ParseJson(body);
  if (!doc.ok()) return base::Err(doc.error());
  if (!doc->is_object()) return base::Err(std::string("expected a JSON object of currencies"));
  Rates rates;
  for (const auto& [code, value] : doc->items()) {
    // RoboSats api/utils.py: "Do not include ARS from Blockchain.info . This pricing is
    // estimated wrongly."
    if (code == "ARS" || wanted.find(code) == wanted.end() || !value.is_object()) continue;
    // RoboSats api/utils.py: float(blockchain_prices[currency]["last"])
    auto last = value.find("last");
    if (last == value.end()) continue;
    if (auto price = PriceOf(*last)) rates.emplace(code, *price);
  }
  return NonEmpty(std::move(rates));
}

base::Expected<Rates, std::string> ParseBitpay(std::string_view body, const CodeSet& wanted) {
  auto doc = ParseJson(body);
  if (!doc.ok()) return base::Err(doc.error());
  // RoboSats api/utils.py: {item["code"]: item["rate"] for item in bitpay_prices["data"]}
  const Json* list = &*doc;
  if (doc->is_object()) {
    auto data = doc->find("data");
    if (data == doc->end()) return base::Err(std::string("no \"data\" list in the answer"));
    list = &*data;
  }
  if (!list->is_array()) return base::Err(std::string("expected a list of {code, rate}"));
  Rates rates;
  for (const Json& item : *list) {
    if (!item.is_object()) continue;
    auto code = item.find("code");
    auto rate = item.find("rate");
    if (code == item.end() || rate == item.end() || !code->is_string()) continue;
    const std::string& c = code->get_ref<const std::string&>();
    if (wanted.find(c) == wanted.end()) continue;
    if (auto price = PriceOf(*rate)) rates.emplace(c, *price);
  }
  return NonEmpty(std::move(rates));
}

base::Expected<double, std::string> ParseCriptoya(std::string_view body) {
  auto doc = ParseJson(body);
  if (!doc.ok()) return base::Err(doc.error());
  if (!doc->is_object()) return base::Err(std::string("expected a JSON object of exchanges"));
  // RoboSats api/utils.py:
  //   exchange_medians = [np.median([exchange["ask"], exchange["ask"]])
  //                       for exchange in criptoya_exchanges.values()
  //                       if exchange["ask"] > 0 and exchange["bid"] > 0]
  //   criptoya_rates.append(round(np.median(exchange_medians), 2))
  // i.e. the median of the exchanges' asks, over exchanges quoting both sides, to the cent.
  // (RoboSats fails the whole answer on an exchange without ask/bid; we skip that exchange.)
  std::vector<double> asks;
  for (const auto& [exchange, quote] : doc->items()) {
    if (!quote.is_object()) continue;
    auto ask = quote.find("ask");
    auto bid = quote.find("bid");
    if (ask == quote.end() || bid == quote.end()) continue;
    auto ask_price = PriceOf(*ask);
    auto bid_price = PriceOf(*bid);
    if (ask_price && bid_price) asks.push_back(*ask_price);
  }
  if (asks.empty()) return base::Err(std::string("no exchange quotes both ask and bid"));
  return std::round(coordinator::Median(std::move(asks)) * 100) / 100;
}

}  // namespace federation
