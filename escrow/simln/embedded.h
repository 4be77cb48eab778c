// The embedded network: one call starts an in-process simln network — a "coordinator" node
// and four funded trader wallets alice, bob, carol and dave, each with a channel to the
// coordinator of 10 000 000 sat on each side — and serves every node's LND REST API on
// loopback ports, writing nodes.json so that a person or a test can pay as a trader.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/base/clock.h"
#include "config/base/expected.h"
#include "escrow/simln/network.h"

namespace escrow::simln {

NetworkSpec EmbeddedNetworkSpec();

struct ServedNode {
  std::string name;
  std::string pubkey;
  std::string rest_url;       // https://127.0.0.1:PORT
  std::string macaroon_path;  // 0600
  std::string tls_cert_path;
};

class Daemon;  // escrow/simln/daemon.h

struct EmbeddedOptions {
  uint16_t base_port = 0;     // 0: ephemeral ports (or those of an earlier run's nodes.json)
  uint16_t control_port = 0;  // 0: ephemeral
  // Lets POST /control/advance move `clock` forward; empty: the control API refuses it.
  std::function<base::Expected<void, std::string>(std::chrono::seconds)> advance_clock;
};

// A running network plus its REST listeners. Stops them on destruction.
class EmbeddedNetwork {
 public:
  // `state_dir` holds simln.db, the TLS material, macaroons and nodes.json.
  // `clock` must outlive the network.
  static base::Expected<std::unique_ptr<EmbeddedNetwork>, std::string> Start(const std::string& state_dir,
                                                                             const base::Clock& clock,
                                                                             EmbeddedOptions options = {});
  ~EmbeddedNetwork();

  Network& network();
  const std::vector<ServedNode>& nodes() const;
  std::string nodes_json_path() const;
  Daemon& daemon();

 private:
  EmbeddedNetwork() = default;
  std::unique_ptr<Network> m_network;
  std::unique_ptr<Daemon> m_daemon;
};

}  // namespace escrow::simln
