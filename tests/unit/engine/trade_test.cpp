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

  int64_t bob_before = LocalSats("bob");
  Ok(buyer, UpdateInvoiceCmd{id, SignedInvoice(buyer, invoice_amount), 0});
  WaitStatus(buyer, id, 9);
  Ok(buyer, ConfirmCmd{id});
  EXPECT_EQ(Order(buyer, id)["status"], 10);
  Ok(seller, ConfirmCmd{id});
  auto done = WaitStatus(buyer, id, 14);
  EXPECT_EQ(done["num_satoshis"], invoice_amount);
  // Bob's node received the payout once, and his taker bond (locked before `bob_before`) back.
  EXPECT_EQ(SatsWhenSettled("bob", bob_before + invoice_amount + bv["bond_satoshis"].get<int64_t>()) - bob_before, invoice_amount + bv["bond_satoshis"].get<int64_t>());
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
  auto bv = WaitStatus(buyer, id, 8);
  Ok(buyer, UpdateInvoiceCmd{id, SignedInvoice(buyer, bv["invoice_amount"]), 0});
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
