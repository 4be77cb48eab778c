// The federation's consistency watchdog (issue #9 item 7), pure part: compares what a
// coordinator serves at GET /api/book/ with the kind-38383 events it signs, and reports, with
// the coordinator's name, an order public in one and not the other, or an event whose fields
// differ from the API, once the discrepancy has lasted a grace period (the two are fetched at
// different moments; an honest coordinator's book and events agree within seconds).
//
// Events are matched to orders by the order id at the end of their `source` tag
// (RoboSats api/nostr.py: f"http://{HOST_NAME}/order/{alias}/{order.id}"), so the watchdog does
// not need the coordinator's COORDINATOR_ALIAS. Compared fields: k (type), f (currency code),
// fa (amount, or min and max), pm (payment_method split on spaces), premium (numerically).
// An event counts as saying "public" when its s tag is "pending" and its NIP-40 expiration has
// not passed. Only events signed by the coordinator's key (verified) are given here.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "coordinator/nostr/event.h"
#include "federation/book/book_order.h"

namespace federation {

struct Discrepancy {
  std::string coordinator;  // short alias
  int64_t order_id = 0;
  std::string kind;         // "missing_event", "missing_in_book", "field_differs"
  std::string detail;       // e.g. "premium: book 1.5, event 3"
  int64_t since_ms = 0;     // first seen
  nlohmann::json ToJson() const;
};

// The order id of an order event (from its source tag), nullopt if it has none.
std::optional<int64_t> OrderIdOfEvent(const coordinator::nostr::Event& e);

// The discrepancies between one coordinator's book and events now (no grace applied).
// `currency_code` maps RoboSats currency ids to codes ("" if unknown).
std::vector<Discrepancy> Compare(const std::string& coordinator, const std::vector<BookOrder>& book,
                                 const std::vector<coordinator::nostr::Event>& events, int64_t now_s,
                                 const std::function<std::string(int)>& currency_code);

class ConsistencyWatchdog {
 public:
  explicit ConsistencyWatchdog(int64_t grace_ms) : m_grace_ms(grace_ms) {}
  // Records one comparison of `coordinator` made at `now_ms`: discrepancies seen before keep
  // their first-seen time, those gone are forgotten. Returns those that just passed the grace
  // period (to log once).
  std::vector<Discrepancy> Observe(const std::string& coordinator, std::vector<Discrepancy> now_seen, int64_t now_ms);
  // Every discrepancy past the grace period at `now_ms`, by coordinator then order.
  std::vector<Discrepancy> Reported(int64_t now_ms) const;

 private:
  int64_t m_grace_ms;
  // coordinator → (order id, kind) → discrepancy (first seen), and whether it was reported.
  struct Tracked {
    Discrepancy d;
    bool reported = false;
  };
  std::map<std::string, std::map<std::pair<int64_t, std::string>, Tracked>> m_tracked;
};

}  // namespace federation
