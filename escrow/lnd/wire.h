// The JSON codec of LND's REST API: request builders and response parsers, pure functions
// (no I/O), so that they are held to LND's documented shapes by fixture tests.
//
// LND REST: "LND's REST proxy" is grpc-gateway over the gRPC services, using protojson with
// the original proto field names: snake_case names; int64/uint64 as JSON strings; int32 and
// uint32 as numbers; `bytes` as standard base64 in bodies (base64url in paths and queries);
// enums by name. Streaming calls answer newline-delimited {"result": …} objects, and
// {"error": {"code", "message", "details"}} when the stream fails. Unary errors are a bare
// google.rpc.Status {"code", "message", "details"} (older gateways also set "error").
//
// Parsers never throw: malformed JSON, a missing required field, a wrong type, bad base64 or a
// number out of range yield LnErrorCode::kProtocol with a reason that names the field.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "escrow/lightning_node.h"

namespace escrow::lnd::wire {

// ---- Paths ----------------------------------------------------------------------------------
inline constexpr std::string_view kGetInfoPath = "/v1/getinfo";
inline constexpr std::string_view kAddInvoicePath = "/v1/invoices";
inline constexpr std::string_view kAddHoldInvoicePath = "/v2/invoices/hodl";
inline constexpr std::string_view kSettleInvoicePath = "/v2/invoices/settle";
inline constexpr std::string_view kCancelInvoicePath = "/v2/invoices/cancel";
inline constexpr std::string_view kSendPaymentPath = "/v2/router/send";
inline constexpr std::string_view kChannelBalancePath = "/v1/balance/channels";
// LND REST (lnrpc/routerrpc/router.yaml): post: "/v2/router/route/estimatefee", body: "*".
inline constexpr std::string_view kEstimateRouteFeePath = "/v2/router/route/estimatefee";

// GET /v2/invoices/lookup?payment_hash=<base64url>
std::string LookupInvoicePath(const Hash32& payment_hash);
// GET /v2/invoices/subscribe/{r_hash as base64url}
std::string SubscribeInvoicePath(const Hash32& r_hash);
// GET /v2/router/track/{payment_hash as base64url}
std::string TrackPaymentPath(const Hash32& payment_hash);
// GET /v1/payreq/{pay_req}. kInvalidArgument unless the payreq is a non-empty bech32 string
// (letters and digits only), so that nothing else can be smuggled into the URL.
LnResult<std::string> DecodePayReqPath(std::string_view payment_request);

// ---- Request bodies -------------------------------------------------------------------------
// invoicesrpc.AddHoldInvoiceRequest.
std::string AddHoldInvoiceBody(const HoldInvoiceRequest& req);
// lnrpc.Invoice (POST /v1/invoices).
std::string AddInvoiceBody(const InvoiceRequest& req);
// invoicesrpc.SettleInvoiceMsg.
std::string SettleInvoiceBody(const Hash32& preimage);
// invoicesrpc.CancelInvoiceMsg.
std::string CancelInvoiceBody(const Hash32& payment_hash);
// routerrpc.SendPaymentRequest. kInvalidArgument for a request that is neither a payreq nor a
// complete keysend (dest as 33-byte hex, amt_msat > 0, payment_hash).
LnResult<std::string> SendPaymentBody(const SendPaymentRequest& req);
// routerrpc.RouteFeeRequest {payment_request, timeout}. kInvalidArgument for an empty payreq.
LnResult<std::string> RouteFeeBody(const RouteFeeRequest& req);

// ---- Responses ------------------------------------------------------------------------------
LnResult<NodeInfo> ParseGetInfo(std::string_view body);
// invoicesrpc.AddHoldInvoiceResp has no hash: the caller's `payment_hash` is copied in.
LnResult<AddInvoiceResult> ParseAddHoldInvoiceResp(std::string_view body, const Hash32& payment_hash);
LnResult<AddInvoiceResult> ParseAddInvoiceResponse(std::string_view body);
LnResult<Invoice> ParseInvoice(std::string_view body);
LnResult<PayReq> ParsePayReq(std::string_view body);
LnResult<Payment> ParsePayment(std::string_view body);
LnResult<ChannelBalance> ParseChannelBalance(std::string_view body);
LnResult<RouteFeeEstimate> ParseRouteFeeResponse(std::string_view body);

// google.rpc.Status as the gateway writes it.
struct RpcStatus {
  int code = 0;  // gRPC status code (2 Unknown, 5 NotFound, 16 Unauthenticated, …)
  std::string message;
};
// A unary error body: {"code","message","details"}; also {"error":"…","code",…} (older
// gateways), {"error":{…}} (a stream's error line) and {"grpc_code",…} (gateway v1 streams).
LnResult<RpcStatus> ParseRpcStatus(std::string_view body);

// One line of a stream: an update or the stream's error.
template <class T>
using StreamItem = std::variant<T, RpcStatus>;
LnResult<StreamItem<Invoice>> ParseInvoiceStreamLine(std::string_view line);
LnResult<StreamItem<Payment>> ParsePaymentStreamLine(std::string_view line);

}  // namespace escrow::lnd::wire
