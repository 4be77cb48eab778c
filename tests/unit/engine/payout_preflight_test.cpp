// Payout preflight: an invoice that could not be paid when the payout is due is refused when
// the buyer submits it, with the reason, instead of failing attempts later.
#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

using coordinator::UpdateInvoiceCmd;

class PayoutPreflight : public EngineHarness {
 protected:
  void SetUp() override {
    EngineHarness::SetUp();
    StopCoordinator();
    m_params.payout_expiry_covers_fiat_window = true;
    StartCoordinator();
  }

  // The whole span a payout invoice submitted at status 6 must cover: the escrow deadline, the
  // fiat window, the payout's attempts (and an hour more for the deadline's own slack).
  int64_t CoveringExpiry() const {
    return m_params.escrow_duration_default + m_params.fiat_exchange_duration_s +
           m_params.payout_max_attempts * m_params.payout_retry_interval_s + 3600;
  }
};

TEST_F(PayoutPreflight, PayoutInvoiceExpiringBeforeTheFiatWindowEndsIsRefusedWithTheExpiryNeeded) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  int64_t n = Order(buyer, id)["invoice_amount"];
  auto r = Call(buyer, UpdateInvoiceCmd{id, SignedInvoice(buyer, ClientInvoiceSats(n, kClientRoutingBudgetPpm), nullptr,
                                                          3600),
                                        kClientRoutingBudgetPpm});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 3004);
  EXPECT_NE(r.error().message.find("expires too soon"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("hours"), std::string::npos) << r.error().message;
  EXPECT_EQ(Order(buyer, id)["status"], 6);
}

TEST_F(PayoutPreflight, PayoutInvoiceCoveringTheFiatWindowIsAccepted) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  int64_t n = Order(buyer, id)["invoice_amount"];
  Ok(buyer, UpdateInvoiceCmd{id, SignedInvoice(buyer, ClientInvoiceSats(n, kClientRoutingBudgetPpm), nullptr,
                                               CoveringExpiry()),
                             kClientRoutingBudgetPpm});
  EXPECT_EQ(Order(buyer, id)["status"], 7);
}

// The node's probe of the invoice (run by the API layer before the command) decides with the
// other checks: a refusal says why and changes nothing; an undecided probe accepts.
coordinator::RouteProbe ProbeOf(const std::string& payreq, escrow::FailureReason reason, int64_t fee_msat,
                                int64_t time_lock) {
  coordinator::RouteProbe p;
  p.payment_request = payreq;
  p.decided = true;
  p.failure_reason = reason;
  p.routing_fee_msat = fee_msat;
  p.time_lock_delay = time_lock;
  return p;
}

TEST_F(PayoutPreflight, PayoutInvoiceWithoutARouteIsRefusedAndNothingChanges) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  int64_t n = Order(buyer, id)["invoice_amount"];
  std::string payreq;
  std::string signed_invoice =
      SignedInvoice(buyer, ClientInvoiceSats(n, kClientRoutingBudgetPpm), &payreq, CoveringExpiry());
  UpdateInvoiceCmd cmd{id, signed_invoice, kClientRoutingBudgetPpm};
  cmd.probe = ProbeOf(payreq, escrow::FailureReason::kNoRoute, 0, 0);
  auto r = Call(buyer, cmd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 3004);
  EXPECT_NE(r.error().message.find("no route"), std::string::npos) << r.error().message;
  EXPECT_EQ(Order(buyer, id)["status"], 6);
  // The same invoice with a route within the budget: accepted.
  cmd.probe = ProbeOf(payreq, escrow::FailureReason::kNone, 2'000, 120);
  Ok(buyer, cmd);
  EXPECT_EQ(Order(buyer, id)["status"], 7);
}

TEST_F(PayoutPreflight, PayoutInvoiceOverTheBudgetNamesTheBudgetThatWouldDo) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  int64_t n = Order(buyer, id)["invoice_amount"];
  std::string payreq;
  std::string signed_invoice =
      SignedInvoice(buyer, ClientInvoiceSats(n, kClientRoutingBudgetPpm), &payreq, CoveringExpiry());
  UpdateInvoiceCmd cmd{id, signed_invoice, kClientRoutingBudgetPpm};
  // 0.5 % of the payout in fees, against a 0.1 % budget.
  cmd.probe = ProbeOf(payreq, escrow::FailureReason::kNone, n * 5, 120);
  auto r = Call(buyer, cmd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 3004);
  EXPECT_NE(r.error().message.find("budget is too small"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find(" ppm (routing_budget_ppm) would do"), std::string::npos) << r.error().message;
}

TEST_F(PayoutPreflight, UndecidedOrForeignProbeAcceptsTheInvoice) {
  auto& seller = Robot("seller", "alice");
  auto& buyer = Robot("buyer", "bob");
  int64_t id = MakePublic(seller, SellOrder("100"));
  TakeAndLock(buyer, id);
  int64_t n = Order(buyer, id)["invoice_amount"];
  std::string payreq;
  std::string signed_invoice =
      SignedInvoice(buyer, ClientInvoiceSats(n, kClientRoutingBudgetPpm), &payreq, CoveringExpiry());
  UpdateInvoiceCmd cmd{id, signed_invoice, kClientRoutingBudgetPpm};
  // A probe of another invoice says nothing about this one.
  cmd.probe = ProbeOf("lnbcrt1other", escrow::FailureReason::kNoRoute, 0, 0);
  coordinator::RouteProbe timed_out;  // the node did not answer in time
  timed_out.payment_request = payreq;
  timed_out.note = "no answer from the node within 10000 ms";
  Ok(buyer, cmd);
  EXPECT_EQ(Order(buyer, id)["status"], 7);
  std::string payreq2;
  cmd.signed_invoice = SignedInvoice(buyer, ClientInvoiceSats(n, kClientRoutingBudgetPpm), &payreq2, CoveringExpiry());
  timed_out.payment_request = payreq2;
  cmd.probe = timed_out;
  Ok(buyer, cmd);  // replaces the invoice
  EXPECT_EQ(Order(buyer, id)["status"], 7);
}

}  // namespace
}  // namespace enginetest
