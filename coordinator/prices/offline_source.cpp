#include "coordinator/prices/offline_source.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "coordinator/prices/bundled_data.h"
#include "coordinator/prices/currencies.h"

namespace coordinator {

base::Expected<std::map<std::string, double, std::less<>>, std::string> ParseRatesJson(
    std::string_view json) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return base::Err(std::string("not valid JSON"));
  if (!doc.is_object()) return base::Err(std::string("expected a JSON object {\"USD\": 97000.0, …}"));
  std::map<std::string, double, std::less<>> rates;
  for (const auto& [code, value] : doc.items()) {
    if (!IsCurrencyCode(code)) return base::Err("'" + code + "' is not a currency code");
    if (!value.is_number()) return base::Err(code + ": expected a number");
    double price = value.get<double>();
    if (!std::isfinite(price) || price <= 0) return base::Err(code + ": price must be positive");
    rates.emplace(code, price);
  }
  auto btc = rates.find("BTC");
  if (btc == rates.end()) {
    rates.emplace("BTC", 1.0);
  } else if (btc->second != 1.0) {
    return base::Err(std::string("BTC: the price of BTC in BTC must be 1"));
  }
  return rates;
}

OfflinePriceSource::OfflinePriceSource(std::string path, const base::Clock& clock)
    : m_path(std::move(path)), m_clock(clock) {}

base::Expected<PriceTable, std::string> OfflinePriceSource::Fetch() {
  std::string text;
  if (m_path.empty()) {
    text = std::string(BundledRatesJson());
  } else {
    std::ifstream in(m_path, std::ios::binary);
    if (!in) return base::Err("offline rates file '" + m_path + "' cannot be read");
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  auto rates = ParseRatesJson(text);
  if (!rates.ok()) {
    return base::Err("offline rates " + (m_path.empty() ? std::string("(bundled)") : "'" + m_path + "'") +
                     ": " + rates.error());
  }
  PriceTable table;
  table.prices = std::move(rates).value();
  table.fetched_at = m_clock.Now();
  return table;
}

}  // namespace coordinator
