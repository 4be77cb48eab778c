// Whole trades through the engine: make → bonds → escrow → invoice → confirm → payout.
#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

using coordinator::CancelCmd;
using coordinator::ConfirmCmd;
using coordinator::TakeCmd;
using coordinator::UpdateInvoiceCmd;

class Trade : public EngineHarness {};

TEST_F(Trade, SellOrderCompletesAndTheBuyerIsPaidExactlyOnce) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);

  auto sv = WaitField(seller, id, "escrow_invoice");
  Pay("alice", sv["escrow_invoice"]);
  auto bv = WaitStatus(buyer, id, 8);
  int64_t invoice_amount = bv["invoice_amount"];
  EXPECT_GT(invoice_amount, 0);

  // The RoboSats client's default routing budget (1000 ppm) and its arithmetic for the amount.
  const int64_t asked = ClientInvoiceSats(invoice_amount, kClientRoutingBudgetPpm);
  int64_t bob_before = LocalSats("bob");
  Ok(buyer, UpdateInvoiceCmd{id, SignedInvoice(buyer, asked), kClientRoutingBudgetPpm});
  WaitStatus(buyer, id, 9);
  Ok(buyer, ConfirmCmd{id});
  EXPECT_EQ(Order(buyer, id)["status"], 10);
  Ok(seller, ConfirmCmd{id});
  auto done = WaitStatus(buyer, id, 14);
  EXPECT_EQ(done["num_satoshis"], asked);
  // Bob's node received the payout once, and his taker bond (locked before `bob_before`) back.
  const int64_t bond = bv["bond_satoshis"].get<int64_t>();
  EXPECT_EQ(SatsWhenSettled("bob", bob_before + asked + bond) - bob_before, asked + bond);
  CheckConservation();
}

TEST_F(Trade, BuyRangeOrderCompletes) {
  auto& buyer = Robot("maker-buyer", "carol");
  auto& seller = Robot("taker-seller", "dave");
  auto make = BuyOrder("");
  make.has_range = true;
  make.min_amount = "50";
  make.max_amount = "200";
  int64_t id = MakePublic(buyer, make);
  TakeAndLock(seller, id, "120");
  auto sv = WaitField(seller, id, "escrow_invoice");
  Pay("dave", sv.value("escrow_invoice", ""));
  WaitStatus(buyer, id, 8);
  SubmitInvoice(buyer, id);  // the client's default budget
  WaitStatus(buyer, id, 9);
  Ok(buyer, ConfirmCmd{id});
  Ok(seller, ConfirmCmd{id});
  WaitStatus(buyer, id, 14);
  CheckConservation();
}

TEST_F(Trade, InvoiceWithWrongAmountIsRefusedAndNothingChanges) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  int64_t amount = Order(buyer, id)["invoice_amount"];
  auto bad = Call(buyer, UpdateInvoiceCmd{id, SignedInvoice(buyer, amount + 1), 0});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, 3004);
  // With a routing budget, one sat more than the client's floor(n − n·ppm/10⁶) is refused too,
  // and so is the amount an n − floor(n·ppm/10⁶) reading would ask for when they differ.
  const int64_t client = ClientInvoiceSats(amount, kClientRoutingBudgetPpm);
  auto over = Call(buyer, UpdateInvoiceCmd{id, SignedInvoice(buyer, client + 1), kClientRoutingBudgetPpm});
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, 3004);
  // Signed by someone else's key: 1048.
  auto& other = Robot("other", "carol");
  std::string payreq;
  SignedInvoice(buyer, amount, &payreq);
  auto forged = Call(buyer, UpdateInvoiceCmd{id, other.key->ClearSign(payreq), 0});
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().code, 1048);
  EXPECT_EQ(Order(buyer, id)["status"], 6);
}

}  // namespace
}  // namespace enginetest
