// What a trader narrows the joint book to. The semantics follow RoboSats' client
// (frontend/src/utils/filterOrders.ts, v0.8.6):
// - currency: the order's currency id, 0 = any ("currencyChecks");
// - type: 0 buy, 1 sell, 2 = any ("typeChecks": baseFilter.type === null);
// - payment method: the order's payment_method contains the text (filterByPayment uses
//   includes(); ours ignores case);
// - amount: filterByAmount with threshold 0 — a fixed order matches its own amount, a range
//   order every amount within [min_amount, max_amount];
// - coordinator: one shortAlias, "" = any ("hostChecks").
#pragma once

#include <map>
#include <optional>
#include <string>

#include "config/base/expected.h"
#include "federation/book/book_order.h"

namespace federation {

struct BookFilter {
  int currency = 0;
  int type = 2;
  std::string payment_method;
  std::optional<double> amount;
  std::string coordinator;

  bool operator==(const BookFilter&) const = default;
};

bool Matches(const BookFilter& filter, const BookOrder& order, const std::string& short_alias);

// From query parameters currency, type, payment_method, amount, coordinator ("" or absent =
// any). Errors name the parameter: "currency: 'x' is not a currency id".
base::Expected<BookFilter, std::string> FilterFromQuery(const std::map<std::string, std::string, std::less<>>& query);

}  // namespace federation
