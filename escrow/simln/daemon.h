// The simln daemon: serves every node of a Network as an LND node — one HTTPS listener per
// node on loopback with its own self-signed certificate and macaroon, LND's REST API and
// JSON — plus the control API (escrow/simln/control_api.h) on a separate plain-HTTP port.
// Calls Network::Tick() on a timer and applies OFFLINE failures by closing the node's
// listener (clients see "connection refused") until the failure is cleared.
//
// State directory layout:
//   <state>/<node>/tls.cert, tls.key (0600), admin.macaroon (0600),
//                  invoices_readonly.macaroon (0600: LookupInvoice and SubscribeSingleInvoice only)
//   <state>/nodes.json    [{"name","pubkey","rest_url","macaroon_path","tls_cert_path"}]
//   <state>/control.json  {"url","token_path"}      <state>/control.token (0600)
// Both JSON files are written atomically (temp file + rename) once every listener is bound.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/base/clock.h"
#include "config/base/expected.h"
#include "escrow/simln/embedded.h"
#include "escrow/simln/network.h"

namespace escrow::simln {

struct DaemonOptions {
  std::string state_dir;
  std::string host = "127.0.0.1";
  // A node's REST port: node_ports[name] if set; else base_port + its index in NodeNames() if
  // base_port is set; else the port it had in an existing nodes.json if that port is free;
  // else ephemeral.
  std::map<std::string, uint16_t> node_ports;
  uint16_t base_port = 0;
  uint16_t control_port = 0;  // 0: ephemeral
  // Moves the network's clock forward (POST /control/advance); empty: not supported.
  std::function<base::Expected<void, std::string>(std::chrono::seconds)> advance_clock;
  std::chrono::milliseconds tick_interval{100};
  const base::Clock* clock = nullptr;  // for the JSON's timestamps; null: system time
};

class Daemon {
 public:
  // Starts every listener, the control API and the ticker. The Daemon must be destroyed
  // before `network`. Errors: unwritable state dir, a port that cannot be bound, TLS.
  static base::Expected<std::unique_ptr<Daemon>, std::string> Start(Network& network, DaemonOptions options);
  ~Daemon();

  const std::vector<ServedNode>& nodes() const;
  std::string nodes_json_path() const;
  std::string control_json_path() const;
  std::string control_url() const;  // http://127.0.0.1:PORT
  std::string control_token_path() const;

  // Applies the nodes' failure settings to the listeners now (the ticker does it each tick).
  void SyncFailures();

  // Stops the ticker and every listener and joins every thread. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit Daemon(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace escrow::simln
