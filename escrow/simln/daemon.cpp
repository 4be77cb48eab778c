#include "escrow/simln/daemon.h"

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "config/base/log.h"
#include "escrow/simln/control_api.h"
#include "escrow/simln/http/server.h"
#include "escrow/simln/rest_service.h"
#include "escrow/simln/tls_material.h"

namespace escrow::simln {
namespace {

using nlohmann::json;

constexpr char kComponent[] = "simln.daemon";

std::string HostForUrl(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// Ports of an earlier run, from its nodes.json, so that a restarted daemon keeps its URLs.
std::map<std::string, uint16_t> PreviousPorts(const std::string& nodes_json_path) {
  std::map<std::string, uint16_t> ports;
  std::ifstream in(nodes_json_path);
  if (!in) return ports;
  std::stringstream ss;
  ss << in.rdbuf();
  json doc = json::parse(ss.str(), nullptr, false);
  if (!doc.is_array()) return ports;
  for (const auto& entry : doc) {
    if (!entry.is_object() || !entry.contains("name") || !entry.contains("rest_url")) continue;
    if (!entry["name"].is_string() || !entry["rest_url"].is_string()) continue;
    std::string url = entry["rest_url"].get<std::string>();
    size_t colon = url.rfind(':');
    if (colon == std::string::npos) continue;
    try {
      int port = std::stoi(url.substr(colon + 1));
      if (port > 0 && port < 65536)
        ports.emplace(entry["name"].get<std::string>(), static_cast<uint16_t>(port));
    } catch (const std::exception&) {
    }
  }
  return ports;
}

struct NodeEntry {
  std::string name;
  std::unique_ptr<NodeRestService> service;  // outlives `server`'s threads
  std::unique_ptr<http::Server> server;
  std::mutex failure_mu;
  FailureSetting failure;
  bool rebind_warned = false;
};

}  // namespace

struct Daemon::Impl {
  Impl(Network& n, DaemonOptions o) : network(n), options(std::move(o)) {}

  Network& network;
  DaemonOptions options;
  base::SystemClock system_clock;
  const base::Clock* clock = nullptr;

  std::vector<std::unique_ptr<NodeEntry>> entries;
  std::vector<ServedNode> served;
  std::unique_ptr<ControlService> control;
  std::unique_ptr<http::Server> control_server;
  std::string token_path;
  std::string control_url;

  std::mutex sync_mu;
  std::mutex tick_mu;
  std::condition_variable tick_cv;
  bool stopping = false;
  std::thread ticker;
  bool stopped = false;

  std::string NodesJsonPath() const { return options.state_dir + "/nodes.json"; }
  std::string ControlJsonPath() const { return options.state_dir + "/control.json"; }

  base::Expected<void, std::string> StartNodes();
  base::Expected<void, std::string> StartControl();
  base::Expected<void, std::string> WriteFiles();
  void SyncFailures();
  void TickLoop();
  void Stop();
};

base::Expected<void, std::string> Daemon::Impl::StartNodes() {
  std::map<std::string, uint16_t> previous = PreviousPorts(NodesJsonPath());
  std::vector<std::string> names = network.NodeNames();
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    auto view = network.GetNode(name);
    if (!view) return base::Err("node " + name + " vanished");
    std::string dir = options.state_dir + "/" + name;
    auto tls = EnsureTlsMaterial(dir);
    if (!tls) return base::Err(tls.error());
    std::string macaroon_path = dir + "/admin.macaroon";
    auto macaroon = EnsureMacaroon(macaroon_path);
    if (!macaroon) return base::Err(macaroon.error());
    std::unique_ptr<LightningNode> node = network.Node(name);
    if (!node) return base::Err("network has no node " + name);

    auto entry = std::make_unique<NodeEntry>();
    entry->name = name;
    entry->failure = view->failure;
    NodeEntry* raw = entry.get();
    NodeRestService::Options service_options;
    service_options.name = name;
    service_options.macaroon = std::move(*macaroon);
    // An invoices read-only macaroon (what a dev fund hands its auditors: devfund --lnd-macaroon).
    auto readonly = EnsureMacaroon(dir + "/invoices_readonly.macaroon");
    if (!readonly) return base::Err(readonly.error());
    service_options.invoices_readonly_macaroon = std::move(*readonly);
    service_options.clock = clock;
    service_options.failure = [raw] {
      std::lock_guard lock(raw->failure_mu);
      return raw->failure;
    };
    entry->service = std::make_unique<NodeRestService>(std::move(node), std::move(service_options));

    http::ServerOptions server_options;
    server_options.host = options.host;
    server_options.tls = http::TlsFiles{tls->cert_path, tls->key_path};
    server_options.name = "rest:" + name;
    bool reusing = false;
    if (auto it = options.node_ports.find(name); it != options.node_ports.end() && it->second != 0) {
      server_options.port = it->second;
    } else if (options.base_port != 0) {
      server_options.port = static_cast<uint16_t>(options.base_port + i);
    } else if (auto prev = previous.find(name); prev != previous.end()) {
      server_options.port = prev->second;
      reusing = true;
    }
    NodeRestService* service = entry->service.get();
    http::Handler handler = [service](const http::Request& req, http::ResponseWriter& w) {
      service->Handle(req, w);
    };
    auto server = http::Server::Start(server_options, handler);
    if (!server && reusing) {
      server_options.port = 0;  // the old port is taken: any port will do
      server = http::Server::Start(server_options, handler);
    }
    if (!server) return base::Err("node " + name + ": " + server.error());
    entry->server = std::move(*server);
    if (view->failure.mode == FailureMode::kOffline) (void)entry->server->SetOnline(false);

    ServedNode s;
    s.name = name;
    s.pubkey = view->pubkey_hex;
    s.rest_url = "https://" + HostForUrl(options.host) + ":" + std::to_string(entry->server->port());
    s.macaroon_path = macaroon_path;
    s.tls_cert_path = tls->cert_path;
    served.push_back(std::move(s));
    base::Log(base::LogLevel::kInfo, kComponent, "node listening",
              {{"node", name}, {"rest_url", served.back().rest_url}});
    entries.push_back(std::move(entry));
  }
  return {};
}

base::Expected<void, std::string> Daemon::Impl::StartControl() {
  token_path = options.state_dir + "/control.token";
  auto token = EnsureToken(token_path);
  if (!token) return base::Err(token.error());
  ControlService::Options control_options;
  control_options.token = *token;
  control_options.advance_clock = options.advance_clock;
  control_options.on_failure_change = [this] { SyncFailures(); };
  control_options.clock = clock;
  control = std::make_unique<ControlService>(network, std::move(control_options));
  http::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.control_port;
  server_options.name = "control";
  ControlService* service = control.get();
  auto server = http::Server::Start(
      server_options,
      [service](const http::Request& req, http::ResponseWriter& w) { service->Handle(req, w); });
  if (!server) return base::Err("control API: " + server.error());
  control_server = std::move(*server);
  control_url = "http://" + HostForUrl(options.host) + ":" + std::to_string(control_server->port());
  return {};
}

base::Expected<void, std::string> Daemon::Impl::WriteFiles() {
  json nodes = json::array();
  for (const auto& s : served) {
    nodes.push_back({{"name", s.name},
                     {"pubkey", s.pubkey},
                     {"rest_url", s.rest_url},
                     {"macaroon_path", s.macaroon_path},
                     {"tls_cert_path", s.tls_cert_path}});
  }
  if (auto w = WriteFileAtomic(NodesJsonPath(), nodes.dump(2) + "\n", 0644); !w) return w;
  json control_doc = {{"url", control_url}, {"token_path", token_path}};
  return WriteFileAtomic(ControlJsonPath(), control_doc.dump(2) + "\n", 0644);
}

void Daemon::Impl::SyncFailures() {
  std::lock_guard lock(sync_mu);
  if (stopped) return;
  for (auto& entry : entries) {
    auto view = network.GetNode(entry->name);
    if (!view) continue;
    {
      std::lock_guard failure_lock(entry->failure_mu);
      entry->failure = view->failure;
    }
    bool want_online = view->failure.mode != FailureMode::kOffline;
    if (want_online == entry->server->online()) continue;
    auto changed = entry->server->SetOnline(want_online);
    if (!changed) {
      if (!entry->rebind_warned) {
        base::Log(base::LogLevel::kWarn, kComponent, "cannot bring node back online",
                  {{"node", entry->name}, {"error", changed.error()}});
      }
      entry->rebind_warned = true;
      continue;
    }
    entry->rebind_warned = false;
    base::Log(base::LogLevel::kInfo, kComponent, want_online ? "node online" : "node offline",
              {{"node", entry->name}});
  }
}

void Daemon::Impl::TickLoop() {
  std::unique_lock lock(tick_mu);
  while (!stopping) {
    tick_cv.wait_for(lock, options.tick_interval, [this] { return stopping; });
    if (stopping) break;
    lock.unlock();
    network.Tick();
    SyncFailures();
    lock.lock();
  }
}

void Daemon::Impl::Stop() {
  {
    std::lock_guard lock(tick_mu);
    stopping = true;
  }
  tick_cv.notify_all();
  if (ticker.joinable()) ticker.join();
  if (control_server) control_server->Stop();
  std::lock_guard lock(sync_mu);
  for (auto& entry : entries) {
    if (entry->server) entry->server->Stop();
  }
  stopped = true;
}

base::Expected<std::unique_ptr<Daemon>, std::string> Daemon::Start(Network& network, DaemonOptions options) {
  if (options.state_dir.empty()) return base::Err(std::string("state_dir is required"));
  std::error_code ec;
  std::filesystem::create_directories(options.state_dir, ec);
  if (ec) return base::Err("cannot create " + options.state_dir + ": " + ec.message());
  auto impl = std::make_unique<Impl>(network, std::move(options));
  impl->clock = impl->options.clock != nullptr ? impl->options.clock : &impl->system_clock;
  std::unique_ptr<Daemon> daemon(new Daemon(std::move(impl)));
  Impl& d = *daemon->m_impl;
  if (auto started = d.StartNodes(); !started) return base::Err(started.error());
  if (auto started = d.StartControl(); !started) return base::Err(started.error());
  if (auto written = d.WriteFiles(); !written) return base::Err(written.error());
  d.ticker = std::thread([&d] { d.TickLoop(); });
  base::Log(base::LogLevel::kInfo, kComponent, "ready",
            {{"nodes_json", d.NodesJsonPath()}, {"control_url", d.control_url}});
  return daemon;
}

Daemon::Daemon(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Daemon::~Daemon() { Stop(); }

const std::vector<ServedNode>& Daemon::nodes() const { return m_impl->served; }
std::string Daemon::nodes_json_path() const { return m_impl->NodesJsonPath(); }
std::string Daemon::control_json_path() const { return m_impl->ControlJsonPath(); }
std::string Daemon::control_url() const { return m_impl->control_url; }
std::string Daemon::control_token_path() const { return m_impl->token_path; }
void Daemon::SyncFailures() { m_impl->SyncFailures(); }
void Daemon::Stop() { m_impl->Stop(); }

}  // namespace escrow::simln
