#include "coordinator/prices/currencies.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "coordinator/prices/bundled_data.h"
#include "tests/support/test_support.h"

namespace {

TEST(CurrencyTable, BundledTableIsTheRoboSatsFixture) {
  auto fixture = coordinator::CurrencyTable::Parse(
      testsupport::ReadFile(testsupport::FixturePath("robosats/currencies.json")));
  ASSERT_TRUE(fixture.ok()) << fixture.error();
  const coordinator::CurrencyTable& bundled = coordinator::CurrencyTable::Bundled();
  EXPECT_EQ(bundled.ById(), fixture->ById());
  EXPECT_EQ(bundled.size(), 80u);
}

TEST(CurrencyTable, MapsBothWays) {
  const coordinator::CurrencyTable& t = coordinator::CurrencyTable::Bundled();
  EXPECT_EQ(t.Code(1), "USD");
  EXPECT_EQ(t.Code(2), "EUR");
  EXPECT_EQ(t.Code(300), "XAU");
  EXPECT_EQ(t.Code(1000), "BTC");
  EXPECT_EQ(t.Code(0), std::nullopt);
  EXPECT_EQ(t.Code(999), std::nullopt);
  EXPECT_EQ(t.Id("USD"), 1);
  EXPECT_EQ(t.Id("UZS"), 78);
  EXPECT_EQ(t.Id("usd"), std::nullopt);
  EXPECT_EQ(t.Id("XXX"), std::nullopt);
  std::vector<std::string> codes = t.Codes();
  ASSERT_EQ(codes.size(), 80u);
  EXPECT_EQ(codes.front(), "USD");  // id order
  EXPECT_EQ(codes.back(), "BTC");
}

TEST(CurrencyTable, RejectsBadDocuments) {
  struct Case {
    const char* json;
    const char* reason;
  };
  for (const Case& c : {Case{"[1]", "expected a JSON object"}, Case{"{", "not valid JSON"},
                        Case{R"({"x": "USD"})", "id 'x' is not a positive integer"},
                        Case{R"({"0": "USD"})", "id '0' is not a positive integer"},
                        Case{R"({"-1": "USD"})", "is not a positive integer"},
                        Case{R"({"1": "usd"})", "id 1 has no valid currency code"},
                        Case{R"({"1": 5})", "id 1 has no valid currency code"},
                        Case{R"({"1": "USD", "2": "USD"})", "code USD listed twice"}}) {
    auto parsed = coordinator::CurrencyTable::Parse(c.json);
    ASSERT_FALSE(parsed.ok()) << c.json;
    EXPECT_NE(parsed.error().find(c.reason), std::string::npos) << c.json << " → " << parsed.error();
  }
}

TEST(CurrencyTable, CodeShape) {
  EXPECT_TRUE(coordinator::IsCurrencyCode("USD"));
  EXPECT_TRUE(coordinator::IsCurrencyCode("USDT"));
  EXPECT_FALSE(coordinator::IsCurrencyCode("US"));
  EXPECT_FALSE(coordinator::IsCurrencyCode("USDTX"));
  EXPECT_FALSE(coordinator::IsCurrencyCode("Usd"));
  EXPECT_FALSE(coordinator::IsCurrencyCode("U$D"));
}

}  // namespace
