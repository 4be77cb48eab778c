// The signed info event (Mostro's kind-38385 shape) from /api/info/'s parameters.
#include "coordinator/nostr/info_event.h"

#include <gtest/gtest.h>

namespace coordinator::nostr {
namespace {

nlohmann::json Info() {
  return {{"version", {{"major", 0}, {"minor", 8}, {"patch", 6}}},
          {"robosats_running_commit_hash", "abc"},
          {"maker_fee", 0.00025},
          {"taker_fee", 0.00175},
          {"bond_size", 3.0},
          {"min_order_size", 20000},
          {"max_order_size", 5000000},
          {"dispute_resolution_hours", 48},
          {"network", "mainnet"},
          {"node_id", "02abc"},
          {"node_alias", "coord"},
          {"lnd_version", "0.18.0"},
          {"num_public_buy_orders", 3},  // live statistics: not parameters
          {"last_day_volume", 0.5}};
}

TEST(InfoEvent, CarriesTheInfoParametersAsTagsAndContent) {
  auto key = escrow::crypto::Signer::FromSeed("info");
  const std::string pub = escrow::crypto::ToHex(escrow::crypto::Hash32{key.XOnlyPublicKey()});
  Event e = InfoEvent(Info(), pub, "Local Coord", "abc.onion", 1700000000);
  Sign(e, key);
  EXPECT_TRUE(Verify(e).ok());
  EXPECT_EQ(e.kind, 38385);
  EXPECT_EQ(TagValue(e, "d"), pub);
  EXPECT_EQ(TagValue(e, "version"), "0.8.6");
  EXPECT_EQ(TagValue(e, "commit_hash"), "abc");
  EXPECT_EQ(TagValue(e, "maker_fee"), "0.00025");
  EXPECT_EQ(TagValue(e, "max_order_size"), "5000000");
  EXPECT_EQ(TagValue(e, "network"), "mainnet");
  EXPECT_EQ(TagValue(e, "node_id"), "02abc");
  EXPECT_EQ(TagValue(e, "host"), "abc.onion");
  EXPECT_EQ(TagValue(e, "z"), "info");
  EXPECT_EQ(e.tags[e.tags.size() - 2], (Tag{"y", "robosats", "local coord"}));
  auto content = nlohmann::json::parse(e.content);
  EXPECT_EQ(content, InfoParameters(Info()));
  EXPECT_FALSE(content.contains("num_public_buy_orders"));
}

TEST(InfoEvent, StatisticsDoNotChangeTheParameters) {
  auto a = Info();
  auto b = Info();
  b["num_public_buy_orders"] = 7;
  b["last_day_volume"] = 2.0;
  EXPECT_EQ(InfoParameters(a), InfoParameters(b));
  b["taker_fee"] = 0.002;
  EXPECT_NE(InfoParameters(a), InfoParameters(b));
}

}  // namespace
}  // namespace coordinator::nostr
