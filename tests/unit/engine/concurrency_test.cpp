// Races that cost RoboSats real money are impossible by construction (one writer): many
// takers at once, many confirms at once.
#include <atomic>

#include "coordinator/store/store.h"
#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

using namespace std::chrono_literals;
using coordinator::ConfirmCmd;
using coordinator::TakeCmd;

class Concurrency : public EngineHarness {};

TEST_F(Concurrency, TenRobotsTakeOneOrderAndExactlyOneContractForms) {
  auto& maker = Robot("maker", "alice");
  int64_t id = MakePublic(maker, SellOrder("100"));
  const char* wallets[] = {"bob", "carol", "dave"};
  std::map<std::string, int64_t> before;
  for (const char* w : wallets) before[w] = LocalSats(w);
  std::vector<TestRobot*> takers;
  for (int i = 0; i < 10; ++i) takers.push_back(&Robot("taker" + std::to_string(i), wallets[i % 3]));
  std::vector<std::string> invoices;
  for (auto* t : takers) {
    auto v = Ok(*t, TakeCmd{id, "", std::nullopt});
    EXPECT_EQ(v["status"], 3);
    invoices.push_back(v.value("bond_invoice", ""));
  }
  // Every pre-taker pays its bond at (nearly) the same time.
  for (size_t i = 0; i < takers.size(); ++i) Pay(takers[i]->wallet, invoices[i]);
  auto v = WaitStatus(maker, id, 6);
  // The winner is the taker; the losers are outsiders of a non-public order now (RoboSats 1044).
  int winners = 0, outsiders = 0;
  for (auto* t : takers) {
    auto view = ViewOrStatus(*t, id);
    if (view.contains("error_code")) {
      EXPECT_EQ(view["error_code"], 1044);
      ++outsiders;
    } else {
      winners += view["is_taker"].get<bool>() ? 1 : 0;
    }
  }
  EXPECT_EQ(winners, 1);
  EXPECT_EQ(outsiders, 9);
  // Every losing bond went back: each wallet is short of exactly the winner's bond at most.
  int64_t bond = v["bond_satoshis"];  // maker's bond; same size as the taker's for a fixed order
  for (int i = 0; i < 400; ++i) {
    int64_t short_total = 0;
    for (const char* w : wallets) short_total += before[w] - LocalSats(w);
    if (short_total == bond) break;
    m_engine->Drain();
    std::this_thread::sleep_for(5ms);
  }
  int64_t short_total = 0;
  for (const char* w : wallets) short_total += before[w] - LocalSats(w);
  EXPECT_EQ(short_total, bond);
  CheckConservation();
}

TEST_F(Concurrency, FiftyConcurrentConfirmsMakeOnePayout) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  LockEscrow(seller, id);
  SubmitInvoice(buyer, id);
  WaitStatus(buyer, id, 9);
  Ok(buyer, ConfirmCmd{id});
  int64_t bob = LocalSats("bob");
  std::atomic<int> ok{0}, refused{0}, answered{0};
  for (int i = 0; i < 50; ++i) {
    m_engine->Submit(seller.auth, ConfirmCmd{id}, [&](base::Result<json> r) {
      (r.ok() ? ok : refused)++;
      answered++;
    });
  }
  for (int i = 0; i < 2000 && answered < 50; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(answered, 50);
  EXPECT_EQ(ok, 1);
  auto done = WaitStatus(buyer, id, 14);
  int64_t paid = done["num_satoshis"];
  m_engine->Drain();
  EXPECT_EQ(SatsWhenSettled("bob", bob + paid + done["bond_satoshis"].get<int64_t>()) - bob, paid + done["bond_satoshis"].get<int64_t>());
  auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit.value()->PayoutsOfOrder(id).size(), 1u);
  CheckConservation();
}

}  // namespace
}  // namespace enginetest
