// What the robot tells its user to do next, per status and role (the client's TradeBox).
#include <gtest/gtest.h>

#include "federation/robot/trade_step.h"

namespace {

using federation::robot::NextStepOf;
using federation::robot::StepKind;
using Json = nlohmann::json;

Json View(int status, bool maker, bool buyer) {
  return Json{{"status", status}, {"is_participant", true}, {"is_maker", maker}, {"is_taker", !maker},
              {"is_buyer", buyer}, {"is_seller", !buyer}};
}

TEST(TradeStep, BondsEscrowAndInvoiceAreDueToTheRightRobot) {
  Json maker_bond = View(0, true, false);
  maker_bond["bond_invoice"] = "lnbcrt1maker";
  maker_bond["bond_satoshis"] = 5000;
  auto s = NextStepOf(maker_bond);
  EXPECT_EQ(s.kind, StepKind::kPayBond);
  EXPECT_EQ(s.invoice, "lnbcrt1maker");
  EXPECT_EQ(s.sats, 5000);

  Json taker_bond = View(3, false, true);
  taker_bond["bond_invoice"] = "lnbcrt1taker";
  EXPECT_EQ(NextStepOf(taker_bond).kind, StepKind::kPayBond);
  // The maker in status 3 has nothing to pay.
  EXPECT_EQ(NextStepOf(View(3, true, false)).kind, StepKind::kWaitForPeer);

  for (int status : {6, 7}) {
    Json seller = View(status, true, false);
    seller["escrow_invoice"] = "lnbcrt1escrow";
    seller["escrow_satoshis"] = 170000;
    auto e = NextStepOf(seller);
    EXPECT_EQ(e.kind, StepKind::kPayEscrow) << status;
    EXPECT_EQ(e.sats, 170000);
  }
  for (int status : {6, 8, 15}) {
    Json buyer = View(status, false, true);
    buyer["invoice_amount"] = 166251;
    auto b = NextStepOf(buyer);
    EXPECT_EQ(b.kind, StepKind::kSubmitInvoice) << status;
    EXPECT_EQ(b.sats, 166251);
  }
  // The buyer in 7 (invoice in, escrow not yet) waits; the seller in 8 (escrow in) waits.
  EXPECT_EQ(NextStepOf(View(7, false, true)).kind, StepKind::kWaitForPeer);
  EXPECT_EQ(NextStepOf(View(8, true, false)).kind, StepKind::kWaitForPeer);
}

TEST(TradeStep, FiatConfirmationsAndEndings) {
  EXPECT_EQ(NextStepOf(View(9, false, true)).kind, StepKind::kSendFiat);
  EXPECT_EQ(NextStepOf(View(9, true, false)).kind, StepKind::kWaitForPeer);
  EXPECT_EQ(NextStepOf(View(10, true, false)).kind, StepKind::kConfirmReceived);
  EXPECT_EQ(NextStepOf(View(10, false, true)).kind, StepKind::kWaitForPeer);
  EXPECT_EQ(NextStepOf(View(11, false, true)).kind, StepKind::kDispute);
  EXPECT_EQ(NextStepOf(View(13, false, true)).kind, StepKind::kPayoutInFlight);
  for (int status : {4, 5, 12, 14, 17, 18}) EXPECT_EQ(NextStepOf(View(status, true, true)).kind, StepKind::kFinished);
  EXPECT_EQ(NextStepOf(View(1, true, false)).kind, StepKind::kWaitForTaker);
}

TEST(TradeStep, APublicViewHasNoStep) {
  EXPECT_EQ(NextStepOf(Json{{"status", 1}, {"is_participant", false}}).kind, StepKind::kNotParticipant);
  EXPECT_EQ(NextStepOf(Json::array()).kind, StepKind::kNotParticipant);
}

TEST(TradeStep, EveryStatusHasAName) {
  for (int s = 0; s <= 18; ++s) EXPECT_NE(federation::robot::StatusName(s), "Unknown status") << s;
}

}  // namespace
