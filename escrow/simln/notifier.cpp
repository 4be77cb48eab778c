#include "escrow/simln/notifier.h"

#include <exception>
#include <utility>
#include <vector>

#include "config/base/log.h"

namespace escrow::simln {
namespace {

using Handlers = std::variant<StreamHandlers<Invoice>, StreamHandlers<Payment>>;
using Payload = std::variant<Invoice, Payment, LnError>;

bool IsTerminal(const Invoice& inv) {
  switch (inv.state) {
    case InvoiceState::kSettled:
    case InvoiceState::kCanceled: return true;
    case InvoiceState::kOpen:
    case InvoiceState::kAccepted: return false;
  }
  return false;
}

bool IsTerminal(const Payment& p) {
  switch (p.status) {
    case PaymentStatus::kSucceeded:
    case PaymentStatus::kFailed: return true;
    case PaymentStatus::kUnknown:
    case PaymentStatus::kInFlight:
    case PaymentStatus::kInitiated: return false;
  }
  return false;
}

struct Sub {
  uint64_t id = 0;
  std::string key;
  uint64_t start_seq = 0;  // broadcasts with a smaller sequence number predate it
  // Read by the notifier thread while `running`; released (emptied) once the subscription
  // has ended or is canceled and no callback runs, so that what they capture — often the
  // owner of this subscription's handle — is not kept alive by it.
  Handlers handlers;

  std::mutex mu;
  std::condition_variable cv;
  bool canceled = false;
  bool ended = false;
  bool running = false;  // a callback is executing

  // REQUIRES: mu held; no callback is running on them, or the caller is the Deliver that ran
  // it. The caller destroys the result after releasing mu: that may run destructors that
  // cancel this very subscription.
  Handlers TakeHandlers() {
    Handlers taken = std::move(handlers);
    std::visit([](auto& h) { h = {}; }, handlers);
    return taken;
  }
};

struct Event {
  uint64_t seq = 0;
  std::string key;
  uint64_t target = 0;  // 0: every subscriber of `key`
  Payload payload;
};

}  // namespace

struct Notifier::Core {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Event> queue;
  std::map<uint64_t, std::shared_ptr<Sub>> subs;                           // by id
  std::map<std::string, std::map<uint64_t, std::shared_ptr<Sub>>> by_key;  // by key, then id
  uint64_t next_seq = 1;
  uint64_t next_id = 1;
  bool stopping = false;
  std::thread::id thread_id;  // written once before any subscription exists

  void Remove(const Sub& sub) {
    std::lock_guard lock(mu);
    subs.erase(sub.id);
    if (auto it = by_key.find(sub.key); it != by_key.end()) {
      it->second.erase(sub.id);
      if (it->second.empty()) by_key.erase(it);
    }
  }

  // Runs one event's callbacks on `sub`. Called on the notifier thread without `mu`.
  void Deliver(Sub& sub, const Event& ev) {
    {
      std::lock_guard lock(sub.mu);
      if (sub.canceled || sub.ended) return;
      sub.running = true;
    }
    bool terminal = false;
    try {
      if (const auto* err = std::get_if<LnError>(&ev.payload)) {
        terminal = true;
        std::visit(
            [&](auto& h) {
              if (h.on_error) h.on_error(*err);
            },
            sub.handlers);
      } else if (const auto* inv = std::get_if<Invoice>(&ev.payload)) {
        if (auto* h = std::get_if<StreamHandlers<Invoice>>(&sub.handlers)) {
          terminal = IsTerminal(*inv);
          if (h->on_update) h->on_update(*inv);
        }
      } else if (const auto* pay = std::get_if<Payment>(&ev.payload)) {
        if (auto* h = std::get_if<StreamHandlers<Payment>>(&sub.handlers)) {
          terminal = IsTerminal(*pay);
          if (h->on_update) h->on_update(*pay);
        }
      }
      bool canceled_inside = false;
      {
        std::lock_guard lock(sub.mu);
        canceled_inside = sub.canceled;
      }
      if (terminal && !canceled_inside) {
        std::visit(
            [](auto& h) {
              if (h.on_done) h.on_done();
            },
            sub.handlers);
      }
    } catch (const std::exception& e) {
      base::Log(base::LogLevel::kError, "simln", "stream callback threw", {{"error", e.what()}});
    } catch (...) {
      base::Log(base::LogLevel::kError, "simln", "stream callback threw", {{"error", "unknown"}});
    }
    // That was the last callback of an ended or canceled subscription: release the handlers
    // while still `running`, so that a Cancel waiting for us returns only once they are gone.
    // A Cancel that comes after this check releases them itself.
    {
      Handlers released;  // destroyed outside sub.mu: that may cancel this subscription
      std::lock_guard lock(sub.mu);
      if (terminal || sub.canceled) released = sub.TakeHandlers();
    }
    {
      std::lock_guard lock(sub.mu);
      sub.running = false;
      if (terminal) sub.ended = true;
    }
    sub.cv.notify_all();
    if (terminal) Remove(sub);
  }

  void Run() {
    for (;;) {
      Event ev;
      std::vector<std::shared_ptr<Sub>> targets;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return !queue.empty() || stopping; });
        if (queue.empty()) return;  // stopping, and everything queued was delivered
        ev = std::move(queue.front());
        queue.pop_front();
        if (ev.target != 0) {
          if (auto it = subs.find(ev.target); it != subs.end()) targets.push_back(it->second);
        } else if (auto it = by_key.find(ev.key); it != by_key.end()) {
          for (const auto& [id, sub] : it->second) {
            if (sub->start_seq <= ev.seq) targets.push_back(sub);
          }
        }
      }
      for (const auto& sub : targets) Deliver(*sub, ev);
    }
  }

  // REQUIRES: mu held.
  void Push(std::string key, uint64_t target, Payload payload) {
    if (stopping) return;
    queue.push_back(Event{next_seq++, std::move(key), target, std::move(payload)});
    cv.notify_one();
  }

  // Registers a subscription and queues `first` for it alone, atomically: `first` takes the
  // sequence number the subscription starts at, so it precedes every broadcast it will see.
  std::shared_ptr<Sub> NewSub(const std::string& key, Handlers handlers, std::optional<Payload> first) {
    auto sub = std::make_shared<Sub>();
    sub->handlers = std::move(handlers);
    sub->key = key;
    std::lock_guard lock(mu);
    sub->id = next_id++;
    sub->start_seq = next_seq;
    subs.emplace(sub->id, sub);
    if (!key.empty()) by_key[key].emplace(sub->id, sub);
    if (first) Push(key, sub->id, std::move(*first));
    return sub;
  }
};

namespace {

class SubscriptionHandle final : public Subscription {
 public:
  SubscriptionHandle(std::weak_ptr<Notifier::Core> core, std::shared_ptr<Sub> sub)
      : m_core(std::move(core)), m_sub(std::move(sub)) {}
  ~SubscriptionHandle() override { Cancel(); }

  void Cancel() override {
    // Declared first, destroyed last: releasing the handlers may destroy this handle's owner.
    Handlers released;
    auto core = m_core.lock();
    {
      std::unique_lock lock(m_sub->mu);
      m_sub->canceled = true;
      // Wait out a running callback, unless we are that callback (Cancel from inside it).
      bool on_notifier_thread = core && std::this_thread::get_id() == core->thread_id;
      if (!on_notifier_thread) m_sub->cv.wait(lock, [&] { return !m_sub->running; });
      // From inside the callback, the running Deliver releases them once it returns.
      if (!m_sub->running) released = m_sub->TakeHandlers();
    }
    if (core) core->Remove(*m_sub);
  }

 private:
  std::weak_ptr<Notifier::Core> m_core;
  std::shared_ptr<Sub> m_sub;
};

template <class T>
Notifier::Handle SubscribeImpl(const std::shared_ptr<Notifier::Core>& core, const std::string& key,
                               StreamHandlers<T> handlers, std::optional<T> initial) {
  std::optional<Payload> first;
  if (initial) first = Payload(std::move(*initial));
  auto sub = core->NewSub(key, Handlers(std::move(handlers)), std::move(first));
  return Notifier::Handle{std::make_unique<SubscriptionHandle>(core, sub), sub->id};
}

template <class T>
std::unique_ptr<Subscription> FailedImpl(const std::shared_ptr<Notifier::Core>& core,
                                         StreamHandlers<T> handlers, LnError error) {
  auto sub = core->NewSub("", Handlers(std::move(handlers)), Payload(std::move(error)));
  return std::make_unique<SubscriptionHandle>(core, sub);
}

}  // namespace

Notifier::Notifier() : m_core(std::make_shared<Core>()) {
  m_thread = std::thread([core = m_core] { core->Run(); });
  m_core->thread_id = m_thread.get_id();
}

Notifier::~Notifier() {
  {
    std::lock_guard lock(m_core->mu);
    m_core->stopping = true;
  }
  m_core->cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
  // No callback runs any more: release the handlers of the subscriptions still open (their
  // handles may outlive the notifier, and must not keep alive what the handlers capture).
  std::vector<std::shared_ptr<Sub>> open;
  {
    std::lock_guard lock(m_core->mu);
    for (const auto& [id, sub] : m_core->subs) open.push_back(sub);
  }
  for (const auto& sub : open) {
    Handlers released;  // destroyed outside sub->mu
    std::lock_guard lock(sub->mu);
    released = sub->TakeHandlers();
  }
}

Notifier::Handle Notifier::Subscribe(const std::string& key, StreamHandlers<Invoice> handlers,
                                     std::optional<Invoice> initial) {
  return SubscribeImpl(m_core, key, std::move(handlers), std::move(initial));
}

Notifier::Handle Notifier::Subscribe(const std::string& key, StreamHandlers<Payment> handlers,
                                     std::optional<Payment> initial) {
  return SubscribeImpl(m_core, key, std::move(handlers), std::move(initial));
}

std::unique_ptr<Subscription> Notifier::Failed(StreamHandlers<Invoice> handlers, LnError error) {
  return FailedImpl(m_core, std::move(handlers), std::move(error));
}

std::unique_ptr<Subscription> Notifier::Failed(StreamHandlers<Payment> handlers, LnError error) {
  return FailedImpl(m_core, std::move(handlers), std::move(error));
}

void Notifier::Publish(const std::string& key, Invoice value) {
  std::lock_guard lock(m_core->mu);
  if (m_core->by_key.find(key) == m_core->by_key.end()) return;  // nobody listens: nothing to keep
  m_core->Push(key, 0, Payload(std::move(value)));
}

void Notifier::Publish(const std::string& key, Payment value) {
  std::lock_guard lock(m_core->mu);
  if (m_core->by_key.find(key) == m_core->by_key.end()) return;
  m_core->Push(key, 0, Payload(std::move(value)));
}

void Notifier::FailOne(uint64_t id, LnError error) {
  std::lock_guard lock(m_core->mu);
  m_core->Push("", id, Payload(std::move(error)));
}

std::string Notifier::InvoiceKey(const std::string& node, const Hash32& hash) {
  return "i:" + node + ":" + crypto::ToHex(hash);
}

std::string Notifier::PaymentKey(const std::string& node, const Hash32& hash) {
  return "p:" + node + ":" + crypto::ToHex(hash);
}

}  // namespace escrow::simln
