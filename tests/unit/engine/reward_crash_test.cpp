// A reward withdrawal is SIGKILLed at each step — right after the transaction that reserved the
// balance and queued the payment committed (before the node is asked), and right after the node
// answered (before the answer is recorded) — then restarted on the same files: the robot is
// paid exactly once, and its balance neither comes back nor vanishes.
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/test_support.h"
#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

using namespace std::chrono_literals;

class RewardCrash : public EngineHarness, public ::testing::WithParamInterface<const char*> {
 protected:
  void SetUp() override {
    m_dir = testsupport::MakeTempDir("reward-crash");
    m_clock.Set(std::chrono::system_clock::now() + std::chrono::hours(13));
    Robot("maker", "alice");
    Robot("taker", "bob");
    OpenNetwork();
    m_alice0 = LocalSats("alice");
    CloseNetwork();
  }
  int64_t m_alice0 = 0;
};

TEST_P(RewardCrash, WithdrawalIsPaidExactlyOnceAfterRestart) {
  const std::string point = GetParam();
  // The doomed process earns the rewards and withdraws them until the crash point kills it
  // (the fork happens before any thread exists).
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    m_crash_point = point;
    OpenNetwork();
    StartCoordinator();
    auto& maker = m_robots.at("maker");
    auto& taker = m_robots.at("taker");
    int64_t id = MakePublic(maker, SellOrder("100"));
    TakeAndLock(taker, id);
    int64_t bond = Order(taker, id)["bond_satoshis"];
    Ok(taker, coordinator::CancelCmd{id, 6});
    const int64_t earned = RewardsWhenSettled(maker, bond / 2);
    (void)Call(maker, coordinator::RewardCmd{SignedInvoice(maker, earned), std::nullopt});
    std::this_thread::sleep_for(2s);
    ::_exit(3);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
      << "the coordinator did not crash at " << point << " (exit " << WEXITSTATUS(wstatus) << ")";

  OpenNetwork();
  StartCoordinator();
  auto& maker = m_robots.at("maker");
  auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
  ASSERT_TRUE(audit.ok());
  auto withdrawals = audit.value()->RewardWithdrawals();
  ASSERT_EQ(withdrawals.size(), 1u);
  const int64_t amount = withdrawals[0].amount_sat;
  // The restarted engine re-drives the open payment: looked up by its hash, never sent twice.
  for (int i = 0; i < 1000; ++i) {
    m_engine->Drain();
    auto w = coordinator::Store::Open(m_dir + "/coordinator.db").value()->RewardWithdrawalById(withdrawals[0].id);
    if (w && w->state == coordinator::PayoutState::kSucceeded) break;
    std::this_thread::sleep_for(5ms);
  }
  auto w = coordinator::Store::Open(m_dir + "/coordinator.db").value()->RewardWithdrawalById(withdrawals[0].id);
  EXPECT_EQ(w->state, coordinator::PayoutState::kSucceeded);
  // alice paid her maker bond and got it back; she got the rewards once.
  EXPECT_EQ(SatsWhenSettled("alice", m_alice0 + amount), m_alice0 + amount);
  EXPECT_EQ(EarnedRewards(maker), 0);
  int payments = 0;
  for (const auto& p : m_net->ListPayments("coordinator")) {
    payments += p.payment_request == withdrawals[0].payment_request ? 1 : 0;
  }
  EXPECT_EQ(payments, 1);
  CheckConservation();
}

INSTANTIATE_TEST_SUITE_P(EveryStep, RewardCrash, ::testing::Values("commit:pay_reward", "node:pay_reward"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n) if (c == ':') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace enginetest
