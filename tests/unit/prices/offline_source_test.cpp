#include "coordinator/prices/offline_source.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "coordinator/prices/bundled_data.h"
#include "coordinator/prices/currencies.h"
#include "tests/support/test_support.h"

namespace {

namespace fs = std::filesystem;

std::string ExampleRatesPath() {
  return (fs::path(testsupport::SourceDirOf(__FILE__)) / "../../../coordinator/prices/rates.example.json")
      .lexically_normal()
      .string();
}

TEST(OfflinePriceSource, BundledTableIsTheExampleFile) {
  EXPECT_EQ(coordinator::BundledRatesJson(), testsupport::ReadFile(ExampleRatesPath()));
}

TEST(OfflinePriceSource, BundledTableCoversEveryCurrency) {
  base::ManualClock clock;
  coordinator::OfflinePriceSource source("", clock);
  EXPECT_EQ(source.Name(), "offline");
  auto table = source.Fetch();
  ASSERT_TRUE(table.ok()) << table.error();
  EXPECT_EQ(table->fetched_at, clock.Now());
  for (const std::string& code : coordinator::CurrencyTable::Bundled().Codes()) {
    EXPECT_TRUE(table->prices.count(code)) << code;
  }
  EXPECT_EQ(table->prices.size(), coordinator::CurrencyTable::Bundled().size());  // nothing else
  auto price = [&](const char* code) { return table->prices.find(code)->second; };
  EXPECT_EQ(price("BTC"), 1.0);
  EXPECT_EQ(price("USD"), 97000.0);
  // Plausible: EUR and GBP a bit under USD, JPY two orders above, gold tens of ounces.
  EXPECT_LT(price("EUR"), price("USD"));
  EXPECT_GT(price("EUR"), price("USD") * 0.8);
  EXPECT_GT(price("JPY"), price("USD") * 100);
  EXPECT_GT(price("XAU"), 10);
  EXPECT_LT(price("XAU"), 100);
}

TEST(OfflinePriceSource, ReadsTheFileOnEveryFetch) {
  std::string dir = testsupport::MakeTempDir("offline-rates");
  std::string path = dir + "/rates.json";
  std::ofstream(path) << R"({"USD": 50000, "EUR": 45000.5})";
  base::ManualClock clock;
  coordinator::OfflinePriceSource source(path, clock);
  auto first = source.Fetch();
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(first->prices.size(), 3u);  // + BTC
  EXPECT_EQ(first->prices.find("EUR")->second, 45000.5);
  EXPECT_EQ(first->prices.find("BTC")->second, 1.0);

  std::ofstream(path, std::ios::trunc) << R"({"USD": 60000})";
  clock.Advance(std::chrono::seconds(60));
  auto second = source.Fetch();
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(second->prices.find("USD")->second, 60000);
  EXPECT_EQ(second->fetched_at, clock.Now());

  std::ofstream(path, std::ios::trunc) << R"({"USD": "a lot"})";
  auto third = source.Fetch();
  ASSERT_FALSE(third.ok());
  EXPECT_NE(third.error().find(path), std::string::npos) << third.error();
  EXPECT_NE(third.error().find("USD: expected a number"), std::string::npos) << third.error();

  fs::remove_all(dir);
  auto gone = source.Fetch();
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.error().find("cannot be read"), std::string::npos) << gone.error();
}

TEST(ParseRatesJson, RejectsBadDocuments) {
  struct Case {
    const char* json;
    const char* reason;
  };
  for (const Case& c : {Case{"", "not valid JSON"}, Case{"[97000]", "expected a JSON object"},
                        Case{R"({"usd": 1})", "'usd' is not a currency code"},
                        Case{R"({"USD": null})", "USD: expected a number"},
                        Case{R"({"USD": 0})", "USD: price must be positive"},
                        Case{R"({"USD": -5})", "USD: price must be positive"},
                        Case{R"({"BTC": 2})", "BTC: the price of BTC in BTC must be 1"}}) {
    auto parsed = coordinator::ParseRatesJson(c.json);
    ASSERT_FALSE(parsed.ok()) << c.json;
    EXPECT_NE(parsed.error().find(c.reason), std::string::npos) << c.json << " → " << parsed.error();
  }
  auto empty = coordinator::ParseRatesJson("{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->size(), 1u);  // just BTC
}

}  // namespace
