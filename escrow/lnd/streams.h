// The three LND streams behind LndNode: SubscribeSingleInvoice, SendPaymentV2, TrackPaymentV2.
// Each runs on its own thread (StreamThread) and honours escrow::Subscription's contract:
// after Cancel()/destruction returns, no callback runs; callbacks never run under a lock of
// ours; on_done is called exactly once unless cancelled.
//
// Reconnects: the invoice and track streams reconnect after a dropped connection or a
// retryable error (kUnreachable, kTimeout, kInternal) with exponential backoff, until a
// terminal state, a non-retryable error (delivered through on_error) or Cancel. LND sends the
// current state first on every new connection, so nothing is lost; an update identical to the
// last one delivered is not repeated.
//
// SendPaymentV2 is POSTed exactly once. If the connection drops after the request may have
// left this host, the payment may be in flight: the stream continues as TrackPaymentV2 on the
// payment hash. A request that provably never left (connect/TLS failure) or that LND refused
// ends with on_error.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "escrow/lightning_node.h"
#include "escrow/lnd/http_client.h"

namespace escrow::lnd {

struct Backoff {
  std::chrono::milliseconds min{200};
  std::chrono::milliseconds max{10000};
};

std::unique_ptr<Subscription> StartInvoiceStream(std::shared_ptr<const HttpClient> http, const Hash32& r_hash,
                                                 StreamHandlers<Invoice> handlers, Backoff backoff);

std::unique_ptr<Subscription> StartTrackPayment(std::shared_ptr<const HttpClient> http, const Hash32& payment_hash,
                                                StreamHandlers<Payment> handlers, Backoff backoff);

// `body` is a routerrpc.SendPaymentRequest; `payment_hash` is the hash it pays (decoded from
// the payreq, or the keysend hash), used to follow the payment after a dropped connection.
std::unique_ptr<Subscription> StartSendPayment(std::shared_ptr<const HttpClient> http, std::string body,
                                               const Hash32& payment_hash, StreamHandlers<Payment> handlers,
                                               Backoff backoff);

// A stream that delivers `error` then on_done from its own thread (a request rejected before
// any I/O still reports through the handlers, never on the caller's thread).
std::unique_ptr<Subscription> StartFailedStream(LnError error, StreamHandlers<Payment> handlers);

}  // namespace escrow::lnd
