// The buyer's payout: a routing failure moves the order to 15, retried a minute apart up to 3
// attempts; a new invoice is accepted only then (RoboSats 3001), and it is paid exactly once.
#include "coordinator/store/store.h"
#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

using namespace std::chrono_literals;
using coordinator::ConfirmCmd;
using coordinator::UpdateInvoiceCmd;

class Payout : public EngineHarness {};

TEST_F(Payout, RoutingFailureRetriesThreeTimesThenANewInvoiceIsPaidOnce) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  LockEscrow(seller, id);
  SubmitInvoice(buyer, id);
  WaitStatus(buyer, id, 9);
  Ok(buyer, ConfirmCmd{id});
  int64_t bob = LocalSats("bob");

  m_net->SetNodeFailure("bob", {escrow::simln::FailureMode::kNoRoute, 0});
  Ok(seller, ConfirmCmd{id});
  auto failed = WaitStatus(buyer, id, 15);
  EXPECT_EQ(failed["retries"], 1);
  // RoboSats' label for LND's FAILURE_REASON_NO_ROUTE (api/models/ln_payment.py), which its
  // client shows as is.
  EXPECT_EQ(failed["failure_reason"],
            "All possible routes were tried and failed permanently. Or there were no routes to the destination at all.");
  EXPECT_TRUE(failed.contains("next_retry_time"));
  // Too early for a new invoice: the coordinator is still retrying.
  int64_t amount = failed["invoice_amount"];
  auto early = Call(buyer, UpdateInvoiceCmd{id, SignedInvoice(buyer, amount), 0});
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, 3001);

  for (int attempt = 2; attempt <= 3; ++attempt) {
    Advance(std::chrono::seconds(m_params.payout_retry_interval_s + 1));
    for (int i = 0; i < 400 && Order(buyer, id)["retries"] != attempt; ++i) {
      m_engine->Drain();
      std::this_thread::sleep_for(5ms);
    }
    auto v = WaitStatus(buyer, id, 15);
    EXPECT_EQ(v["retries"], attempt);
  }
  // No fourth attempt, whatever the clock does.
  Advance(std::chrono::seconds(10 * m_params.payout_retry_interval_s));
  auto exhausted = WaitStatus(buyer, id, 15);
  EXPECT_EQ(exhausted["retries"], 3);
  EXPECT_FALSE(exhausted.contains("next_retry_time"));

  m_net->SetNodeFailure("bob", {escrow::simln::FailureMode::kNone, 0});
  Ok(buyer, UpdateInvoiceCmd{id, SignedInvoice(buyer, amount), 0});
  auto done = WaitStatus(buyer, id, 14);
  m_engine->Drain();
  for (int i = 0; i < 400 && LocalSats("bob") == bob; ++i) std::this_thread::sleep_for(5ms);
  // Paid once (the bond came back at the seller's confirmation).
  EXPECT_EQ(SatsWhenSettled("bob", bob + amount + done["bond_satoshis"].get<int64_t>()) - bob, amount + done["bond_satoshis"].get<int64_t>());
  auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
  ASSERT_TRUE(audit.ok());
  int succeeded = 0;
  for (const auto& p : audit.value()->PayoutsOfOrder(id)) succeeded += p.state == coordinator::PayoutState::kSucceeded;
  EXPECT_EQ(succeeded, 1);
  CheckConservation();
}

TEST_F(Payout, UnspentRoutingBudgetIsProceeds) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  LockEscrow(seller, id);
  int64_t payout = Order(buyer, id)["invoice_amount"];
  const int64_t ppm = 10000;  // 1 %
  const int64_t asked = ClientInvoiceSats(payout, ppm);
  Ok(buyer, UpdateInvoiceCmd{id, SignedInvoice(buyer, asked), ppm});
  WaitStatus(buyer, id, 9);
  Ok(buyer, ConfirmCmd{id});
  Ok(seller, ConfirmCmd{id});
  WaitStatus(buyer, id, 14);
  CheckConservation();
  auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
  ASSERT_TRUE(audit.ok());
  int64_t proceeds = 0, escrow = 0;
  for (const auto& e : audit.value()->LedgerOfOrder(id)) {
    if (e.kind == coordinator::LedgerKind::kProceeds) proceeds += e.amount_sat;
    if (e.kind == coordinator::LedgerKind::kEscrowSettled) escrow += e.amount_sat;
  }
  // Direct channel: no routing fee, so the whole budget stays with the coordinator.
  EXPECT_EQ(proceeds, escrow - asked);
}

}  // namespace
}  // namespace enginetest
