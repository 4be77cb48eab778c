// PriceFetcher: every source on its own schedule; a slow or failing provider does not hold up
// the others' prices.
#include "federation/prices/price_fetcher.h"

#include <gtest/gtest.h>

#include "coordinator/prices/offline_source.h"
#include "federation/prices/http_price_source.h"
#include "tests/adapter/prices_http/local_servers.h"

namespace {

using federation::Provider;
using pricetest::Fixture;
using pricetest::LocalHttpServer;
using pricetest::WaitUntil;

class PriceFetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_server.Route("/exrates/BTC", {200, Fixture("yadio_exrates_btc.json")});            // fast
    m_server.Route("/ticker", {200, Fixture("blockchain_ticker.json"), /*hold=*/true});  // slow
    m_server.Route("/rates/BTC", {500, "Internal Server Error"});                        // failing
  }

  std::vector<std::unique_ptr<coordinator::PriceSource>> Sources() {
    std::vector<std::unique_ptr<coordinator::PriceSource>> sources;
    for (Provider p : {Provider::kYadio, Provider::kBlockchain, Provider::kBitpay}) {
      federation::HttpPriceSourceOptions o;
      o.provider = p;
      o.base_url = m_server.BaseUrl();
      o.timeout = std::chrono::seconds(60);  // longer than any wait here: only a release or Stop ends it
      auto source = federation::MakeHttpPriceSource(std::move(o), m_clock);
      EXPECT_TRUE(source.ok());
      sources.push_back(std::move(source).value());
    }
    return sources;
  }

  std::optional<coordinator::SourceStatus> Status(const std::string& name) {
    for (auto& s : m_book.Sources(m_clock.Now())) {
      if (s.name == name) return s;
    }
    return std::nullopt;
  }

  int UsdSources() {
    auto quote = m_book.Price("USD", m_clock.Now());
    return quote ? quote->sources : 0;
  }

  bool BitpayFailed() {
    auto s = Status("bitpay");
    return s && s->last_error.find("HTTP 500") != std::string::npos;
  }

  base::ManualClock m_clock;
  coordinator::PriceBook m_book{std::chrono::seconds(300)};
  LocalHttpServer m_server;
};

TEST_F(PriceFetcherTest, SlowAndFailingProvidersDoNotHoldUpTheOthers) {
  federation::PriceFetcher fetcher(Sources(), m_book, m_clock, std::chrono::hours(1));
  ASSERT_EQ(fetcher.size(), 3u);
  fetcher.Start();

  // yadio's prices land and bitpay's failure is recorded while blockchain is still held.
  // (blockchain's request must have reached the server too: under load it can lag.)
  ASSERT_TRUE(WaitUntil([&] { return UsdSources() == 1 && BitpayFailed() && m_server.HeldCount() == 1; }));
  EXPECT_EQ(m_book.Price("USD", m_clock.Now())->price, 96980.5);
  EXPECT_FALSE(Status("blockchain").has_value());  // no answer yet, not even a failure
  EXPECT_FALSE(Status("bitpay")->has_table);

  m_server.ReleaseHeld();
  ASSERT_TRUE(WaitUntil([&] { return UsdSources() == 2; }));
  // Median of yadio 96980.5 and blockchain 97010.5.
  EXPECT_DOUBLE_EQ(m_book.Price("USD", m_clock.Now())->price, 96995.5);
  EXPECT_EQ(m_book.Price("TWD", m_clock.Now())->sources, 1);  // only blockchain has it
  fetcher.Stop();
}

TEST_F(PriceFetcherTest, FetchAllOnceRecordsEachSourceAsItAnswers) {
  federation::PriceFetcher fetcher(Sources(), m_book, m_clock, std::chrono::hours(1));
  std::thread round([&] { fetcher.FetchAllOnce(); });
  ASSERT_TRUE(WaitUntil([&] { return UsdSources() == 1 && BitpayFailed() && m_server.HeldCount() == 1; }));
  m_server.ReleaseHeld();
  round.join();
  EXPECT_EQ(UsdSources(), 2);
  EXPECT_EQ(m_server.Requests().size(), 3u);
}

TEST_F(PriceFetcherTest, FetchesAgainEveryInterval) {
  m_server.ReleaseHeld();  // nothing is slow here
  std::vector<std::unique_ptr<coordinator::PriceSource>> sources;
  federation::HttpPriceSourceOptions o;
  o.provider = Provider::kYadio;
  o.base_url = m_server.BaseUrl();
  sources.push_back(std::move(federation::MakeHttpPriceSource(std::move(o), m_clock)).value());
  federation::PriceFetcher fetcher(std::move(sources), m_book, m_clock, std::chrono::milliseconds(1));
  fetcher.Start();
  ASSERT_TRUE(WaitUntil([&] { return m_server.Requests().size() >= 3; }));
  fetcher.Stop();
  EXPECT_EQ(UsdSources(), 1);
}

TEST_F(PriceFetcherTest, StopInterruptsAHeldFetch) {
  federation::PriceFetcher fetcher(Sources(), m_book, m_clock, std::chrono::hours(1));
  fetcher.Start();
  ASSERT_TRUE(WaitUntil([&] { return UsdSources() == 1 && m_server.HeldCount() == 1; }));
  fetcher.Stop();  // returns although the server never answers blockchain
  auto blockchain = Status("blockchain");
  ASSERT_TRUE(blockchain.has_value());
  EXPECT_FALSE(blockchain->has_table);
  EXPECT_NE(blockchain->last_error.find("interrupted"), std::string::npos) << blockchain->last_error;
}

TEST_F(PriceFetcherTest, WorksWithTheOfflineSourceToo) {
  std::vector<std::unique_ptr<coordinator::PriceSource>> sources;
  sources.push_back(std::make_unique<coordinator::OfflinePriceSource>("", m_clock));
  federation::PriceFetcher fetcher(std::move(sources), m_book, m_clock, std::chrono::hours(1));
  fetcher.FetchAllOnce();
  EXPECT_EQ(m_book.Price("USD", m_clock.Now())->price, 97000);
  EXPECT_EQ(m_book.AllPrices(m_clock.Now()).size(), 80u);
}

}  // namespace
