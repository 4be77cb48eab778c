#include "federation/book/book_filter.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace federation {

namespace {

bool ContainsIgnoringCase(const std::string& haystack, const std::string& needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != haystack.end();
}

}  // namespace

bool Matches(const BookFilter& f, const BookOrder& o, const std::string& short_alias) {
  if (f.currency != 0 && o.currency != f.currency) return false;
  if (f.type != 2 && o.type != f.type) return false;
  if (!f.coordinator.empty() && f.coordinator != short_alias) return false;
  if (!f.payment_method.empty() && !ContainsIgnoringCase(o.payment_method, f.payment_method)) return false;
  if (f.amount) {
    // RoboSats: orderMin = amount ?? min_amount, orderMax = amount ?? max_amount;
    // max(filterMin, orderMin) <= min(filterMax, orderMax). NaN (unknown) never matches.
    std::optional<double> lo = o.has_range ? o.min_amount : o.amount;
    std::optional<double> hi = o.has_range ? o.max_amount : o.amount;
    if (!lo) lo = o.min_amount;
    if (!hi) hi = o.max_amount;
    if (!lo || !hi) return false;
    if (!(std::max(*f.amount, *lo) <= std::min(*f.amount, *hi))) return false;
  }
  return true;
}

base::Expected<BookFilter, std::string> FilterFromQuery(const std::map<std::string, std::string, std::less<>>& q) {
  BookFilter f;
  auto get = [&](const char* name) -> std::string {
    auto it = q.find(name);
    return it == q.end() ? std::string() : it->second;
  };
  auto integer = [](const std::string& s, int lo, int hi, int& out) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return false;
    out = v;
    return true;
  };
  if (std::string s = get("currency"); !s.empty() && !integer(s, 0, 100'000, f.currency)) {
    return base::Err("currency: '" + s + "' is not a currency id (0 = any)");
  }
  if (std::string s = get("type"); !s.empty() && !integer(s, 0, 2, f.type)) {
    return base::Err("type: '" + s + "' is not 0 (buy), 1 (sell) or 2 (any)");
  }
  f.payment_method = get("payment_method");
  if (f.payment_method.size() > 100) return base::Err(std::string("payment_method: longer than 100 characters"));
  if (std::string s = get("amount"); !s.empty()) {
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !std::isfinite(v) || v < 0) {
      return base::Err("amount: '" + s + "' is not a non-negative number");
    }
    f.amount = v;
  }
  f.coordinator = get("coordinator");
  if (f.coordinator.size() > 32) return base::Err(std::string("coordinator: not a shortAlias"));
  return f;
}

}  // namespace federation
