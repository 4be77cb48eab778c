// Load shedding at the public API: a robot past its request rate gets Django REST framework's
// 429; a full engine queue answers 503 at once; the anonymous history endpoints are served off
// the engine's thread (they answer while the engine is busy) and are limited per address.
#include <gtest/gtest.h>

#include <future>

#include "tests/support/public_api_stack.h"

namespace apistack {
namespace {

using namespace std::chrono_literals;

class LoadShedding : public ::testing::Test {
 protected:
  void Start(StackOptions options) {
    options.clock = &m_clock;
    auto stack = PublicApiStack::Start(std::move(options));
    ASSERT_TRUE(stack.ok()) << stack.error();
    m_stack = std::move(stack.value());
  }
  // Holds the engine's thread inside a reply until `release` is set: everything submitted
  // meanwhile waits in its queue.
  void HoldEngine(std::shared_future<void> release) {
    std::promise<void> holding;
    auto holding_future = holding.get_future();
    m_stack->engine().Submit(coordinator::Auth{}, coordinator::GetRobotCmd{},
                             [&holding, release](base::Result<nlohmann::json>) {
                               holding.set_value();
                               release.wait();
                             });
    holding_future.wait();
  }

  ShiftedClock m_clock{std::chrono::hours(13)};
  std::unique_ptr<PublicApiStack> m_stack;
};

TEST_F(LoadShedding, ARobotPastItsRateIsThrottledAndOthersAreNot) {
  StackOptions o;
  o.robot_rate = {0.1, 5, 1000};  // 5 at once, then one every 10 s
  Start(o);
  ApiRobot alice("alice", "alice"), bob("bob", "bob");
  ApiClient client(m_stack->port());
  ASSERT_EQ(client.Get("/api/robot/", alice.first_header()).status, 200);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(client.Get("/api/robot/", alice.token_header()).status, 200) << i;
  auto throttled = client.Get("/api/robot/", alice.token_header());
  EXPECT_EQ(throttled.status, 429) << throttled.body;
  EXPECT_NE(throttled.json.value("detail", "").find("Request was throttled. Expected available in"), std::string::npos)
      << throttled.body;
  // Another robot has its own allowance.
  EXPECT_EQ(client.Get("/api/robot/", bob.first_header()).status, 200);
  // Snapshot reads are never throttled.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(client.Get("/api/info/").status, 200);
}

TEST_F(LoadShedding, AFullEngineQueueAnswers503AtOnce) {
  Start({});
  ApiRobot alice("alice", "alice");
  ApiClient client(m_stack->port());
  ASSERT_EQ(client.Get("/api/robot/", alice.first_header()).status, 200);
  m_stack->engine().max_queued = 1;
  std::promise<void> release;
  HoldEngine(release.get_future().share());
  // One command fills the queue; the next request is refused without waiting for the engine.
  std::atomic<bool> queued_answered{false};
  m_stack->engine().Submit(coordinator::Auth{}, coordinator::GetRobotCmd{},
                           [&](base::Result<nlohmann::json>) { queued_answered = true; });
  auto busy = client.Get("/api/robot/", alice.token_header());
  EXPECT_EQ(busy.status, 503) << busy.body;
  EXPECT_TRUE(busy.json.contains("error_code")) << busy.body;
  EXPECT_NE(busy.json.value("bad_request", "").find("busy"), std::string::npos) << busy.body;
  release.set_value();
  m_stack->engine().Drain();
  EXPECT_TRUE(queued_answered);
  m_stack->engine().max_queued = 10000;
  EXPECT_EQ(client.Get("/api/robot/", alice.token_header()).status, 200);
}

TEST_F(LoadShedding, MarketHistoryIsServedWhileTheEngineIsBusy) {
  Start({});
  ApiClient client(m_stack->port());
  std::promise<void> release;
  HoldEngine(release.get_future().share());
  // The engine's thread is held: these answer from their own read connection.
  auto ticks = client.Get("/api/ticks/?start=01-01-2020");
  EXPECT_EQ(ticks.status, 200) << ticks.body;
  EXPECT_TRUE(ticks.json.is_array());
  auto historical = client.Get("/api/historical/");
  EXPECT_EQ(historical.status, 200) << historical.body;
  release.set_value();
  m_stack->engine().Drain();
}

TEST_F(LoadShedding, AnonymousHistoryIsLimitedPerAddress) {
  StackOptions o;
  o.anonymous_rate = {0.1, 3, 1000};
  Start(o);
  ApiClient client(m_stack->port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client.Get("/api/historical/").status, 200) << i;
  EXPECT_EQ(client.Get("/api/ticks/").status, 429);
  EXPECT_EQ(client.Get("/api/book/").status, 404);  // the book is a snapshot read: not limited
}

}  // namespace
}  // namespace apistack
