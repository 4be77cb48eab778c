// Crash tests: the coordinator is SIGKILLed at each money step — after the transaction that
// decided a settle/cancel/payment/invoice committed but before the node was called, and after
// the node answered but before the answer was recorded — then restarted on the same files.
// The trade must complete, the buyer be paid exactly once, and no hold be left ACCEPTED.
//
// The coordinator runs in a forked child (fork happens before any thread exists), so the
// crash is a real SIGKILL of a process holding the SQLite files open.
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "tests/support/test_support.h"
#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

using namespace std::chrono_literals;

class Crash : public EngineHarness, public ::testing::WithParamInterface<const char*> {
 protected:
  void SetUp() override {
    m_dir = testsupport::MakeTempDir("engine-crash");
    m_clock.Set(std::chrono::system_clock::now() + std::chrono::hours(13));
    // Robots' keys (no threads involved) and the starting balances, before any fork.
    Robot("seller", "alice");
    Robot("buyer", "bob");
    OpenNetwork();
    m_alice0 = LocalSats("alice");
    m_bob0 = LocalSats("bob");
    CloseNetwork();
  }

  // One step of a sell trade (alice sells to bob) from whatever state it is in. Returns the
  // status seen.
  int Step() {
    auto& seller = m_robots.at("seller");
    auto& buyer = m_robots.at("buyer");
    m_net->Tick();
    m_engine->Tick();
    m_engine->Drain();
    auto pay_once = [&](const std::string& wallet, const json& view, const char* field) {
      std::string payreq = view.value(field, "");
      if (!payreq.empty() && m_paid.insert(payreq).second) Pay(wallet, payreq);
    };
    if (!m_made) {
      auto v = Call(seller, SellOrder("100"));
      if (v.ok()) m_made = true;
      return 0;
    }
    auto sv = Order(seller, 1);
    int st = sv.value("status", -1);
    switch (st) {
      case 0: pay_once("alice", sv, "bond_invoice"); break;
      case 1: {
        auto bv = Order(buyer, 1);
        if (bv.value("status", -1) == 1) {
          (void)Call(buyer, coordinator::TakeCmd{1, "", std::nullopt});
        } else {
          pay_once("bob", bv, "bond_invoice");
        }
        break;
      }
      case 6:
      case 7:
      case 8: {
        pay_once("alice", sv, "escrow_invoice");
        auto bv = Order(buyer, 1);
        if ((st == 6 || st == 8) && !m_invoiced) {
          m_invoiced = Call(buyer, coordinator::UpdateInvoiceCmd{1, SignedInvoice(buyer, bv["invoice_amount"]), 0}).ok();
        }
        break;
      }
      case 9: (void)Call(buyer, coordinator::ConfirmCmd{1}); break;
      case 10: (void)Call(seller, coordinator::ConfirmCmd{1}); break;
      default: break;
    }
    std::this_thread::sleep_for(2ms);
    return st;
  }

  bool DriveUntilDone(int max_steps) {
    for (int i = 0; i < max_steps; ++i) {
      if (Step() == 14) return true;
    }
    return false;
  }

  int64_t m_alice0 = 0, m_bob0 = 0;
  bool m_made = false, m_invoiced = false;
  std::set<std::string> m_paid;
};

TEST_P(Crash, TradeCompletesAndTheBuyerIsPaidExactlyOnceAfterRestart) {
  const std::string point = GetParam();
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The doomed coordinator: trade until the crash point kills us.
    m_crash_point = point;
    OpenNetwork();
    StartCoordinator();
    DriveUntilDone(3000);
    ::_exit(3);  // reached the end without crashing: the parent reports it
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
      << "the coordinator did not crash at " << point << " (exit " << WEXITSTATUS(wstatus) << ")";

  // Restart on the same files and finish the trade.
  m_made = true;
  m_invoiced = m_invoiced || false;
  OpenNetwork();
  StartCoordinator();
  ASSERT_TRUE(DriveUntilDone(3000)) << "trade did not complete after the restart at " << point;
  auto& buyer = m_robots.at("buyer");
  auto done = Order(buyer, 1);
  int64_t payout = done["num_satoshis"];
  for (int i = 0; i < 400 && LocalSats("bob") != m_bob0 + payout; ++i) {
    m_engine->Drain();
    std::this_thread::sleep_for(5ms);
  }
  // Paid exactly once: bob's node holds his start + the payout (his bond came back).
  EXPECT_EQ(SatsWhenSettled("bob", m_bob0 + payout), m_bob0 + payout);
  CheckConservation();
}

INSTANTIATE_TEST_SUITE_P(EveryMoneyStep, Crash,
                         ::testing::Values("commit:add_hold", "node:add_hold", "commit:settle", "node:settle",
                                           "commit:cancel", "node:cancel", "commit:pay", "node:pay"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n) if (c == ':') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace enginetest
