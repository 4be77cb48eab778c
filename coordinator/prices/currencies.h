// RoboSats' currency ids (fixtures/robosats/currencies.json): 1 = USD, 2 = EUR, …, 300 = XAU,
// 1000 = BTC. The API speaks ids; price sources speak ISO-style codes; this maps between them.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/base/expected.h"

namespace coordinator {

class CurrencyTable {
 public:
  // Parses {"1": "USD", …}. Fails (with the reason) on anything but a JSON object, an id that is
  // not a positive integer, a code that is not 3–4 uppercase ASCII letters, or a code or id
  // listed twice.
  static base::Expected<CurrencyTable, std::string> Parse(std::string_view json);
  // The table compiled into the library (coordinator/prices/currencies.json).
  static const CurrencyTable& Bundled();

  std::optional<std::string_view> Code(int id) const;
  std::optional<int> Id(std::string_view code) const;
  // Every code, in id order.
  std::vector<std::string> Codes() const;
  const std::map<int, std::string>& ById() const { return m_by_id; }
  size_t size() const { return m_by_id.size(); }

 private:
  std::map<int, std::string> m_by_id;
  std::map<std::string, int, std::less<>> m_by_code;
};

// 3–4 uppercase ASCII letters ("USD", "XAU", "USDT" would pass; "usd", "US" do not).
bool IsCurrencyCode(std::string_view code);

}  // namespace coordinator
