// A simulated network for the desks' tests: the coordinator's node and bob's, with a channel
// between them, and helpers to hold a callback thread while a test looks at what the desk does.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "config/base/clock.h"
#include "escrow/lightning_node.h"
#include "escrow/simln/network.h"
#include "tests/support/test_support.h"

namespace desktest {

class DeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = testsupport::MakeTempDir("desk");
    escrow::simln::NetworkSpec spec;
    spec.nodes = {{"coordinator", ""}, {"bob", ""}};
    escrow::simln::ChannelSpec ch;
    ch.node_a = "coordinator";
    ch.node_b = "bob";
    ch.a_balance_sat = ch.b_balance_sat = 1000000;
    spec.channels = {ch};
    auto net = escrow::simln::Network::Open(m_dir + "/simln.db", spec, m_clock);
    ASSERT_TRUE(net.ok()) << net.error();
    m_net = std::move(net.value());
    m_coord = m_net->Node("coordinator");
    m_bob = m_net->Node("bob");
  }
  void TearDown() override {
    m_bob.reset();
    m_coord.reset();
    m_net.reset();
    std::filesystem::remove_all(m_dir);
  }

  std::string m_dir;
  base::ManualClock m_clock{std::chrono::system_clock::now()};
  std::unique_ptr<escrow::simln::Network> m_net;
  std::unique_ptr<escrow::LightningNode> m_coord, m_bob;
};

// Holds a desk's callback (on the node's thread) from the moment it runs until the desk is
// being destroyed and cancels a stream — or, for a desk that does not wait for its callbacks,
// until the desk is gone. Records whether the callback had returned when the destructor did.
class HeldCallback {
 public:
  static constexpr std::chrono::seconds kWait{10};

  // Inside the callback: blocks (bounded) as above.
  void Hold() {
    std::unique_lock lock(m_mu);
    m_entered = true;
    m_cv.notify_all();
    m_cv.wait_for(lock, kWait, [&] { return m_cancelled_while_destroying || m_destroyed; });
    m_returned = true;
    m_cv.notify_all();
  }
  // ObservedNode::OnCancel hook.
  void StreamCancelled() {
    std::lock_guard lock(m_mu);
    if (m_destroying) m_cancelled_while_destroying = true;
    m_cv.notify_all();
  }
  bool WaitEntered() {
    std::unique_lock lock(m_mu);
    return m_cv.wait_for(lock, kWait, [&] { return m_entered; });
  }
  // Destroys the desk; true if the held callback had returned by the time that was done.
  template <class Desk>
  bool DestroyAndCheck(std::unique_ptr<Desk>& desk) {
    {
      std::lock_guard lock(m_mu);
      m_destroying = true;
    }
    desk.reset();
    bool returned_first;
    {
      std::lock_guard lock(m_mu);
      returned_first = m_returned;
      m_destroyed = true;  // releases a callback the destructor did not wait for
    }
    m_cv.notify_all();
    std::unique_lock lock(m_mu);
    m_cv.wait_for(lock, kWait, [&] { return m_returned; });
    return returned_first;
  }

 private:
  std::mutex m_mu;
  std::condition_variable m_cv;
  bool m_entered = false, m_destroying = false, m_cancelled_while_destroying = false, m_destroyed = false,
       m_returned = false;
};

}  // namespace desktest
