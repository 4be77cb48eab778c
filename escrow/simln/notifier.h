// Notifier: the one thread that runs every stream callback of a simln network.
//
// Publishers (the network, under its own lock) enqueue updates keyed by stream ("i:<node>:<hash>"
// for an invoice, "p:<node>:<hash>" for a payment); the thread delivers each to the
// subscriptions of that key in order, without holding any lock, so a callback may call back
// into the network. A subscription sees only updates published after it subscribed, preceded
// by its own initial value if it has one. Invoice streams end after SETTLED/CANCELED, payment
// streams after SUCCEEDED/FAILED, with on_done.
//
// Cancel()/destruction of a subscription handle: once it returns, that subscription's
// callbacks are not running and will never run again, and the notifier no longer holds its
// handlers. Called from inside a callback (on the notifier thread) it returns at once and the
// running callback is the last one; the handlers are released when it returns. They are also
// released after a stream's last callback (its end) and when the notifier is destroyed: a
// handle never keeps alive what its handlers capture, so they may capture the handle's owner.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>

#include "escrow/lightning_node.h"

namespace escrow::simln {

class Notifier {
 public:
  Notifier();
  // Delivers what is already queued, then stops the thread. Later publishes are dropped.
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // A subscription; `id` lets the publisher address it alone (FailOne).
  struct Handle {
    std::unique_ptr<Subscription> subscription;
    uint64_t id = 0;
  };

  // Subscribes to `key`; `initial`, if set, is delivered first (and may end the stream).
  Handle Subscribe(const std::string& key, StreamHandlers<Invoice> handlers, std::optional<Invoice> initial);
  Handle Subscribe(const std::string& key, StreamHandlers<Payment> handlers, std::optional<Payment> initial);
  // A stream that delivers only `error`, then on_done.
  std::unique_ptr<Subscription> Failed(StreamHandlers<Invoice> handlers, LnError error);
  std::unique_ptr<Subscription> Failed(StreamHandlers<Payment> handlers, LnError error);

  // Broadcasts to the current subscribers of `key`.
  void Publish(const std::string& key, Invoice value);
  void Publish(const std::string& key, Payment value);
  // Ends subscription `id` with `error` (after what is queued for it).
  void FailOne(uint64_t id, LnError error);

  static std::string InvoiceKey(const std::string& node, const Hash32& hash);
  static std::string PaymentKey(const std::string& node, const Hash32& hash);

  struct Core;  // shared with the handles, which may outlive the Notifier

 private:
  std::shared_ptr<Core> m_core;
  std::thread m_thread;
};

}  // namespace escrow::simln
