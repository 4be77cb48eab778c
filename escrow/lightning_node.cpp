#include "escrow/lightning_node.h"

#include <string_view>

namespace escrow {
namespace {

template <class E, size_t N>
std::optional<E> FromName(const std::pair<E, const char*> (&table)[N], std::string_view name) {
  for (const auto& [value, n] : table) {
    if (name == n) return value;
  }
  return std::nullopt;
}

template <class E, size_t N>
const char* ToName(const std::pair<E, const char*> (&table)[N], E value) {
  for (const auto& [v, n] : table) {
    if (v == value) return n;
  }
  return "?";
}

constexpr std::pair<InvoiceState, const char*> kInvoiceStates[] = {
    {InvoiceState::kOpen, "OPEN"},
    {InvoiceState::kSettled, "SETTLED"},
    {InvoiceState::kCanceled, "CANCELED"},
    {InvoiceState::kAccepted, "ACCEPTED"},
};
constexpr std::pair<HtlcState, const char*> kHtlcStates[] = {
    {HtlcState::kAccepted, "ACCEPTED"},
    {HtlcState::kSettled, "SETTLED"},
    {HtlcState::kCanceled, "CANCELED"},
};
constexpr std::pair<PaymentStatus, const char*> kPaymentStatuses[] = {
    {PaymentStatus::kUnknown, "UNKNOWN"},     {PaymentStatus::kInFlight, "IN_FLIGHT"},
    {PaymentStatus::kSucceeded, "SUCCEEDED"}, {PaymentStatus::kFailed, "FAILED"},
    {PaymentStatus::kInitiated, "INITIATED"},
};
constexpr std::pair<FailureReason, const char*> kFailureReasons[] = {
    {FailureReason::kNone, "FAILURE_REASON_NONE"},
    {FailureReason::kTimeout, "FAILURE_REASON_TIMEOUT"},
    {FailureReason::kNoRoute, "FAILURE_REASON_NO_ROUTE"},
    {FailureReason::kError, "FAILURE_REASON_ERROR"},
    {FailureReason::kIncorrectPaymentDetails, "FAILURE_REASON_INCORRECT_PAYMENT_DETAILS"},
    {FailureReason::kInsufficientBalance, "FAILURE_REASON_INSUFFICIENT_BALANCE"},
    {FailureReason::kCanceled, "FAILURE_REASON_CANCELED"},
};

}  // namespace

const char* LnErrorCodeName(LnErrorCode code) {
  switch (code) {
    case LnErrorCode::kUnreachable: return "unreachable";
    case LnErrorCode::kTlsMismatch: return "tls_mismatch";
    case LnErrorCode::kUnauthorized: return "unauthorized";
    case LnErrorCode::kTimeout: return "timeout";
    case LnErrorCode::kNotFound: return "not_found";
    case LnErrorCode::kAlreadyExists: return "already_exists";
    case LnErrorCode::kAlreadySettled: return "already_settled";
    case LnErrorCode::kAlreadyCanceled: return "already_canceled";
    case LnErrorCode::kNotAccepted: return "not_accepted";
    case LnErrorCode::kInvalidArgument: return "invalid_argument";
    case LnErrorCode::kNoRoute: return "no_route";
    case LnErrorCode::kInsufficientBalance: return "insufficient_balance";
    case LnErrorCode::kAlreadyPaying: return "already_paying";
    case LnErrorCode::kProtocol: return "protocol";
    case LnErrorCode::kInternal: return "internal";
  }
  return "?";
}

const char* InvoiceStateName(InvoiceState s) { return ToName(kInvoiceStates, s); }
std::optional<InvoiceState> InvoiceStateFromName(std::string_view n) { return FromName(kInvoiceStates, n); }
const char* HtlcStateName(HtlcState s) { return ToName(kHtlcStates, s); }
std::optional<HtlcState> HtlcStateFromName(std::string_view n) { return FromName(kHtlcStates, n); }
const char* PaymentStatusName(PaymentStatus s) { return ToName(kPaymentStatuses, s); }
std::optional<PaymentStatus> PaymentStatusFromName(std::string_view n) { return FromName(kPaymentStatuses, n); }
const char* FailureReasonName(FailureReason r) { return ToName(kFailureReasons, r); }
std::optional<FailureReason> FailureReasonFromName(std::string_view n) { return FromName(kFailureReasons, n); }

SendPaymentRequest MakeKeysend(const std::string& dest_pubkey_hex, int64_t amt_msat,
                               const Hash32& preimage, CustomRecords extra_records) {
  SendPaymentRequest req;
  req.dest = dest_pubkey_hex;
  req.amt_msat = amt_msat;
  req.payment_hash = crypto::Sha256(preimage.data(), preimage.size());
  req.dest_custom_records = std::move(extra_records);
  req.dest_custom_records[kKeysendPreimageRecord] = base::Bytes(preimage.begin(), preimage.end());
  return req;
}

}  // namespace escrow
