// The robot CLI against real processes: the simln daemon playing LND (a node per coordinator and
// the traders' wallets), coordinatord on the lnd backend, microsocks and federationd when a test
// asks for them, and the `robot` binary run as a child
// process for each command, with its robot directory in the test's temp dir, a federation file
// naming the coordinator(s) by their clearnet URL, and the wallets of simln's nodes.json.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "federation/robot/token.h"
#include "tests/support/coordinator_cluster.h"
#include "tests/support/process.h"
#include "tests/support/test_support.h"

namespace robot_cli_test {

using namespace std::chrono_literals;
using Json = nlohmann::json;

constexpr auto kWait = 60s;
constexpr int64_t kChannelSat = 10'000'000;

struct RobotRun {
  int code = -1;
  std::string out;
  Json json;  // stdout parsed (every call runs with --json)
};

// A federation.json entry in RoboSats' full schema (the federation model refuses less): the
// coordinator's URLs for mainnet are `mainnet` ({"onion", "clearnet", "i2p"}).
inline Json FederationEntry(const std::string& alias, const Json& mainnet, int index) {
  std::string nostr(64, '0');
  nostr[63] = static_cast<char>('1' + index % 9);
  return {{"longAlias", "Test " + alias},
          {"shortAlias", alias},
          {"identifier", alias},
          {"description", "The " + alias + " test coordinator."},
          {"motto", "Tested on loopback."},
          {"color", "#123456"},
          {"established", "2024-01-01"},
          {"nostrHexPubkey", nostr},
          {"contact", {{"email", alias + "@example.org"}}},
          {"badges", {{"isFounder", false}, {"donatesToDevFund", 20}, {"hasGoodOpSec", true}, {"hasLargeLimits", true}}},
          {"policies", Json::object()},
          {"mainnet", mainnet},
          {"testnet", {{"onion", ""}, {"clearnet", ""}, {"i2p", ""}}},
          {"mainnetNodesPubkeys", Json::array()},
          {"testnetNodesPubkeys", Json::array()},
          {"federated", true}};
}

class RobotCli : public ::testing::Test {
 protected:
  // The simln daemon with one node per coordinator alias (each with a channel to every
  // wallet), a coordinatord on each, and a federation file naming them by clearnet URL.
  void StartNetwork(const std::vector<std::string>& wallets, const std::vector<std::string>& coordinators,
                    const testsupport::CoordinatordOptions& options = {}) {
    m_dir = testsupport::MakeTempDir("robot-cli");
    auto simln = testsupport::SimlnDaemon::StartWithCoordinators(m_dir, coordinators, wallets, kChannelSat);
    ASSERT_TRUE(simln.ok()) << simln.error();
    m_simln = std::move(simln.value());
    m_federation = m_dir + "/federation.json";
    std::ofstream(m_federation) << "{}\n";
    for (const auto& alias : coordinators) {
      const testsupport::LndEndpoint* endpoint = m_simln->Node(alias);
      ASSERT_NE(endpoint, nullptr) << alias;
      std::filesystem::create_directories(m_dir + "/" + alias);
      auto c = testsupport::Coordinatord::Start(m_dir + "/" + alias, *endpoint, options);
      ASSERT_TRUE(c.ok()) << alias << ": " << c.error();
      AddFederationEntry(alias, {{"onion", nullptr}, {"clearnet", c.value()->api_url()}, {"i2p", nullptr}});
      m_coordinators.emplace(alias, std::move(c.value()));
    }
    m_nodes_json = m_dir + "/simln/nodes.json";
  }

  // Adds (or replaces) `alias` in the federation file with these mainnet URLs.
  void AddFederationEntry(const std::string& alias, const Json& mainnet) {
    Json federation = Json::parse(testsupport::ReadFile(m_federation), nullptr, false);
    if (!federation.is_object()) federation = Json::object();
    federation[alias] = FederationEntry(alias, mainnet, static_cast<int>(federation.size()));
    std::ofstream(m_federation) << federation.dump(2) << "\n";
  }

  // Debian's microsocks on a free loopback port; returns its socks5h:// URL ("" on failure).
  std::string StartSocks() {
    const int port = FreePort();
    m_socks = testsupport::Process::Start({"/usr/bin/microsocks", "-i", "127.0.0.1", "-p", std::to_string(port)},
                                          m_dir + "/microsocks.log");
    EXPECT_NE(m_socks, nullptr) << "cannot start /usr/bin/microsocks (ops/setup installs it)";
    if (!m_socks) return "";
    bool up = testsupport::WaitUntil([&] { return Connectable(port); }, kWait);
    EXPECT_TRUE(up) << "microsocks did not listen on " << port;
    return up ? "socks5h://127.0.0.1:" + std::to_string(port) : "";
  }
  void StopSocks() {
    if (!m_socks) return;
    m_socks->Signal(SIGTERM);
    m_socks->Wait(kWait);
    m_socks.reset();
  }

  // federationd over the federation file, fetching every coordinator through `proxy`;
  // returns its URL ("" on failure).
  std::string StartFederationd(const std::string& proxy) {
    const std::string config = m_dir + "/federationd.yaml";
    std::ofstream(config) << "federation_file: " << Json(m_federation).dump() << "\n"
                          << "network: mainnet\norigin: clearnet\nlisten: \"127.0.0.1:0\"\n"
                          << "metrics_listen: \"127.0.0.1:0\"\n"
                          << "proxy: \"" << proxy << "\"\n"
                          << "refresh_interval_ms: 300\nconnect_timeout_ms: 2000\nrequest_timeout_ms: 8000\n"
                          << "slow_after_ms: 3000\npage_refresh_s: 5\n";
    m_federationd = testsupport::Process::Start({testsupport::BinaryPath("federationd"), "--config", config},
                                                m_dir + "/federationd.log");
    EXPECT_NE(m_federationd, nullptr);
    if (!m_federationd) return "";
    const std::string prefix = "federationd: serving the joint book on ";
    auto line = m_federationd->ReadLine(kWait);
    EXPECT_TRUE(line && line->rfind(prefix, 0) == 0)
        << "federationd did not start; its log:\n" << testsupport::ReadFile(m_dir + "/federationd.log");
    if (!line || line->rfind(prefix, 0) != 0) return "";
    return line->substr(prefix.size());
  }

  // A port nothing listens on right now (the kernel's pick, closed again).
  static int FreePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
  }
  static bool Connectable(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    return ok;
  }

  void TearDown() override {
    if (m_federationd) {
      m_federationd->Signal(SIGTERM);
      EXPECT_EQ(m_federationd->Wait(kWait), std::optional<int>(0)) << "federationd did not stop cleanly";
      m_federationd.reset();
    }
    StopSocks();
    for (auto& [alias, c] : m_coordinators) {
      EXPECT_EQ(c->Stop(kWait), std::optional<int>(0)) << "coordinatord " << alias << " did not stop cleanly";
    }
    m_coordinators.clear();
    if (m_simln) {
      EXPECT_EQ(m_simln->Stop(kWait), std::optional<int>(0)) << "simln did not stop cleanly";
    }
    if (HasFailure()) {
      std::cerr << "logs and state kept in " << m_dir << "\n";
    } else if (!m_dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(m_dir, ec);
    }
  }

  std::string RobotDir(const std::string& robot) const { return m_dir + "/robots/" + robot; }
  std::string StderrPath(const std::string& robot) const { return m_dir + "/robot-" + robot + ".stderr"; }

  // `robot --dir <its dir> --federation F --clearnet --wallets W --json ARGS…`.
  RobotRun Robot(const std::string& robot, std::vector<std::string> args, std::chrono::seconds timeout = 120s) {
    std::vector<std::string> argv = {testsupport::BinaryPath("robot"), "--dir", RobotDir(robot), "--federation",
                                     m_federation, "--wallets", m_nodes_json, "--json", "--timeout", "60"};
    if (m_clearnet) argv.push_back("--clearnet");
    argv.insert(argv.end(), args.begin(), args.end());
    {
      std::ofstream log(StderrPath(robot), std::ios::app);
      log << "$ robot";
      for (const auto& a : args) log << " " << a;
      log << "\n";
    }
    auto r = testsupport::Run(argv, StderrPath(robot), timeout);
    RobotRun run{r.code, r.out, Json::parse(r.out, nullptr, false)};
    m_stdout[robot] += r.out;
    return run;
  }
  // A command that must succeed.
  Json Ok(const std::string& robot, std::vector<std::string> args) {
    std::string line;
    for (const auto& a : args) line += " " + a;
    RobotRun r = Robot(robot, args);
    EXPECT_EQ(r.code, 0) << "robot" << line << " → " << r.out << "\nstderr: " << testsupport::ReadFile(StderrPath(robot));
    return r.json.is_discarded() ? Json::object() : r.json;
  }

  std::unique_ptr<testsupport::Wallet> WalletOf(const std::string& name) {
    auto node = m_simln->Connect(name);
    EXPECT_TRUE(node.ok()) << node.error();
    if (!node.ok()) return nullptr;
    return std::make_unique<testsupport::Wallet>(name, std::move(node.value()));
  }

  std::string Token(const std::string& robot) {
    std::string t = testsupport::ReadFile(RobotDir(robot) + "/token");
    while (!t.empty() && t.back() == '\n') t.pop_back();
    return t;
  }

  // Neither the token nor its SHA-256 credential ever reaches the terminal or the logs.
  void ExpectNoSecretsOutput(const std::string& robot) {
    const std::string credential_b91 = federation::robot::DeriveFromToken(Token(robot)).token_sha256_b91;
    const std::string token = Token(robot);
    ASSERT_EQ(token.size(), 36u);
    const std::string err = testsupport::ReadFile(StderrPath(robot));
    EXPECT_EQ(err.find(token), std::string::npos) << robot << "'s stderr shows its token";
    EXPECT_EQ(m_stdout[robot].find(token), std::string::npos) << robot << "'s stdout shows its token";
    EXPECT_EQ(err.find(credential_b91), std::string::npos) << robot << "'s stderr shows its credential";
    EXPECT_EQ(m_stdout[robot].find(credential_b91), std::string::npos) << robot << "'s stdout shows its credential";
    for (const auto& [alias, c] : m_coordinators) {
      EXPECT_EQ(testsupport::ReadFile(c->log_path()).find(token), std::string::npos) << alias << "'s log";
    }
  }

  static unsigned ModeOf(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 07777;
    return st.st_mode & 0777;
  }

  std::string m_dir, m_federation, m_nodes_json;
  bool m_clearnet = true;  // the coordinators' URLs are their federation entries' clearnet ones
  std::unique_ptr<testsupport::SimlnDaemon> m_simln;
  std::map<std::string, std::unique_ptr<testsupport::Coordinatord>> m_coordinators;
  std::map<std::string, std::string> m_stdout;
  std::unique_ptr<testsupport::Process> m_socks;
  std::unique_ptr<testsupport::Process> m_federationd;
};

}  // namespace robot_cli_test
