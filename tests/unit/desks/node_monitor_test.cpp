// NodeMonitor: the engine's view of the chain height and of the node's reachability follows the
// node (LND REST: GET /v1/getinfo), including with a backend whose height is only known by
// asking — the lnd backend read it once at start before.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "config/base/clock.h"
#include "escrow/node_monitor.h"
#include "escrow/simln/network.h"
#include "tests/support/test_support.h"

namespace {

using namespace std::chrono_literals;

class NodeMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = testsupport::MakeTempDir("node-monitor");
    escrow::simln::NetworkSpec spec;
    spec.start_height = 800000;
    spec.nodes.push_back({"coordinator", ""});
    auto net = escrow::simln::Network::Open(m_dir + "/simln.db", spec, m_clock);
    ASSERT_TRUE(net.ok()) << net.error();
    m_net = std::move(net.value());
    m_node = m_net->Node("coordinator");
  }
  void TearDown() override {
    m_node.reset();
    m_net.reset();
    std::filesystem::remove_all(m_dir);
  }

  std::string m_dir;
  base::ManualClock m_clock;
  std::unique_ptr<escrow::simln::Network> m_net;
  std::unique_ptr<escrow::LightningNode> m_node;
};

TEST_F(NodeMonitorTest, HeightFollowsTheNodeAndEachMoveIsAnnounced) {
  std::atomic<uint32_t> announced{0};
  std::atomic<int> announcements{0};
  escrow::NodeMonitor monitor(*m_node, m_net->BlockHeight(), {std::chrono::milliseconds(10)}, [&](uint32_t h) {
    announced = h;
    ++announcements;
  });
  EXPECT_EQ(monitor.BlockHeight(), 800000u);
  monitor.Start();
  m_net->MineBlocks(7);
  for (int i = 0; i < 1000 && monitor.BlockHeight() != 800007u; ++i) std::this_thread::sleep_for(2ms);
  EXPECT_EQ(monitor.BlockHeight(), 800007u);
  for (int i = 0; i < 1000 && announced != 800007u; ++i) std::this_thread::sleep_for(2ms);
  EXPECT_EQ(announced.load(), 800007u);
  const int moves = announcements.load();
  // Polls without a new block announce nothing.
  const uint64_t polls = monitor.Polls();
  for (int i = 0; i < 1000 && monitor.Polls() < polls + 3; ++i) std::this_thread::sleep_for(2ms);
  EXPECT_EQ(announcements.load(), moves);
  monitor.Stop();
  EXPECT_TRUE(monitor.Reachable());
  EXPECT_GT(monitor.LastOkMs(), 0);
}

TEST_F(NodeMonitorTest, AnUnreachableNodeIsNoticedAndItsReturnToo) {
  escrow::NodeMonitor monitor(*m_node, m_net->BlockHeight(), {std::chrono::hours(1)});
  monitor.PollOnce();
  EXPECT_TRUE(monitor.Reachable());
  m_net->SetNodeFailure("coordinator", {escrow::simln::FailureMode::kOffline, 0});
  monitor.PollOnce();
  EXPECT_FALSE(monitor.Reachable());
  EXPECT_EQ(monitor.BlockHeight(), 800000u);  // the last height known stays
  m_net->SetNodeFailure("coordinator", {escrow::simln::FailureMode::kNone, 0});
  m_net->MineBlocks(2);
  monitor.PollOnce();
  EXPECT_TRUE(monitor.Reachable());
  EXPECT_EQ(monitor.BlockHeight(), 800002u);
}

}  // namespace
