// The robot CLI against real processes: the simln daemon playing LND (a "coordinator" node and
// the traders' wallets), coordinatord on the lnd backend, and the `robot` binary run as a child
// process for each command, with its robot directory in the test's temp dir, a federation file
// naming the coordinator(s) by their clearnet URL, and the wallets of simln's nodes.json.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

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

class RobotCli : public ::testing::Test {
 protected:
  // Coordinators by alias, each on its own simln node ("coordinator" for the first).
  void StartNetwork(const std::vector<std::string>& wallets, const std::vector<std::pair<std::string, std::string>>& coordinators) {
    m_dir = testsupport::MakeTempDir("robot-cli");
    auto simln = testsupport::SimlnDaemon::Start(m_dir, wallets, kChannelSat);
    ASSERT_TRUE(simln.ok()) << simln.error();
    m_simln = std::move(simln.value());
    Json federation = Json::object();
    for (const auto& [alias, node] : coordinators) {
      const testsupport::LndEndpoint* endpoint = m_simln->Node(node);
      ASSERT_NE(endpoint, nullptr) << node;
      std::filesystem::create_directories(m_dir + "/" + alias);
      auto c = testsupport::Coordinatord::Start(m_dir + "/" + alias, *endpoint);
      ASSERT_TRUE(c.ok()) << c.error();
      // RoboSats' federation.json schema; the coordinators only have a clearnet URL here.
      federation[alias] = {{"longAlias", "Test " + alias},
                           {"shortAlias", alias},
                           {"federated", true},
                           {"mainnet", {{"onion", nullptr}, {"clearnet", c.value()->api_url()}, {"i2p", nullptr}}},
                           {"testnet", {{"onion", nullptr}, {"clearnet", nullptr}, {"i2p", nullptr}}}};
      m_coordinators.emplace(alias, std::move(c.value()));
    }
    m_federation = m_dir + "/federation.json";
    std::ofstream(m_federation) << federation.dump(2);
    m_nodes_json = m_dir + "/simln/nodes.json";
  }

  void TearDown() override {
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
};

}  // namespace robot_cli_test
