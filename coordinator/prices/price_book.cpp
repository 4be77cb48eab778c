#include "coordinator/prices/price_book.h"

#include <algorithm>
#include <cassert>

namespace coordinator {

double Median(std::vector<double> values) {
  assert(!values.empty());
  size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  double lower = *std::max_element(values.begin(), values.begin() + mid);
  return lower + (upper - lower) / 2;
}

void PriceBook::Update(const std::string& source, PriceTable table) {
  std::lock_guard lock(m_mutex);
  Entry& entry = m_sources.try_emplace(source).first->second;
  entry.table = std::move(table);
  entry.last_error.clear();
  entry.last_error_at = {};
}

void PriceBook::RecordFailure(const std::string& source, std::string error, base::TimePoint at) {
  std::lock_guard lock(m_mutex);
  Entry& entry = m_sources.try_emplace(source).first->second;
  entry.last_error = std::move(error);
  entry.last_error_at = at;
}

std::optional<Quote> PriceBook::Price(std::string_view code, base::TimePoint now) const {
  std::vector<double> values;
  Quote quote;
  {
    std::lock_guard lock(m_mutex);
    for (const auto& [name, entry] : m_sources) {
      if (!entry.table || !IsFresh(*entry.table, now)) continue;
      auto it = entry.table->prices.find(code);
      if (it == entry.table->prices.end()) continue;
      if (values.empty() || entry.table->fetched_at < quote.as_of) quote.as_of = entry.table->fetched_at;
      values.push_back(it->second);
    }
  }
  if (values.empty()) return std::nullopt;
  quote.sources = static_cast<int>(values.size());
  quote.price = Median(std::move(values));
  return quote;
}

std::map<std::string, Quote, std::less<>> PriceBook::AllPrices(base::TimePoint now) const {
  std::map<std::string, std::vector<double>, std::less<>> values;
  std::map<std::string, Quote, std::less<>> quotes;
  {
    std::lock_guard lock(m_mutex);
    for (const auto& [name, entry] : m_sources) {
      if (!entry.table || !IsFresh(*entry.table, now)) continue;
      for (const auto& [code, price] : entry.table->prices) {
        auto [it, inserted] = quotes.try_emplace(code);
        if (inserted || entry.table->fetched_at < it->second.as_of)
          it->second.as_of = entry.table->fetched_at;
        values.try_emplace(code).first->second.push_back(price);
      }
    }
  }
  for (auto& [code, list] : values) {
    auto it = quotes.find(code);
    it->second.sources = static_cast<int>(list.size());
    it->second.price = Median(std::move(list));
  }
  return quotes;
}

std::vector<SourceStatus> PriceBook::Sources(base::TimePoint now) const {
  std::vector<SourceStatus> out;
  std::lock_guard lock(m_mutex);
  for (const auto& [name, entry] : m_sources) {
    SourceStatus s;
    s.name = name;
    s.has_table = entry.table.has_value();
    if (entry.table) {
      s.fresh = IsFresh(*entry.table, now);
      s.fetched_at = entry.table->fetched_at;
      s.currencies = entry.table->prices.size();
    }
    s.last_error = entry.last_error;
    s.last_error_at = entry.last_error_at;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace coordinator
