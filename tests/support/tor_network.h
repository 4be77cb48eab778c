// A private Tor network on loopback for multi-process tests (chutney's `hs-v3-min` shape, with
// Debian's `tor` and `tor-gencert`): 3 directory authorities (also relays), 3 relays, one
// onion-service tor publishing one v3 onion service per target, and a client tor whose SOCKS
// port reaches them. Everything in `TestingTorNetwork 1` mode, on 127.0.0.1, under one temp
// dir; nothing touches the public Tor network (no public authority is ever configured).
//
// Bootstrap takes about 20–35 s on an idle machine (the authorities' first consensus, then
// descriptors); the onion services are reachable a few seconds after their descriptors are
// uploaded: use WaitReachable before the first real request.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/base/expected.h"
#include "tests/support/process.h"

namespace testsupport {

struct OnionTarget {
  std::string name;  // a label: [a-z0-9_]+, unique
  int port = 0;      // the loopback port the onion service's port 80 forwards to
};

class TorNetwork {
 public:
  // Writes every torrc under <dir>/tor/, makes the authorities' keys, starts the 8 tors and
  // waits (bounded by `timeout`) until the client and the onion-service tor have bootstrapped
  // to 100 % and every onion hostname exists. On failure returns what failed and the tail of
  // the tor logs concerned (the processes are stopped).
  static base::Expected<std::unique_ptr<TorNetwork>, std::string> Start(const std::string& dir,
                                                                        const std::vector<OnionTarget>& targets,
                                                                        std::chrono::seconds timeout);
  ~TorNetwork();  // SIGTERMs and reaps every tor it started
  TorNetwork(const TorNetwork&) = delete;
  TorNetwork& operator=(const TorNetwork&) = delete;

  // "socks5h://127.0.0.1:PORT": the client tor's SOCKS port (names resolved inside Tor).
  std::string socks_url() const { return "socks5h://127.0.0.1:" + std::to_string(m_socks_port); }
  // "<56 base32>.onion" of a target given to Start ("" for an unknown name).
  std::string OnionHost(const std::string& name) const;
  // "http://<onion host>" of a target.
  std::string OnionUrl(const std::string& name) const { return "http://" + OnionHost(name); }

  // Polls GET `url` through the client tor until it answers with any HTTP status (the onion
  // service's descriptor is published and a rendezvous works), bounded by `timeout`. Returns
  // "" on success, else the last curl error.
  std::string WaitReachable(const std::string& url, std::chrono::seconds timeout) const;

  // The tail of every tor's notice log, for failure messages.
  std::string LogTails(size_t lines_each = 5) const;

 private:
  TorNetwork() = default;
  struct Node {
    std::string name, dir;
    std::unique_ptr<Process> process;
  };
  std::string m_dir;
  int m_socks_port = 0;
  std::vector<Node> m_nodes;
  std::map<std::string, std::string> m_onion_hosts;
};

}  // namespace testsupport
