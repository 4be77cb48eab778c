// Money paths that could strand sats: a payout the node refuses outright, an expired payout
// invoice, an escrow the node gives back on its own, a node answer the store could not record.
// Each ends in a state with a way out, and the conservation audit holds after it.
#include <thread>

#include "coordinator/store/store.h"
#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

using namespace std::chrono_literals;
using coordinator::ConfirmCmd;
using coordinator::UpdateInvoiceCmd;

class StrandedSats : public EngineHarness {
 protected:
  // A sell order by `seller` (alice) taken by `buyer` (bob), escrow locked, payout invoice in,
  // the buyer's fiat sent: status 10. Returns the order id.
  int64_t TradeAtFiatSent(TestRobot& seller, TestRobot& buyer, int64_t invoice_expiry_s = 3600) {
    int64_t id = MakePublic(seller, SellOrder("100"));
    TakeAndLock(buyer, id);
    LockEscrow(seller, id);
    int64_t n = Order(buyer, id)["invoice_amount"];
    Ok(buyer, UpdateInvoiceCmd{id, SignedInvoice(buyer, ClientInvoiceSats(n, kClientRoutingBudgetPpm), nullptr,
                                                 invoice_expiry_s),
                               kClientRoutingBudgetPpm});
    WaitStatus(buyer, id, 9);
    Ok(buyer, ConfirmCmd{id});
    return id;
  }

  int OpenIntents() {
    m_engine->Drain();
    auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
    return audit.ok() ? static_cast<int>(audit.value()->OpenIntents().size()) : -1;
  }

  int SucceededPayouts(int64_t id) {
    auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
    int n = 0;
    for (const auto& p : audit.value()->PayoutsOfOrder(id)) n += p.state == coordinator::PayoutState::kSucceeded;
    return n;
  }
};

// RoboSats moves an expired payout to 15 and takes a new invoice; we check the expiry before
// every attempt. Wallets' invoices live an hour by default, the fiat window is a day.
TEST_F(StrandedSats, ExpiredPayoutInvoiceEndsIn15AndANewInvoicePaysOnce) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = TradeAtFiatSent(seller, buyer, /*invoice_expiry_s=*/600);
  Advance(std::chrono::seconds(700));  // the invoice expires while the seller checks the bank
  Ok(seller, ConfirmCmd{id});
  auto failed = WaitStatus(buyer, id, 15);
  EXPECT_EQ(failed["invoice_expired"], true) << failed.dump();
  EXPECT_EQ(m_faulty_node->sends(), 0);  // never sent to the node
  int64_t n = failed["invoice_amount"];
  int64_t bob = LocalSats("bob");
  Ok(buyer, UpdateInvoiceCmd{id, SignedInvoice(buyer, ClientInvoiceSats(n, kClientRoutingBudgetPpm)),
                             kClientRoutingBudgetPpm});
  WaitStatus(buyer, id, 14);
  EXPECT_EQ(SatsWhenSettled("bob", bob + ClientInvoiceSats(n, kClientRoutingBudgetPpm)) - bob,
            ClientInvoiceSats(n, kClientRoutingBudgetPpm));
  EXPECT_EQ(SucceededPayouts(id), 1);
  EXPECT_EQ(OpenIntents(), 0);
  CheckConservation();
}

// A definite refusal by the node (LND's router: "invoice expired", unknown required features,
// no route) before any HTLC left is a failed attempt — 15, retried, a new invoice accepted —
// never "undecided, re-drive forever" in 13.
TEST_F(StrandedSats, PayoutTheNodeRefusesOutrightIsAFailedAttemptNotAWedge) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = TradeAtFiatSent(seller, buyer);
  m_faulty_node->RefuseSends({escrow::LnErrorCode::kInvalidArgument, "invoice expired. Valid until 1"}, 1000);
  Ok(seller, ConfirmCmd{id});
  auto failed = WaitStatus(buyer, id, 15);
  EXPECT_EQ(failed["retries"], 1);
  EXPECT_NE(failed["failure_reason"].get<std::string>().find("invoice expired"), std::string::npos);
  EXPECT_EQ(OpenIntents(), 0);  // nothing left to re-drive
  // The node accepts again: the next attempt, a minute later, pays.
  m_faulty_node->RefuseSends({}, 0);
  Advance(std::chrono::seconds(m_params.payout_retry_interval_s + 1));
  WaitStatus(buyer, id, 14);
  EXPECT_EQ(SucceededPayouts(id), 1);
  CheckConservation();
}

// An escrow the node cancels on its own (not our decision) must stop the trade: the seller
// would otherwise keep the sats and, on "confirm", the order would reach 13 with nothing to
// settle. In 9/10 the expiry rules open a dispute with custody of the bonds.
TEST_F(StrandedSats, EscrowCanceledByTheNodeNeverReaches13) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = TradeAtFiatSent(seller, buyer);
  auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
  ASSERT_TRUE(audit.ok());
  auto order = audit.value()->OrderById(id);
  ASSERT_TRUE(order);
  auto escrow = StoredHold(order->escrow_id);
  ASSERT_EQ(escrow.state, coordinator::HoldState::kAccepted);
  auto canceled = m_coord_node->CancelInvoice(*escrow::crypto::Hash32FromHex(escrow.payment_hash));
  ASSERT_TRUE(canceled.ok());
  auto disputed = WaitStatus(buyer, id, 11);
  EXPECT_EQ(disputed["is_disputed"], true);
  auto confirm = Call(seller, ConfirmCmd{id});
  ASSERT_FALSE(confirm.ok());
  EXPECT_EQ(StoredStatus(id), 11);
  EXPECT_EQ(m_faulty_node->sends(), 0);  // nobody was paid from an escrow we do not have
  CheckConservation();
}

// The race: the seller confirms while the node's "canceled" is on its way. Whichever comes
// first, the order ends in dispute custody and nobody is paid from an escrow we do not hold.
TEST_F(StrandedSats, EscrowCanceledAroundTheSellersConfirmEndsInDispute) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = TradeAtFiatSent(seller, buyer);
  auto audit = coordinator::Store::Open(m_dir + "/coordinator.db");
  auto order = audit.value()->OrderById(id);
  auto escrow = StoredHold(order->escrow_id);
  ASSERT_TRUE(m_coord_node->CancelInvoice(*escrow::crypto::Hash32FromHex(escrow.payment_hash)).ok());
  (void)Call(seller, ConfirmCmd{id});
  WaitStatus(buyer, id, 11);
  EXPECT_EQ(m_faulty_node->sends(), 0);
  CheckConservation();
}

// The node settled the escrow, but the transaction recording it failed: the intent is carried
// out again (settle is idempotent) and the trade completes — not left open until a restart.
TEST_F(StrandedSats, NodeAnswerTheStoreCouldNotRecordIsReDriven) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = TradeAtFiatSent(seller, buyer);
  m_faulty_store->FailCommitMarkingIntentDone(
      [](const coordinator::Intent& i) { return i.kind == coordinator::IntentKind::kSettleHold; });
  Ok(seller, ConfirmCmd{id});
  WaitStatus(buyer, id, 14);
  EXPECT_EQ(m_faulty_store->failed_commits(), 1);
  EXPECT_EQ(SucceededPayouts(id), 1);
  for (int i = 0; i < 200 && OpenIntents() != 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(OpenIntents(), 0);
  CheckConservation();
}

TEST_F(StrandedSats, PayoutToTheCoordinatorsOwnNodeIsRefused) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  int64_t n = Order(buyer, id)["invoice_amount"];
  escrow::InvoiceRequest req;
  req.value_msat = ClientInvoiceSats(n, kClientRoutingBudgetPpm) * 1000;
  auto own = m_coord_node->AddInvoice(req);
  ASSERT_TRUE(own.ok());
  auto r = Call(buyer, UpdateInvoiceCmd{id, buyer.key->ClearSign(own->payment_request), kClientRoutingBudgetPpm});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 3004);
  EXPECT_NE(r.error().message.find("own node"), std::string::npos) << r.error().message;
}

TEST_F(StrandedSats, PayoutInvoiceAskingForMoreCltvThanTheLimitIsRefused) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  int64_t n = Order(buyer, id)["invoice_amount"];
  auto r = Call(buyer, UpdateInvoiceCmd{id,
                                        SignedInvoice(buyer, ClientInvoiceSats(n, kClientRoutingBudgetPpm), nullptr,
                                                      3600, m_params.payout_cltv_limit_blocks + 1),
                                        kClientRoutingBudgetPpm});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 3004);
  EXPECT_NE(r.error().message.find("CLTV"), std::string::npos) << r.error().message;
  EXPECT_EQ(Order(buyer, id)["status"], 6);
}

}  // namespace
}  // namespace enginetest
