// StreamQueue<T>: turns a LightningNode stream into a blocking queue, for CLIs and tests.
//   StreamQueue<Payment> q;
//   auto sub = node.SendPayment(req, q.Handlers());
//   while (auto ev = q.Next(std::chrono::seconds(30))) { ... }
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <variant>

#include "escrow/lightning_node.h"

namespace escrow {

template <class T>
class StreamQueue {
 public:
  struct Ended {};
  using Event = std::variant<T, LnError, Ended>;

  // The handlers keep the queue's state alive, so the queue may die before the stream.
  StreamHandlers<T> Handlers() {
    auto s = m_state;
    return StreamHandlers<T>{
        [s](const T& v) { s->Push(Event(v)); },
        [s](const LnError& e) { s->Push(Event(e)); },
        [s]() { s->Push(Event(Ended{})); },
    };
  }

  // Next event, or nullopt after `timeout` with nothing.
  std::optional<Event> Next(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_state->mu);
    if (!m_state->cv.wait_for(lock, timeout, [&] { return !m_state->events.empty(); })) return std::nullopt;
    Event e = std::move(m_state->events.front());
    m_state->events.pop_front();
    return e;
  }

  // Waits for the first update satisfying `pred`; nullopt on error, end or timeout.
  template <class Pred>
  std::optional<T> WaitFor(Pred pred, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto ev = Next(left);
      if (!ev) return std::nullopt;
      if (auto* v = std::get_if<T>(&*ev)) {
        if (pred(*v)) return *v;
        continue;
      }
      return std::nullopt;
    }
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Event> events;
    void Push(Event e) {
      {
        std::lock_guard lock(mu);
        events.push_back(std::move(e));
      }
      cv.notify_all();
    }
  };
  std::shared_ptr<State> m_state = std::make_shared<State>();
};

}  // namespace escrow
