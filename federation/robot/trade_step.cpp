#include "federation/robot/trade_step.h"

namespace federation::robot {
namespace {

bool Flag(const nlohmann::json& o, const char* name) {
  return o.contains(name) && o[name].is_boolean() && o[name].get<bool>();
}

std::string Text(const nlohmann::json& o, const char* name) {
  return o.contains(name) && o[name].is_string() ? o[name].get<std::string>() : std::string();
}

int64_t Int(const nlohmann::json& o, const char* name) {
  return o.contains(name) && o[name].is_number() ? o[name].get<int64_t>() : 0;
}

}  // namespace

std::string_view StatusName(int status) {
  // RoboSats: WFB, PUB, PAU, TAK, UCA, EXP, WF2, WFE, WFI, CHA, FSE, DIS, CCA, PAY, SUC, FAI,
  // WFR, MLD, TLD.
  switch (status) {
    case 0: return "Waiting for maker bond";
    case 1: return "Public";
    case 2: return "Paused";
    case 3: return "Waiting for taker bond";
    case 4: return "Cancelled";
    case 5: return "Expired";
    case 6: return "Waiting for trade collateral and buyer invoice";
    case 7: return "Waiting only for seller trade collateral";
    case 8: return "Waiting only for buyer invoice";
    case 9: return "Sending fiat - In chatroom";
    case 10: return "Fiat sent - In chatroom";
    case 11: return "In dispute";
    case 12: return "Collaboratively cancelled";
    case 13: return "Sending satoshis to buyer";
    case 14: return "Successful trade";
    case 15: return "Failed lightning network routing";
    case 16: return "Wait for dispute resolution";
    case 17: return "Maker lost dispute";
    case 18: return "Taker lost dispute";
    default: return "Unknown status";
  }
}

std::string_view StepKindName(StepKind kind) {
  switch (kind) {
    case StepKind::kPayBond: return "pay_bond";
    case StepKind::kPayEscrow: return "pay_escrow";
    case StepKind::kSubmitInvoice: return "submit_invoice";
    case StepKind::kWaitForTaker: return "wait_for_taker";
    case StepKind::kWaitForPeer: return "wait_for_peer";
    case StepKind::kSendFiat: return "send_fiat";
    case StepKind::kConfirmReceived: return "confirm_received";
    case StepKind::kDispute: return "dispute";
    case StepKind::kPayoutInFlight: return "payout_in_flight";
    case StepKind::kFinished: return "finished";
    case StepKind::kNotParticipant: return "not_participant";
  }
  return "unknown";
}

NextStep NextStepOf(const nlohmann::json& order) {
  NextStep s;
  if (!order.is_object()) return s;
  s.status = order.contains("status") && order["status"].is_number_integer() ? order["status"].get<int>() : -1;
  if (!Flag(order, "is_participant")) {
    s.text = "You are not in this order.";
    return s;
  }
  const bool buyer = Flag(order, "is_buyer");
  const bool maker = Flag(order, "is_maker");
  const std::string bond = Text(order, "bond_invoice");
  const std::string escrow = Text(order, "escrow_invoice");
  switch (s.status) {
    case 0:
    case 3: {
      // Ours to pay: the maker's bond in 0, the taker's in 3 (a pending taker is the taker).
      const bool ours = s.status == 0 ? maker : !maker;
      const bool locked = Flag(order, s.status == 0 ? "maker_locked" : "taker_locked");
      if (ours && !locked) {
        s.kind = StepKind::kPayBond;
        s.invoice = bond;
        s.sats = Int(order, "bond_satoshis");
        s.text = bond.empty() ? "The coordinator is making your bond invoice: robot pay waits for it."
                              : "Pay your " + std::string(maker ? "maker" : "taker") + " bond of " +
                                    std::to_string(s.sats) + " sats (a hold invoice: returned unless you cheat): robot pay";
      } else {
        s.kind = StepKind::kWaitForPeer;
        s.text = ours ? "Your bond is locked." : s.status == 0 ? "Waiting for the maker's bond." : "Waiting for the taker's bond.";
      }
      return s;
    }
    case 1:
    case 2:
      s.kind = maker ? StepKind::kWaitForTaker : StepKind::kWaitForPeer;
      s.text = s.status == 1 ? "Your order is public: waiting for a taker." : "Your order is paused (robot pause resumes it).";
      return s;
    case 6:
    case 7:
    case 8:
    case 15:
      if (!buyer && (s.status == 6 || s.status == 7) && !Flag(order, "escrow_locked")) {
        s.kind = StepKind::kPayEscrow;
        s.invoice = escrow;
        s.sats = Int(order, "escrow_satoshis");
        s.text = escrow.empty() ? "The coordinator is making your escrow invoice: robot pay waits for it."
                                : "Lock the trade collateral: pay the escrow hold invoice of " + std::to_string(s.sats) +
                                      " sats: robot pay";
        return s;
      }
      if (buyer && (s.status == 6 || s.status == 8 || s.status == 15)) {
        s.kind = StepKind::kSubmitInvoice;
        s.sats = Int(order, "invoice_amount");
        s.text = s.status == 15 ? "The payout failed: submit a new invoice: robot invoice"
                                : "Submit your payout invoice (trade amount " + std::to_string(s.sats) +
                                      " sats, minus the routing budget): robot invoice";
        return s;
      }
      s.kind = StepKind::kWaitForPeer;
      s.text = buyer ? "Waiting for the seller to lock the trade collateral."
                     : "Waiting for the buyer's payout invoice.";
      return s;
    case 9:
      s.kind = buyer ? StepKind::kSendFiat : StepKind::kWaitForPeer;
      s.text = buyer ? "Send the fiat as agreed in the chat, then: robot confirm"
                     : "Waiting for the buyer to send the fiat (robot chat read / robot chat send).";
      return s;
    case 10:
      s.kind = buyer ? StepKind::kWaitForPeer : StepKind::kConfirmReceived;
      s.text = buyer ? "Waiting for the seller to confirm the fiat arrived."
                     : "The buyer says the fiat is sent: once it arrived, robot confirm";
      return s;
    case 11:
    case 16:
      s.kind = StepKind::kDispute;
      s.text = Flag(order, "statement_submitted") ? "In dispute: your statement is in; waiting for the resolution."
                                                  : "In dispute: submit your statement: robot statement";
      return s;
    case 13:
      s.kind = buyer ? StepKind::kPayoutInFlight : StepKind::kFinished;
      s.text = buyer ? "The coordinator is paying your invoice." : "The coordinator is paying the buyer.";
      return s;
    case 4:
    case 5:
    case 12:
    case 14:
    case 17:
    case 18:
      s.kind = StepKind::kFinished;
      s.text = std::string(StatusName(s.status)) + ".";
      return s;
    default:
      s.kind = StepKind::kWaitForPeer;
      s.text = std::string(StatusName(s.status)) + ".";
      return s;
  }
}

}  // namespace federation::robot
