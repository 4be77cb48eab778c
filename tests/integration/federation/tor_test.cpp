// The federation over a private Tor network on loopback (tests/support/tor_network.h: 3
// directory authorities, 3 relays, an onion-service tor, a client tor): each coordinatord is
// reached only at its own .onion address through the client tor's SOCKS port — federationd's
// joint book, and a whole trade on the second coordinator.
#include "tests/integration/federation/federation_fixture.h"

namespace federation_test {
namespace {

class FederationOverTor : public FederationCluster {
 protected:
  void SetUp() override {
    m_over_tor = true;
    m_gamma_delay = std::chrono::milliseconds(0);
    m_refresh_ms = 2000;
    m_slow_after_ms = 20000;
    FederationCluster::SetUp();
  }
};

TEST_F(FederationOverTor, JointBookAndATradeOnTheSecondCoordinatorOverOnionServices) {
  ASSERT_TRUE(WaitAllInBook()) << Get("/api/coordinators/").dump();
  auto coordinators = Coordinators();
  for (const auto& alias : kAliases) {
    const std::string url = coordinators[alias].value("url", "");
    EXPECT_EQ(url, m_tor->OnionUrl(alias));
    EXPECT_NE(url.find(".onion"), std::string::npos) << url;
    EXPECT_EQ(coordinators[alias]["status"], "online") << coordinators[alias].dump();
  }
  json usd = Get("/api/book/?currency=1");
  EXPECT_EQ(AliasesInBook(usd), (std::set<std::string>{"alpha", "beta", "gamma"})) << usd.dump();
  EXPECT_FALSE(TradeFoundInJointBook("beta").empty());
}

}  // namespace
}  // namespace federation_test
