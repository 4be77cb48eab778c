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
  auto other = Make(client, bob, OrderBody(0, "100"));
  ASSERT_TRUE(other.ok()) << other.error();
  const int64_t other_id = other->value("id", int64_t{0});
  const uint64_t other_before = stack.watch().Version(other_id);

  // A client waiting through the watch for the order to go public (1): the bond's lock, paid a
  // moment later, ends its wait — not the fallback, which is longer than the wait may take.
  client.watch = &stack.watch();
  client.watch_fallback = 45s;
  std::thread payer([&] {
    std::this_thread::sleep_for(100ms);
    stack.Pay(alice.wallet(), made->value("bond_invoice", ""));
  });
  auto public_view = WaitStatus(client, alice, id, 1, 60s);
  payer.join();
  ASSERT_TRUE(public_view.ok()) << public_view.error();
  EXPECT_GT(stack.watch().Version(id), after_make);
  EXPECT_EQ(stack.watch().timed_out(), 0u) << "the wait ended by its fallback, not by the write";
  EXPECT_GE(stack.watch().woken(), 1u);
  EXPECT_EQ(stack.watch().Version(other_id), other_before) << "another order's writes were counted";

  // The maker's cancel wakes a waiter of that order.
  const uint64_t before_cancel = stack.watch().Version(id);
  std::thread canceller([&] {
    ApiClient c(stack.port());
    std::this_thread::sleep_for(100ms);
    EXPECT_TRUE(Action(c, alice, id, "cancel").ok());
  });
  EXPECT_TRUE(stack.watch().WaitPast(id, before_cancel, 45s)) << "the cancel's write did not wake the waiter";
  canceller.join();
  EXPECT_EQ(stack.watch().Version(other_id), other_before);
}

}  // namespace
}  // namespace apistack
