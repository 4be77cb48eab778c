// Engine::Deps::on_orders_written, as the in-process stack wires it into apistack::OrderWatch:
// every committed write of an order moves its version, so a client (bench_trades_per_sec) can
// wait for the order to change instead of polling it in a sleep loop.
#include <gtest/gtest.h>

#include <thread>

#include "tests/support/public_api_stack.h"

namespace apistack {
namespace {

using namespace std::chrono_literals;

TEST(OrderWatch, EveryCommittedWriteOfAnOrderWakesItsWaitersAndNoOtherOrders) {
  ShiftedClock clock{13h};
  StackOptions options;
  options.clock = &clock;
  auto started = PublicApiStack::Start(std::move(options));
  ASSERT_TRUE(started.ok()) << started.error();
  PublicApiStack& stack = *started.value();
  ApiClient client(stack.port());
  ApiRobot alice("alice", "alice"), bob("bob", "bob");
  ASSERT_TRUE(Register(client, alice).ok());
  ASSERT_TRUE(Register(client, bob).ok());

  auto made = Make(client, alice, OrderBody(1, "100"));
  ASSERT_TRUE(made.ok()) << made.error();
  const int64_t id = made->value("id", int64_t{0});
  const uint64_t after_make = stack.watch().Version(id);
  EXPECT_GE(after_make, 1u) << "making the order wrote it";
  auto other = Make(client, bob, OrderBody(2, "100"));
  ASSERT_TRUE(other.ok()) << other.error();
  const int64_t other_id = other->value("id", int64_t{0});
  const uint64_t other_before = stack.watch().Version(other_id);

  // The bond's HTLC reaches the coordinator's node; the engine moves the order to public (1).
  stack.Pay(alice.wallet(), made->value("bond_invoice", ""));
  EXPECT_TRUE(stack.watch().WaitPast(id, after_make, 30s)) << "the bond's lock never woke the waiter";
  EXPECT_EQ(stack.watch().Version(other_id), other_before) << "another order's waiters were woken";

  // A client waiting through the watch: the cancel's write ends its wait, not the fallback.
  client.watch = &stack.watch();
  client.watch_fallback = 45s;
  auto public_view = WaitStatus(client, alice, id, 1, 30s);
  ASSERT_TRUE(public_view.ok()) << public_view.error();
  const uint64_t timed_out_before = stack.watch().timed_out();
  std::thread canceller([&] {
    ApiClient c(stack.port());
    std::this_thread::sleep_for(100ms);
    EXPECT_TRUE(Action(c, alice, id, "cancel").ok());
  });
  auto cancelled = WaitStatus(client, alice, id, 4, 60s);
  canceller.join();
  EXPECT_TRUE(cancelled.ok()) << cancelled.error();
  EXPECT_EQ(stack.watch().timed_out(), timed_out_before) << "the wait ended by its fallback, not by the write";
}

}  // namespace
}  // namespace apistack
