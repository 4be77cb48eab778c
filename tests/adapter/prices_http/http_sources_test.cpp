// The HTTP price sources against a local server on 127.0.0.1 serving fixture bodies, and
// through a local SOCKS5 proxy.
#include <gtest/gtest.h>

#include <cstdlib>

#include "federation/prices/http_get.h"
#include "federation/prices/http_price_source.h"
#include "tests/adapter/prices_http/local_servers.h"

namespace {

using federation::Provider;
using pricetest::Fixture;
using pricetest::LocalHttpServer;

std::unique_ptr<coordinator::PriceSource> Source(Provider provider, const std::string& base_url,
                                                 const base::Clock& clock, std::string proxy = "",
                                                 std::vector<std::string> currencies = {}) {
  federation::HttpPriceSourceOptions o;
  o.provider = provider;
  o.base_url = base_url;
  o.proxy = std::move(proxy);
  o.timeout = std::chrono::seconds(20);
  o.currencies = std::move(currencies);
  auto source = federation::MakeHttpPriceSource(std::move(o), clock);
  EXPECT_TRUE(source.ok()) << source.error();
  return source.ok() ? std::move(source).value() : nullptr;
}

class HttpSourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_server.Route("/exrates/BTC", {200, Fixture("yadio_exrates_btc.json")});
    m_server.Route("/ticker", {200, Fixture("blockchain_ticker.json")});
    m_server.Route("/rates/BTC", {200, Fixture("bitpay_rates_btc_v2.json")});
    m_server.Route("/api/btc/ARS", {200, Fixture("criptoya_btc_ars.json")});
    m_server.Route("/api/btc/USD", {200, Fixture("criptoya_btc_usd.json")});
    m_server.Route("/api/btc/BRL", {500, "oops"});
  }

  base::ManualClock m_clock;
  LocalHttpServer m_server;
};

TEST_F(HttpSourcesTest, Yadio) {
  auto source = Source(Provider::kYadio, m_server.BaseUrl(), m_clock);
  EXPECT_EQ(source->Name(), "yadio");
  auto table = source->Fetch();
  ASSERT_TRUE(table.ok()) << table.error();
  EXPECT_EQ(table->prices.find("USD")->second, 96980.5);
  EXPECT_EQ(table->prices.find("BTC")->second, 1);
  EXPECT_EQ(table->fetched_at, m_clock.Now());
  ASSERT_EQ(m_server.Requests().size(), 1u);
  EXPECT_EQ(m_server.Requests()[0].method, "GET");
  EXPECT_EQ(m_server.Requests()[0].path, "/exrates/BTC");
}

TEST_F(HttpSourcesTest, Blockchain) {
  auto table = Source(Provider::kBlockchain, m_server.BaseUrl() + "/", m_clock)->Fetch();
  ASSERT_TRUE(table.ok()) << table.error();
  EXPECT_EQ(table->prices.find("USD")->second, 97010.5);
  EXPECT_EQ(table->prices.count("ARS"), 0u);
  EXPECT_EQ(m_server.Requests().at(0).path, "/ticker");  // no double slash from the base's "/"
}

TEST_F(HttpSourcesTest, BitpaySendsTheVersionHeader) {
  auto table = Source(Provider::kBitpay, m_server.BaseUrl(), m_clock)->Fetch();
  ASSERT_TRUE(table.ok()) << table.error();
  EXPECT_EQ(table->prices.find("EUR")->second, 92099.8);
  auto request = m_server.Requests().at(0);
  EXPECT_EQ(request.path, "/rates/BTC");
  auto version = request.headers.find("x-accept-version");
  ASSERT_NE(version, request.headers.end());
  EXPECT_EQ(version->second, "2.0.0");
}

TEST_F(HttpSourcesTest, CriptoyaAsksOncePerSupportedWantedCurrency) {
  auto source =
      Source(Provider::kCriptoya, m_server.BaseUrl(), m_clock, "", {"USD", "EUR", "ARS", "BRL", "VES"});
  auto table = source->Fetch();
  ASSERT_TRUE(table.ok()) << table.error();
  EXPECT_DOUBLE_EQ(table->prices.find("ARS")->second, 117706172.84);
  EXPECT_DOUBLE_EQ(table->prices.find("USD")->second, 98000.38);
  EXPECT_EQ(table->prices.count("BRL"), 0u);  // HTTP 500: skipped, the others still count
  EXPECT_EQ(table->prices.count("VES"), 0u);  // 404
  EXPECT_EQ(table->prices.size(), 3u);        // + BTC
  std::vector<std::string> paths;
  for (const auto& r : m_server.Requests()) paths.push_back(r.path);
  // In RoboSats' order of criptoya currencies; EUR is not one of them.
  EXPECT_EQ(paths,
            (std::vector<std::string>{"/api/btc/ARS", "/api/btc/BRL", "/api/btc/USD", "/api/btc/VES"}));
}

TEST_F(HttpSourcesTest, WantedCurrenciesFilterTheTable) {
  auto table = Source(Provider::kYadio, m_server.BaseUrl(), m_clock, "", {"USD", "EUR"})->Fetch();
  ASSERT_TRUE(table.ok()) << table.error();
  EXPECT_EQ(table->prices.size(), 3u);
}

TEST_F(HttpSourcesTest, HttpErrorsAndBadBodies) {
  LocalHttpServer bad;
  bad.Route("/exrates/BTC", {503, R"({"error": "maintenance"})"});
  bad.Route("/ticker", {200, "<html>Just a moment...</html>"});
  bad.Route("/rates/BTC", {200, R"({"data": []})"});

  auto yadio = Source(Provider::kYadio, bad.BaseUrl(), m_clock)->Fetch();
  ASSERT_FALSE(yadio.ok());
  EXPECT_NE(yadio.error().find("yadio: GET " + bad.BaseUrl() + "/exrates/BTC: HTTP 503"), std::string::npos)
      << yadio.error();

  auto blockchain = Source(Provider::kBlockchain, bad.BaseUrl(), m_clock)->Fetch();
  ASSERT_FALSE(blockchain.ok());
  EXPECT_NE(blockchain.error().find("blockchain: body is not JSON"), std::string::npos) << blockchain.error();

  auto bitpay = Source(Provider::kBitpay, bad.BaseUrl(), m_clock)->Fetch();
  ASSERT_FALSE(bitpay.ok());
  EXPECT_NE(bitpay.error().find("bitpay: no usable price"), std::string::npos) << bitpay.error();

  auto criptoya = Source(Provider::kCriptoya, bad.BaseUrl(), m_clock, "", {"ARS"})->Fetch();
  ASSERT_FALSE(criptoya.ok());
  EXPECT_NE(criptoya.error().find("criptoya: ARS: GET " + bad.BaseUrl() + "/api/btc/ARS: HTTP 404"),
            std::string::npos)
      << criptoya.error();
}

TEST_F(HttpSourcesTest, UnreachableServer) {
  std::string base_url;
  {
    LocalHttpServer gone;
    base_url = gone.BaseUrl();
  }  // closed: connections are refused now
  auto table = Source(Provider::kYadio, base_url, m_clock)->Fetch();
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.error().find("yadio: GET " + base_url + "/exrates/BTC: "), std::string::npos)
      << table.error();
}

TEST_F(HttpSourcesTest, NonSocks5hProxiesAreRefused) {
  for (const char* proxy :
       {"socks5://127.0.0.1:9050", "http://127.0.0.1:8118", "https://127.0.0.1:8118",
        "socks4a://127.0.0.1:9050", "127.0.0.1:9050", "socks5h://", "socks5h://127.0.0.1"}) {
    federation::HttpPriceSourceOptions o;
    o.provider = Provider::kYadio;
    o.base_url = m_server.BaseUrl();
    o.proxy = proxy;
    auto source = federation::MakeHttpPriceSource(std::move(o), m_clock);
    ASSERT_FALSE(source.ok()) << proxy;
    EXPECT_NE(source.error().find("refused"), std::string::npos) << source.error();

    // The low-level GET refuses it too, before any connection.
    federation::HttpGetOptions get;
    get.proxy = proxy;
    auto response = federation::HttpGet(m_server.BaseUrl() + "/exrates/BTC", get);
    ASSERT_FALSE(response.ok()) << proxy;
    EXPECT_NE(response.error().find("refused"), std::string::npos) << response.error();
  }
  EXPECT_TRUE(m_server.Requests().empty());
  auto many = federation::MakeHttpPriceSources({"yadio", "bitpay"}, "socks5://127.0.0.1:9050",
                                               std::chrono::seconds(5), m_clock);
  ASSERT_FALSE(many.ok());
  EXPECT_NE(many.error().find("only socks5h://"), std::string::npos) << many.error();
}

TEST_F(HttpSourcesTest, NamesAreResolvedByTheSocks5hProxy) {
  pricetest::LocalSocks5Proxy proxy;
  // ".invalid" never resolves (RFC 2606): only the proxy can make sense of it.
  std::string base_url = "http://prices.invalid:" + std::to_string(m_server.port());
  auto source = Source(Provider::kYadio, base_url, m_clock, proxy.Url());
  auto table = source->Fetch();
  ASSERT_TRUE(table.ok()) << table.error();
  EXPECT_EQ(table->prices.find("USD")->second, 96980.5);
  EXPECT_EQ(proxy.Destinations(),
            (std::vector<std::string>{"domain:prices.invalid:" + std::to_string(m_server.port())}));
  EXPECT_EQ(m_server.Requests().size(), 1u);
}

TEST_F(HttpSourcesTest, ProxyEnvironmentIsIgnoredWhenNoProxyIsConfigured) {
  // A direct source must stay direct, whatever the environment says.
  ::setenv("http_proxy", "http://127.0.0.1:1", 1);
  ::setenv("ALL_PROXY", "http://127.0.0.1:1", 1);
  auto table = Source(Provider::kYadio, m_server.BaseUrl(), m_clock)->Fetch();
  ::unsetenv("http_proxy");
  ::unsetenv("ALL_PROXY");
  ASSERT_TRUE(table.ok()) << table.error();
}

TEST_F(HttpSourcesTest, BodyCapAndTimeout) {
  federation::HttpGetOptions small;
  small.max_body_bytes = 100;
  auto big = federation::HttpGet(m_server.BaseUrl() + "/ticker", small);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().find("body larger than 100 bytes"), std::string::npos) << big.error();

  m_server.Route("/slow", {200, "{}", /*hold=*/true});
  federation::HttpGetOptions quick;
  quick.timeout = std::chrono::milliseconds(200);
  auto slow = federation::HttpGet(m_server.BaseUrl() + "/slow", quick);
  ASSERT_FALSE(slow.ok());
  EXPECT_NE(slow.error().find("timed out"), std::string::npos) << slow.error();
}

TEST_F(HttpSourcesTest, InterruptAbortsAnInFlightFetch) {
  m_server.Route("/exrates/BTC", {200, Fixture("yadio_exrates_btc.json"), /*hold=*/true});
  auto source = Source(Provider::kYadio, m_server.BaseUrl(), m_clock);
  base::Expected<coordinator::PriceTable, std::string> result = base::Err(std::string("not run"));
  std::thread fetching([&] { result = source->Fetch(); });
  ASSERT_TRUE(pricetest::WaitUntil([&] { return m_server.HeldCount() == 1; }));
  source->Interrupt();
  fetching.join();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("interrupted"), std::string::npos) << result.error();
  auto again = source->Fetch();  // interrupted for good
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().find("interrupted"), std::string::npos) << again.error();
}

TEST_F(HttpSourcesTest, MakeHttpPriceSourcesByName) {
  auto sources = federation::MakeHttpPriceSources({"yadio", "blockchain", "bitpay", "criptoya"}, "",
                                                  std::chrono::seconds(5), m_clock);
  ASSERT_TRUE(sources.ok()) << sources.error();
  ASSERT_EQ(sources->size(), 4u);
  EXPECT_EQ((*sources)[0]->Name(), "yadio");
  EXPECT_EQ((*sources)[3]->Name(), "criptoya");
  auto unknown =
      federation::MakeHttpPriceSources({"yadio", "coinbase"}, "", std::chrono::seconds(5), m_clock);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().find("unknown price provider 'coinbase'"), std::string::npos);
}

}  // namespace
