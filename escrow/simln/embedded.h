// The embedded network: one call starts an in-process simln network — a "coordinator" node
// and four funded trader wallets alice, bob, carol and dave, each with a channel to the
// coordinator of 10 000 000 sat on each side — and serves every node's LND REST API on
// loopback ports, writing nodes.json so that a person or a test can pay as a trader.
#pragma once

#include <memory>
#include <string>

#include "config/base/clock.h"
#include "config/base/expected.h"
#include "escrow/simln/network.h"

namespace escrow::simln {

NetworkSpec EmbeddedNetworkSpec();

struct ServedNode {
  std::string name;
  std::string pubkey;
  std::string rest_url;        // https://127.0.0.1:PORT
  std::string macaroon_path;   // 0600
  std::string tls_cert_path;
};

class Daemon;  // escrow/simln/daemon.h

// A running network plus its REST listeners. Stops them on destruction.
class EmbeddedNetwork {
 public:
  // `state_dir` holds simln.db, the TLS material, macaroons and nodes.json.
  static base::Expected<std::unique_ptr<EmbeddedNetwork>, std::string> Start(
      const std::string& state_dir, const base::Clock& clock);
  ~EmbeddedNetwork();

  Network& network();
  const std::vector<ServedNode>& nodes() const;
  std::string nodes_json_path() const;

 private:
  EmbeddedNetwork() = default;
  std::unique_ptr<Network> m_network;
  std::unique_ptr<Daemon> m_daemon;
};

}  // namespace escrow::simln
