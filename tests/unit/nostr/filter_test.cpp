// NIP-01 filters: each condition, their conjunction, and what a filter may not contain.
#include "coordinator/nostr/filter.h"

#include <gtest/gtest.h>

namespace coordinator::nostr {
namespace {

Event Ev(std::string id, std::string pubkey, int kind, int64_t created_at, Tags tags) {
  Event e;
  e.id = std::move(id);
  e.pubkey = std::move(pubkey);
  e.kind = kind;
  e.created_at = created_at;
  e.tags = std::move(tags);
  return e;
}

const std::string kA(64, 'a'), kB(64, 'b'), kC(64, 'c');

Filter F(const char* json) {
  auto f = ParseFilter(nlohmann::json::parse(json));
  EXPECT_TRUE(f.ok()) << json << ": " << (f.ok() ? "" : f.error());
  return f.ok() ? *f : Filter{};
}

TEST(NostrFilter, EachConditionAndTheirConjunction) {
  Event e = Ev(kA, kB, 38383, 1000, {{"d", "order-1"}, {"s", "pending"}, {"p", kC}});
  EXPECT_TRUE(Matches(F("{}"), e));
  EXPECT_TRUE(Matches(F(("{\"ids\":[\"" + kA + "\"]}").c_str()), e));
  EXPECT_FALSE(Matches(F(("{\"ids\":[\"" + kC + "\"]}").c_str()), e));
  EXPECT_TRUE(Matches(F(("{\"authors\":[\"" + kC + "\",\"" + kB + "\"]}").c_str()), e));
  EXPECT_FALSE(Matches(F(("{\"authors\":[\"" + kA + "\"]}").c_str()), e));
  EXPECT_TRUE(Matches(F("{\"kinds\":[1,38383]}"), e));
  EXPECT_FALSE(Matches(F("{\"kinds\":[31986]}"), e));
  // since and until are inclusive.
  EXPECT_TRUE(Matches(F("{\"since\":1000}"), e));
  EXPECT_FALSE(Matches(F("{\"since\":1001}"), e));
  EXPECT_TRUE(Matches(F("{\"until\":1000}"), e));
  EXPECT_FALSE(Matches(F("{\"until\":999}"), e));
  EXPECT_TRUE(Matches(F("{\"#d\":[\"order-2\",\"order-1\"]}"), e));
  EXPECT_FALSE(Matches(F("{\"#d\":[\"order-2\"]}"), e));
  EXPECT_TRUE(Matches(F(("{\"#p\":[\"" + kC + "\"]}").c_str()), e));
  EXPECT_FALSE(Matches(F("{\"#x\":[\"order-1\"]}"), e));
  // A tag filter reads the first value only.
  EXPECT_FALSE(Matches(F("{\"#s\":[\"s\"]}"), e));
  // All conditions together.
  EXPECT_TRUE(Matches(F(("{\"authors\":[\"" + kB + "\"],\"kinds\":[38383],\"#s\":[\"pending\"],\"since\":900}").c_str()), e));
  EXPECT_FALSE(Matches(F(("{\"authors\":[\"" + kB + "\"],\"kinds\":[38383],\"#s\":[\"success\"],\"since\":900}").c_str()), e));
  // limit does not filter.
  EXPECT_TRUE(Matches(F("{\"limit\":0}"), e));
}

TEST(NostrFilter, TheRoboSatsClientsBookFilterParses) {
  // frontend/src/services/RoboPool/index.ts subscribeBook.
  auto f = F(("{\"authors\":[\"" + kA + "\",\"" + kB + "\"],\"kinds\":[38383],\"since\":1700000000}").c_str());
  ASSERT_TRUE(f.authors);
  EXPECT_EQ(f.authors->size(), 2u);
  EXPECT_EQ(f.since, 1700000000);
}

TEST(NostrFilter, RejectsMalformedFilters) {
  const char* bad[] = {
      "[]",
      "{\"ids\":\"x\"}",
      "{\"ids\":[\"abc\"]}",
      "{\"authors\":[\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"]}",
      "{\"authors\":[1]}",
      "{\"kinds\":[\"1\"]}",
      "{\"kinds\":[-1]}",
      "{\"kinds\":[65536]}",
      "{\"since\":-5}",
      "{\"until\":\"now\"}",
      "{\"limit\":1.5}",
      "{\"#p\":[\"nothex\"]}",
      "{\"#d\":[1]}",
  };
  for (const char* b : bad) EXPECT_FALSE(ParseFilter(nlohmann::json::parse(b)).ok()) << b;
  FilterLimits limits;
  limits.max_values = 2;
  EXPECT_FALSE(ParseFilter(nlohmann::json::parse("{\"kinds\":[1,2,3]}"), limits).ok());
  EXPECT_TRUE(ParseFilter(nlohmann::json::parse("{\"kinds\":[1,2]}"), limits).ok());
  // Unknown keys are ignored.
  EXPECT_TRUE(ParseFilter(nlohmann::json::parse("{\"search\":\"x\",\"#long\":[1]}")).ok());
}

}  // namespace
}  // namespace coordinator::nostr
