#include "escrow/simln/embedded.h"

#include <filesystem>

#include "escrow/simln/daemon.h"

namespace escrow::simln {

NetworkSpec EmbeddedNetworkSpec() {
  constexpr int64_t kSideSat = 10'000'000;
  NetworkSpec spec;
  spec.nodes.push_back(NodeSpec{"coordinator", ""});
  for (const char* trader : {"alice", "bob", "carol", "dave"}) {
    spec.nodes.push_back(NodeSpec{trader, ""});
    ChannelSpec channel;
    channel.node_a = trader;
    channel.node_b = "coordinator";
    channel.a_balance_sat = kSideSat;
    channel.b_balance_sat = kSideSat;
    spec.channels.push_back(channel);
  }
  return spec;
}

base::Expected<std::unique_ptr<EmbeddedNetwork>, std::string> EmbeddedNetwork::Start(
    const std::string& state_dir, const base::Clock& clock, EmbeddedOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return base::Err("cannot create " + state_dir + ": " + ec.message());
  std::unique_ptr<EmbeddedNetwork> embedded(new EmbeddedNetwork());
  auto network = Network::Open(state_dir + "/simln.db", EmbeddedNetworkSpec(), clock);
  if (!network) return base::Err(network.error());
  embedded->m_network = std::move(*network);
  DaemonOptions daemon_options;
  daemon_options.state_dir = state_dir;
  daemon_options.base_port = options.base_port;
  daemon_options.control_port = options.control_port;
  daemon_options.advance_clock = std::move(options.advance_clock);
  daemon_options.clock = &clock;
  auto daemon = Daemon::Start(*embedded->m_network, std::move(daemon_options));
  if (!daemon) return base::Err(daemon.error());
  embedded->m_daemon = std::move(*daemon);
  return embedded;
}

EmbeddedNetwork::~EmbeddedNetwork() {
  m_daemon.reset();  // before the network it serves
  m_network.reset();
}

Network& EmbeddedNetwork::network() { return *m_network; }
const std::vector<ServedNode>& EmbeddedNetwork::nodes() const { return m_daemon->nodes(); }
std::string EmbeddedNetwork::nodes_json_path() const { return m_daemon->nodes_json_path(); }
Daemon& EmbeddedNetwork::daemon() { return *m_daemon; }

}  // namespace escrow::simln
