// HoldDesk: carries out hold-invoice intents (add, settle, cancel, lookup) on a LightningNode
// off the caller's thread, and watches invoices for state changes. Every operation is safe to
// repeat after a crash: Add finds an invoice the node already has; settle and cancel are
// idempotent at the node (LightningNode contract).
//
// Callbacks run on the desk's threads and the node's stream threads. The desk must outlive
// none of its callbacks' targets: destroy it (which cancels every watch and joins; once it
// returns no callback of the desk is running) before what the callbacks touch, and never from
// inside one of its own callbacks.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "escrow/callback_gate.h"
#include "escrow/lightning_node.h"
#include "escrow/workers.h"

namespace escrow {

struct HoldSpec {
  Hash32 payment_hash{};
  int64_t amount_sat = 0;
  std::string memo;
  int64_t expiry_seconds = 3600;  // OPEN invoice lifetime
  uint32_t cltv_expiry = 0;       // blocks the HTLC must be held for
};

class HoldDesk {
 public:
  explicit HoldDesk(LightningNode& node, size_t threads = 2);
  ~HoldDesk();

  // Adds the hold invoice; if the node already has one with this hash (a re-driven intent),
  // answers with the existing invoice's payment request instead of an error.
  void Add(const HoldSpec& spec, std::function<void(LnResult<AddInvoiceResult>)> done);
  void Settle(const Hash32& preimage, std::function<void(LnStatus)> done);
  void Cancel(const Hash32& payment_hash, std::function<void(LnStatus)> done);
  void Lookup(const Hash32& payment_hash, std::function<void(LnResult<Invoice>)> done);

  // Delivers the invoice's current state and every change until it is SETTLED or CANCELED or
  // Unwatch is called. A stream that fails is re-opened after a back-off (the node sends the
  // current state first, so no change is missed). Watching a watched hash replaces the callback.
  void Watch(const Hash32& payment_hash, std::function<void(const Invoice&)> on_update);
  void Unwatch(const Hash32& payment_hash);
  size_t WatchCount() const;

 private:
  struct WatchState;
  void Subscribe(const std::shared_ptr<WatchState>& w);

  LightningNode& m_node;
  CallbackGate m_gate;  // every stream callback holds a pass while it runs
  mutable std::mutex m_mu;
  std::map<Hash32, std::shared_ptr<WatchState>> m_watches;  // guarded by m_mu
  // Watches that reached SETTLED/CANCELED, until a worker has dropped their stream.
  std::vector<std::shared_ptr<WatchState>> m_ended;  // guarded by m_mu
  bool m_stopping = false;                           // guarded by m_mu
  // Last: destroyed (joined) first, while the members above still exist.
  Workers m_workers;
  Scheduler m_retries;
};

}  // namespace escrow
