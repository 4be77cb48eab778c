// The offline price source: a JSON rates file {"USD": 97000.0, "EUR": 92150.0, …}, or the
// bundled rates.example.json. No network at all: for demos, tests, and coordinators that set
// their prices by hand.
#pragma once

#include <string>
#include <string_view>

#include "config/base/clock.h"
#include "coordinator/prices/price_source.h"

namespace coordinator {

// Parses a rates document: a JSON object of currency code (3–4 uppercase letters) → positive
// finite number. "BTC", if present, must be 1; it is added when absent. Returns the reason on
// failure, naming the offending code.
base::Expected<std::map<std::string, double, std::less<>>, std::string> ParseRatesJson(std::string_view json);

class OfflinePriceSource final : public PriceSource {
 public:
  // `path` "" = the bundled table. A file is read again on every Fetch, so an operator's edit
  // takes effect at the next interval. Tables are stamped with `clock`'s now.
  OfflinePriceSource(std::string path, const base::Clock& clock);

  std::string Name() const override { return "offline"; }
  base::Expected<PriceTable, std::string> Fetch() override;

 private:
  std::string m_path;
  const base::Clock& m_clock;
};

}  // namespace coordinator
