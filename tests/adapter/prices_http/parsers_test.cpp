// The providers' parsers on fixture bodies in each provider's format (written from RoboSats'
// api/utils.py get_exchange_rates and the providers' public answers).
#include <gtest/gtest.h>

#include "coordinator/prices/currencies.h"
#include "federation/prices/providers.h"
#include "tests/adapter/prices_http/local_servers.h"

namespace {

using federation::CodeSet;

CodeSet AllCodes() {
  std::vector<std::string> codes = coordinator::CurrencyTable::Bundled().Codes();
  return CodeSet(codes.begin(), codes.end());
}

TEST(ProviderNames, RoundTrip) {
  for (const char* name : {"yadio", "blockchain", "bitpay", "criptoya"}) {
    auto p = federation::ProviderFromName(name);
    ASSERT_TRUE(p) << name;
    EXPECT_EQ(federation::ProviderName(*p), name);
  }
  EXPECT_FALSE(federation::ProviderFromName("coinbase"));
  EXPECT_EQ(federation::DefaultBaseUrl(federation::Provider::kYadio), "https://api.yadio.io");
  EXPECT_EQ(federation::DefaultBaseUrl(federation::Provider::kBlockchain), "https://blockchain.info");
  EXPECT_EQ(federation::DefaultBaseUrl(federation::Provider::kBitpay), "https://bitpay.com");
  EXPECT_EQ(federation::DefaultBaseUrl(federation::Provider::kCriptoya), "https://criptoya.com");
}

TEST(ParseYadio, ReadsTheBtcObject) {
  auto rates = federation::ParseYadio(pricetest::Fixture("yadio_exrates_btc.json"), AllCodes());
  ASSERT_TRUE(rates.ok()) << rates.error();
  EXPECT_EQ(rates->find("USD")->second, 96980.5);
  EXPECT_EQ(rates->find("EUR")->second, 92080.55);
  EXPECT_EQ(rates->find("VES")->second, 5043000.8);
  EXPECT_EQ(rates->find("XAU")->second, 36.59);
  EXPECT_EQ(rates->count("ZZZ"), 0u);  // not one of our currencies
  EXPECT_EQ(rates->count("XYZ"), 0u);
  EXPECT_EQ(rates->count("NGN"), 0u);  // 0 is no price
  EXPECT_EQ(rates->size(), 18u);
}

TEST(ParseYadio, KeepsOnlyWantedCodes) {
  auto rates =
      federation::ParseYadio(pricetest::Fixture("yadio_exrates_btc.json"), CodeSet{"USD", "JPY", "KRW"});
  ASSERT_TRUE(rates.ok()) << rates.error();
  EXPECT_EQ(rates->size(), 2u);
  EXPECT_EQ(rates->find("JPY")->second, 15020000);
}

TEST(ParseYadio, Failures) {
  for (auto [body, reason] : std::vector<std::pair<std::string, std::string>>{
           {"<html>rate limited</html>", "body is not JSON"},
           {R"({"USD": 97000})", "no \"BTC\" object"},
           {R"({"BTC": 1})", "no \"BTC\" object"},
           {"[]", "no \"BTC\" object"},
           {R"({"BTC": {"USD": -1, "EUR": null}})", "no usable price"}}) {
    auto rates = federation::ParseYadio(body, AllCodes());
    ASSERT_FALSE(rates.ok()) << body;
    EXPECT_NE(rates.error().find(reason), std::string::npos) << body << " → " << rates.error();
  }
}

TEST(ParseBlockchain, ReadsLastAndSkipsArs) {
  auto rates = federation::ParseBlockchain(pricetest::Fixture("blockchain_ticker.json"), AllCodes());
  ASSERT_TRUE(rates.ok()) << rates.error();
  EXPECT_EQ(rates->find("USD")->second, 97010.5);  // "last", not "15m"
  EXPECT_EQ(rates->find("EUR")->second, 92111.2);
  EXPECT_EQ(rates->find("TWD")->second, 3181500.0);
  EXPECT_EQ(rates->count("ARS"), 0u);  // RoboSats: "estimated wrongly"
  EXPECT_EQ(rates->size(), 11u);
}

TEST(ParseBlockchain, Failures) {
  for (auto [body, reason] : std::vector<std::pair<std::string, std::string>>{
           {"", "body is not JSON"},
           {"[1,2]", "expected a JSON object"},
           {R"({"USD": {"15m": 97000}})", "no usable price"},
           {R"({"ARS": {"last": 97000000}})", "no usable price"}}) {
    auto rates = federation::ParseBlockchain(body, AllCodes());
    ASSERT_FALSE(rates.ok()) << body;
    EXPECT_NE(rates.error().find(reason), std::string::npos) << body << " → " << rates.error();
  }
}

TEST(ParseBitpay, ReadsTheV2DataList) {
  auto rates = federation::ParseBitpay(pricetest::Fixture("bitpay_rates_btc_v2.json"), AllCodes());
  ASSERT_TRUE(rates.ok()) << rates.error();
  EXPECT_EQ(rates->find("USD")->second, 96990.12);
  EXPECT_EQ(rates->find("ARS")->second, 116500000.25);
  EXPECT_EQ(rates->find("XAU")->second, 36.61);
  EXPECT_EQ(rates->find("BTC")->second, 1);
  EXPECT_EQ(rates->count("BCH"), 0u);
  EXPECT_EQ(rates->count("ETH"), 0u);
  EXPECT_EQ(rates->size(), 9u);
}

TEST(ParseBitpay, ReadsTheLegacyArray) {
  auto rates = federation::ParseBitpay(pricetest::Fixture("bitpay_api_rates.json"), AllCodes());
  ASSERT_TRUE(rates.ok()) << rates.error();
  EXPECT_EQ(rates->find("USD")->second, 96995.5);
  EXPECT_EQ(rates->size(), 3u);
}

TEST(ParseBitpay, Failures) {
  for (auto [body, reason] : std::vector<std::pair<std::string, std::string>>{
           {"{", "body is not JSON"},
           {R"({"error": "rate limited"})", "no \"data\" list"},
           {R"({"data": {"USD": 1}})", "expected a list"},
           {R"({"data": [{"code": "USD"}, {"rate": 5}, 7]})", "no usable price"}}) {
    auto rates = federation::ParseBitpay(body, AllCodes());
    ASSERT_FALSE(rates.ok()) << body;
    EXPECT_NE(rates.error().find(reason), std::string::npos) << body << " → " << rates.error();
  }
}

TEST(ParseCriptoya, MedianOfAsksOverTwoSidedExchangesToTheCent) {
  // Asks of exchanges quoting both sides: 117900000, 117512345.678, 117300000, 118200000
  // (satoshitango quotes 0/0 and is left out) → median 117706172.839 → 117706172.84.
  auto ars = federation::ParseCriptoya(pricetest::Fixture("criptoya_btc_ars.json"));
  ASSERT_TRUE(ars.ok()) << ars.error();
  EXPECT_DOUBLE_EQ(*ars, 117706172.84);
  auto usd = federation::ParseCriptoya(pricetest::Fixture("criptoya_btc_usd.json"));
  ASSERT_TRUE(usd.ok()) << usd.error();
  EXPECT_DOUBLE_EQ(*usd, 98000.38);
}

TEST(ParseCriptoya, Failures) {
  for (auto [body, reason] : std::vector<std::pair<std::string, std::string>>{
           {"nope", "body is not JSON"},
           {"[]", "expected a JSON object"},
           {R"({"a": {"ask": 100, "bid": 0}})", "no exchange quotes both"},
           {R"({"a": {"ask": 100}, "b": 5})", "no exchange quotes both"}}) {
    auto price = federation::ParseCriptoya(body);
    ASSERT_FALSE(price.ok()) << body;
    EXPECT_NE(price.error().find(reason), std::string::npos) << body << " → " << price.error();
  }
  // One exchange without a bid does not spoil the others.
  auto price = federation::ParseCriptoya(R"({"a": {"ask": 100}, "b": {"ask": 200, "bid": 190}})");
  ASSERT_TRUE(price.ok());
  EXPECT_EQ(*price, 200);
}

}  // namespace
