// federationd's HTTP routes over api/http: the web page and the joint book's JSON, all read-only
// and anonymous. The answers are computed by federation::FederationView.
//
//   GET /                     the web page (HTML); query: the filters below and `seed`
//   GET /api/book/            the joint book: a JSON array of orders (RoboSats' order fields,
//                             plus coordinatorShortAlias, stale, data_age_s), coordinators in
//                             lottery order; query: currency, type, payment_method, amount,
//                             coordinator, seed. 200 [] when nothing matches.
//   GET /api/info/            the federation's totals (RoboSats' aggregated exchange info)
//   GET /api/coordinators/    every coordinator with its status; query: seed
//   GET /api/coordinator/     one coordinator with its limits; query: short_alias (404 if unknown)
//
// `seed` (an unsigned integer) fixes the lottery's draw, as one RoboSats client session does;
// without it each request draws anew. Bad query values: 400 {"bad_request": "<param>: …"}.
#pragma once

#include "api/http/server.h"
#include "config/base/status.h"
#include "federation/book/federation_view.h"

namespace api {

// `view` must outlive the server.
// `watch` (may be null: GET /api/watchdog/ then answers 404) must outlive the server.
class ConsistencyWatch;
base::Status RegisterFederationdApi(http::HttpServer& server, const federation::FederationView& view,
                                    const ConsistencyWatch* watch = nullptr);

}  // namespace api
