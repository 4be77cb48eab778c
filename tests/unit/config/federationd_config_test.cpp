// federationd's config: the example file is the defaults and documents every option; every
// problem names its key; per-coordinator overrides are read.
#include "config/federationd_config.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "tests/support/test_support.h"

namespace {

namespace fs = std::filesystem;

std::string ExamplePath() {
  // tests/unit/config/<this file> → config/federationd.example.yaml (__FILE__ is relative under
  // ccache's basedir: SourceDirOf makes it absolute).
  return (fs::path(testsupport::SourceDirOf(__FILE__)) / "../../../config/federationd.example.yaml")
      .lexically_normal()
      .string();
}

TEST(FederationdConfig, ExampleFileIsTheDefaults) {
  auto loaded = config::LoadFederationdConfig(ExamplePath());
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_TRUE(*loaded == config::FederationdConfig{});
  EXPECT_EQ(loaded->proxy, "socks5h://127.0.0.1:9050");
  EXPECT_EQ(loaded->refresh_interval_ms, 60'000);
}

TEST(FederationdConfig, ExampleFileDocumentsEveryOption) {
  std::set<std::string> in_example;
  for (const auto& kv : YAML::LoadFile(ExamplePath())) {
    in_example.insert(kv.first.Scalar());
    // A section's options too (coordinators is keyed by shortAlias: free-form).
    if (kv.second.IsMap() && kv.first.Scalar() != "coordinators") {
      for (const auto& sub : kv.second) in_example.insert(kv.first.Scalar() + "." + sub.first.Scalar());
    }
  }
  auto keys = config::ListFederationdConfigKeys();
  std::set<std::string> schema(keys.begin(), keys.end());
  EXPECT_EQ(in_example, schema);
  // Each option line has a comment line right above it.
  std::ifstream in(ExamplePath());
  std::string previous;
  for (std::string line; std::getline(in, line); previous = line) {
    if (line.empty() || line[0] == '#' || line[0] == ' ') continue;
    EXPECT_EQ(previous.rfind("#", 0), 0u) << "no comment above: " << line;
  }
}

TEST(FederationdConfig, OverridesAreRead) {
  auto parsed = config::ParseFederationdConfig(R"(
federation_file: /etc/federationd/federation.json
network: testnet
listen: "127.0.0.1:0"
proxy: 127.0.0.1:9150
origin: clearnet
direct_clearnet: true
refresh_interval_ms: 1000
connect_timeout_ms: 500
request_timeout_ms: 2000
coordinators:
  lake: {origin: onion}
  temple: {url: "http://127.0.0.1:8000", direct: true}
  bazaar: {enabled: false}
)");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->network, config::FederationNetwork::kTestnet);
  EXPECT_EQ(parsed->proxy, "socks5h://127.0.0.1:9150");  // normalised
  EXPECT_EQ(parsed->origin, config::CoordinatorOrigin::kClearnet);
  EXPECT_TRUE(parsed->direct_clearnet);
  ASSERT_EQ(parsed->coordinators.size(), 3u);
  EXPECT_EQ(parsed->coordinators.at("lake").origin, "onion");
  EXPECT_EQ(parsed->coordinators.at("temple").url, "http://127.0.0.1:8000");
  EXPECT_TRUE(parsed->coordinators.at("temple").direct);
  EXPECT_FALSE(parsed->coordinators.at("bazaar").enabled);
}

struct Bad {
  const char* yaml;
  const char* message;
};
class BadFederationdConfig : public ::testing::TestWithParam<Bad> {};

TEST_P(BadFederationdConfig, IsRejectedNamingTheKey) {
  auto parsed = config::ParseFederationdConfig(GetParam().yaml);
  ASSERT_FALSE(parsed.ok()) << GetParam().yaml;
  EXPECT_NE(parsed.error().find(GetParam().message), std::string::npos) << parsed.error();
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadFederationdConfig,
    ::testing::Values(
        Bad{"federation_file: ''", "federation_file: must not be empty"},
        Bad{"network: regtest", "network: 'regtest' is not one of mainnet|testnet"},
        Bad{"proxy: 'socks5://127.0.0.1:9050'", "proxy: 'socks5://127.0.0.1:9050': only socks5h:// is allowed"},
        Bad{"proxy: 'http://127.0.0.1:8118'", "proxy: 'http://127.0.0.1:8118': only socks5h://"},
        Bad{"origin: tor", "origin: 'tor' is not one of onion|clearnet|i2p"},
        Bad{"refresh_interval_ms: 5", "refresh_interval_ms: 5 is out of range 100..86400000"},
        Bad{"connect_timeout_ms: 5000\nrequest_timeout_ms: 1000",
            "connect_timeout_ms: 5000 is longer than request_timeout_ms 1000"},
        Bad{"slow_after_ms: 0", "slow_after_ms: 0 is out of range"},
        Bad{"page_refresh_s: 1", "page_refresh_s: 1 is out of range 5..3600"},
        Bad{"direct_clearnet: maybe", "direct_clearnet: 'maybe' is not one of true|false"},
        Bad{"coordinators: {lake: {url: 'ftp://x'}}", "coordinators.lake.url: 'ftp://x' is not an http:// or https://"},
        Bad{"coordinators: {lake: {url: 'http://x/'}}", "coordinators.lake.url: 'http://x/' must not end with '/'"},
        Bad{"coordinators: {lake: {direct: true}}",
            "coordinators.lake.direct: an onion service is only reached through the socks5h proxy"},
        Bad{"coordinators: {lake: {origin: tor}}", "coordinators.lake.origin: 'tor' is not one of onion|clearnet|i2p"},
        Bad{"coordinators: {lake: {urll: x}}", "coordinators.lake.urll: unknown key"},
        Bad{"metrics_listen: '0.0.0.0:12599'", "metrics_listen: '0.0.0.0:12599' is not a loopback address"},
        Bad{"listen: '127.0.0.1:12599'", "metrics_listen: 127.0.0.1:12599 is the same address as listen"},
        Bad{"watchdog: {book_from_relays: always}", "watchdog.book_from_relays: 'always' is not one of off|fallback|only"},
        Bad{"watchdog: {enabled: false, book_from_relays: only}",
            "watchdog.book_from_relays: 'only' needs watchdog.enabled: true"},
        Bad{"watchdog: {relays: ['ws://x:0/']}", "watchdog.relays[0]: 'ws://x:0/' is not a ws:// or wss:// URL"},
        Bad{"proxi: x", "proxi: unknown key"}));

}  // namespace
