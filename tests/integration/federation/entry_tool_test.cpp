// `coordinatord federation-entry` against a live Lightning node (the simln daemon playing LND),
// a Tor hostname file and the coordinator's nostr key, then the `federation` tool: the
// generated entry goes into RoboSats' real federation.json and comes back out unchanged;
// a broken entry is refused with a message naming the entry and the field.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/coordinator_cluster.h"
#include "tests/support/process.h"
#include "tests/support/test_support.h"

namespace federation_test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class FederationEntryTool : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = testsupport::MakeTempDir("federation-entry");
    auto simln = testsupport::SimlnDaemon::StartWithCoordinators(m_dir, {"beta"}, {"alice"}, 1'000'000);
    ASSERT_TRUE(simln.ok()) << simln.error();
    m_simln = std::move(simln.value());
  }
  void TearDown() override {
    if (m_simln) m_simln->Stop(60s);
    if (!HasFailure()) {
      std::error_code ec;
      std::filesystem::remove_all(m_dir, ec);
    } else {
      std::cerr << "state kept in " << m_dir << "\n";
    }
  }
  testsupport::CommandResult Tool(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {testsupport::BinaryPath("federation")};
    argv.insert(argv.end(), args.begin(), args.end());
    std::filesystem::remove(m_dir + "/tool.err");
    return testsupport::Run(argv, m_dir + "/tool.err", 60s);
  }
  std::string ToolErrors() { return testsupport::ReadFile(m_dir + "/tool.err"); }

  std::string m_dir;
  std::unique_ptr<testsupport::SimlnDaemon> m_simln;
};

TEST_F(FederationEntryTool, GeneratedEntryRoundTripsThroughTheFederationTool) {
  const auto& node = *m_simln->Node("beta");
  const std::string onion = std::string(55, 'b') + "d.onion";
  std::ofstream(m_dir + "/hostname") << onion << "\n";
  const std::string config = m_dir + "/coordinatord.yaml";
  std::ofstream(config) << "data_dir: \"" << m_dir << "/data\"\n"
                        << "coordinator:\n"
                        << "  alias: \"Beta Coordinator\"\n"
                        << "  short_alias: beta\n"
                        << "  color: \"#6a1b9a\"\n"
                        << "  established: \"2024-01-01\"\n"
                        << "  clearnet_url: \"https://beta.example.org\"\n"
                        << "  contact_email: \"beta@example.org\"\n"
                        << "  policies: {\"Data Policy\": \"Nothing kept.\"}\n"
                        << "lightning:\n  backend: lnd\n  network: regtest\n  lnd:\n"
                        << "    rest_url: \"" << node.rest_url << "\"\n"
                        << "    tls_cert_path: \"" << node.tls_cert_path << "\"\n"
                        << "    macaroon_path: \"" << node.macaroon_path << "\"\n"
                        << "tor: {hostname_file: \"" << m_dir << "/hostname\"}\n"
                        << "dev_tax: {share: 0.2}\n";
  auto printed = testsupport::Run({testsupport::BinaryPath("coordinatord"), "federation-entry", "--config", config},
                                  m_dir + "/entry.err", 60s);
  ASSERT_EQ(printed.code, 0) << printed.out << testsupport::ReadFile(m_dir + "/entry.err");
  json entry = json::parse(printed.out, nullptr, false);
  ASSERT_TRUE(entry.is_object()) << printed.out;
  // Live facts: the node's pubkey (regtest → testnet), the onion hostname, the nostr key the
  // coordinator keeps in its data dir, the dev-tax share as a whole percent.
  EXPECT_EQ(entry["shortAlias"], "beta");
  EXPECT_EQ(entry["testnetNodesPubkeys"], json::array({node.pubkey}));
  EXPECT_EQ(entry["testnet"]["onion"], "http://" + onion);
  EXPECT_EQ(entry["testnet"]["clearnet"], "https://beta.example.org");
  EXPECT_EQ(entry["badges"]["donatesToDevFund"], 20);
  EXPECT_EQ(entry["nostrHexPubkey"].get<std::string>().size(), 64u);
  EXPECT_TRUE(std::filesystem::exists(m_dir + "/data/nostr.key"));
  std::ofstream(m_dir + "/entry.json") << printed.out;

  // Into RoboSats' real federation.json, and back out.
  const std::string file = m_dir + "/federation.json";
  const std::string original = testsupport::ReadFile(testsupport::FixturePath("robosats/federation.json"));
  std::ofstream(file) << original;
  ASSERT_EQ(Tool({"validate", file}).code, 0) << ToolErrors();
  ASSERT_EQ(Tool({"add", file, m_dir + "/entry.json"}).code, 0) << ToolErrors();
  EXPECT_EQ(Tool({"validate", file}).code, 0) << ToolErrors();
  json merged = json::parse(testsupport::ReadFile(file), nullptr, false);
  ASSERT_TRUE(merged.is_object());
  EXPECT_EQ(merged["beta"], entry);
  EXPECT_EQ(merged.size(), json::parse(original).size() + 1);
  // Added twice: refused, the file untouched.
  const std::string after_add = testsupport::ReadFile(file);
  EXPECT_NE(Tool({"add", file, m_dir + "/entry.json"}).code, 0);
  EXPECT_EQ(testsupport::ReadFile(file), after_add);
  // A broken replacement names the entry and the field; nothing is written.
  json broken = entry;
  broken["color"] = "purple";
  std::ofstream(m_dir + "/broken.json") << broken.dump();
  EXPECT_NE(Tool({"replace", file, m_dir + "/broken.json"}).code, 0);
  EXPECT_NE(ToolErrors().find("beta"), std::string::npos) << ToolErrors();
  EXPECT_NE(ToolErrors().find("color"), std::string::npos) << ToolErrors();
  EXPECT_EQ(testsupport::ReadFile(file), after_add);
  // Removed: the file is RoboSats' again, byte for byte.
  ASSERT_EQ(Tool({"remove", file, "beta"}).code, 0) << ToolErrors();
  EXPECT_EQ(testsupport::ReadFile(file), original);
}

}  // namespace
}  // namespace federation_test
