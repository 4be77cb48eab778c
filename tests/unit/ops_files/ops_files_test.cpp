// The operator's files under ops/ as their own tools check them: Prometheus' scrape config and
// alert rules (promtool check config / check rules / test rules), the systemd units
// (systemd-analyze verify, and security --offline for their exposure). A missing tool skips
// with the package to install; a tool's complaint fails the test with its output.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/test_support.h"

namespace {

namespace fs = std::filesystem;

std::string OpsDir() {
  return (fs::path(testsupport::SourceDirOf(__FILE__)) / "../../../ops").lexically_normal().string();
}

bool Have(const std::string& tool) { return ::access(tool.c_str(), X_OK) == 0; }

// Runs `command` with stdout and stderr in a file: the exit code and the output.
std::pair<int, std::string> Sh(const std::string& command, const std::string& dir) {
  const std::string out = dir + "/out.txt";
  const int status = std::system((command + " > '" + out + "' 2>&1").c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, testsupport::ReadFile(out)};
}

class OpsFiles : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = testsupport::MakeTempDir("ops-files"); }
  void TearDown() override {
    std::error_code ec;
    if (!HasFailure()) fs::remove_all(m_dir, ec);
  }
  std::string m_dir;
};

TEST_F(OpsFiles, PrometheusAlertRulesPassPromtoolAndTheirUnitTests) {
  if (!Have("/usr/bin/promtool")) GTEST_SKIP() << "promtool missing (Debian package prometheus)";
  const std::string dir = OpsDir() + "/prometheus";
  auto [check, check_out] = Sh("/usr/bin/promtool check rules '" + dir + "/coordinatord.rules.yml'", m_dir);
  EXPECT_EQ(check, 0) << check_out;
  EXPECT_NE(check_out.find("SUCCESS"), std::string::npos) << check_out;
  // Each alert fires on the series it watches, and stays quiet otherwise.
  auto [test, test_out] = Sh("cd '" + dir + "' && /usr/bin/promtool test rules coordinatord.rules.test.yml", m_dir);
  EXPECT_EQ(test, 0) << test_out;
  auto [config, config_out] = Sh("/usr/bin/promtool check config '" + dir + "/prometheus.yml'", m_dir);
  EXPECT_EQ(config, 0) << config_out;
}

TEST_F(OpsFiles, PrometheusAlertsCoverWhatTheIssueAsks) {
  const std::string rules = testsupport::ReadFile(OpsDir() + "/prometheus/coordinatord.rules.yml");
  for (const char* alert : {"LightningNodeUnreachable", "HoldInvoiceNearCltvDeadline", "PayoutsFailing",
                            "PriceFeedStale", "IntentsStuck", "EngineQueueGrowing", "DevTaxPaymentsFailing",
                            "FederationCoordinatorUnreachable"}) {
    EXPECT_NE(rules.find(std::string("alert: ") + alert), std::string::npos) << alert;
  }
}

// The units name their installed binaries; verify wants an executable there, so each is
// checked from a copy whose ExecStart points at /bin/true (the options are what is checked).
TEST_F(OpsFiles, SystemdUnitsVerifyAndStayLowExposure) {
  if (!Have("/usr/bin/systemd-analyze")) GTEST_SKIP() << "systemd-analyze missing (Debian package systemd)";
  for (const char* name : {"coordinatord.service", "federationd.service"}) {
    std::string unit = testsupport::ReadFile(OpsDir() + "/systemd/" + name);
    ASSERT_FALSE(unit.empty()) << name;
    for (const char* option :
         {"ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes",
          "RestrictAddressFamilies=", "MemoryDenyWriteExecute=yes", "SystemCallFilter=@system-service",
          "StateDirectory=", "User="}) {
      EXPECT_NE(unit.find(option), std::string::npos) << name << " lacks " << option;
    }
    unit = std::regex_replace(unit, std::regex("ExecStart=/usr/local/bin/[a-z]+"), "ExecStart=/bin/true");
    const std::string copy = m_dir + "/" + name;
    std::ofstream(copy) << unit;
    // verify exits 0 on an unknown key but says so: any output is a complaint.
    auto [code, out] = Sh("/usr/bin/systemd-analyze verify '" + copy + "'", m_dir);
    EXPECT_EQ(code, 0) << name << ":\n" << out;
    EXPECT_EQ(out, "") << name;
    // Exposure 2.0 or less ("OK" is below 3.0 in systemd's scale).
    auto [sec, sec_out] = Sh("/usr/bin/systemd-analyze security --offline=yes --threshold=20 '" + copy + "'", m_dir);
    EXPECT_EQ(sec, 0) << name << ":\n" << sec_out;
  }
  const std::string coordinatord = testsupport::ReadFile(OpsDir() + "/systemd/coordinatord.service");
  EXPECT_NE(coordinatord.find("LoadCredential=invoices.macaroon:"), std::string::npos);
}

// verify runs the units with /bin/true: that the daemons accept their ExecStart's flags is
// checked against each binary's usage (a federationd.service once passed --data-dir, which
// federationd refuses: it would never have started).
TEST_F(OpsFiles, SystemdUnitsPassOnlyFlagsTheDaemonsAccept) {
  for (const char* name : {"coordinatord", "federationd"}) {
    const std::string unit = testsupport::ReadFile(OpsDir() + "/systemd/" + name + ".service");
    std::smatch exec;
    ASSERT_TRUE(std::regex_search(unit, exec, std::regex("ExecStart=/usr/local/bin/([a-z]+)([^\n]*)"))) << name;
    EXPECT_EQ(exec[1].str(), name);
    const std::string binary = std::string(BIN_DIR) + "/" + name;
    if (!Have(binary)) GTEST_SKIP() << binary << " not built";
    auto [code, usage] = Sh("'" + binary + "' --help", m_dir);
    EXPECT_EQ(code, 0) << usage;
    const std::string args = exec[2].str();
    const std::regex flag("--[a-z-]+");
    for (std::sregex_iterator it(args.begin(), args.end(), flag), end; it != end; ++it) {
      EXPECT_NE(usage.find("[" + it->str() + " "), std::string::npos)
          << name << ".service passes " << it->str() << ", which `" << name << " --help` does not list:\n" << usage;
    }
  }
}

// The README's operator section lists every hardening option the units set, and says how to
// set up Tor (issue #11's Done when).
TEST_F(OpsFiles, ReadmeOperatorSectionListsEveryHardeningOptionAndTheTorSetup) {
  const std::string readme = testsupport::ReadFile(OpsDir() + "/../README.md");
  const size_t section = readme.find("## Running it for real (operators)");
  ASSERT_NE(section, std::string::npos);
  const std::string ops = readme.substr(section, readme.find("\n## ", section + 1) - section);
  for (const char* name : {"coordinatord.service", "federationd.service"}) {
    const std::string unit = testsupport::ReadFile(OpsDir() + "/systemd/" + name);
    std::istringstream lines(unit.substr(unit.find("[Service]")));
    int options = 0;
    for (std::string line; std::getline(lines, line);) {
      if (line.empty() || line[0] == '#' || line[0] == '[' || line.find('=') == std::string::npos) continue;
      const std::string key = line.substr(0, line.find('='));
      // What runs and restarts it is not hardening.
      if (key == "Type" || key == "User" || key == "Group" || key.rfind("Exec", 0) == 0 || key.rfind("Restart", 0) == 0 ||
          key == "TimeoutStopSec" || key == "WantedBy") {
        continue;
      }
      ++options;
      EXPECT_NE(ops.find("`" + key + "="), std::string::npos) << name << ": the README does not list " << key;
    }
    EXPECT_GE(options, 25) << name;
  }
  for (const char* tor : {"ops/tor/torrc", "apt-get install tor", "systemctl restart tor", "/var/lib/tor/coordinatord/hostname",
                          "socks5h://127.0.0.1:9050", "allow_clearnet_listen"}) {
    EXPECT_NE(ops.find(tor), std::string::npos) << "the Tor set-up lacks " << tor;
  }
}

TEST_F(OpsFiles, TorrcServesTheApiAsAnOnionServiceOnLoopback) {
  const std::string torrc = testsupport::ReadFile(OpsDir() + "/tor/torrc");
  EXPECT_NE(torrc.find("HiddenServiceDir"), std::string::npos);
  EXPECT_NE(torrc.find("HiddenServicePort 80 127.0.0.1:12596"), std::string::npos);
  EXPECT_NE(torrc.find("SocksPort 127.0.0.1:9050"), std::string::npos);
  if (!Have("/usr/sbin/tor")) GTEST_SKIP() << "tor missing (Debian package tor): syntax not checked";
  // tor checks its directories: the copy keeps them under the test's own.
  const std::string copy = m_dir + "/torrc";
  std::ofstream(copy) << std::regex_replace(torrc, std::regex("/var/lib/tor/"), m_dir + "/tor/") << "DataDirectory "
                      << m_dir << "/tor/data\n";
  fs::create_directories(m_dir + "/tor/data");
  fs::create_directories(m_dir + "/tor/coordinatord");
  fs::permissions(m_dir + "/tor", fs::perms::owner_all);
  fs::permissions(m_dir + "/tor/data", fs::perms::owner_all);
  fs::permissions(m_dir + "/tor/coordinatord", fs::perms::owner_all);
  auto [code, out] = Sh("/usr/sbin/tor --verify-config -f '" + copy + "'", m_dir);
  EXPECT_EQ(code, 0) << out;
}

}  // namespace
