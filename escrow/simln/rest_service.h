// One simulated node's LND REST API: routes, macaroon check, failure modes (slow replies)
// and the JSON of escrow/simln/rest_json.h, served through the http::Server of its listener.
//
// Endpoints (LND REST): GET /v1/getinfo, GET /v1/balance/channels, POST /v1/invoices,
// GET /v1/invoice/{r_hash_str} (hex), GET /v1/payreq/{pay_req}, POST /v2/invoices/hodl,
// POST /v2/invoices/settle,
// POST /v2/invoices/cancel, GET /v2/invoices/lookup?payment_hash=…,
// GET /v2/invoices/subscribe/{r_hash}, POST /v2/router/send, GET /v2/router/track/{payment_hash}.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "config/base/clock.h"
#include "config/base/encoding.h"
#include "escrow/lightning_node.h"
#include "escrow/simln/http/server.h"
#include "escrow/simln/network.h"

namespace escrow::simln {

class NodeRestService {
 public:
  struct Options {
    std::string name;                         // for logs
    base::Bytes macaroon;                     // the admin macaroon: every call (Grpc-Metadata-macaroon, hex)
    // An invoices read-only macaroon (LND's permission invoices:read): lookups and invoice
    // subscriptions only; anything else is "permission denied". Empty: none.
    base::Bytes invoices_readonly_macaroon;
    std::function<FailureSetting()> failure;  // the node's current failure setting
    const base::Clock* clock = nullptr;       // for best_header_timestamp; REQUIRES non-null
  };

  NodeRestService(std::unique_ptr<LightningNode> node, Options options);
  ~NodeRestService();

  // The http::Handler. Thread-safe; blocks for the life of a stream.
  void Handle(const http::Request& request, http::ResponseWriter& writer);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace escrow::simln
