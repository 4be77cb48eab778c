// federationd's web page: the joint book with its filters, the coordinators with their badges,
// status and a detail panel each, and the federation's totals. Rendered completely on the server
// as plain HTML (readable with JavaScript disabled, as in Tor Browser's "safest" level: filters
// are a GET form, detail panels are <details>, and a <noscript> meta refresh reloads the page);
// the embedded script only enhances it (filters and refresh without a reload, by fetching this
// same page and swapping its sections). No external asset: CSS and JS are inlined.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "federation/book/book_filter.h"
#include "federation/book/joint_book.h"

namespace federation {

struct PageData {
  int64_t now_ms = 0;
  BookFilter filter;
  uint64_t seed = 0;  // the lottery seed, kept by the form and the script
  int64_t refresh_s = 30;
  bool testnet = false;
  int64_t slow_after_ms = 10'000;
  // FederationView::CoordinatorJson of each coordinator, in lottery order.
  std::vector<nlohmann::json> coordinators;
  std::vector<MatchedOrder> orders;
  nlohmann::json stats;  // AggregateStats
};

// At most this many orders are rendered (the JSON API has them all).
inline constexpr size_t kPageMaxOrders = 500;

std::string RenderPage(const PageData& page);

// The embedded stylesheet and script (federation/web/assets/, compiled in).
std::string_view PageCss();
std::string_view PageJs();

}  // namespace federation
