// The public API, wire-compatible with RoboSats v0.8.6 (../shared/API.md, the OpenAPI file):
// parses each request into a typed engine command, authenticates the robot from its
// Authorization header, and maps the engine's answer (or RoboSats' error JSON) to HTTP. No
// business rules here: those are the engine's. GET /api/book/ and /api/info/ are served from
// the engine's published snapshot, pre-serialized.
#pragma once

#include <functional>
#include <string>

#include "api/http/server.h"
#include "api/rate_limit.h"
#include "coordinator/engine.h"
#include "coordinator/market_history.h"
#include "coordinator/params.h"
#include "coordinator/prices/currencies.h"
#include "federation/devtax/statements_service.h"

namespace api {

struct PublicApiDeps {
  coordinator::Engine* engine = nullptr;
  const coordinator::RateSource* rates = nullptr;
  const coordinator::CurrencyTable* currencies = nullptr;
  coordinator::TradeParams params;
  std::function<int64_t()> now;  // Unix seconds (the engine's clock)
  // /api/ticks/ and /api/historical/, off the engine's thread. nullptr: answered 503.
  coordinator::MarketHistory* history = nullptr;
  // GET /api/devfund/: the signed dev-tax statements. nullptr: answered 503.
  federation::DevFundStatements* devfund = nullptr;
  // Requests per robot (authenticated) and per address (ticks, historical). Over the limit:
  // 429 with Django REST framework's throttle answer.
  RateLimiter::Options robot_rate;
  RateLimiter::Options anonymous_rate{2, 10, 100000};
  // Does a robot other than `hash_id` hold a /ws/chat/ socket of the order open now
  // (ChatSockets::PeerConnected)? The REST chat's peer_connected. nullptr: never.
  std::function<bool(int64_t order_id, const std::string& hash_id)> chat_peer_live;
  // Payout preflight (api/payout_preflight.h): probes the payment request of a payout invoice
  // (update_invoice) or a reward invoice (/api/reward/) and calls `done` once, from any
  // thread; the command then goes to the engine with the probe. nullptr: no probe.
  std::function<void(std::string payment_request, std::function<void(coordinator::RouteProbe)> done)> probe_invoice;
};

// Registers every public route on `server`. REQUIRES: before server.Start().
base::Status RegisterPublicApi(http::HttpServer& server, PublicApiDeps deps);

// RoboSats' HTTP status for an error code: 404 for a missing order, 403 for an order the
// robot may not see, 503 when the coordinator is unavailable, 500 internal, else 400.
int HttpStatusFor(int error_code);

}  // namespace api
