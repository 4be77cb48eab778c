// The `simln` executable as a process: serve a network, pay a hold invoice with `simln pay`,
// SIGKILL the daemon, restart it on the same state dir and check that the ACCEPTED invoice
// (with its HTLC), the balances and the payment survived; then settle and see the payer's
// payment SUCCEEDED. Also the CLI's invoice/pay/balances/mine/fail and `simln embedded`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/base/encoding.h"
#include "escrow/crypto/sha256.h"
#include "tests/support/process.h"
#include "tests/support/simln_rest_client.h"
#include "tests/support/test_support.h"

namespace simln_daemon_test {

using testsupport::CommandResult;
using testsupport::Process;
using testsupport::Run;

namespace {

using escrow::crypto::Hash32;
using escrow::crypto::Sha256;
using escrow::crypto::ToBytes;
using escrow::crypto::ToHex;
using nlohmann::json;
using testsupport::HttpOptions;

constexpr std::chrono::seconds kWait{30};

constexpr char kNetworkYaml[] = R"(network: regtest
nodes:
  - coordinator
  - alice
  - bob
channels:
  - {node_a: alice, node_b: coordinator, a_balance_sat: 1000000, b_balance_sat: 1000000}
  - {node_a: bob, node_b: coordinator, a_balance_sat: 1000000, b_balance_sat: 1000000}
)";

class SimlnDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = testsupport::MakeTempDir("simln-daemon");
    m_state = m_dir + "/state";
    m_log = m_dir + "/simln.log";
    m_yaml = m_dir + "/network.yaml";
    std::ofstream(m_yaml) << kNetworkYaml;
  }
  void TearDown() override {
    m_daemon.reset();
    if (!HasFailure()) {
      std::error_code ec;
      std::filesystem::remove_all(m_dir, ec);
    } else {
      std::cerr << "state and daemon log kept in " << m_dir << "\n";
    }
  }

  void StartDaemon(std::vector<std::string> command) {
    m_daemon = Process::Start(command, m_log);
    ASSERT_NE(m_daemon, nullptr);
    auto line = m_daemon->ReadLine(kWait);
    ASSERT_TRUE(line.has_value()) << "simln printed nothing; see " << m_log;
    EXPECT_EQ(*line, std::filesystem::absolute(m_state + "/nodes.json").string());
    LoadNodes();
  }
  void Serve() {
    StartDaemon({testsupport::BinaryPath("simln"), "serve", "--network", m_yaml, "--state-dir", m_state});
  }

  void LoadNodes() {
    json nodes = json::parse(testsupport::ReadFile(m_state + "/nodes.json"), nullptr, false);
    ASSERT_TRUE(nodes.is_array());
    m_nodes.clear();
    for (const auto& n : nodes) m_nodes[n["name"].get<std::string>()] = n;
  }

  HttpOptions Auth(const std::string& node) {
    const json& n = m_nodes.at(node);
    HttpOptions o;
    o.ca_file = n["tls_cert_path"].get<std::string>();
    std::string raw = testsupport::ReadFile(n["macaroon_path"].get<std::string>());
    o.macaroon_hex = base::HexEncode(base::Bytes(raw.begin(), raw.end()));
    return o;
  }
  std::string Url(const std::string& node, const std::string& path) {
    return m_nodes.at(node)["rest_url"].get<std::string>() + path;
  }
  testsupport::HttpResult Get(const std::string& node, const std::string& path) {
    return testsupport::HttpCall("GET", Url(node, path), "", Auth(node));
  }
  testsupport::HttpResult Post(const std::string& node, const std::string& path, const json& body) {
    return testsupport::HttpCall("POST", Url(node, path), body.dump(), Auth(node));
  }

  CommandResult Cli(std::vector<std::string> args) {
    std::vector<std::string> argv = {testsupport::BinaryPath("simln")};
    argv.insert(argv.end(), args.begin(), args.end());
    return simln_daemon_test::Run(argv, m_log, kWait);
  }

  json Lookup(const Hash32& hash) {
    return Get("coordinator", "/v2/invoices/lookup?payment_hash=" + base::Base64UrlEncode(ToBytes(hash)))
        .Json();
  }

  // Polls (bounded) until the invoice reaches `state`.
  json WaitInvoice(const Hash32& hash, const std::string& state) {
    json inv;
    for (int i = 0; i < 300; ++i) {
      inv = Lookup(hash);
      if (inv.value("state", "") == state) return inv;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return inv;
  }

  // The first update of alice's payment `hash` (GET /v2/router/track).
  json Track(const Hash32& hash, bool final_only) {
    std::string path = "/v2/router/track/" + base::Base64UrlEncode(ToBytes(hash));
    if (final_only) path += "?no_inflight_updates=true";
    testsupport::HttpStream stream("GET", Url("alice", path), "", Auth("alice"));
    auto line = stream.NextLine(kWait);
    if (!line) return json();
    return json::parse(*line, nullptr, false);
  }

  json State() {
    auto out = Cli({"balances", "--state-dir", m_state});
    EXPECT_EQ(out.code, 0);
    json s = json::parse(testsupport::ReadFile(m_state + "/control.json"), nullptr, false);
    HttpOptions o;
    std::string token = testsupport::ReadFile(s["token_path"].get<std::string>());
    while (!token.empty() && token.back() == '\n') token.pop_back();
    o.headers = {"Authorization: Bearer " + token};
    return testsupport::HttpCall("GET", s["url"].get<std::string>() + "/control/state", "", o).Json();
  }

  static json Balances(const json& state) {
    json out = json::object();
    for (const auto& n : state["nodes"]) {
      out[n["name"].get<std::string>()] = {n["local_msat"], n["remote_msat"], n["unsettled_local_msat"],
                                           n["unsettled_remote_msat"]};
    }
    return out;
  }

  std::string m_dir, m_state, m_log, m_yaml;
  std::unique_ptr<Process> m_daemon;
  std::map<std::string, json> m_nodes;
};

TEST_F(SimlnDaemonTest, HoldInvoiceSurvivesKillMinus9) {
  Serve();
  Hash32 preimage = Sha256("survives kill -9");
  Hash32 hash = Sha256(ToBytes(preimage));
  auto added = Post("coordinator", "/v2/invoices/hodl",
                    {{"hash", base::Base64Encode(ToBytes(hash))}, {"value", "50000"}, {"memo", "escrow"}});
  ASSERT_EQ(added.status, 200) << added.body;
  std::string payreq = added.Json()["payment_request"];

  // `simln pay` stops waiting after --wait-seconds; a held payment stays IN_FLIGHT.
  auto paid = Cli({"pay", "--state-dir", m_state, "--from", "alice", payreq, "--wait-seconds", "2"});
  ASSERT_EQ(paid.code, 0) << paid.out;
  EXPECT_EQ(json::parse(paid.out, nullptr, false)["status"], "IN_FLIGHT") << paid.out;
  json accepted = WaitInvoice(hash, "ACCEPTED");
  ASSERT_EQ(accepted["state"], "ACCEPTED") << accepted.dump();
  json before = Balances(State());
  ASSERT_EQ(before["alice"][2], 50'000'000) << before.dump();  // locked in the outgoing HTLC

  m_daemon->Signal(SIGKILL);
  ASSERT_TRUE(m_daemon->Wait(kWait).has_value());
  Serve();

  json after_restart = Lookup(hash);
  EXPECT_EQ(after_restart["state"], "ACCEPTED");
  ASSERT_EQ(after_restart["htlcs"].size(), 1u);
  EXPECT_EQ(after_restart["htlcs"][0]["state"], "ACCEPTED");
  EXPECT_EQ(after_restart["htlcs"][0]["amt_msat"], "50000000");
  EXPECT_EQ(Balances(State()), before);
  EXPECT_EQ(Track(hash, false)["result"]["status"], "IN_FLIGHT");

  auto settled =
      Post("coordinator", "/v2/invoices/settle", {{"preimage", base::Base64Encode(ToBytes(preimage))}});
  ASSERT_EQ(settled.status, 200) << settled.body;
  json final_update = Track(hash, true);
  EXPECT_EQ(final_update["result"]["status"], "SUCCEEDED") << final_update.dump();
  EXPECT_EQ(final_update["result"]["payment_preimage"], ToHex(preimage));
  EXPECT_EQ(WaitInvoice(hash, "SETTLED")["state"], "SETTLED");

  m_daemon->Signal(SIGTERM);
  EXPECT_EQ(m_daemon->Wait(kWait), std::optional<int>(0));
}

TEST_F(SimlnDaemonTest, CliPaysInvoicesMinesAndSetsFailures) {
  Serve();
  auto invoice =
      Cli({"invoice", "--state-dir", m_state, "--node", "bob", "--amount-sat", "1234", "--memo", "tea"});
  ASSERT_EQ(invoice.code, 0) << invoice.out;
  json inv = json::parse(invoice.out, nullptr, false);
  ASSERT_TRUE(inv.contains("payment_request")) << invoice.out;

  auto paid =
      Cli({"pay", "--state-dir", m_state, "--from", "alice", inv["payment_request"].get<std::string>()});
  ASSERT_EQ(paid.code, 0) << paid.out;
  json p = json::parse(paid.out, nullptr, false);
  EXPECT_EQ(p["status"], "SUCCEEDED");
  EXPECT_EQ(p["value_msat"], 1'234'000);

  auto balances = Cli({"balances", "--state-dir", m_state});
  ASSERT_EQ(balances.code, 0);
  EXPECT_NE(balances.out.find("alice"), std::string::npos);
  EXPECT_NE(balances.out.find("1001234"), std::string::npos) << balances.out;  // bob's local sats

  uint32_t height = State()["height"];
  auto mined = Cli({"mine", "--state-dir", m_state, "5"});
  ASSERT_EQ(mined.code, 0) << mined.out;
  EXPECT_EQ(json::parse(mined.out, nullptr, false)["height"], height + 5);

  ASSERT_EQ(Cli({"fail", "--state-dir", m_state, "--node", "bob", "--mode", "OFFLINE"}).code, 0);
  EXPECT_EQ(Get("bob", "/v1/getinfo").curl, CURLE_COULDNT_CONNECT);
  auto unreachable = Cli({"invoice", "--state-dir", m_state, "--node", "bob", "--amount-sat", "1"});
  EXPECT_EQ(unreachable.code, 1);
  ASSERT_EQ(Cli({"fail", "--state-dir", m_state, "--node", "bob", "--mode", "NONE"}).code, 0);
  EXPECT_EQ(Get("bob", "/v1/getinfo").status, 200);

  EXPECT_EQ(Cli({"fail", "--state-dir", m_state, "--node", "bob"}).code, 2);  // usage
  m_daemon->Signal(SIGINT);
  EXPECT_EQ(m_daemon->Wait(kWait), std::optional<int>(0));
}

TEST_F(SimlnDaemonTest, EmbeddedServesACoordinatorAndFourTraders) {
  StartDaemon({testsupport::BinaryPath("simln"), "embedded", "--state-dir", m_state});
  ASSERT_EQ(m_nodes.size(), 5u);
  for (const char* name : {"coordinator", "alice", "bob", "carol", "dave"}) {
    ASSERT_TRUE(m_nodes.count(name)) << name;
  }
  json balance = Get("coordinator", "/v1/balance/channels").Json();
  EXPECT_EQ(balance["local_balance"]["sat"], "40000000");
  EXPECT_EQ(Get("dave", "/v1/balance/channels").Json()["remote_balance"]["sat"], "10000000");
  m_daemon->Signal(SIGTERM);
  EXPECT_EQ(m_daemon->Wait(kWait), std::optional<int>(0));
}

}  // namespace
}  // namespace simln_daemon_test
