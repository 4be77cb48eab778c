// Coordinators from RoboSats' federation file, and where the robot's requests go (proxy).
#include <gtest/gtest.h>

#include <fstream>

#include "federation/robot/federation_reader.h"
#include "federation/robot/http_client.h"
#include "tests/support/test_support.h"

namespace {

using namespace federation::robot;

std::vector<std::string> Aliases(const std::vector<CoordinatorRef>& refs) {
  std::vector<std::string> out;
  for (const auto& r : refs) out.push_back(r.short_alias);
  return out;
}

TEST(FederationReader, ReadsRoboSatsFederationFile) {
  const std::string path = testsupport::FixturePath("robosats/federation.json");
  auto onion = ReadFederationFile(path, Network::kMainnet, Transport::kOnion);
  ASSERT_TRUE(onion.ok()) << onion.error();
  EXPECT_EQ(Aliases(*onion), (std::vector<std::string>{"temple", "lake", "bazaar", "freedomsats", "alice"}));
  EXPECT_EQ(onion->front().url, "http://ngdk7ocdzmz5kzsysa3om6du7ycj2evxp2f2olfkyq37htx3gllwp2yd.onion");
  EXPECT_EQ(onion->front().long_alias, "Temple of Sats");
  // null and "" URLs are skipped.
  auto clearnet = ReadFederationFile(path, Network::kMainnet, Transport::kClearnet);
  ASSERT_TRUE(clearnet.ok());
  EXPECT_EQ(Aliases(*clearnet), (std::vector<std::string>{"temple", "lake"}));
  auto testnet = ReadFederationFile(path, Network::kTestnet, Transport::kOnion);
  ASSERT_TRUE(testnet.ok());
  EXPECT_EQ(Aliases(*testnet), (std::vector<std::string>{"temple", "lake"}));
}

TEST(FederationReader, RefusesWhatIsNotAFederation) {
  const std::string dir = testsupport::MakeTempDir("robot-federation");
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir + "/" + name) << text;
    return dir + "/" + name;
  };
  EXPECT_FALSE(ReadFederationFile(dir + "/missing.json", Network::kMainnet, Transport::kOnion).ok());
  EXPECT_FALSE(ReadFederationFile(write("a.json", "[1,2]"), Network::kMainnet, Transport::kOnion).ok());
  EXPECT_FALSE(ReadFederationFile(write("b.json", "{\"x\": 3}"), Network::kMainnet, Transport::kOnion).ok());
  EXPECT_FALSE(
      ReadFederationFile(write("c.json", "{\"x\": {\"shortAlias\": \"y\"}}"), Network::kMainnet, Transport::kOnion).ok());
  // The project's one federation.json model reads the file: its problems name entry and field.
  auto missing = ReadFederationFile(write("e.json", "{\"x\": {\"shortAlias\": \"x\", \"mainnet\": {\"clearnet\": \"http://127.0.0.1:9/\"}}}"),
                                    Network::kMainnet, Transport::kClearnet);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("entry \"x\": identifier"), std::string::npos) << missing.error();
  const std::string entry = R"({"x": {"longAlias": "X", "shortAlias": "x", "identifier": "x", "established": "2024-01-01",
    "nostrHexPubkey": "0000000000000000000000000000000000000000000000000000000000000001",
    "badges": {"donatesToDevFund": 20}, "mainnet": {"onion": null, "clearnet": "http://127.0.0.1:9/", "i2p": null},
    "testnet": {"onion": "", "clearnet": "", "i2p": ""}, "federated": true}})";
  auto ok = ReadFederationFile(write("d.json", entry), Network::kMainnet, Transport::kClearnet);
  ASSERT_TRUE(ok.ok()) << ok.error();
  ASSERT_EQ(ok->size(), 1u);
  EXPECT_EQ(ok->front().url, "http://127.0.0.1:9");
  EXPECT_EQ(ok->front().long_alias, "X");
}

TEST(RobotProxy, OnionNamesAlwaysGoThroughSocks5h) {
  auto onion = ProxyFor("http://ngdk7ocdzmz5kzsysa3om6du7ycj2evxp2f2olfkyq37htx3gllwp2yd.onion/api/book/", "");
  ASSERT_TRUE(onion.ok());
  EXPECT_EQ(*onion, "socks5h://127.0.0.1:9050");
  auto upper = ProxyFor("http://USER@ABC.ONION:80/x", "");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(*upper, "socks5h://127.0.0.1:9050");
  auto direct = ProxyFor("http://127.0.0.1:8000/api/", "");
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(*direct, "");
  auto configured = ProxyFor("https://example.org/", "socks5h://10.0.0.1:9150");
  ASSERT_TRUE(configured.ok());
  EXPECT_EQ(*configured, "socks5h://10.0.0.1:9150");
  // socks5:// would resolve names locally (leaking .onion names to DNS): refused.
  EXPECT_FALSE(ProxyFor("http://abc.onion/", "socks5://127.0.0.1:9050").ok());
  EXPECT_FALSE(ProxyFor("http://abc.onion/", "http://127.0.0.1:8080").ok());
}

TEST(RobotProxy, AnUnreachableProxyIsAnErrorThatNamesIt) {
  HttpOptions options;
  options.proxy = "socks5h://127.0.0.1:9";  // discard port: nothing listens
  options.timeout = std::chrono::seconds(5);
  auto r = HttpCall("GET", "http://abc.onion/api/info/", {"Authorization: Token secret-credential"}, "", options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("socks5h://127.0.0.1:9"), std::string::npos) << r.error();
  EXPECT_EQ(r.error().find("secret-credential"), std::string::npos) << "headers never appear in errors";
}

}  // namespace
