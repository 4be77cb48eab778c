// Start-up refusals of the real coordinatord binary: each unsafe setup ends the process with
// exit code 2 before it serves anything, and its message names the file or key and the fix.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tests/support/coordinator_cluster.h"
#include "tests/support/process.h"
#include "tests/support/test_support.h"

namespace {

using namespace std::chrono_literals;
constexpr auto kWait = 60s;

class CoordinatordStartup : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = testsupport::MakeTempDir("coordinatord-startup"); }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "kept " << m_dir << "\n";
    } else {
      std::error_code ec;
      std::filesystem::remove_all(m_dir, ec);
    }
  }

  std::string Write(const std::string& name, const std::string& text, mode_t mode) {
    const std::string path = m_dir + "/" + name;
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }

  // Runs coordinatord with `yaml` (plus the data dir, `listen` and a loopback operator port) and
  // `extra` flags;
  // returns its exit code (-1: still running after kWait) and its stderr.
  std::pair<int, std::string> Run(const std::string& yaml, std::vector<std::string> extra = {},
                                  const std::string& listen = "127.0.0.1:0") {
    const std::string config = m_dir + "/coordinatord.yaml";
    std::ofstream(config) << "data_dir: \"" << DataDir() << "\"\nlisten: \"" << listen << "\"\n"
                          << "operator_listen: \"127.0.0.1:0\"\n"
                          << "prices: {source: offline}\n"
                          << yaml;
    std::vector<std::string> argv = {testsupport::BinaryPath("coordinatord"), "--config", config};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const std::string err = m_dir + "/stderr.log";
    std::filesystem::remove(err);
    auto p = testsupport::Process::Start(argv, err);
    if (!p) return {-1, "cannot start"};
    const int code = p->Wait(kWait).value_or(-1);
    return {code, testsupport::ReadFile(err)};
  }

  std::string DataDir() const { return m_dir + "/data"; }
  std::string m_dir;
};

constexpr const char* kNostrKey = "0000000000000000000000000000000000000000000000000000000000000003\n";
constexpr const char* kToken = "0123456789abcdef0123456789abcdef0123456789\n";

TEST_F(CoordinatordStartup, RefusesAMacaroonReadableByGroup) {
  const std::string cert = Write("tls.cert", "not checked before the file modes\n", 0644);
  const std::string macaroon = Write("admin.macaroon", "0201036c6e64\n", 0640);
  auto [code, err] = Run("lightning:\n  backend: lnd\n  network: regtest\n  lnd:\n    rest_url: https://127.0.0.1:1\n"
                         "    tls_cert_path: \"" + cert + "\"\n    macaroon_path: \"" + macaroon + "\"\n");
  EXPECT_EQ(code, 2) << err;
  EXPECT_NE(err.find("lightning.lnd.macaroon_path: secret file '" + macaroon + "' has mode 0640"), std::string::npos)
      << err;
  EXPECT_NE(err.find("(chmod 600)"), std::string::npos) << err;
}

TEST_F(CoordinatordStartup, RefusesAnAdminTokenFileReadableByOthers) {
  const std::string token = Write("resolver.token", kToken, 0604);
  auto [code, err] = Run("admin: {resolver_token_files: [\"" + token + "\"]}\n");
  EXPECT_EQ(code, 2) << err;
  EXPECT_NE(err.find("admin.resolver_token_files[0]: secret file '" + token + "' has mode 0604"), std::string::npos)
      << err;
  EXPECT_NE(err.find("chmod 600"), std::string::npos) << err;
}

TEST_F(CoordinatordStartup, RefusesAConfiguredNostrKeyReadableByGroup) {
  const std::string key = Write("nostr.key", kNostrKey, 0640);
  auto [code, err] = Run("coordinator: {nostr_secret_key_file: \"" + key + "\"}\n");
  EXPECT_EQ(code, 2) << err;
  EXPECT_NE(err.find("coordinator.nostr_secret_key_file: secret file '" + key + "' has mode 0640"), std::string::npos)
      << err;
  EXPECT_NE(err.find("chmod 600"), std::string::npos) << err;
}

TEST_F(CoordinatordStartup, RefusesTheDefaultNostrKeyReadableByGroup) {
  std::filesystem::create_directories(DataDir());
  ::chmod(DataDir().c_str(), 0700);
  const std::string key = DataDir() + "/nostr.key";
  std::ofstream(key) << kNostrKey;
  ::chmod(key.c_str(), 0640);
  auto [code, err] = Run("");
  EXPECT_EQ(code, 2) << err;
  EXPECT_NE(err.find("nostr key " + key + " has mode 0640"), std::string::npos) << err;
  EXPECT_NE(err.find("chmod 600"), std::string::npos) << err;
}

TEST_F(CoordinatordStartup, RefusesAWorldWritableDataDir) {
  std::filesystem::create_directories(DataDir());
  ::chmod(DataDir().c_str(), 0777);
  auto [code, err] = Run("");
  EXPECT_EQ(code, 2) << err;
  EXPECT_NE(err.find("data_dir " + DataDir() + " has mode 0777"), std::string::npos) << err;
  EXPECT_NE(err.find("chmod 700 " + DataDir()), std::string::npos) << err;
  // Refused, not silently repaired.
  struct stat st {};
  ASSERT_EQ(::stat(DataDir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0777u);
}

TEST_F(CoordinatordStartup, RefusesAPublicListenerOffLoopbackWithoutOptIn) {
  auto [code, err] = Run("", {"--listen", "0.0.0.0:0"});
  EXPECT_EQ(code, 2) << err;
  EXPECT_NE(err.find("listen: '0.0.0.0:0' is not a loopback address"), std::string::npos) << err;
  EXPECT_NE(err.find("allow_clearnet_listen: true"), std::string::npos) << err;
  EXPECT_NE(err.find("ops/tor/torrc"), std::string::npos) << err;
  // The same from the file.
  auto [file_code, file_err] = Run("", {}, "0.0.0.0:0");
  EXPECT_EQ(file_code, 2) << file_err;
  EXPECT_NE(file_err.find("listen: '0.0.0.0:0' is not a loopback address"), std::string::npos) << file_err;
}

TEST_F(CoordinatordStartup, ServesOffLoopbackWithTheExplicitOptIn) {
  const std::string config = m_dir + "/coordinatord.yaml";
  std::ofstream(config) << "data_dir: \"" << DataDir() << "\"\nlisten: \"0.0.0.0:0\"\nallow_clearnet_listen: true\n"
                        << "operator_listen: \"127.0.0.1:0\"\nprices: {source: offline}\n";
  auto p = testsupport::Process::Start({testsupport::BinaryPath("coordinatord"), "--config", config},
                                       m_dir + "/stderr.log");
  ASSERT_TRUE(p);
  auto line = p->ReadLine(kWait);
  ASSERT_TRUE(line.has_value()) << testsupport::ReadFile(m_dir + "/stderr.log");
  EXPECT_NE(line->find("serving the RoboSats API on http://0.0.0.0:"), std::string::npos) << *line;
  p->Signal(SIGTERM);
  EXPECT_EQ(p->Wait(kWait), std::optional<int>(0));
}

TEST_F(CoordinatordStartup, RefusesALightningNodeOnAnotherNetwork) {
  auto simln = testsupport::SimlnDaemon::Start(m_dir, {"alice"}, 1'000'000);
  ASSERT_TRUE(simln.ok()) << simln.error();
  const testsupport::LndEndpoint& node = *(*simln)->Node("coordinator");
  // lightning.network left at its default, mainnet; the simln daemon is a regtest node.
  auto [code, err] = Run("lightning:\n  backend: lnd\n  lnd:\n    rest_url: \"" + node.rest_url +
                         "\"\n    tls_cert_path: \"" + node.tls_cert_path + "\"\n    macaroon_path: \"" +
                         node.macaroon_path + "\"\n");
  EXPECT_EQ(code, 2) << err;
  EXPECT_NE(err.find("lightning.network is \"mainnet\" but the node at " + node.rest_url + " is on \"regtest\""),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("set lightning.network: regtest"), std::string::npos) << err;
  EXPECT_EQ((*simln)->Stop(kWait), std::optional<int>(0));
}

}  // namespace

namespace {

TEST_F(CoordinatordStartup, RestoreRefusesAFileThatIsNotAHealthyDatabase) {
  const std::string junk = Write("backup.db", "this is not an SQLite database, it is a stray text file\n", 0600);
  auto [code, err] = Run("", {"--restore", junk});
  EXPECT_EQ(code, 2) << err;
  EXPECT_NE(err.find("--restore: " + junk), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(DataDir() + "/coordinator.db"));
}

}  // namespace
