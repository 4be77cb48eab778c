// Engine::Tx: one transition's unit of work. Puts go straight into the open Store
// transaction; what must happen only after the commit (handing intents to escrow/, watching
// invoices, deferred replies) is collected and run by the engine once Commit succeeded.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "coordinator/engine.h"
#include "escrow/crypto/sha256.h"

namespace coordinator {

// A hash or preimage as the store keeps it (64 hex characters, written by the engine itself);
// all zeros if it is not one.
inline escrow::Hash32 HashFromHex(const std::string& hex) {
  auto h = escrow::crypto::Hash32FromHex(hex);
  return h ? *h : escrow::Hash32{};
}

// A send the node refused outright, before any HTLC left: a failed attempt, not an undecided one.
bool RefusedBeforeSending(escrow::LnErrorCode code);

// A Store failure inside a transition: the engine rolls back and answers "internal error".
struct StoreFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Engine::Tx {
 public:
  Tx(Store& store, int64_t now) : store(store), now(now) {}

  template <class Row>
  void Put(const Row& row) {
    if constexpr (std::is_same_v<Row, Order>) {
      // The status before this transaction first wrote the order (nullopt: a new order), so
      // that the commit can tell every status change (notifications, logs).
      if (!status_before.count(row.id)) {
        auto stored = store.OrderById(row.id);
        status_before.emplace(row.id, stored ? std::optional<OrderStatus>(stored->status) : std::nullopt);
      }
    }
    auto r = store.Put(row);
    if (!r.ok()) throw StoreFailure(r.error());
    if constexpr (std::is_same_v<Row, Order>) touched_orders.insert(row.id);
  }

  template <class T>
  T Must(std::optional<T> row, const char* what) {
    if (!row) throw StoreFailure(std::string("missing row: ") + what);
    return std::move(*row);
  }

  Store& store;
  const int64_t now;
  std::set<int64_t> touched_orders;
  std::vector<Intent> new_intents;
  std::vector<std::function<void()>> after_commit;
  std::map<int64_t, std::optional<OrderStatus>> status_before;
  // When set, the command's reply waits for this intent (the bond invoice of make/take, a
  // reward payment) and is then computed by `deferred_answer`.
  int64_t reply_after_intent = 0;
  std::function<base::Result<nlohmann::json>()> deferred_answer;
  bool abort = false;  // roll back instead of committing (a refused command)
};

}  // namespace coordinator
