// The operator's admin API, on the operator's listener (never the public one): disputes with
// everything needed to decide them, their resolution, orders by status and a day's accounting.
// RoboSats does this in Django's admin site; Mostro's solver roles inspired the two roles here.
//
// Authentication: `Authorization: Bearer <token>`, tokens read at start from files that must be
// readable by their owner only. Two roles:
//   solver   — reads: GET /admin/disputes/, /admin/dispute/, /admin/orders/, /admin/accounting/
//   resolver — also POST /admin/dispute/resolve/ (once per dispute; a second one is refused)
// Answers are JSON; errors {"error_code": N, "bad_request": "…"} with 401 (no or wrong token),
// 403 (a solver resolving), 404 (no such dispute), 400 (bad input). Every request is logged by
// the engine with the token's name and role, never the token.
//
//   GET  /admin/disputes/?all=1                 open disputes (all=1: the recent ones too)
//   GET  /admin/dispute/?order_id=N             one dispute: statements, attached chat logs,
//                                               chat ciphertext, both robots' keys and history,
//                                               custody
//   POST /admin/dispute/resolve/ {order_id, outcome, note}
//        outcome: maker_wins | taker_wins | return_everything | successful_trade
//   GET  /admin/orders/?status=9&limit=100      orders (no status: the live ones)
//   GET  /admin/accounting/?day=YYYY-MM-DD      inflow, outflow, fees, proceeds, rewards, custody
//   GET  /admin/devtax/?start=UNIX&end=UNIX     the signed dev-tax statements (as /api/devfund/)
//   GET  /admin/nostr/relays/                   the publisher's outside relays (nostr.relays), one
//                                               object each: relay, connected, events, pending,
//                                               failing, published, refused, last_ok_at,
//                                               reconciliations, healed, last_reconcile_at,
//                                               last_error ([] without relays)
#pragma once

#include <string>
#include <vector>

#include "api/http/server.h"
#include "api/nostr/publisher.h"
#include "config/base/expected.h"
#include "coordinator/engine.h"
#include "federation/devtax/statements_service.h"

namespace api {

struct AdminToken {
  std::string name;   // for logs and the dispute record (the file's name)
  std::string token;  // secret
  coordinator::AdminRole role = coordinator::AdminRole::kSolver;
};

// Reads one token per file (its first line, at least 32 characters); the name is the file's
// base name without extension. Errors name the file: unreadable, too short, readable by group
// or others (chmod 600).
base::Expected<std::vector<AdminToken>, std::string> LoadAdminTokens(const std::vector<std::string>& solver_files,
                                                                     const std::vector<std::string>& resolver_files);

// Every route RegisterAdminApi registers, in its order (the same table): what the admin role
// matrix test (tests/adapter/public_api/admin_role_matrix_test.cpp) iterates, so a route added
// without a row there fails it.
struct AdminRoute {
  http::Method method;
  std::string path;
};
std::vector<AdminRoute> AdminRoutes();

// Registers the admin routes. REQUIRES: before server.Start(); `engine` outlives the server.
// `devfund` (may be null: /admin/devtax/ answers 503) and `publisher` (may be null) outlive the
// server too.
base::Status RegisterAdminApi(http::HttpServer& server, coordinator::Engine& engine, std::vector<AdminToken> tokens,
                              federation::DevFundStatements* devfund = nullptr,
                              nostr::Publisher* publisher = nullptr);

}  // namespace api
