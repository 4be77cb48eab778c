#include "coordinator/model.h"

#include <ctime>

namespace coordinator {

const char* StatusMessage(OrderStatus s) {
  switch (s) {
    case OrderStatus::kWaitingMakerBond: return "Waiting for maker bond";
    case OrderStatus::kPublic: return "Public";
    case OrderStatus::kPaused: return "Paused";
    case OrderStatus::kWaitingTakerBond: return "Waiting for taker bond";
    case OrderStatus::kCancelled: return "Cancelled";
    case OrderStatus::kExpired: return "Expired";
    case OrderStatus::kWaitingCollateralAndInvoice: return "Waiting for trade collateral and buyer invoice";
    case OrderStatus::kWaitingCollateral: return "Waiting only for seller trade collateral";
    case OrderStatus::kWaitingInvoice: return "Waiting only for buyer invoice";
    case OrderStatus::kSendingFiat: return "Sending fiat - In chatroom";
    case OrderStatus::kFiatSent: return "Fiat sent - In chatroom";
    case OrderStatus::kInDispute: return "In dispute";
    case OrderStatus::kCollaborativelyCancelled: return "Collaboratively cancelled";
    case OrderStatus::kSendingSats: return "Sending satoshis to buyer";
    case OrderStatus::kSuccess: return "Successful trade";
    case OrderStatus::kRoutingFailed: return "Failed lightning network routing";
    case OrderStatus::kWaitingDisputeResolution: return "Wait for dispute resolution";
    case OrderStatus::kMakerLostDispute: return "Maker lost dispute";
    case OrderStatus::kTakerLostDispute: return "Taker lost dispute";
  }
  return "?";
}

bool IsTerminal(OrderStatus s) {
  switch (s) {
    case OrderStatus::kCancelled:
    case OrderStatus::kExpired:
    case OrderStatus::kCollaborativelyCancelled:
    case OrderStatus::kSuccess:
    case OrderStatus::kMakerLostDispute:
    case OrderStatus::kTakerLostDispute:
      return true;
    case OrderStatus::kWaitingMakerBond:
    case OrderStatus::kPublic:
    case OrderStatus::kPaused:
    case OrderStatus::kWaitingTakerBond:
    case OrderStatus::kWaitingCollateralAndInvoice:
    case OrderStatus::kWaitingCollateral:
    case OrderStatus::kWaitingInvoice:
    case OrderStatus::kSendingFiat:
    case OrderStatus::kFiatSent:
    case OrderStatus::kInDispute:
    case OrderStatus::kSendingSats:
    case OrderStatus::kRoutingFailed:
    case OrderStatus::kWaitingDisputeResolution:
      return false;
  }
  return false;
}

std::string IsoTime(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
  return buf;
}

// RoboSats api/models Order.ExpiryReasons.
const char* ExpiryMessage(ExpiryReason r) {
  switch (r) {
    case ExpiryReason::kNotTaken: return "Expired not taken";
    case ExpiryReason::kMakerBondNotLocked: return "Maker bond not locked";
    case ExpiryReason::kEscrowNotLocked: return "Escrow not locked";
    case ExpiryReason::kInvoiceNotSubmitted: return "Invoice not submitted";
    case ExpiryReason::kNeitherEscrowNorInvoice: return "Neither escrow locked or invoice submitted";
  }
  return "?";
}

}  // namespace coordinator

namespace coordinator {

namespace {
constexpr std::pair<DisputeOutcome, const char*> kOutcomeNames[] = {
    {DisputeOutcome::kOpen, "open"},
    {DisputeOutcome::kMakerWins, "maker_wins"},
    {DisputeOutcome::kTakerWins, "taker_wins"},
    {DisputeOutcome::kReturnEverything, "return_everything"},
    {DisputeOutcome::kSuccessfulTrade, "successful_trade"},
    {DisputeOutcome::kMakerSilent, "maker_silent"},
    {DisputeOutcome::kTakerSilent, "taker_silent"},
};
}  // namespace

const char* DisputeOutcomeName(DisputeOutcome o) {
  for (const auto& [value, name] : kOutcomeNames) {
    if (value == o) return name;
  }
  return "?";
}

std::optional<DisputeOutcome> DisputeOutcomeFromName(std::string_view name) {
  for (const auto& [value, n] : kOutcomeNames) {
    if (name == n) return value;
  }
  return std::nullopt;
}

}  // namespace coordinator
