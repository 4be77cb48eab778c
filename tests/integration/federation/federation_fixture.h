// A small federation on loopback: the simln daemon with three coordinator nodes (alpha, beta,
// gamma) and two trader wallets (alice, bob), three coordinatords on them, each with public
// orders, and federationd fetching every coordinator through a SOCKS5 proxy (socks5h://):
// - by default a real SOCKS5 proxy (Debian's microsocks), each coordinator at its clearnet URL
//   on loopback, gamma's behind a DelayProxy making it slow;
// - with m_over_tor, a private Tor network on loopback (tests/support/tor_network.h): each
//   coordinator only at its own .onion address, through the client tor's SOCKS port.
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

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "tests/integration/federation/delay_proxy.h"
#include "tests/support/coordinator_cluster.h"
#include "tests/support/pgp_keys.h"
#include "tests/support/robot_client.h"
#include "tests/support/test_support.h"
#include "tests/support/tor_network.h"

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
  // Through the private Tor network instead of microsocks (no DelayProxy then).
  bool m_over_tor = false;

  void SetUp() override {
    m_dir = testsupport::MakeTempDir("federation");
    auto simln = testsupport::SimlnDaemon::StartWithCoordinators(m_dir, kAliases, {"alice", "bob"}, 10'000'000);
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

    if (m_over_tor) {
      StartTor();
    } else {
      m_gamma_proxy = DelayProxy::Start(Port(m_coordinators["gamma"]->api_url()), m_gamma_delay);
      ASSERT_NE(m_gamma_proxy, nullptr);
      StartSocks();
      m_proxy_url = "socks5h://127.0.0.1:" + std::to_string(m_socks_port);
    }
    if (HasFatalFailure()) return;
    WriteFederationFile();
    StartFederationd();
  }

  void TearDown() override {
    if (m_federationd) {
      m_federationd->Signal(SIGTERM);
      EXPECT_EQ(m_federationd->Wait(kWait), std::optional<int>(0)) << "federationd did not stop cleanly";
    }
    m_socks.reset();
    m_tor.reset();
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
  // The private Tor network with one onion service per coordinator; waits until every one is
  // reachable through the client tor (bounded).
  void StartTor() {
    std::vector<testsupport::OnionTarget> targets;
    for (const auto& alias : kAliases) targets.push_back({alias, Port(m_coordinators[alias]->api_url())});
    auto tor = testsupport::TorNetwork::Start(m_dir, targets, 180s);
    ASSERT_TRUE(tor.ok()) << tor.error();
    m_tor = std::move(tor.value());
    m_proxy_url = m_tor->socks_url();
    for (const auto& alias : kAliases) {
      std::string failed = m_tor->WaitReachable(m_tor->OnionUrl(alias) + "/api/info/", 120s);
      ASSERT_EQ(failed, "") << alias << " never reachable at " << m_tor->OnionHost(alias) << "\n"
                            << m_tor->LogTails(8);
    }
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
      std::string url;
      if (m_over_tor) {
        url = m_tor->OnionUrl(alias);
      } else {
        url = alias == "gamma" ? "http://127.0.0.1:" + std::to_string(m_gamma_proxy->port())
                               : m_coordinators[alias]->api_url();
      }
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
                    {"testnet",
                     {{"onion", m_over_tor ? url : ""}, {"clearnet", m_over_tor ? "" : url}, {"i2p", ""}}},
                    {"mainnetNodesPubkeys", json::array()},
                    {"testnetNodesPubkeys", {m_simln->Node(alias)->pubkey}},
                    {"federated", true}};
    }
    std::ofstream(m_dir + "/federation.json") << doc.dump(2) << "\n";
  }

  void StartFederationd() {
    const std::string config = m_dir + "/federationd.yaml";
    std::ofstream(config) << "federation_file: " << json(m_dir + "/federation.json").dump() << "\n"
                          << "network: testnet\norigin: " << (m_over_tor ? "onion" : "clearnet")
                          << "\nlisten: \"127.0.0.1:0\"\nmetrics_listen: \"127.0.0.1:0\"\n"
                          << "proxy: \"" << m_proxy_url << "\"\n"
                          << "refresh_interval_ms: " << m_refresh_ms << "\n"
                          << "connect_timeout_ms: " << (m_over_tor ? 20000 : 2000)
                          << "\nrequest_timeout_ms: " << (m_over_tor ? 30000 : 8000) << "\n"
                          << "slow_after_ms: " << m_slow_after_ms << "\npage_refresh_s: 5\n";
    m_federationd = testsupport::Process::Start({testsupport::BinaryPath("federationd"), "--config", config},
                                                m_dir + "/federationd.log");
    ASSERT_NE(m_federationd, nullptr);
    const std::string prefix = "federationd: serving the joint book on ";
    auto line = m_federationd->ReadLine(kWait);
    ASSERT_TRUE(line && line->rfind(prefix, 0) == 0)
        << "federationd did not start; its log:\n" << testsupport::ReadFile(m_dir + "/federationd.log");
    m_url = line->substr(prefix.size());
    const std::string metrics_prefix = "federationd: metrics on ";
    auto metrics_line = m_federationd->ReadLine(kWait);
    ASSERT_TRUE(metrics_line && metrics_line->rfind(metrics_prefix, 0) == 0)
        << "federationd printed no metrics URL; its log:\n" << testsupport::ReadFile(m_dir + "/federationd.log");
    m_metrics_url = metrics_line->substr(metrics_prefix.size());
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

  // Two traders complete a trade on `alias`, every call to it through the proxy (its URL as
  // the joint book's /api/coordinators/ gives it): the maker "robot" (buyer, wallet alice) made
  // its buy order of 50 USD there in SetUp; the taker "other" (seller, wallet bob) finds it in
  // the joint book, first cancelling its own order on that coordinator (one active order per
  // robot). Returns the buyer's payout invoice, settled.
  std::string TradeFoundInJointBook(const std::string& alias) {
    json buy;
    for (const auto& o : Get("/api/book/?currency=1&type=0")) {
      if (o.value("coordinatorShortAlias", "") == alias) buy = o;
    }
    EXPECT_TRUE(buy.is_object()) << "no buy order of " << alias << " in the joint book";
    if (!buy.is_object()) return "";
    const std::string url = Coordinators()[alias].value("url", "");
    EXPECT_FALSE(url.empty());
    auto make = [&](const std::string& name) {
      auto fixture = testsupport::LoadFixtureRobot(name);
      auto r = std::make_unique<RobotClient>(url, testsupport::RobotKeys{fixture.token, fixture.public_armored,
                                                                         fixture.secret_armored});
      r->set_proxy(m_proxy_url);
      return r;
    };
    auto buyer = make("robot");
    auto seller = make("other");
    auto bob_node = m_simln->Connect("bob");
    EXPECT_TRUE(bob_node.ok());
    if (!bob_node.ok()) return "";
    testsupport::Wallet bob("bob", std::move(bob_node.value()));
    const long kCall = m_over_tor ? 60000 : 15000;
    auto call = [&](RobotClient& r, const std::string& path, const json& body = nullptr) {
      auto reply = body.is_null() ? r.Get(path, kCall) : r.Post(path, body, kCall);
      EXPECT_TRUE(reply.ok()) << path << " " << body.dump() << " → " << reply.Describe();
      return reply.json.is_discarded() ? json::object() : reply.json;
    };
    auto wait = [&](RobotClient& r, const std::string& path, auto done, const std::string& what) {
      json view;
      bool ok = testsupport::WaitUntil(
          [&] {
            view = call(r, path);
            return done(view);
          },
          kWait, 200ms);
      EXPECT_TRUE(ok) << what << "; last view: " << view.dump().substr(0, 600);
      return view;
    };
    const std::string order = "/api/order/?order_id=" + std::to_string(buy.value("id", int64_t{0}));
    auto status_is = [](int s) { return [s](const json& v) { return v.value("status", -1) == s; }; };

    // The seller's own public order on this coordinator goes first.
    json mine = call(*seller, "/api/robot/");
    if (mine.contains("active_order_id")) {
      const std::string own = "/api/order/?order_id=" + std::to_string(mine["active_order_id"].get<int64_t>());
      call(*seller, own, {{"action", "cancel"}});  // a cancelled order answers 400 from then on
      wait(*seller, "/api/robot/", [](const json& v) { return !v.contains("active_order_id"); },
           "the seller's own order cancelled");
    }
    // Take, pay the bond (bob).
    json taken = call(*seller, order, {{"action", "take"}});
    EXPECT_EQ(taken.value("status", -1), 3) << taken.dump();
    json view = wait(*seller, order, [](const json& v) { return v.contains("bond_invoice"); }, "taker bond invoice");
    EXPECT_TRUE(bob.Pay(view.value("bond_invoice", "")));
    wait(*seller, order, status_is(6), "status 6 after the taker bond");
    // The buyer's payout invoice (alice), PGP-signed, for the client's routing budget.
    view = wait(*buyer, order, [](const json& v) { return v.contains("invoice_amount"); }, "invoice_amount");
    const int64_t amount = view.value("invoice_amount", int64_t{0});
    // RoboSats' client: Math.floor(tradeAmount - tradeAmount * (routingBudgetPPM / 1000000)).
    const double n = static_cast<double>(amount);
    const auto sats = static_cast<int64_t>(std::floor(n - n * (1000.0 / 1000000.0)));
    auto invoice = m_wallet->Invoice(sats, "RoboSats payout", 3600);
    EXPECT_TRUE(invoice.ok());
    if (!invoice.ok()) return "";
    auto fixture = testsupport::LoadFixtureRobot("robot");
    auto key = testsupport::PgpKey::Import(fixture.public_armored, fixture.secret_armored, fixture.token);
    EXPECT_TRUE(key);
    if (!key) return "";
    call(*buyer, order,
         {{"action", "update_invoice"},
          {"invoice", key->ClearSign(invoice->payment_request)},
          {"routing_budget_ppm", 1000}});
    // The seller locks the escrow (bob).
    view = wait(*seller, order, [](const json& v) { return v.contains("escrow_invoice"); }, "escrow invoice");
    EXPECT_TRUE(bob.Pay(view.value("escrow_invoice", "")));
    wait(*buyer, order, status_is(9), "status 9 (chat)");
    // Fiat sent, fiat received.
    EXPECT_EQ(call(*buyer, order, {{"action", "confirm"}}).value("status", -1), 10);
    call(*seller, order, {{"action", "confirm"}});
    json done = wait(*buyer, order, status_is(14), "status 14 (successful trade)");
    EXPECT_GT(done.value("num_satoshis", int64_t{0}), 0) << done.dump();
    // The payout reached alice's node.
    auto hash = testsupport::PaymentHashOf(invoice->payment_request);
    EXPECT_TRUE(hash.has_value());
    if (hash) {
      EXPECT_TRUE(testsupport::WaitUntil(
          [&] {
            auto inv = m_wallet->node().LookupInvoice(*hash);
            return inv.ok() && inv->state == escrow::InvoiceState::kSettled;
          },
          kWait));
    }
    return invoice->payment_request;
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
  std::string m_metrics_url;  // http://127.0.0.1:PORT/metrics
  std::unique_ptr<testsupport::SimlnDaemon> m_simln;
  std::unique_ptr<testsupport::Wallet> m_wallet;
  std::map<std::string, std::unique_ptr<testsupport::Coordinatord>> m_coordinators;
  std::unique_ptr<DelayProxy> m_gamma_proxy;
  std::unique_ptr<testsupport::Process> m_socks;
  int m_socks_port = 0;
  std::unique_ptr<testsupport::TorNetwork> m_tor;
  std::string m_proxy_url;  // socks5h://…: microsocks' or the client tor's
  std::unique_ptr<testsupport::Process> m_federationd;
};

}  // namespace federation_test
