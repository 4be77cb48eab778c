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

}  // namespace
}  // namespace enginetest
