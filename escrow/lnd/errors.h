// Maps LND's answers (gRPC status code + message, HTTP status) onto escrow::LnErrorCode.
// Pure functions; the strings matched are LND's own error texts, quoted in errors.cpp.
#pragma once

#include <string_view>

#include "escrow/lightning_node.h"
#include "escrow/lnd/wire.h"

namespace escrow::lnd {

// Message first (LND reports most invoice/payment conditions as gRPC code 2 "Unknown" with a
// fixed text), then HTTP 401/403, then the gRPC code, then the HTTP status. The returned
// message is LND's, shortened and stripped of control characters.
LnError MapRpcError(const wire::RpcStatus& status, long http_status);

// A non-2xx answer: the body parsed as a google.rpc.Status, or (when it is not one) an error
// built from the HTTP status alone.
LnError ErrorFromHttpAnswer(long http_status, std::string_view body);

// Errors a stream survives by reconnecting (the node was away or busy); the others end it.
bool IsRetryable(LnErrorCode code);

}  // namespace escrow::lnd
