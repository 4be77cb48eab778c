// The engine's snapshot names the nostr keys of the robots of live orders: whom /relay/ accepts
// NIP-59 gift wraps (kind 1059) for (api/coordinatord_main.cpp reads it without waiting for
// the engine's thread). A robot is in the set while an order it made or took is live, and out
// of it once that order is finished, cancelled or expired.
#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

using coordinator::CancelCmd;

class GiftWrapRecipients : public EngineHarness {
 protected:
  // A robot whose auth header carries a nostr key (as every RoboSats client's does).
  TestRobot& NostrRobot(const std::string& name, const std::string& wallet, const std::string& key) {
    auto& r = Robot(name, wallet);
    r.auth.keys->nostr_pubkey = key;
    return r;
  }
  std::set<std::string> Recipients() {
    m_engine->Drain();
    auto snap = m_engine->snapshot();
    EXPECT_TRUE(snap && snap->live_robot_nostr_keys);
    return snap && snap->live_robot_nostr_keys ? *snap->live_robot_nostr_keys : std::set<std::string>{};
  }
};

const std::string kMakerKey(64, 'a');
const std::string kTakerKey(64, 'b');
const std::string kIdleKey(64, 'c');

TEST_F(GiftWrapRecipients, RobotsOfLiveOrdersOnlyAndNotAfterTheOrderEnds) {
  EXPECT_EQ(Recipients(), std::set<std::string>{});
  auto& maker = NostrRobot("maker", "alice", kMakerKey);
  auto& taker = NostrRobot("taker", "bob", kTakerKey);
  auto& idle = NostrRobot("idle", "carol", kIdleKey);
  Ok(idle, coordinator::GetRobotCmd{});  // known to the coordinator, no order
  const int64_t id = MakePublic(maker, SellOrder("100"));
  EXPECT_EQ(Recipients(), std::set<std::string>{kMakerKey});
  TakeAndLock(taker, id);
  EXPECT_EQ(Recipients(), (std::set<std::string>{kMakerKey, kTakerKey}));
  LockEscrow(maker, id);
  SubmitInvoice(taker, id);
  WaitStatus(taker, id, 9);
  EXPECT_EQ(Recipients(), (std::set<std::string>{kMakerKey, kTakerKey}));
  // The trade is collaboratively cancelled: nobody is left.
  Ok(maker, CancelCmd{id, 9});
  Ok(taker, CancelCmd{id, 9});
  WaitStatus(taker, id, 12);
  EXPECT_EQ(Recipients(), std::set<std::string>{});
}

TEST_F(GiftWrapRecipients, AnExpiredOrderTakesItsMakerOutAndARestartRebuildsTheSet) {
  auto& maker = NostrRobot("maker", "alice", kMakerKey);
  const int64_t id = MakePublic(maker, SellOrder("100"));
  EXPECT_EQ(Recipients(), std::set<std::string>{kMakerKey});
  StopCoordinator();
  StartCoordinator();
  EXPECT_EQ(Recipients(), std::set<std::string>{kMakerKey});
  Advance(std::chrono::seconds(m_params.public_duration_default + 1));
  WaitStatus(maker, id, 5);
  EXPECT_EQ(Recipients(), std::set<std::string>{});
}

}  // namespace
}  // namespace enginetest
