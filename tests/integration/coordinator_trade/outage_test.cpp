// Outage-aware deadlines between real processes (issue #12, item 2): coordinatord (lnd backend →
// the simln daemon) SIGKILLed for longer than a trade's remaining window and started again; its
// node made unreachable (simln's OFFLINE failure mode) across a window; a stretch so long that a
// held HTLC nears its margin. The coordinator's clock is moved by its test clock file; blocks are
// mined on the daemon. Nobody loses a bond for the time the coordinator could not serve, and the
// auditor reads the store after each test.
#include <csignal>
#include <fstream>

#include "coordinator/store/store.h"
#include "tests/integration/coordinator_trade/trade_fixture.h"
#include "tests/support/auditor.h"

namespace coordinator_trade_test {
namespace {

constexpr int kKilled = 128 + SIGKILL;
constexpr int64_t kEscrowWindowS = 10800;  // trade.escrow_duration_s default

class Outage : public CoordinatorTrade {
 protected:
  void BeforeCoordinatord() override {
    m_clock_file = m_dir + "/clock";
    std::ofstream(m_clock_file) << 0;
    m_options.clock_file = m_clock_file;
    m_options.chain_poll_interval_s = 1;  // the node's reachability is seen within a second
  }

  void MoveClock(int64_t seconds) {
    m_clock_ahead_s += seconds;
    std::ofstream(m_clock_file) << m_clock_ahead_s;
    std::this_thread::sleep_for(150ms);  // the coordinator re-reads the file every 50 ms
  }

  // SIGKILL, the clock moved `down_s` ahead, and a new coordinatord on the same files.
  void KillFor(int64_t down_s, uint32_t mine_blocks = 0) {
    ASSERT_EQ(m_coordinatord->Kill(kWait), std::optional<int>(kKilled));
    if (mine_blocks) {
      ASSERT_TRUE(m_simln->Mine(mine_blocks).ok());
    }
    MoveClock(down_s);
    auto started = testsupport::Coordinatord::Start(m_dir, *m_simln->Node("coordinator"), m_options);
    ASSERT_TRUE(started.ok()) << started.error();
    m_coordinatord = std::move(started.value());
    for (auto& [name, t] : m_traders) t.robot->set_api_url(m_coordinatord->api_url());
  }

  json Info() {
    auto info = RobotClient::Anonymous(m_coordinatord->api_url() + "/api/info/");
    EXPECT_EQ(info.status, 200) << info.Describe();
    m_contract.Check("GET", "/api/info/", info);
    return info.json;
  }
  // Waits (bounded) until /api/info/'s last outage is of `reason` and going on (or ended).
  bool WaitOutage(const std::string& reason, bool ongoing) {
    return testsupport::WaitUntil(
        [&] {
          json last = Info().value("last_outage", json());
          return last.is_object() && last.value("reason", "") == reason && last["ended_at"].is_null() == ongoing;
        },
        kWait);
  }

  // A sell order of "robot" (alice) taken by "other" (bob): status 6.
  int64_t Taken() {
    RegisterRobots();
    int64_t id = MakeAndPublish(
        T("robot"), {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}, {"premium", "1"}});
    TakeAndLock(T("other"), id, "");
    return id;
  }

  void Audit() {
    auto report = testsupport::AuditStoreAgainstNode(m_dir + "/data/coordinator.db", *m_coord_node, kWait);
    EXPECT_TRUE(report.ok()) << report.Describe();
  }

  std::string m_clock_file;
};

TEST_F(Outage, CoordinatorKilledLongerThanTheEscrowWindowForfeitsNoBondAndTheTradeGoesOn) {
  auto& seller = T("robot");
  auto& buyer = T("other");
  const int64_t alice0 = seller.wallet->LocalSats().value_or(-1);
  const int64_t bob0 = buyer.wallet->LocalSats().value_or(-1);
  int64_t id = Taken();
  KillFor(kEscrowWindowS + 3600);
  json v = Order(*seller.robot, id);
  EXPECT_EQ(v.value("status", -1), 6) << v.dump();
  EXPECT_GE(v.value("paused_for_outage_secs", int64_t{0}), kEscrowWindowS + 3600);
  json last = Info().value("last_outage", json());
  ASSERT_TRUE(last.is_object());
  EXPECT_EQ(last.value("reason", ""), "coordinator_down");
  EXPECT_GE(last.value("seconds", int64_t{0}), kEscrowWindowS + 3600);
  // The seller locks the (fresh) escrow invoice, the buyer submits, the fiat moves: paid.
  const int64_t escrow = LockEscrow(seller, id);
  WaitStatus(*buyer.robot, id, 8);
  const std::string payreq = SubmitInvoice(buyer, id);
  json done = ConfirmBoth(buyer, seller, id);
  const int64_t payout = done.value("num_satoshis", int64_t{0});
  EXPECT_GT(payout, 0) << done.dump();
  CheckMoney(buyer, bob0, payout, payreq, seller, alice0, escrow);
  EXPECT_EQ(Call(*seller.robot, "GET", "/api/robot/").value("earned_rewards", -1), 0);
  EXPECT_EQ(Call(*buyer.robot, "GET", "/api/robot/").value("earned_rewards", -1), 0);
  Audit();
}

TEST_F(Outage, NodeUnreachableThroughTheInvoiceWindowForfeitsNoBond) {
  auto& seller = T("robot");
  auto& buyer = T("other");
  int64_t id = Taken();
  LockEscrow(seller, id);
  WaitStatus(*buyer.robot, id, 8);  // the buyer's invoice is due within 3 h
  ASSERT_TRUE(m_simln->SetNodeFailure("coordinator", "OFFLINE").ok());
  ASSERT_TRUE(WaitOutage("node_unreachable", /*ongoing=*/true));
  MoveClock(kEscrowWindowS + 600);
  std::this_thread::sleep_for(1500ms);  // engine ticks pass: the deadline is paused
  EXPECT_EQ(Order(*buyer.robot, id).value("status", -1), 8);
  ASSERT_TRUE(m_simln->SetNodeFailure("coordinator", "NONE").ok());
  ASSERT_TRUE(WaitOutage("node_unreachable", /*ongoing=*/false));
  json v = Order(*buyer.robot, id);
  EXPECT_EQ(v.value("status", -1), 8) << v.dump();
  EXPECT_GE(v.value("paused_for_outage_secs", int64_t{0}), kEscrowWindowS + 600);
  SubmitInvoice(buyer, id);
  ConfirmBoth(buyer, seller, id);
  EXPECT_EQ(Call(*seller.robot, "GET", "/api/robot/").value("earned_rewards", -1), 0);
  Audit();
}

TEST_F(Outage, AStretchUpToTheHtlcMarginReturnsEveryBondInsteadOfForfeiting) {
  auto& seller = T("robot");
  auto& buyer = T("other");
  const int64_t alice0 = seller.wallet->LocalSats().value_or(-1);
  const int64_t bob0 = buyer.wallet->LocalSats().value_or(-1);
  int64_t id = Taken();
  LockEscrow(seller, id);
  WaitStatus(*buyer.robot, id, 8);
  // The taker bond's HTLC is the nearest to expire (its CLTV covers the fewest timers).
  int64_t blocks_left = 0;
  {
    auto store = coordinator::Store::Open(m_dir + "/data/coordinator.db");
    ASSERT_TRUE(store.ok()) << store.error();
    auto o = store.value()->OrderById(id);
    ASSERT_TRUE(o.has_value());
    auto bond = store.value()->HoldById(o->taker_bond_id);
    ASSERT_TRUE(bond.has_value() && bond->htlc_expiry_height > 0);
    auto info = m_coord_node->GetInfo();
    ASSERT_TRUE(info.ok());
    blocks_left = int64_t{bond->htlc_expiry_height} - 24 - int64_t{info->block_height};  // margin: 24
  }
  ASSERT_GT(blocks_left, 12);
  // Down until 6 blocks before that margin, the chain moving with the clock.
  KillFor((blocks_left - 6) * 600, static_cast<uint32_t>(blocks_left - 6));
  json v = Order(*buyer.robot, id);
  EXPECT_EQ(v.value("status", -1), 8) << v.dump();
  EXPECT_EQ(v.value("outage_deadline_capped", false), true) << v.dump();
  // The buyer never submits: at the margin the trade ends and everything goes back.
  MoveClock(6 * 600 + 1);
  WaitStatus(*buyer.robot, id, 5);
  EXPECT_TRUE(testsupport::WaitUntil(
      [&] { return seller.wallet->LocalSats() == alice0 && buyer.wallet->LocalSats() == bob0; }, kWait));
  EXPECT_EQ(seller.wallet->LocalSats(), alice0) << "the seller's bond and escrow back";
  EXPECT_EQ(buyer.wallet->LocalSats(), bob0) << "the buyer's bond back: not forfeited for our downtime";
  EXPECT_EQ(Call(*seller.robot, "GET", "/api/robot/").value("earned_rewards", -1), 0);
  Audit();
}

}  // namespace
}  // namespace coordinator_trade_test
