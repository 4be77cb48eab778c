// PayoutPreflight: probes a submitted payout or reward invoice on the node before the command
// reaches the engine (the engine never does I/O): LND's EstimateRouteFee with the invoice's
// payment request, on a thread of its own, bounded by a timeout. The engine decides from the
// result (coordinator/route_probe.h); a probe that times out or fails reaches it as undecided,
// which accepts the invoice (and is logged at warn there).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "coordinator/route_probe.h"
#include "escrow/lightning_node.h"
#include "escrow/workers.h"

namespace api {

// The text of an OpenPGP cleartext-signed message (RFC 4880 §7: after the armor header and
// its Hash: lines up to the empty line, dash-escaping undone, up to the signature), trailing
// whitespace removed as CheckSignedInvoice does; nullopt when it is not one. The signature is
// not verified here: the engine does that.
std::optional<std::string> SignedMessageText(std::string_view signed_message);

class PayoutPreflight {
 public:
  struct Options {
    std::chrono::milliseconds timeout{10'000};
    size_t threads = 2;
  };
  // REQUIRES: `node` outlives this object.
  PayoutPreflight(escrow::LightningNode& node, Options options);
  // Waits for the probes already running; their `done` still runs.
  ~PayoutPreflight();
  PayoutPreflight(const PayoutPreflight&) = delete;
  PayoutPreflight& operator=(const PayoutPreflight&) = delete;

  // Probes `payment_request`, then calls `done` exactly once, on one of the preflight's
  // threads, after at most the timeout (then with an undecided probe).
  void Probe(std::string payment_request, std::function<void(coordinator::RouteProbe)> done);

 private:
  escrow::LightningNode& m_node;
  Options m_options;
  escrow::Scheduler m_timeouts;  // declared before m_workers: destroyed after the probes ended
  escrow::Workers m_workers;
};

}  // namespace api
