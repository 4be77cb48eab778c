#include "escrow/lnd/errors.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace escrow::lnd {
namespace {

struct MessageRule {
  const char* needle;  // lower case; matched as a substring of LND's message
  LnErrorCode code;
};

// LND's error texts, in match order (the first match wins):
constexpr MessageRule kMessageRules[] = {
    // macaroons/service.go, rpcperms: "verification failed: signature mismatch after caveat
    // verification", "expected 1 macaroon, got 0", "cannot get macaroon: root key with id 0
    // doesn't exist", "permission denied".
    {"verification failed", LnErrorCode::kUnauthorized},
    {"macaroon", LnErrorCode::kUnauthorized},
    {"permission denied", LnErrorCode::kUnauthorized},
    // rpcperms/interceptor.go: ErrWaitingToStart "waiting to start, RPC services not
    // available", ErrRPCStarting "the RPC server is in the process of starting up, but not yet
    // ready to accept calls", ErrWalletLocked "wallet locked, unlock it to enable full RPC
    // access": the node is not (yet) able to serve, as if it were offline.
    {"waiting to start", LnErrorCode::kUnreachable},
    {"not yet ready to accept calls", LnErrorCode::kUnreachable},
    {"wallet locked", LnErrorCode::kUnreachable},
    // invoices/errors.go: ErrInvoiceNotFound "unable to locate invoice", ErrNoInvoicesCreated
    // "there are no existing invoices".
    {"unable to locate invoice", LnErrorCode::kNotFound},
    {"there are no existing invoices", LnErrorCode::kNotFound},
    // invoices/errors.go: ErrInvoiceAlreadySettled, ErrInvoiceAlreadyCanceled,
    // ErrDuplicateInvoice "invoice with payment hash already exists", ErrInvoiceStillOpen.
    {"invoice already settled", LnErrorCode::kAlreadySettled},
    {"invoice already canceled", LnErrorCode::kAlreadyCanceled},
    {"invoice with payment hash already exists", LnErrorCode::kAlreadyExists},
    {"invoice still open", LnErrorCode::kNotAccepted},
    {"not accepted", LnErrorCode::kNotAccepted},
    // channeldb/payment_control.go (payments/db): ErrAlreadyPaid "invoice is already paid",
    // ErrPaymentInFlight "payment is in transition" — SendPaymentV2 answers these with
    // codes.AlreadyExists; ErrPaymentNotInitiated "payment isn't initiated" — TrackPaymentV2
    // answers it with codes.NotFound.
    {"invoice is already paid", LnErrorCode::kAlreadyPaying},
    {"payment is in transition", LnErrorCode::kAlreadyPaying},
    {"already paid", LnErrorCode::kAlreadyPaying},
    {"payment isn't initiated", LnErrorCode::kNotFound},
    // routing: "unable to find a path to destination"; htlcswitch "insufficient local
    // balance" (synchronous failures; streams report FailureReason instead).
    {"unable to find a path", LnErrorCode::kNoRoute},
    {"insufficient local balance", LnErrorCode::kInsufficientBalance},
    {"insufficient balance", LnErrorCode::kInsufficientBalance},
    // context.DeadlineExceeded.
    {"context deadline exceeded", LnErrorCode::kTimeout},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// LND's message, bounded and printable, for logs and LnError::message.
std::string Sanitize(std::string_view message) {
  constexpr size_t kMaxLen = 300;
  std::string out;
  for (char c : message.substr(0, kMaxLen)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  }
  if (message.size() > kMaxLen) out += "…";
  return out;
}

// grpc-gateway's HTTPStatusFromCode, inverted for answers without a gRPC code.
LnErrorCode FromHttpStatus(long http_status) {
  switch (http_status) {
    case 400: return LnErrorCode::kInvalidArgument;
    case 401:
    case 403: return LnErrorCode::kUnauthorized;
    case 404: return LnErrorCode::kNotFound;
    case 409: return LnErrorCode::kAlreadyExists;
    case 502:
    case 503: return LnErrorCode::kUnreachable;
    case 504: return LnErrorCode::kTimeout;
    default: return LnErrorCode::kInternal;
  }
}

}  // namespace

LnError MapRpcError(const wire::RpcStatus& status, long http_status) {
  LnError err;
  err.message = "LND: " + Sanitize(status.message) + " (code " + std::to_string(status.code) +
                ", HTTP " + std::to_string(http_status) + ")";
  const std::string lower = Lower(status.message);
  for (const MessageRule& rule : kMessageRules) {
    if (lower.find(rule.needle) != std::string::npos) {
      err.code = rule.code;
      return err;
    }
  }
  if (http_status == 401 || http_status == 403) {
    err.code = LnErrorCode::kUnauthorized;
    return err;
  }
  // gRPC status codes (google.rpc.Code).
  switch (status.code) {
    case 3: err.code = LnErrorCode::kInvalidArgument; break;   // INVALID_ARGUMENT
    case 4: err.code = LnErrorCode::kTimeout; break;           // DEADLINE_EXCEEDED
    case 5: err.code = LnErrorCode::kNotFound; break;          // NOT_FOUND
    case 6: err.code = LnErrorCode::kAlreadyExists; break;     // ALREADY_EXISTS
    case 7:                                                    // PERMISSION_DENIED
    case 16: err.code = LnErrorCode::kUnauthorized; break;     // UNAUTHENTICATED
    case 14: err.code = LnErrorCode::kUnreachable; break;      // UNAVAILABLE
    case 0: err.code = FromHttpStatus(http_status); break;     // no code: trust HTTP
    default: err.code = LnErrorCode::kInternal; break;
  }
  return err;
}

LnError ErrorFromHttpAnswer(long http_status, std::string_view body) {
  if (auto status = wire::ParseRpcStatus(body)) return MapRpcError(*status, http_status);
  return LnError{FromHttpStatus(http_status),
                 "LND answered HTTP " + std::to_string(http_status) + " without an error status"};
}

bool IsRetryable(LnErrorCode code) {
  switch (code) {
    case LnErrorCode::kUnreachable:
    case LnErrorCode::kTimeout:
    case LnErrorCode::kInternal:
      return true;
    case LnErrorCode::kTlsMismatch:
    case LnErrorCode::kUnauthorized:
    case LnErrorCode::kNotFound:
    case LnErrorCode::kAlreadyExists:
    case LnErrorCode::kAlreadySettled:
    case LnErrorCode::kAlreadyCanceled:
    case LnErrorCode::kNotAccepted:
    case LnErrorCode::kInvalidArgument:
    case LnErrorCode::kNoRoute:
    case LnErrorCode::kInsufficientBalance:
    case LnErrorCode::kAlreadyPaying:
    case LnErrorCode::kProtocol:
      return false;
  }
  return false;
}

}  // namespace escrow::lnd
