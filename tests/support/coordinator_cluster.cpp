#include "tests/support/coordinator_cluster.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "escrow/bolt11.h"
#include "escrow/lnd/lnd_node.h"
#include "tests/support/test_support.h"

namespace testsupport {
namespace {

using namespace std::chrono_literals;

constexpr auto kStartTimeout = 60s;  // two cores shared by many builds: be patient
constexpr std::string_view kServingPrefix = "coordinatord: serving the RoboSats API on ";
constexpr std::string_view kOperatorPrefix = "coordinatord: operator API (coordctl) on ";

std::string IdentityFixture(const std::string& file) {
  auto dir = std::filesystem::path(testsupport::SourceDirOf(__FILE__)).parent_path() / "unit" / "identity" / "fixtures";
  std::string text = ReadFile((dir / file).string());
  if (text.empty()) throw std::runtime_error("missing fixture " + (dir / file).string());
  return text;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// The last lines of a log, for error messages.
std::string Tail(const std::string& path) {
  std::string text = ReadFile(path);
  if (text.size() > 1500) text = "..." + text.substr(text.size() - 1500);
  return text;
}

std::string Quoted(const std::string& s) { return nlohmann::json(s).dump(); }

}  // namespace

FixtureRobot LoadFixtureRobot(const std::string& name) {
  FixtureRobot r;
  if (name == "robot") {
    r.token = Trimmed(IdentityFixture("robot_token.txt"));
  } else if (name == "other") {
    // make_pgp_fixtures.sh: other_pass, the passphrase of other_sec.asc, used as its token.
    r.token = "another-robot-token-for-fixtures-0123456789";
  } else {
    throw std::runtime_error("no fixture robot " + name);
  }
  r.public_armored = IdentityFixture(name + "_pub.asc");
  r.secret_armored = IdentityFixture(name + "_sec.asc");
  return r;
}

// --- simln -----------------------------------------------------------------------------------

base::Expected<std::unique_ptr<SimlnDaemon>, std::string> SimlnDaemon::Start(
    const std::string& dir, const std::vector<std::string>& wallets, int64_t channel_sat, const std::string& log_level) {
  return StartWithCoordinators(dir, {"coordinator"}, wallets, channel_sat, log_level);
}

base::Expected<std::unique_ptr<SimlnDaemon>, std::string> SimlnDaemon::StartWithCoordinators(
    const std::string& dir, const std::vector<std::string>& coordinators, const std::vector<std::string>& wallets,
    int64_t channel_sat, const std::string& log_level, const NetworkExtras& extras) {
  std::unique_ptr<SimlnDaemon> d(new SimlnDaemon());
  d->m_log = dir + "/simln.log";
  d->m_state_dir = dir + "/simln";
  const std::string yaml = dir + "/network.yaml";
  {
    std::ofstream out(yaml);
    out << "network: regtest\nnodes:\n";
    for (const auto& c : coordinators) out << "  - " << c << "\n";
    for (const auto& w : wallets) out << "  - " << w << "\n";
    for (const auto& n : extras.nodes) out << "  - " << n << "\n";
    out << "channels:\n";
    for (const auto& c : extras.channels) out << "  - " << c << "\n";
    for (const auto& c : coordinators) {
      for (const auto& w : wallets) {
        out << "  - {node_a: " << c << ", node_b: " << w << ", a_balance_sat: " << channel_sat
            << ", b_balance_sat: " << channel_sat << "}\n";
      }
    }
    if (!out) return base::Err("cannot write " + yaml);
  }
  std::vector<std::string> argv = {BinaryPath("simln"), "serve", "--network", yaml, "--state-dir", dir + "/simln"};
  if (!log_level.empty()) {
    argv.push_back("--log-level");
    argv.push_back(log_level);
  }
  d->m_argv = std::move(argv);
  if (auto launched = d->Launch(); !launched) return base::Err(launched.error());
  for (const auto& name : wallets) {
    if (!d->Node(name)) return base::Err("nodes.json has no node " + name);
  }
  for (const auto& name : coordinators) {
    if (!d->Node(name)) return base::Err("nodes.json has no node " + name);
  }
  return d;
}

base::Expected<void, std::string> SimlnDaemon::Launch() {
  m_process = Process::Start(m_argv, m_log);
  if (!m_process) return base::Err(std::string("cannot start simln"));
  auto line = m_process->ReadLine(kStartTimeout);
  if (!line) return base::Err("simln printed no nodes.json path; its log:\n" + Tail(m_log));
  auto nodes = nlohmann::json::parse(ReadFile(*line), nullptr, false);
  if (!nodes.is_array()) return base::Err("unreadable nodes.json at " + *line);
  m_nodes.clear();
  for (const auto& n : nodes) {
    LndEndpoint e;
    e.name = n.value("name", "");
    e.pubkey = n.value("pubkey", "");
    e.rest_url = n.value("rest_url", "");
    e.macaroon_path = n.value("macaroon_path", "");
    e.tls_cert_path = n.value("tls_cert_path", "");
    m_nodes.emplace(e.name, e);
  }
  return {};
}

void SimlnDaemon::Kill() {
  m_process->Signal(SIGKILL);
  m_process->Wait(kStartTimeout);
}

base::Expected<void, std::string> SimlnDaemon::Restart() {
  const auto before = m_nodes;
  if (auto launched = Launch(); !launched) return launched;
  for (const auto& [name, e] : before) {
    const LndEndpoint* now = Node(name);
    if (!now || now->rest_url != e.rest_url) return base::Err("simln restarted with another REST URL for " + name);
  }
  return {};
}

base::Expected<void, std::string> SimlnDaemon::Mine(uint32_t n) {
  auto p = Process::Start({BinaryPath("simln"), "mine", "--state-dir", m_state_dir, std::to_string(n)}, m_log);
  if (!p) return base::Err(std::string("cannot start simln mine"));
  auto code = p->Wait(kStartTimeout);
  if (code != std::optional<int>(0)) return base::Err("simln mine failed; its log:\n" + Tail(m_log));
  return {};
}

base::Expected<void, std::string> SimlnDaemon::SetNodeFailure(const std::string& node, const std::string& mode) {
  auto p = Process::Start(
      {BinaryPath("simln"), "fail", "--state-dir", m_state_dir, "--node", node, "--mode", mode}, m_log);
  if (!p) return base::Err(std::string("cannot start simln fail"));
  auto code = p->Wait(kStartTimeout);
  if (code != std::optional<int>(0)) return base::Err("simln fail failed; its log:\n" + Tail(m_log));
  return {};
}

const LndEndpoint* SimlnDaemon::Node(const std::string& name) const {
  auto it = m_nodes.find(name);
  return it == m_nodes.end() ? nullptr : &it->second;
}

base::Expected<std::unique_ptr<escrow::LightningNode>, std::string> SimlnDaemon::Connect(
    const std::string& name) const {
  const LndEndpoint* e = Node(name);
  if (!e) return base::Err("no node " + name);
  escrow::lnd::LndConfig config;
  config.rest_url = e->rest_url;
  config.tls_cert_path = e->tls_cert_path;
  config.macaroon_path = e->macaroon_path;
  auto node = escrow::lnd::CreateLndNode(config);
  if (!node.ok()) return base::Err(name + ": " + node.error().message);
  return std::move(node.value());
}

std::optional<int> SimlnDaemon::Stop(std::chrono::milliseconds timeout) {
  m_process->Signal(SIGTERM);
  return m_process->Wait(timeout);
}

// --- coordinatord -----------------------------------------------------------------------------

base::Expected<std::unique_ptr<Coordinatord>, std::string> Coordinatord::Start(const std::string& dir,
                                                                               const LndEndpoint& node,
                                                                               const std::string& crash_at,
                                                                               int chain_poll_interval_s) {
  CoordinatordOptions o;
  o.crash_at = crash_at;
  o.chain_poll_interval_s = chain_poll_interval_s;
  return Start(dir, node, o);
}

base::Expected<std::unique_ptr<Coordinatord>, std::string> Coordinatord::Start(const std::string& dir,
                                                                               const LndEndpoint& node,
                                                                               const CoordinatordOptions& options) {
  const std::string& crash_at = options.crash_at;
  const int chain_poll_interval_s = options.chain_poll_interval_s;
  std::unique_ptr<Coordinatord> c(new Coordinatord());
  c->m_log = dir + "/coordinatord.log";
  const std::string config = dir + "/coordinatord.yaml";
  if (!std::filesystem::exists(config)) {
    std::ofstream out(config);
    out << "# Written by tests/support/coordinator_cluster.cpp\n"
        << "data_dir: " << Quoted(dir + "/data") << "\n"
        << "listen: \"127.0.0.1:0\"\n"
        << "operator_listen: \"127.0.0.1:0\"\n"
        << "lightning:\n"
        << "  backend: lnd\n"
        << "  network: regtest\n"
        << "  lnd:\n"
        << "    rest_url: " << Quoted(node.rest_url) << "\n"
        << "    tls_cert_path: " << Quoted(node.tls_cert_path) << "\n"
        << "    macaroon_path: " << Quoted(node.macaroon_path) << "\n";
    if (chain_poll_interval_s > 0) out << "  chain_poll_interval_s: " << chain_poll_interval_s << "\n";
    out
        << "prices:\n"
        << "  source: offline\n"
        << (options.price_interval_s > 0 ? "  http: {interval_s: " + std::to_string(options.price_interval_s) +
                                                ", timeout_s: 5, stale_after_intervals: 1000}\n"
                                          : std::string())
        << "trade:\n"
        << "  payout: {retry_interval_s: 1" << (options.payout_yaml.empty() ? "" : ", " + options.payout_yaml)
        << "}\n"
        // Tests poll far faster than a client: the per-robot limit is not what they test.
        // (anonymous ones too: devfund and the federation tests read /api/devfund/ from one address).
        << "limits: {robot_requests_per_second: 100000, robot_burst: 100000, anonymous_requests_per_second: 100000,"
           " anonymous_burst: 100000}\n";
    auto list = [](const std::vector<std::string>& files) {
      std::string s = "[";
      for (size_t i = 0; i < files.size(); ++i) s += (i ? ", " : "") + Quoted(files[i]);
      return s + "]";
    };
    out << "admin: {solver_token_files: " << list(options.solver_token_files)
        << ", resolver_token_files: " << list(options.resolver_token_files) << "}\n";
    out << options.extra_yaml;
    if (!out) return base::Err("cannot write " + config);
  }
  // env(1) sets or removes the crash point and the clock file for the child alone: the test's
  // own environment (which its other threads may read) is never modified. Its -u options
  // come before its assignments.
  std::vector<std::string> argv = {"/usr/bin/env"};
  std::vector<std::string> assignments;
  auto set_or_unset = [&](const char* name, const std::string& value) {
    if (value.empty()) {
      argv.insert(argv.end(), {"-u", name});
    } else {
      assignments.push_back(std::string(name) + "=" + value);
    }
  };
  set_or_unset("COORDINATORD_CRASH_AT", crash_at);
  set_or_unset("COORDINATORD_TEST_CLOCK_FILE", options.clock_file);
  argv.insert(argv.end(), assignments.begin(), assignments.end());
  argv.insert(argv.end(), {BinaryPath("coordinatord"), "--config", config, "--data-dir", dir + "/data"});
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  c->m_process = Process::Start(argv, c->m_log);
  if (!c->m_process) return base::Err(std::string("cannot start coordinatord"));
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (c->m_api_url.empty()) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto line = c->m_process->ReadLine(std::max(left, std::chrono::milliseconds(1)));
    if (!line) return base::Err("coordinatord did not start serving; its log:\n" + Tail(c->m_log));
    if (line->rfind(kServingPrefix, 0) == 0) c->m_api_url = line->substr(kServingPrefix.size());
  }
  // The next line names the operator's listener.
  if (auto line = c->m_process->ReadLine(kStartTimeout); line && line->rfind(kOperatorPrefix, 0) == 0) {
    c->m_operator_url = line->substr(kOperatorPrefix.size());
  }
  return c;
}

std::optional<int> Coordinatord::Stop(std::chrono::milliseconds timeout) {
  m_process->Signal(SIGTERM);
  return m_process->Wait(timeout);
}

std::optional<int> Coordinatord::Kill(std::chrono::milliseconds timeout) {
  m_process->Signal(SIGKILL);
  return m_process->Wait(timeout);
}

// --- wallets ------------------------------------------------------------------------------------

Wallet::Wallet(std::string name, std::unique_ptr<escrow::LightningNode> node)
    : m_name(std::move(name)), m_node(std::move(node)) {}

Wallet::~Wallet() {
  // Once a Subscription is gone its callbacks never run again: only then may m_states go.
  m_streams.clear();
}

bool Wallet::Pay(const std::string& payreq) {
  {
    std::lock_guard lock(m_mu);
    if (!m_states.emplace(payreq, "").second) return false;
  }
  escrow::SendPaymentRequest req;
  req.payment_request = payreq;
  req.fee_limit_msat = 1'000'000;
  req.timeout_seconds = 60;
  auto record = [this, payreq](std::string state) {
    std::lock_guard lock(m_mu);
    auto it = m_states.find(payreq);
    if (it != m_states.end()) it->second = std::move(state);
  };
  escrow::StreamHandlers<escrow::Payment> handlers;
  handlers.on_update = [record](const escrow::Payment& p) {
    std::string state = escrow::PaymentStatusName(p.status);
    if (p.status == escrow::PaymentStatus::kFailed)
      state += std::string(": ") + escrow::FailureReasonName(p.failure_reason);
    record(state);
  };
  handlers.on_error = [record](const escrow::LnError& e) { record("error: " + e.message); };
  m_streams.push_back(m_node->SendPayment(req, std::move(handlers)));
  return true;
}

std::string Wallet::PaymentState(const std::string& payreq) const {
  std::lock_guard lock(m_mu);
  auto it = m_states.find(payreq);
  return it == m_states.end() ? "" : it->second;
}

escrow::LnResult<escrow::AddInvoiceResult> Wallet::Invoice(int64_t sats, const std::string& memo,
                                                           int64_t expiry_seconds) {
  escrow::InvoiceRequest req;
  req.value_msat = sats * 1000;
  req.memo = memo;
  req.expiry_seconds = expiry_seconds;
  return m_node->AddInvoice(req);
}

std::optional<int64_t> Wallet::LocalSats() {
  auto balance = m_node->GetChannelBalance();
  if (!balance.ok()) return std::nullopt;
  return balance->local_msat / 1000;
}

std::optional<escrow::Hash32> PaymentHashOf(const std::string& payreq) {
  auto decoded = escrow::bolt11::Decode(payreq);
  if (!decoded.ok() || !decoded->payment_hash) return std::nullopt;
  return *decoded->payment_hash;
}

}  // namespace testsupport
