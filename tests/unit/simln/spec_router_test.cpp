// The network YAML and the pure router.
#include "tests/support/test_support.h"
#include <gtest/gtest.h>

#include <filesystem>

#include "escrow/simln/network.h"
#include "escrow/simln/router.h"

namespace escrow::simln {
namespace {

std::string SourcePath(const std::string& relative) {
  // tests/unit/simln/<this file> → repository root.
  return (std::filesystem::path(testsupport::SourceDirOf(__FILE__)) / "../../.." / relative).lexically_normal().string();
}

TEST(SimlnSpec, ParsesTheCommentedExampleNetwork) {
  auto spec = LoadNetworkSpec(SourcePath("escrow/simln/example-network.yaml"));
  ASSERT_TRUE(spec.ok()) << spec.error();
  EXPECT_EQ(spec->network, "regtest");
  EXPECT_EQ(spec->start_height, 800000u);
  EXPECT_EQ(spec->block_interval_seconds, 600);
  ASSERT_EQ(spec->nodes.size(), 5u);
  EXPECT_EQ(spec->nodes[2].name, "bob");
  EXPECT_EQ(spec->nodes[2].seed, "bob's own seed");
  EXPECT_EQ(spec->nodes[3].name, "carol");  // bare-name form
  ASSERT_EQ(spec->channels.size(), 4u);
  EXPECT_EQ(spec->channels[0].a_balance_sat, 10'000'000);
  EXPECT_EQ(spec->channels[0].base_fee_msat, 1000);  // default
  EXPECT_EQ(spec->channels[2].fee_rate_ppm, 100);
  EXPECT_EQ(spec->channels[2].cltv_delta, 144u);
}

TEST(SimlnSpec, ErrorsNameTheOffendingKey) {
  struct Case {
    const char* yaml;
    const char* expected;
  } cases[] = {
      {"nodes: [alice]\nchannels:\n  - {node_a: alice, node_b: erin}\n",
       "channels[0].node_b: unknown node 'erin'"},
      {"nodes:\n  - name: alice\n    colour: red\n", "nodes[0].colour: unknown key"},
      {"start_height: tall\n", "start_height: invalid value 'tall'"},
      {"nodes: [alice, alice]\n", "nodes[1].name: duplicate node 'alice'"},
      {"nodes: [Alice]\n", "nodes[0].name: 'Alice' is not [a-z0-9_-]{1,64}"},
      {"network: moon\n", "network: unknown network 'moon'"},
      {"nodes: [a, b]\nchannels:\n  - {node_a: a, node_b: b, fee_rate_ppm: 2000000}\n",
       "channels[0].fee_rate_ppm: out of range"},
      {"nodes: [a]\nchannels:\n  - {node_a: a, node_b: a}\n",
       "channels[0].node_b: a channel needs two distinct nodes"},
      {"nodes: {alice: 1}\n", "nodes: expected a list"},
      {"block_interval_seconds: 0\n", "block_interval_seconds: must be > 0"},
      {"nodes: [\n", "yaml: "},
  };
  for (const Case& c : cases) {
    auto spec = ParseNetworkSpec(c.yaml);
    ASSERT_FALSE(spec.ok()) << c.yaml;
    EXPECT_NE(spec.error().find(c.expected), std::string::npos) << spec.error() << " — wanted " << c.expected;
  }
}

TEST(SimlnSpec, LoadNamesAMissingFile) {
  auto spec = LoadNetworkSpec("/nonexistent/net.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.error().find("/nonexistent/net.yaml"), std::string::npos);
}

TEST(SimlnSpec, FailureModeNamesRoundTrip) {
  for (FailureMode m : {FailureMode::kNone, FailureMode::kNoRoute, FailureMode::kInsufficientBalance,
                        FailureMode::kTimeout, FailureMode::kOffline, FailureMode::kSlowReplies}) {
    auto back = FailureModeFromName(FailureModeName(m));
    ASSERT_TRUE(back.has_value()) << FailureModeName(m);
    EXPECT_EQ(*back, m);
  }
  EXPECT_STREQ(FailureModeName(FailureMode::kOffline), "OFFLINE");
  EXPECT_FALSE(FailureModeFromName("offline").has_value());
}

// --- Router ------------------------------------------------------------------------------------

GraphEdge Edge(uint64_t id, int from, int to, int64_t spendable, int64_t base = 1000, int64_t ppm = 1,
               uint32_t cltv = 40) {
  return GraphEdge{id, from, to, 0, spendable, base, ppm, cltv};
}

TEST(SimlnRouter, ForwardingFeeFollowsBolt7) {
  EXPECT_EQ(ForwardingFee(1000, 1, 1'000'000), 1001);
  EXPECT_EQ(ForwardingFee(1000, 1, 999'999), 1000);  // rounded down
  EXPECT_EQ(ForwardingFee(0, 250, 4'000'000), 1000);
  // 2.1e18 msat × 1e6 ppm would overflow int64 if multiplied naively.
  EXPECT_EQ(ForwardingFee(0, 1'000'000, 2'100'000'000'000'000'000), 2'100'000'000'000'000'000);
}

TEST(SimlnRouter, PicksTheCheapestRouteNotTheShortest) {
  // 0 → 1 → 3 has fewer hops but 1 charges 50 000 msat; 0 → 2 → 4 → 3 costs 100 + 100.
  std::vector<GraphEdge> edges = {
      Edge(1, 0, 1, 10'000'000),         Edge(2, 1, 3, 10'000'000, 50'000, 0), Edge(3, 0, 2, 10'000'000),
      Edge(4, 2, 4, 10'000'000, 100, 0), Edge(5, 4, 3, 10'000'000, 100, 0),
  };
  auto route = FindCheapestRoute(5, edges, RouteRequest{0, 3, 1'000'000, 1'000'000, 40, 100});
  ASSERT_TRUE(route.has_value());
  ASSERT_EQ(route->hops.size(), 3u);
  EXPECT_EQ(route->hops[0].chan_id, 3u);
  EXPECT_EQ(route->hops[1].chan_id, 4u);
  EXPECT_EQ(route->hops[2].chan_id, 5u);
  EXPECT_EQ(route->fee_msat, 200);
  // Amounts: the last hop carries the payment, each earlier hop adds the next forwarder's fee.
  EXPECT_EQ(route->hops[2].amt_msat, 1'000'000);
  EXPECT_EQ(route->hops[1].amt_msat, 1'000'100);
  EXPECT_EQ(route->hops[0].amt_msat, 1'000'200);
}

TEST(SimlnRouter, CltvAddsEachForwardersDeltaToTheFinalDelta) {
  std::vector<GraphEdge> edges = {Edge(1, 0, 1, 10'000'000, 0, 0, 10), Edge(2, 1, 2, 10'000'000, 0, 0, 30),
                                  Edge(3, 2, 3, 10'000'000, 0, 0, 144)};
  auto route = FindCheapestRoute(4, edges, RouteRequest{0, 3, 5000, 0, 18, 1000});
  ASSERT_TRUE(route.has_value());
  ASSERT_EQ(route->hops.size(), 3u);
  EXPECT_EQ(route->hops[2].expiry_height, 1000u + 18);             // into the destination
  EXPECT_EQ(route->hops[1].expiry_height, 1000u + 18 + 144);       // node 2 forwards over chan 3
  EXPECT_EQ(route->hops[0].expiry_height, 1000u + 18 + 144 + 30);  // node 1 forwards over chan 2
  EXPECT_EQ(route->total_time_lock, route->hops[0].expiry_height);
}

TEST(SimlnRouter, EveryHopNeedsTheBalanceForItsOwnAmount) {
  // The second hop could carry 1 000 000 but not 1 000 000 + fees on the first hop.
  std::vector<GraphEdge> edges = {Edge(1, 0, 1, 1'000'500), Edge(2, 1, 2, 1'000'000)};
  EXPECT_FALSE(FindCheapestRoute(3, edges, RouteRequest{0, 2, 1'000'000, 1'000'000, 40, 0}).has_value());
  edges[0].spendable_msat = 1'001'001;  // 1000 base + 1 ppm of 1 000 000
  EXPECT_TRUE(FindCheapestRoute(3, edges, RouteRequest{0, 2, 1'000'000, 1'000'000, 40, 0}).has_value());
  edges[1].spendable_msat = 999'999;
  EXPECT_FALSE(FindCheapestRoute(3, edges, RouteRequest{0, 2, 1'000'000, 1'000'000, 40, 0}).has_value());
}

TEST(SimlnRouter, FeeLimitExcludesDearerRoutes) {
  std::vector<GraphEdge> edges = {Edge(1, 0, 1, 10'000'000), Edge(2, 1, 2, 10'000'000)};
  EXPECT_FALSE(FindCheapestRoute(3, edges, RouteRequest{0, 2, 1'000'000, 1000, 40, 0}).has_value());
  EXPECT_TRUE(FindCheapestRoute(3, edges, RouteRequest{0, 2, 1'000'000, 1001, 40, 0}).has_value());
  // A direct channel costs nothing: fee limit 0 is enough.
  auto direct = FindCheapestRoute(3, edges, RouteRequest{0, 1, 1'000'000, 0, 40, 0});
  ASSERT_TRUE(direct.has_value());
  EXPECT_EQ(direct->fee_msat, 0);
}

TEST(SimlnRouter, NoRouteToSelfOrToAnUnconnectedNode) {
  std::vector<GraphEdge> edges = {Edge(1, 0, 1, 10'000'000)};
  EXPECT_FALSE(FindCheapestRoute(3, edges, RouteRequest{0, 0, 1000, 0, 40, 0}).has_value());
  EXPECT_FALSE(FindCheapestRoute(3, edges, RouteRequest{0, 2, 1000, 0, 40, 0}).has_value());
  // Edges are directed: 1 cannot pay 0 over an edge that only goes 0 → 1.
  EXPECT_FALSE(FindCheapestRoute(3, edges, RouteRequest{1, 0, 1000, 0, 40, 0}).has_value());
}

}  // namespace
}  // namespace escrow::simln
