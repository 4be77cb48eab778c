// A small federation on loopback: the simln daemon with three coordinator nodes (alpha, beta,
// gamma) and one trader wallet (alice), three coordinatords on them, each with public orders,
// a real SOCKS5 proxy (Debian's microsocks), a DelayProxy making gamma slow, and federationd
// fetching every coordinator's clearnet URL through the proxy (socks5h://).
//
// Books: alpha sells 100 USD (Strike, robot "robot"); beta buys 50 USD (SEPA, "robot") and
// sells 80 EUR (Revolut, "other"); gamma sells 200 USD (Strike, "robot").
// Donations (badges.donatesToDevFund): alpha 30, beta 20, gamma 0.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "tests/integration/federation/delay_proxy.h"
#include "tests/support/coordinator_cluster.h"
#include "tests/support/robot_client.h"
#include "tests/support/test_support.h"

namespace federation_test {

using namespace std::chrono_literals;
using nlohmann::json;
using testsupport::RobotClient;

inline constexpr auto kWait = 60s;
inline const std::vector<std::string> kAliases = {"alpha", "beta", "gamma"};

class FederationCluster : public ::testing::Test {
 protected:
  // How long gamma's DelayProxy holds each request; 0: gamma is as fast as the others.
  std::chrono::milliseconds m_gamma_delay{1500};
  int64_t m_refresh_ms = 500;
  int64_t m_slow_after_ms = 1000;

  void SetUp() override {
    m_dir = testsupport::MakeTempDir("federation");
    auto simln = testsupport::SimlnDaemon::StartWithCoordinators(m_dir, kAliases, {"alice"}, 10'000'000);
    ASSERT_TRUE(simln.ok()) << simln.error();
    m_simln = std::move(simln.value());
    auto wallet = m_simln->Connect("alice");
    ASSERT_TRUE(wallet.ok()) << wallet.error();
    m_wallet = std::make_unique<testsupport::Wallet>("alice", std::move(wallet.value()));
    for (const auto& alias : kAliases) {
      std::filesystem::create_directories(m_dir + "/" + alias);
      auto c = testsupport::Coordinatord::Start(m_dir + "/" + alias, *m_simln->Node(alias));
      ASSERT_TRUE(c.ok()) << alias << ": " << c.error();
      m_coordinators[alias] = std::move(c.value());
    }
    MakeOrder("alpha", "robot", {{"type", 1}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}});
    MakeOrder("beta", "robot", {{"type", 0}, {"currency", 1}, {"amount", "50"}, {"payment_method", "SEPA"}});
    MakeOrder("beta", "other", {{"type", 1}, {"currency", 2}, {"amount", "80"}, {"payment_method", "Revolut"}});
    MakeOrder("gamma", "robot", {{"type", 1}, {"currency", 1}, {"amount", "200"}, {"payment_method", "Strike"}});
    if (HasFatalFailure()) return;

    m_gamma_proxy = DelayProxy::Start(Port(m_coordinators["gamma"]->api_url()), m_gamma_delay);
    ASSERT_NE(m_gamma_proxy, nullptr);
    StartSocks();
    WriteFederationFile();
    StartFederationd();
  }

  void TearDown() override {
    if (m_federationd) {
      m_federationd->Signal(SIGTERM);
      EXPECT_EQ(m_federationd->Wait(kWait), std::optional<int>(0)) << "federationd did not stop cleanly";
    }
    m_socks.reset();
    if (m_gamma_proxy) m_gamma_proxy->Stop();
    for (auto& [alias, c] : m_coordinators) {
      if (c) c->Stop(kWait);
    }
    m_wallet.reset();
    if (m_simln) m_simln->Stop(kWait);
    if (HasFailure()) {
      std::cerr << "logs and state kept in " << m_dir << "\n";
    } else {
      std::error_code ec;
      std::filesystem::remove_all(m_dir, ec);
    }
  }

  static int Port(const std::string& url) { return std::stoi(url.substr(url.rfind(':') + 1)); }

  static int FreePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    int port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
  }

  // Debian's microsocks on a free loopback port (the same port again after StopSocks).
  void StartSocks() {
    if (m_socks_port == 0) m_socks_port = FreePort();
    m_socks = testsupport::Process::Start(
        {"/usr/bin/microsocks", "-i", "127.0.0.1", "-p", std::to_string(m_socks_port)}, m_dir + "/microsocks.log");
    ASSERT_NE(m_socks, nullptr) << "cannot start /usr/bin/microsocks (ops/setup installs it)";
    // Up when it accepts a connection (bounded).
    bool up = testsupport::WaitUntil(
        [&] {
          int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
          sockaddr_in addr{};
          addr.sin_family = AF_INET;
          addr.sin_port = htons(static_cast<uint16_t>(m_socks_port));
          addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
          bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
          ::close(fd);
          return ok;
        },
        10s);
    ASSERT_TRUE(up) << "microsocks did not listen on " << m_socks_port;
  }
  void StopSocks() {
    m_socks->Signal(SIGTERM);
    m_socks->Wait(kWait);
    m_socks.reset();
  }

  // federation.json: the three coordinators, their testnet clearnet URL on loopback (the
  // nodes are regtest); gamma's through its DelayProxy.
  void WriteFederationFile() {
    json doc = json::object();
    const std::map<std::string, int> donation = {{"alpha", 30}, {"beta", 20}, {"gamma", 0}};
    const std::map<std::string, std::string> color = {{"alpha", "#1565c0"}, {"beta", "#6a1b9a"}, {"gamma", "#2e7d32"}};
    int n = 0;
    for (const auto& alias : kAliases) {
      const std::string url = alias == "gamma" ? "http://127.0.0.1:" + std::to_string(m_gamma_proxy->port())
                                               : m_coordinators[alias]->api_url();
      std::string onion(56, 'a');
      onion[0] = static_cast<char>('b' + n);
      std::string nostr(64, '0');
      nostr[63] = static_cast<char>('1' + n++);
      doc[alias] = {{"longAlias", "Coordinator " + alias},
                    {"shortAlias", alias},
                    {"identifier", alias},
                    {"description", "The " + alias + " test coordinator."},
                    {"motto", "Tested on loopback."},
                    {"color", color.at(alias)},
                    {"established", "2024-01-01"},
                    {"nostrHexPubkey", nostr},
                    {"contact", {{"email", alias + "@example.org"}, {"website", "https://" + alias + ".example.org"}}},
                    {"badges",
                     {{"isFounder", alias == "alpha"},
                      {"donatesToDevFund", donation.at(alias)},
                      {"hasGoodOpSec", true},
                      {"hasLargeLimits", alias != "gamma"}}},
                    {"policies", {{"Rule 1", "Be kind."}}},
                    {"mainnet", {{"onion", "http://" + onion + ".onion"}, {"clearnet", ""}, {"i2p", ""}}},
                    {"testnet", {{"onion", ""}, {"clearnet", url}, {"i2p", ""}}},
                    {"mainnetNodesPubkeys", json::array()},
                    {"testnetNodesPubkeys", {m_simln->Node(alias)->pubkey}},
                    {"federated", true}};
    }
    std::ofstream(m_dir + "/federation.json") << doc.dump(2) << "\n";
  }

  void StartFederationd() {
    const std::string config = m_dir + "/federationd.yaml";
    std::ofstream(config) << "federation_file: " << json(m_dir + "/federation.json").dump() << "\n"
                          << "network: testnet\norigin: clearnet\nlisten: \"127.0.0.1:0\"\n"
                          << "proxy: \"socks5h://127.0.0.1:" << m_socks_port << "\"\n"
                          << "refresh_interval_ms: " << m_refresh_ms << "\n"
                          << "connect_timeout_ms: 2000\nrequest_timeout_ms: 8000\n"
                          << "slow_after_ms: " << m_slow_after_ms << "\npage_refresh_s: 5\n";
    m_federationd = testsupport::Process::Start({testsupport::BinaryPath("federationd"), "--config", config},
                                                m_dir + "/federationd.log");
    ASSERT_NE(m_federationd, nullptr);
    const std::string prefix = "federationd: serving the joint book on ";
    auto line = m_federationd->ReadLine(kWait);
    ASSERT_TRUE(line && line->rfind(prefix, 0) == 0)
        << "federationd did not start; its log:\n" << testsupport::ReadFile(m_dir + "/federationd.log");
    m_url = line->substr(prefix.size());
  }

  // The maker makes the order on `alias`, pays the bond from alice's wallet, and it is public.
  void MakeOrder(const std::string& alias, const std::string& robot, json order) {
    auto fixture = testsupport::LoadFixtureRobot(robot);
    RobotClient r(m_coordinators[alias]->api_url(), {fixture.token, fixture.public_armored, fixture.secret_armored});
    ASSERT_TRUE(r.Get("/api/robot/").ok());
    order["premium"] = "1";
    auto made = r.Post("/api/make/", order);
    ASSERT_TRUE(made.ok()) << made.Describe();
    const int64_t id = made.json.value("id", int64_t{0});
    const std::string path = "/api/order/?order_id=" + std::to_string(id);
    std::string bond;
    ASSERT_TRUE(testsupport::WaitUntil(
        [&] {
          bond = r.Get(path).json.value("bond_invoice", "");
          return !bond.empty();
        },
        kWait));
    ASSERT_TRUE(m_wallet->Pay(bond));
    ASSERT_TRUE(testsupport::WaitUntil([&] { return r.Get(path).json.value("status", -1) == 1; }, kWait))
        << alias << " order " << id << " never became public";
  }

  json Get(const std::string& path) {
    auto reply = RobotClient::Anonymous(m_url + path);
    EXPECT_EQ(reply.status, 200) << path << " " << reply.Describe();
    return reply.json.is_discarded() ? json() : reply.json;
  }
  // /api/coordinators/ as shortAlias → entry.
  std::map<std::string, json> Coordinators() {
    std::map<std::string, json> out;
    json list = Get("/api/coordinators/?seed=1");
    for (const auto& c : list.is_array() ? list : json::array()) out[c.value("shortAlias", "")] = c;
    return out;
  }
  // The aliases that have orders in the joint book.
  std::set<std::string> AliasesInBook(const json& book) {
    std::set<std::string> out;
    for (const auto& o : book.is_array() ? book : json::array()) out.insert(o.value("coordinatorShortAlias", ""));
    return out;
  }
  bool WaitAllInBook() {
    return testsupport::WaitUntil([&] { return AliasesInBook(Get("/api/book/")).size() == 3; }, kWait, 100ms);
  }

  std::string m_dir, m_url;
  std::unique_ptr<testsupport::SimlnDaemon> m_simln;
  std::unique_ptr<testsupport::Wallet> m_wallet;
  std::map<std::string, std::unique_ptr<testsupport::Coordinatord>> m_coordinators;
  std::unique_ptr<DelayProxy> m_gamma_proxy;
  std::unique_ptr<testsupport::Process> m_socks;
  int m_socks_port = 0;
  std::unique_ptr<testsupport::Process> m_federationd;
};

}  // namespace federation_test
