// The notifier: ordering, the initial value, ends, and what Cancel guarantees.
#include "escrow/simln/notifier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "escrow/stream_queue.h"

namespace escrow::simln {
namespace {

constexpr std::chrono::seconds kWait{10};

Invoice InvoiceIn(InvoiceState s, uint64_t add_index = 0) {
  Invoice i;
  i.state = s;
  i.add_index = add_index;
  return i;
}

// Blocks until every update published before it has been delivered: the notifier runs one
// thread in order, so a sentinel on another key arriving means all earlier ones were handled.
void Flush(Notifier& n) {
  StreamQueue<Invoice> q;
  auto handle = n.Subscribe("flush", q.Handlers(), std::nullopt);
  n.Publish("flush", InvoiceIn(InvoiceState::kSettled));
  ASSERT_TRUE(q.WaitFor([](const Invoice&) { return true; }, kWait).has_value());
}

TEST(SimlnNotifier, UpdatesArriveInOrderOnlyAfterSubscribingAndEndAtATerminalState) {
  Notifier n;
  n.Publish("k", InvoiceIn(InvoiceState::kOpen, 1));  // nobody listens: dropped
  StreamQueue<Invoice> q;
  auto handle = n.Subscribe("k", q.Handlers(), InvoiceIn(InvoiceState::kOpen, 2));
  n.Publish("k", InvoiceIn(InvoiceState::kAccepted, 3));
  n.Publish("other", InvoiceIn(InvoiceState::kAccepted, 99));
  n.Publish("k", InvoiceIn(InvoiceState::kSettled, 4));
  n.Publish("k", InvoiceIn(InvoiceState::kCanceled, 5));  // after the end: never delivered
  std::vector<uint64_t> seen;
  for (;;) {
    auto ev = q.Next(kWait);
    ASSERT_TRUE(ev.has_value());
    if (auto* inv = std::get_if<Invoice>(&*ev)) {
      seen.push_back(inv->add_index);
      continue;
    }
    ASSERT_TRUE(std::holds_alternative<StreamQueue<Invoice>::Ended>(*ev));
    break;
  }
  EXPECT_EQ(seen, (std::vector<uint64_t>{2, 3, 4}));
  Flush(n);
  EXPECT_FALSE(q.Next(std::chrono::milliseconds(0)).has_value());
}

TEST(SimlnNotifier, FailedStreamDeliversTheErrorThenDone) {
  Notifier n;
  StreamQueue<Payment> q;
  auto handle = n.Failed(q.Handlers(), LnError{LnErrorCode::kNotFound, "payment isn't initiated"});
  auto err = q.Next(kWait);
  ASSERT_TRUE(err && std::holds_alternative<LnError>(*err));
  EXPECT_EQ(std::get<LnError>(*err).code, LnErrorCode::kNotFound);
  auto end = q.Next(kWait);
  ASSERT_TRUE(end && std::holds_alternative<StreamQueue<Payment>::Ended>(*end));
}

TEST(SimlnNotifier, FailOneEndsOnlyThatSubscription) {
  Notifier n;
  StreamQueue<Payment> a, b;
  auto ha = n.Subscribe("p", a.Handlers(), std::nullopt);
  auto hb = n.Subscribe("p", b.Handlers(), std::nullopt);
  n.FailOne(ha.id, LnError{LnErrorCode::kInternal, "store"});
  Payment p;
  p.status = PaymentStatus::kInFlight;
  n.Publish("p", p);
  auto ea = a.Next(kWait);
  ASSERT_TRUE(ea && std::holds_alternative<LnError>(*ea));
  auto eb = b.Next(kWait);
  ASSERT_TRUE(eb && std::holds_alternative<Payment>(*eb));
}

TEST(SimlnNotifier, CancelFromInsideACallbackDoesNotDeadlockAndStopsDelivery) {
  Notifier n;
  std::atomic<int> calls{0};
  std::atomic<bool> done_called{false};
  std::promise<std::unique_ptr<Subscription>*> holder;
  auto holder_future = holder.get_future().share();
  StreamHandlers<Invoice> h;
  h.on_update = [&](const Invoice&) {
    ++calls;
    auto* sub = holder_future.get();
    (*sub)->Cancel();  // from the notifier thread, inside the callback
  };
  h.on_done = [&] { done_called = true; };
  auto handle = n.Subscribe("k", std::move(h), std::nullopt);
  holder.set_value(&handle.subscription);
  n.Publish("k", InvoiceIn(InvoiceState::kSettled));  // terminal, but canceled inside: no on_done
  n.Publish("k", InvoiceIn(InvoiceState::kAccepted));
  Flush(n);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_FALSE(done_called.load());
}

TEST(SimlnNotifier, NoCallbackRunsOnceCancelHasReturned) {
  Notifier n;
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, release = false, finished = false;
  std::atomic<int> calls{0};
  StreamHandlers<Invoice> h;
  h.on_update = [&](const Invoice&) {
    ++calls;
    std::unique_lock lock(mu);
    entered = true;
    cv.notify_all();
    cv.wait_for(lock, kWait, [&] { return release; });
    finished = true;
  };
  auto handle = n.Subscribe("k", std::move(h), std::nullopt);
  n.Publish("k", InvoiceIn(InvoiceState::kOpen));
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, kWait, [&] { return entered; }));
  }
  // Cancel from another thread while the callback is blocked: it must wait for it.
  std::promise<bool> finished_when_cancel_returned;
  std::thread canceler([&] {
    handle.subscription->Cancel();
    std::lock_guard lock(mu);
    finished_when_cancel_returned.set_value(finished);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let Cancel start waiting
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  canceler.join();
  EXPECT_TRUE(finished_when_cancel_returned.get_future().get());
  n.Publish("k", InvoiceIn(InvoiceState::kAccepted));
  Flush(n);
  EXPECT_EQ(calls.load(), 1);
}

TEST(SimlnNotifier, DestructionDeliversWhatIsQueuedAndHandlesMayOutliveIt) {
  StreamQueue<Invoice> q;
  Notifier::Handle handle;
  {
    Notifier n;
    handle = n.Subscribe("k", q.Handlers(), InvoiceIn(InvoiceState::kOpen));
    n.Publish("k", InvoiceIn(InvoiceState::kAccepted));
  }
  int updates = 0;
  while (auto ev = q.Next(std::chrono::milliseconds(0))) updates += std::holds_alternative<Invoice>(*ev);
  EXPECT_EQ(updates, 2);
  handle.subscription->Cancel();  // the notifier is gone: a no-op
  handle.subscription.reset();
}

// An owner that holds its own subscription and is captured by the subscription's handlers
// (as the payout desk's jobs are): the notifier must break that cycle once the stream is over.
struct Owner {
  std::unique_ptr<Subscription> sub;
};

TEST(SimlnNotifier, AnEndedStreamNoLongerHoldsWhatItsHandlersCapture) {
  Notifier n;
  auto owner = std::make_shared<Owner>();
  std::weak_ptr<Owner> alive = owner;
  StreamHandlers<Payment> h;
  h.on_update = [owner](const Payment&) {};
  owner->sub = n.Subscribe("p", std::move(h), std::nullopt).subscription;
  owner.reset();  // only the cycle keeps it now
  ASSERT_FALSE(alive.expired());
  Payment p;
  p.status = PaymentStatus::kSucceeded;
  n.Publish("p", p);
  Flush(n);
  EXPECT_TRUE(alive.expired()) << "the subscription and its handlers keep each other alive";
}

TEST(SimlnNotifier, CancelReleasesTheHandlersThoughTheHandleLives) {
  Notifier n;
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> alive = token;
  StreamHandlers<Invoice> h;
  h.on_update = [token](const Invoice&) {};
  auto handle = n.Subscribe("k", std::move(h), InvoiceIn(InvoiceState::kOpen));
  token.reset();
  Flush(n);
  ASSERT_FALSE(alive.expired());
  handle.subscription->Cancel();
  EXPECT_TRUE(alive.expired());
}

TEST(SimlnNotifier, CancelFromInsideACallbackReleasesTheHandlersWhenItReturns) {
  Notifier n;
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> alive = token;
  std::promise<std::unique_ptr<Subscription>*> holder;
  auto holder_future = holder.get_future().share();
  StreamHandlers<Invoice> h;
  h.on_update = [token, holder_future](const Invoice&) { (*holder_future.get())->Cancel(); };
  auto handle = n.Subscribe("k", std::move(h), std::nullopt);
  holder.set_value(&handle.subscription);
  token.reset();
  n.Publish("k", InvoiceIn(InvoiceState::kOpen));
  Flush(n);
  EXPECT_TRUE(alive.expired());
}

TEST(SimlnNotifier, DestroyingTheNotifierReleasesTheHandlersOfOpenStreams) {
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> alive = token;
  Notifier::Handle handle;
  {
    Notifier n;
    StreamHandlers<Invoice> h;
    h.on_update = [token](const Invoice&) {};
    handle = n.Subscribe("k", std::move(h), std::nullopt);
    token.reset();
    ASSERT_FALSE(alive.expired());
  }
  EXPECT_TRUE(alive.expired());
}

}  // namespace
}  // namespace escrow::simln
