// CallbackGate: lets an object whose callbacks run on other threads (stream handlers of a
// LightningNode) be destroyed safely. Each callback holds a Pass while it touches the object;
// the destructor closes the gate and waits for the passes still held.
//
//   handlers.on_update = [this](const Payment& p) {
//     CallbackGate::Pass pass(m_gate);
//     if (!pass) return;  // the owner is being destroyed: touch nothing
//     ...
//   };
//   ~Desk() { m_gate.Close(); /* cancel streams */ m_gate.WaitIdle(); /* join workers */ }
//
// Why streams' own Cancel is not enough: a callback may run for a stream the object no longer
// holds (one that finished, or one a subscribing call has not handed back yet), and it may
// still be touching the object after it reported its result to the owner.
#pragma once

#include <condition_variable>
#include <mutex>

namespace escrow {

class CallbackGate {
 public:
  CallbackGate() = default;
  CallbackGate(const CallbackGate&) = delete;
  CallbackGate& operator=(const CallbackGate&) = delete;

  class Pass {
   public:
    explicit Pass(CallbackGate& gate) : m_gate(gate), m_open(gate.Enter()) {}
    ~Pass() {
      if (m_open) m_gate.Leave();
    }
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;
    // False once the gate is closed: the callback must return without touching its owner.
    explicit operator bool() const { return m_open; }

   private:
    CallbackGate& m_gate;
    bool m_open;
  };

  // Refuses every later Pass. Passes already held stay valid.
  void Close() {
    std::lock_guard lock(m_mu);
    m_closed = true;
  }

  // Returns once no Pass is held. REQUIRES: Close() called; not called while holding a Pass
  // (it would wait for itself: never destroy the owner from inside its own callback).
  void WaitIdle() {
    std::unique_lock lock(m_mu);
    m_cv.wait(lock, [&] { return m_held == 0; });
  }

 private:
  bool Enter() {
    std::lock_guard lock(m_mu);
    if (m_closed) return false;
    ++m_held;
    return true;
  }
  void Leave() {
    std::lock_guard lock(m_mu);
    // Notified under the lock: the waiter may destroy the gate as soon as it sees zero.
    if (--m_held == 0) m_cv.notify_all();
  }

  std::mutex m_mu;
  std::condition_variable m_cv;
  int m_held = 0;         // guarded by m_mu
  bool m_closed = false;  // guarded by m_mu
};

}  // namespace escrow
