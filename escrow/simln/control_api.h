// The simln daemon's control API: a small plain-HTTP interface for tests and demos, separate
// from the LND-shaped node APIs, on its own loopback port, guarded by a bearer token
// (`Authorization: Bearer <token>`, the token in a 0600 file of the state directory).
//
//   POST /control/mine     {"blocks":N}                          → {"height":H}
//   POST /control/failure  {"node":NAME | "chan_id":ID, "mode":M, "delay_ms":N}
//                          M: NONE|NO_ROUTE|INSUFFICIENT_BALANCE|TIMEOUT|OFFLINE|SLOW_REPLIES
//                          (FailureModeName)
//   POST /control/advance  {"seconds":N}                         → {"now":T,"height":H}
//   GET  /control/state    → {"height","now","total_msat",
//                             "nodes":[{"name","pubkey","local_msat","remote_msat",
//                                       "unsettled_local_msat","unsettled_remote_msat","failure"}],
//                             "channels":[{"chan_id" (string),"node_a","node_b","a_local_msat",
//                                          "b_local_msat","a_pending_out_msat","b_pending_out_msat",
//                                          "base_fee_msat","fee_rate_ppm","cltv_delta","failure"}]}
//                          failure = {"mode","delay_ms"}
// Errors: {"error":"…"} with 400 (bad input), 401 (token), 404 (unknown node/channel/path),
// 501 (the clock is not adjustable).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "config/base/clock.h"
#include "config/base/expected.h"
#include "escrow/simln/http/server.h"
#include "escrow/simln/network.h"

namespace escrow::simln {

class ControlService {
 public:
  struct Options {
    std::string token;
    // Moves the network's clock forward; empty: /control/advance answers 501.
    std::function<base::Expected<void, std::string>(std::chrono::seconds)> advance_clock;
    // Called after a failure setting changed (the daemon applies OFFLINE to the listeners).
    std::function<void()> on_failure_change;
    const base::Clock* clock = nullptr;  // REQUIRES non-null
  };

  ControlService(Network& network, Options options);

  // The http::Handler. Thread-safe.
  void Handle(const http::Request& request, http::ResponseWriter& writer);

 private:
  Network& m_network;
  Options m_options;
};

}  // namespace escrow::simln
