#include "tests/integration/lnd_backend/fixture.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "escrow/crypto/sha256.h"
#include "tests/support/test_support.h"

namespace lnd_backend_test {

using nlohmann::json;

const char kNetworkYaml[] = R"(network: regtest
start_height: 800000
block_interval_seconds: 86400
nodes: [coordinator, alice, bob, carol, hop]
channels:
  - {node_a: alice, node_b: coordinator, a_balance_sat: 5000000, b_balance_sat: 1000000}
  - {node_a: bob, node_b: coordinator, a_balance_sat: 100000, b_balance_sat: 100000}
  - {node_a: carol, node_b: hop, a_balance_sat: 1000000, b_balance_sat: 1000000}
  - {node_a: hop, node_b: coordinator, a_balance_sat: 1000000, b_balance_sat: 1000000,
     base_fee_msat: 1000, fee_rate_ppm: 100, cltv_delta: 40}
)";

void LndBackendTest::SetUp() {
  m_dir = testsupport::MakeTempDir("lnd-backend");
  m_state = m_dir + "/state";
  m_log = m_dir + "/simln.log";
  m_yaml = m_dir + "/network.yaml";
  std::ofstream(m_yaml) << kNetworkYaml;
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
}

void LndBackendTest::TearDown() {
  if (m_daemon) {
    int code = StopDaemon(SIGTERM);
    EXPECT_EQ(code, 0) << "simln did not stop cleanly on SIGTERM; see " << m_log;
  }
  if (!HasFailure()) {
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
  } else {
    std::cerr << "state dir and daemon log kept in " << m_dir << "\n";
  }
}

void LndBackendTest::StartDaemon() {
  ASSERT_EQ(m_daemon, nullptr) << "a daemon is already running";
  m_daemon = testsupport::Process::Start(
      {testsupport::BinaryPath("simln"), "serve", "--network", m_yaml, "--state-dir", m_state}, m_log);
  ASSERT_NE(m_daemon, nullptr) << "cannot start simln";
  auto line = m_daemon->ReadLine(kWait);
  ASSERT_TRUE(line.has_value()) << "simln printed nothing in " << kWait.count() << " s; see " << m_log;
  ASSERT_EQ(*line, std::filesystem::absolute(m_state + "/nodes.json").string());
  auto nodes = escrow::simln::LoadServedNodes(m_state);
  ASSERT_TRUE(nodes.ok()) << nodes.error();
  m_nodes = std::move(*nodes);
  auto control = escrow::simln::LoadControlEndpoint(m_state);
  ASSERT_TRUE(control.ok()) << control.error();
  m_control = std::move(*control);
}

int LndBackendTest::StopDaemon(int sig) {
  if (!m_daemon) return -1;
  m_daemon->Signal(sig);
  int code = m_daemon->Wait(kWait).value_or(-1);
  m_daemon.reset();  // SIGKILLs and reaps it if it is still running
  return code;
}

const escrow::simln::ServedNode& LndBackendTest::Served(const std::string& name) const {
  for (const auto& n : m_nodes) {
    if (n.name == name) return n;
  }
  throw std::runtime_error("nodes.json has no node " + name);
}

escrow::lnd::LndConfig LndBackendTest::Config(const std::string& name) const {
  const auto& node = Served(name);
  escrow::lnd::LndConfig config;
  config.rest_url = node.rest_url;
  config.tls_cert_path = node.tls_cert_path;
  config.macaroon_path = node.macaroon_path;
  config.request_timeout = std::chrono::milliseconds(10000);
  config.reconnect_backoff_min = std::chrono::milliseconds(100);
  config.reconnect_backoff_max = std::chrono::milliseconds(1000);
  return config;
}

std::unique_ptr<LightningNode> LndBackendTest::Lnd(const std::string& name) { return Lnd(Config(name)); }

std::unique_ptr<LightningNode> LndBackendTest::Lnd(const escrow::lnd::LndConfig& config) {
  auto node = escrow::lnd::CreateLndNode(config);
  if (!node) {
    ADD_FAILURE() << "CreateLndNode(" << config.rest_url << "): " << node.error().message;
    return nullptr;
  }
  return std::move(*node);
}

json LndBackendTest::Control(const std::string& method, const std::string& path, const json& body) {
  auto reply = escrow::simln::CallControl(m_control, method, path,
                                          body.is_null() ? std::nullopt : std::optional<json>(body));
  if (!reply) {
    ADD_FAILURE() << method << " " << path << ": " << reply.error();
    return json();
  }
  EXPECT_EQ(reply->status, 200) << method << " " << path << ": " << reply->body.dump();
  return reply->body;
}

void LndBackendTest::Mine(uint32_t blocks) { Control("POST", "/control/mine", {{"blocks", blocks}}); }

void LndBackendTest::Advance(std::chrono::seconds by) {
  Control("POST", "/control/advance", {{"seconds", by.count()}});
}

void LndBackendTest::SetNodeFailure(const std::string& node, const std::string& mode, int64_t delay_ms) {
  Control("POST", "/control/failure", {{"node", node}, {"mode", mode}, {"delay_ms", delay_ms}});
}

void LndBackendTest::SetChannelFailure(const std::string& node_a, const std::string& node_b,
                                       const std::string& mode) {
  json state = Control("GET", "/control/state");
  for (const auto& channel : state.value("channels", json::array())) {
    if (channel.value("node_a", "") == node_a && channel.value("node_b", "") == node_b) {
      Control("POST", "/control/failure", {{"chan_id", channel["chan_id"]}, {"mode", mode}});
      return;
    }
  }
  ADD_FAILURE() << "no channel " << node_a << " -- " << node_b << " in " << state.dump();
}

int64_t LndBackendTest::TotalMsat() {
  json state = Control("GET", "/control/state");
  return state.value("total_msat", int64_t{-1});
}

std::string LndBackendTest::PrivateFile(const std::string& name, const std::string& content) {
  std::string path = m_dir + "/" + name;
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  }
  ::chmod(path.c_str(), 0600);
  return path;
}

Secret MakeSecret(const std::string& seed) {
  Secret s;
  s.preimage = escrow::crypto::Sha256("lnd-backend " + seed);
  s.hash = escrow::crypto::Sha256(escrow::crypto::ToBytes(s.preimage));
  return s;
}

escrow::HoldInvoiceRequest HoldRequest(const Hash32& hash, int64_t value_msat, uint64_t cltv_expiry) {
  escrow::HoldInvoiceRequest req;
  req.payment_hash = hash;
  req.value_msat = value_msat;
  req.memo = "hold";
  req.cltv_expiry = cltv_expiry;
  return req;
}

escrow::SendPaymentRequest PayRequest(const std::string& payment_request, int64_t fee_limit_msat,
                                      int32_t timeout_seconds) {
  escrow::SendPaymentRequest req;
  req.payment_request = payment_request;
  req.fee_limit_msat = fee_limit_msat;
  req.timeout_seconds = timeout_seconds;
  return req;
}

std::optional<Invoice> AwaitInvoice(StreamQueue<Invoice>& queue, escrow::InvoiceState state) {
  return Await(
      queue, [state](const Invoice& i) { return i.state == state; },
      std::string("invoice ") + escrow::InvoiceStateName(state));
}

std::optional<Payment> AwaitPayment(StreamQueue<Payment>& queue, escrow::PaymentStatus status) {
  return Await(
      queue, [status](const Payment& p) { return p.status == status; },
      std::string("payment ") + escrow::PaymentStatusName(status));
}

namespace {

template <class T>
bool AwaitEndOf(StreamQueue<T>& queue) {
  auto deadline = std::chrono::steady_clock::now() + kWait;
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto event = left.count() > 0 ? queue.Next(left) : std::nullopt;
    if (!event) return false;
    if (std::holds_alternative<typename StreamQueue<T>::Ended>(*event)) return true;
    if (const auto* error = std::get_if<escrow::LnError>(&*event)) {
      ADD_FAILURE() << "stream failed instead of ending: " << escrow::LnErrorCodeName(error->code) << " "
                    << error->message;
      return false;
    }
  }
}

template <class T>
std::optional<escrow::LnError> AwaitErrorOf(StreamQueue<T>& queue) {
  auto deadline = std::chrono::steady_clock::now() + kWait;
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto event = left.count() > 0 ? queue.Next(left) : std::nullopt;
    if (!event) return std::nullopt;
    if (const auto* error = std::get_if<escrow::LnError>(&*event)) return *error;
    if (std::holds_alternative<typename StreamQueue<T>::Ended>(*event)) return std::nullopt;
  }
}

}  // namespace

bool AwaitEnd(StreamQueue<Payment>& queue) { return AwaitEndOf(queue); }
bool AwaitEnd(StreamQueue<Invoice>& queue) { return AwaitEndOf(queue); }
std::optional<escrow::LnError> AwaitError(StreamQueue<Payment>& queue) { return AwaitErrorOf(queue); }
std::optional<escrow::LnError> AwaitError(StreamQueue<Invoice>& queue) { return AwaitErrorOf(queue); }

escrow::ChannelBalance Balance(LightningNode& node) {
  auto balance = node.GetChannelBalance();
  if (!balance) {
    ADD_FAILURE() << "GetChannelBalance: " << escrow::LnErrorCodeName(balance.error().code) << " "
                  << balance.error().message;
    return {};
  }
  return *balance;
}

}  // namespace lnd_backend_test
