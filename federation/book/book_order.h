// One public order of a coordinator's /api/book/, as the joint book keeps it: the few fields
// the filters need, typed, and the order's JSON as the coordinator served it, tagged with the
// coordinator's shortAlias and serialized once (merging then only concatenates text).
//
// RoboSats API (openapi-0.8.6.yaml, GET /api/book/): an array of orders (id, type 0 = buy /
// 1 = sell, currency id, amount/min_amount/max_amount as decimal strings or null, has_range,
// payment_method, premium, expires_at, …). An empty book is answered 404
// {"not_found": "No orders found, be the first to make one"} (api/views.py BookView): that is
// "no orders", not an error. The client tags each order with `coordinatorShortAlias`
// (frontend/src/models/Coordinator.model.ts loadBook).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/base/expected.h"

namespace federation {

struct BookOrder {
  int64_t id = 0;
  int type = 0;      // 0 buy, 1 sell
  int currency = 0;  // RoboSats currency id
  bool has_range = false;
  std::optional<double> amount;  // fiat amount, when not a range
  std::optional<double> min_amount, max_amount;
  std::string payment_method;
  double premium = 0;
  std::optional<int64_t> expires_at;  // Unix seconds; nullopt if absent or unreadable
  // The order object with "coordinatorShortAlias" added, serialized, WITHOUT its closing '}'
  // (the joint book appends per-response fields and closes it).
  std::string json_open;
};

// Parses the answer of GET /api/book/. 200 with an array → its orders (entries that are not
// objects or lack an integer id are skipped); 404 with a "not_found" object → no orders;
// anything else → an error saying what came back.
base::Expected<std::vector<BookOrder>, std::string> ParseBook(long http_status, std::string_view body,
                                                              std::string_view short_alias);

// "2024-05-01T12:00:00.123456Z" (also "+00:00", or no fraction) → Unix seconds.
std::optional<int64_t> ParseIsoTime(std::string_view text);

}  // namespace federation
