#include "escrow/hold_desk.h"

#include <algorithm>
#include <chrono>

#include "config/base/log.h"

namespace escrow {
namespace {

bool IsTerminal(InvoiceState s) { return s == InvoiceState::kSettled || s == InvoiceState::kCanceled; }

constexpr auto kBackoffMin = std::chrono::milliseconds(200);
constexpr auto kBackoffMax = std::chrono::milliseconds(10000);

}  // namespace

struct HoldDesk::WatchState {
  Hash32 hash{};
  std::function<void(const Invoice&)> on_update;
  std::unique_ptr<Subscription> sub;  // guarded by HoldDesk::m_mu
  bool finished = false;              // guarded by HoldDesk::m_mu
  int failures = 0;                   // guarded by HoldDesk::m_mu
  int generation = 0;                 // guarded by HoldDesk::m_mu: bumped by each Subscribe
};

HoldDesk::HoldDesk(LightningNode& node, size_t threads) : m_node(node), m_workers(threads) {}

HoldDesk::~HoldDesk() {
  std::vector<std::unique_ptr<Subscription>> streams;
  {
    std::lock_guard lock(m_mu);
    m_stopping = true;
    for (auto& [hash, w] : m_watches) {
      w->finished = true;
      if (w->sub) streams.push_back(std::move(w->sub));
    }
    for (auto& w : m_ended) {
      if (w->sub) streams.push_back(std::move(w->sub));
    }
  }
  m_gate.Close();
  // Cancelling a stream waits out its running callback; the gate then waits for callbacks of
  // streams we do not hold (one a Subscribe has not handed back yet).
  streams.clear();
  m_gate.WaitIdle();
  // m_retries, then m_workers are destroyed next (declared last): a retry still running finds
  // its watch finished and cancels the stream it opened itself.
}

void HoldDesk::Add(const HoldSpec& spec, std::function<void(LnResult<AddInvoiceResult>)> done) {
  m_workers.Post([this, spec, done = std::move(done)] {
    HoldInvoiceRequest req;
    req.payment_hash = spec.payment_hash;
    req.value_msat = spec.amount_sat * 1000;
    req.memo = spec.memo;
    req.expiry_seconds = spec.expiry_seconds;
    req.cltv_expiry = spec.cltv_expiry;
    auto added = m_node.AddHoldInvoice(req);
    if (!added.ok() && added.error().code == LnErrorCode::kAlreadyExists) {
      // A re-driven intent: the node got the invoice before we recorded it. Use that one.
      auto existing = m_node.LookupInvoice(spec.payment_hash);
      if (!existing.ok()) return done(base::Err(existing.error()));
      AddInvoiceResult r;
      r.payment_hash = spec.payment_hash;
      r.payment_request = existing->payment_request;
      r.add_index = existing->add_index;
      r.payment_addr = existing->payment_addr;
      return done(std::move(r));
    }
    done(std::move(added));
  });
}

void HoldDesk::Settle(const Hash32& preimage, std::function<void(LnStatus)> done) {
  m_workers.Post([this, preimage, done = std::move(done)] { done(m_node.SettleInvoice(preimage)); });
}

void HoldDesk::Cancel(const Hash32& payment_hash, std::function<void(LnStatus)> done) {
  m_workers.Post([this, payment_hash, done = std::move(done)] { done(m_node.CancelInvoice(payment_hash)); });
}

void HoldDesk::Lookup(const Hash32& payment_hash, std::function<void(LnResult<Invoice>)> done) {
  m_workers.Post([this, payment_hash, done = std::move(done)] { done(m_node.LookupInvoice(payment_hash)); });
}

void HoldDesk::Watch(const Hash32& payment_hash, std::function<void(const Invoice&)> on_update) {
  auto w = std::make_shared<WatchState>();
  w->hash = payment_hash;
  w->on_update = std::move(on_update);
  std::shared_ptr<WatchState> replaced;
  {
    std::lock_guard lock(m_mu);
    if (m_stopping) return;
    auto it = m_watches.find(payment_hash);
    if (it != m_watches.end()) replaced = it->second;
    m_watches[payment_hash] = w;  // NOLINT: intended insert-or-replace
  }
  if (replaced) {
    std::unique_ptr<Subscription> old;
    {
      std::lock_guard lock(m_mu);
      replaced->finished = true;
      old = std::move(replaced->sub);
    }
  }
  Subscribe(w);
}

void HoldDesk::Unwatch(const Hash32& payment_hash) {
  std::shared_ptr<WatchState> w;
  std::unique_ptr<Subscription> sub;
  {
    std::lock_guard lock(m_mu);
    auto it = m_watches.find(payment_hash);
    if (it == m_watches.end()) return;
    w = it->second;
    m_watches.erase(it);
    w->finished = true;
    sub = std::move(w->sub);
  }
}

size_t HoldDesk::WatchCount() const {
  std::lock_guard lock(m_mu);
  return m_watches.size();
}

void HoldDesk::Subscribe(const std::shared_ptr<WatchState>& w) {
  int my_generation;
  {
    std::lock_guard lock(m_mu);
    my_generation = ++w->generation;
  }
  std::weak_ptr<WatchState> weak = w;
  StreamHandlers<Invoice> handlers;
  handlers.on_update = [this, weak](const Invoice& inv) {
    CallbackGate::Pass pass(m_gate);
    auto w = weak.lock();
    if (!pass || !w) return;
    bool terminal = IsTerminal(inv.state);
    {
      std::lock_guard lock(m_mu);
      if (w->finished) return;
      w->failures = 0;
      if (terminal) {
        w->finished = true;
        auto it = m_watches.find(w->hash);
        if (it != m_watches.end() && it->second == w) m_watches.erase(it);
        m_ended.push_back(w);  // the destructor still finds its stream
      }
    }
    w->on_update(inv);
    if (!terminal) return;
    // The stream ends by itself after a terminal update; drop it from a worker, never from
    // its own callback thread.
    std::lock_guard lock(m_mu);
    if (m_stopping) return;  // the destructor has taken the stream
    m_workers.Post([this, w] {
      std::unique_ptr<Subscription> sub;  // declared before the lock: cancelled after it is released
      std::lock_guard lock(m_mu);
      sub = std::move(w->sub);
      m_ended.erase(std::remove(m_ended.begin(), m_ended.end(), w), m_ended.end());
    });
  };
  handlers.on_error = [this, weak](const LnError& error) {
    CallbackGate::Pass pass(m_gate);
    auto w = weak.lock();
    if (!pass || !w) return;
    int failures;
    {
      std::lock_guard lock(m_mu);
      if (w->finished || m_stopping) return;
      failures = ++w->failures;
    }
    base::Log(base::LogLevel::kWarn, "hold_desk", "invoice stream failed; resubscribing",
              {{"payment_hash", crypto::ToHex(w->hash)}, {"error", LnErrorCodeName(error.code)}});
    auto delay = std::min<std::chrono::milliseconds>(kBackoffMax, kBackoffMin * (1 << std::min(failures, 6)));
    m_retries.PostAfter(delay, [this, w] {
      std::unique_ptr<Subscription> old;
      {
        std::lock_guard lock(m_mu);
        if (w->finished || m_stopping) return;
        old = std::move(w->sub);
      }
      old.reset();
      Subscribe(w);
    });
  };
  auto sub = m_node.SubscribeInvoice(w->hash, std::move(handlers));
  std::unique_ptr<Subscription> discard;
  {
    std::lock_guard lock(m_mu);
    // Finished, or already re-subscribed by a retry that ran before this call returned.
    if (w->finished || w->generation != my_generation) {
      discard = std::move(sub);
    } else {
      w->sub = std::move(sub);
    }
  }
}

}  // namespace escrow
