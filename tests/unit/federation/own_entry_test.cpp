// This coordinator's federation entry: from its config and live facts, valid by the
// federation's rules, the dev-tax share as donatesToDevFund.
#include <gtest/gtest.h>

#include <fstream>

#include "config/coordinator_config.h"
#include "federation/entry/own_entry.h"
#include "federation/model/federation_json.h"
#include "federation/model/validate.h"
#include "tests/support/test_support.h"

namespace {

constexpr const char* kHost = "4t4jxmivv6uqej6xzx2jx3fxh75gtt65v3szjoqmc4ugdlhipzdat6yd.onion";
constexpr const char* kPubkey = "0385262f7e9e2eeeba1e7d6182a0efec98e79d01154b76189f3e0b88bcee279dd0";
constexpr const char* kNostr = "f2d4855df39a7db6196666e8469a07a131cddc08dcaa744a344343ffcf54a10c";

federation::OwnEntryFacts Facts(const std::string& network) {
  return {kPubkey, network, kHost, kNostr, "2026-01-02"};
}

TEST(OwnEntry, FromConfigAndLiveFacts) {
  auto cfg = config::ParseCoordinatorConfig(R"(
coordinator:
  alias: The Big Lake
  description: A lake.
  motto: Economic freedom.
  contact_email: ops@thebiglake.org
  color: "#000D28"
  established: 2023-12-30
  clearnet_url: https://unsafe.thebiglake.org
  contact: {telegram: thebiglake}
  policies: {"Data Policy 1": "No third-party sharing."}
dev_tax: {share: 0.3}
)");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  auto e = federation::BuildOwnEntry(*cfg, Facts("mainnet"));
  EXPECT_EQ(e.long_alias, "The Big Lake");
  EXPECT_EQ(e.short_alias, "thebiglake");
  EXPECT_EQ(e.identifier, "thebiglake");
  EXPECT_EQ(e.established, "2023-12-30");
  EXPECT_EQ(e.badges.donates_to_dev_fund, 30);
  EXPECT_FALSE(e.badges.is_founder);
  EXPECT_EQ(e.Contact("email"), "ops@thebiglake.org");
  EXPECT_EQ(e.Contact("telegram"), "thebiglake");
  EXPECT_EQ(federation::OrEmpty(e.mainnet.onion), std::string("http://") + kHost);
  EXPECT_EQ(federation::OrEmpty(e.mainnet.clearnet), "https://unsafe.thebiglake.org");
  EXPECT_EQ(e.mainnet_nodes_pubkeys, std::vector<std::string>{kPubkey});
  EXPECT_TRUE(e.testnet_nodes_pubkeys.empty());
  EXPECT_EQ(e.nostr_hex_pubkey, kNostr);
  EXPECT_EQ(e.policies.size(), 1u);
  auto problems = federation::ValidateEntry(e, e.short_alias, "entry");
  EXPECT_TRUE(problems.empty()) << problems.front();
  // It reads back as the same entry.
  federation::Problems read_problems;
  auto back = federation::EntryFromJson(nlohmann::ordered_json::parse(federation::PrettyJson(federation::EntryToJson(e))),
                                        "entry", e.short_alias, read_problems);
  EXPECT_TRUE(read_problems.empty());
  EXPECT_TRUE(back == e);
}

TEST(OwnEntry, DefaultsGiveAValidTestnetEntry) {
  config::CoordinatorConfig cfg;  // alias "Local coordinator", dev tax 0.20, no established date
  auto e = federation::BuildOwnEntry(cfg, Facts("regtest"));
  EXPECT_EQ(e.short_alias, "localcoordinator");
  EXPECT_EQ(e.established, "2026-01-02");  // today
  EXPECT_EQ(e.badges.donates_to_dev_fund, 20);
  EXPECT_EQ(federation::OrEmpty(e.testnet.onion), std::string("http://") + kHost);
  EXPECT_EQ(federation::OrEmpty(e.mainnet.onion), "");
  EXPECT_EQ(e.testnet_nodes_pubkeys, std::vector<std::string>{kPubkey});
  EXPECT_TRUE(federation::ValidateEntry(e, e.short_alias, "entry").empty());
}

TEST(OwnEntry, DevTaxShareIsAWholePercentNeverAboveTheSignedShare) {
  config::CoordinatorConfig cfg;
  for (auto [share, percent] : {std::pair{0.0, 0}, {0.125, 12}, {0.199, 19}, {0.2, 20}, {0.29, 29}, {1.0, 100}}) {
    cfg.dev_tax.share = share;
    EXPECT_EQ(federation::BuildOwnEntry(cfg, Facts("mainnet")).badges.donates_to_dev_fund, percent) << share;
  }
}

TEST(OwnEntry, WithoutAnOnionOrUrlTheRulesSayWhy) {
  config::CoordinatorConfig cfg;
  auto facts = Facts("mainnet");
  facts.onion_hostname.clear();
  auto e = federation::BuildOwnEntry(cfg, facts);
  auto problems = federation::ValidateEntry(e, e.short_alias, "entry");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("mainnet: no URL"), std::string::npos) << problems[0];
}

TEST(OwnEntry, ReadsTorsHostnameFile) {
  std::string dir = testsupport::MakeTempDir("own-entry");
  std::ofstream(dir + "/hostname") << kHost << "\n";
  auto host = federation::ReadOnionHostname(dir + "/hostname", "tor.hostname_file");
  ASSERT_TRUE(host.ok()) << host.error();
  EXPECT_EQ(*host, kHost);
  std::ofstream(dir + "/bad") << "example.org\n";
  EXPECT_EQ(federation::ReadOnionHostname(dir + "/bad", "tor.hostname_file").error(),
            "tor.hostname_file: '" + dir + "/bad' does not hold a v3 onion hostname");
  EXPECT_EQ(federation::ReadOnionHostname(dir + "/missing", "tor.hostname_file").error(),
            "tor.hostname_file: cannot read Tor's hostname file '" + dir + "/missing'");
  std::filesystem::remove_all(dir);
}

}  // namespace
