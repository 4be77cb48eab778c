// What a participant must do next in an order, read from the coordinator's order view
// (GET /api/order/: RoboSats' OrderDetail), as the RoboSats client's TradeBox decides which
// prompt to show (frontend/src/components/TradeBox/index.tsx statusToContract/prompts, v0.8.6).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace federation::robot {

// RoboSats api/models/order.py Order.Status (0–18).
std::string_view StatusName(int status);

enum class StepKind {
  kPayBond,          // a maker bond (status 0) or taker bond (status 3) hold invoice
  kPayEscrow,        // the seller's escrow hold invoice (status 6, 7)
  kSubmitInvoice,    // the buyer's payout invoice (status 6, 8, or 15 after a failed payout)
  kWaitForTaker,     // public or paused, waiting to be taken (1, 2)
  kWaitForPeer,      // the other robot must act (bond, escrow, invoice, fiat, confirmation)
  kSendFiat,         // buyer in the chat (9): send the fiat, then `robot confirm`
  kConfirmReceived,  // seller after the buyer's "fiat sent" (10): confirm when it arrived
  kDispute,          // in dispute (11) or waiting for its resolution (16): submit a statement
  kPayoutInFlight,   // the coordinator is paying the buyer (13)
  kFinished,         // 4, 5, 12, 14, 17, 18
  kNotParticipant,   // the view is the public one
};

struct NextStep {
  StepKind kind = StepKind::kNotParticipant;
  int status = -1;
  std::string invoice;  // kPayBond, kPayEscrow: the hold invoice to pay ("" while the coordinator makes it)
  int64_t sats = 0;     // kPayBond/kPayEscrow: its amount; kSubmitInvoice: invoice_amount
  std::string text;     // one line for the human reader
};

NextStep NextStepOf(const nlohmann::json& order);

std::string_view StepKindName(StepKind kind);

}  // namespace federation::robot
