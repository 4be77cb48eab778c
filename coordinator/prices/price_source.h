// PriceSource: where BTC prices in fiat come from (a local file, a public price API). The
// engine never asks a source directly: a fetcher feeds every source's tables into a PriceBook
// (price_book.h), and the engine reads the book's medians.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "config/base/clock.h"
#include "config/base/expected.h"

namespace coordinator {

// One source's answer at one moment.
struct PriceTable {
  // Currency code ("USD") → the price of 1 BTC in that currency. Every price is finite and
  // positive; "BTC" is always present with price 1.
  std::map<std::string, double, std::less<>> prices;
  // When the source produced the table (the fetching side's clock, not the provider's claim).
  base::TimePoint fetched_at{};
};

class PriceSource {
 public:
  virtual ~PriceSource() = default;

  // A short, stable name for logs, metrics and the PriceBook: "offline", "yadio", …
  virtual std::string Name() const = 0;

  // Produces a fresh table, or the reason it could not (safe to log: no secrets). May block on
  // I/O, bounded by the source's own timeout. One caller at a time.
  virtual base::Expected<PriceTable, std::string> Fetch() = 0;

  // Makes an in-flight Fetch return an error soon, and every later Fetch fail at once: for
  // shutdown. Thread-safe. Sources without blocking I/O need not override it.
  virtual void Interrupt() {}
};

}  // namespace coordinator
