// PriceBook: the last table of every price source, and per currency the MEDIAN over the sources
// that are fresh, as RoboSats does (api/utils.py get_exchange_rates: numpy nanmedian across
// MARKET_PRICE_APIS). Pure: no I/O, no clock of its own (callers pass `now`). Thread-safe: a
// fetcher thread updates while the engine reads.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/base/clock.h"
#include "coordinator/prices/price_source.h"

namespace coordinator {

struct Quote {
  double price = 0;       // median price of 1 BTC in the currency
  base::TimePoint as_of;  // the oldest fetched_at among the tables that contributed
  int sources = 0;        // how many fresh sources had the currency
};

struct SourceStatus {
  std::string name;
  bool has_table = false;        // a good table was ever recorded
  bool fresh = false;            // … and it still counts (younger than max_age)
  base::TimePoint fetched_at{};  // of that table
  size_t currencies = 0;         // in that table
  std::string last_error;        // of the latest attempt; "" when it succeeded
  base::TimePoint last_error_at{};
};

// The median of `values` (the mean of the two middle ones for an even count).
// REQUIRES: !values.empty().
double Median(std::vector<double> values);

class PriceBook {
 public:
  // A table older than `max_age` (now − fetched_at > max_age) no longer counts.
  explicit PriceBook(base::Duration max_age) : m_max_age(max_age) {}

  // Replaces `source`'s table and clears its last error.
  void Update(const std::string& source, PriceTable table);
  // Records a failed fetch. The source's last good table keeps counting until it is stale.
  void RecordFailure(const std::string& source, std::string error, base::TimePoint at);

  // The median over the fresh tables that price `code`; nullopt when none does.
  std::optional<Quote> Price(std::string_view code, base::TimePoint now) const;
  // Price() of every code that some fresh table prices.
  std::map<std::string, Quote, std::less<>> AllPrices(base::TimePoint now) const;
  // Every source ever seen, by name.
  std::vector<SourceStatus> Sources(base::TimePoint now) const;

 private:
  struct Entry {
    std::optional<PriceTable> table;
    std::string last_error;
    base::TimePoint last_error_at{};
  };
  bool IsFresh(const PriceTable& table, base::TimePoint now) const {
    return now - table.fetched_at <= m_max_age;
  }

  const base::Duration m_max_age;
  mutable std::mutex m_mutex;
  std::map<std::string, Entry, std::less<>> m_sources;  // guarded by m_mutex
};

}  // namespace coordinator
