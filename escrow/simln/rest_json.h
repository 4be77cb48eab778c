// LND's REST wire format, server side: lnrpc/invoicesrpc/routerrpc messages as LND's
// grpc-gateway marshals them (protojson with UseProtoNames + EmitUnpopulated: snake_case
// names, 64-bit integers as strings, 32-bit integers as numbers, `bytes` as padded standard
// base64, enums by name, zero values present) and request bodies parsed as grpc-gateway does
// (64-bit integers as string or number, `bytes` in either base64 alphabet with or without
// padding, unknown fields discarded: LND sets DiscardUnknown).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "config/base/expected.h"
#include "escrow/lightning_node.h"

namespace escrow::simln::rest {

// gRPC status codes (google.golang.org/grpc/codes).
enum class GrpcCode {
  kOk = 0,
  kCanceled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// grpc-gateway runtime.HTTPStatusFromCode: NotFound→404, InvalidArgument→400,
// Unauthenticated→401, AlreadyExists→409, Unknown→500, …
int HttpStatusFromCode(GrpcCode code);

struct RpcError {
  GrpcCode code = GrpcCode::kUnknown;
  std::string message;
};

// google.rpc.Status as grpc-gateway v2 writes it: {"code":N,"message":"…","details":[]}.
nlohmann::json StatusJson(const RpcError& error);

// What the RPC was doing, for mapping a LightningNode error onto LND's code and message.
enum class Call {
  kAddInvoice,
  kSettle,
  kCancel,
  kLookup,
  kSubscribeInvoice,
  kDecodePayReq,
  kSendPayment,
  kTrackPayment,
  kGetInfo,
  kChannelBalance
};
RpcError FromLnError(const LnError& error, Call call);

// --- responses ---
nlohmann::json GetInfoJson(const NodeInfo& info, int64_t now_seconds);
nlohmann::json ChannelBalanceJson(const ChannelBalance& balance);
nlohmann::json InvoiceJson(const Invoice& invoice);                // lnrpc.Invoice
nlohmann::json AddInvoiceResponseJson(const AddInvoiceResult& r);  // lnrpc.AddInvoiceResponse
nlohmann::json AddHoldInvoiceRespJson(const AddInvoiceResult& r);  // invoicesrpc.AddHoldInvoiceResp
nlohmann::json PayReqJson(const PayReq& payreq);                   // lnrpc.PayReq
nlohmann::json PaymentJson(const Payment& payment);                // lnrpc.Payment
nlohmann::json RouteFeeResponseJson(const RouteFeeEstimate& e);    // routerrpc.RouteFeeResponse

// --- requests (errors carry grpc-gateway's InvalidArgument or LND's own message) ---
base::Expected<HoldInvoiceRequest, RpcError> ParseAddHoldInvoice(std::string_view body);
base::Expected<InvoiceRequest, RpcError> ParseAddInvoice(std::string_view body);
base::Expected<Hash32, RpcError> ParseSettleInvoice(std::string_view body);  // the preimage
base::Expected<Hash32, RpcError> ParseCancelInvoice(std::string_view body);  // the payment hash

struct SendPaymentCall {
  SendPaymentRequest request;
  bool no_inflight_updates = false;
};
base::Expected<SendPaymentCall, RpcError> ParseSendPayment(std::string_view body);
// routerrpc.RouteFeeRequest {dest, amt_sat, payment_request, timeout}. Only the probing form
// (payment_request) is simulated: dest + amt_sat answers gRPC Unimplemented.
base::Expected<RouteFeeRequest, RpcError> ParseRouteFee(std::string_view body);

// A `bytes` path or query parameter holding a 32-byte hash (runtime.Bytes: standard base64,
// then URL-safe). `what` names it in LND's error ("invalid hash length of N, want 32").
base::Expected<Hash32, RpcError> ParseHashParam(std::string_view text);

// LookupInvoice's `r_hash_str` path parameter (GET /v1/invoice/{r_hash_str}): hex, decoded as
// LND does with Go's hex.DecodeString, then exactly 32 bytes. Errors are gRPC Unknown with
// LND's messages ("encoding/hex: invalid byte: U+0067 'g'", "encoding/hex: odd length hex
// string", "payment hash must be exactly 32 bytes, is instead 31"). An empty text is not
// valid here (the route needs a non-empty segment).
base::Expected<Hash32, RpcError> ParseHexHashParam(std::string_view text);

}  // namespace escrow::simln::rest
