#include "coordinator/prices/price_book.h"

#include <gtest/gtest.h>

namespace {

using std::chrono::seconds;

coordinator::PriceTable Table(std::initializer_list<std::pair<const char*, double>> prices,
                              base::TimePoint at) {
  coordinator::PriceTable t;
  for (const auto& [code, price] : prices) t.prices.emplace(code, price);
  t.prices.emplace("BTC", 1.0);
  t.fetched_at = at;
  return t;
}

TEST(Median, OddEvenAndOne) {
  EXPECT_EQ(coordinator::Median({5}), 5);
  EXPECT_EQ(coordinator::Median({3, 1, 2}), 2);
  EXPECT_EQ(coordinator::Median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(coordinator::Median({100, 1, 1}), 1);  // an outlier does not move it
  EXPECT_EQ(coordinator::Median({10, 20}), 15);
}

class PriceBookTest : public ::testing::Test {
 protected:
  base::ManualClock m_clock;
  // Five intervals of 60 s.
  coordinator::PriceBook m_book{seconds(300)};
};

TEST_F(PriceBookTest, EmptyBookHasNoPrice) {
  EXPECT_EQ(m_book.Price("USD", m_clock.Now()), std::nullopt);
  EXPECT_TRUE(m_book.AllPrices(m_clock.Now()).empty());
  EXPECT_TRUE(m_book.Sources(m_clock.Now()).empty());
}

TEST_F(PriceBookTest, MedianAcrossSourcesPerCurrency) {
  base::TimePoint t0 = m_clock.Now();
  m_book.Update("yadio", Table({{"USD", 97000}, {"EUR", 90000}, {"VES", 5e6}}, t0));
  m_book.Update("blockchain", Table({{"USD", 98000}, {"EUR", 91000}}, t0 - seconds(10)));
  m_book.Update("bitpay", Table({{"USD", 150000}, {"EUR", 92000}}, t0 - seconds(20)));

  auto usd = m_book.Price("USD", t0);
  ASSERT_TRUE(usd);
  EXPECT_EQ(usd->price, 98000);  // the 150000 outlier is outvoted
  EXPECT_EQ(usd->sources, 3);
  EXPECT_EQ(usd->as_of, t0 - seconds(20));  // the oldest contributing table

  auto ves = m_book.Price("VES", t0);
  ASSERT_TRUE(ves);
  EXPECT_EQ(ves->price, 5e6);
  EXPECT_EQ(ves->sources, 1);
  EXPECT_EQ(ves->as_of, t0);

  EXPECT_EQ(m_book.Price("JPY", t0), std::nullopt);
  EXPECT_EQ(m_book.Price("BTC", t0)->price, 1);

  auto all = m_book.AllPrices(t0);
  EXPECT_EQ(all.size(), 4u);  // USD EUR VES BTC
  EXPECT_EQ(all.find("EUR")->second.price, 91000);
  EXPECT_EQ(all.find("USD")->second.price, usd->price);
  EXPECT_EQ(all.find("USD")->second.as_of, usd->as_of);
  EXPECT_EQ(all.find("VES")->second.sources, 1);
}

TEST_F(PriceBookTest, EvenNumberOfSourcesAveragesTheMiddle) {
  base::TimePoint t0 = m_clock.Now();
  m_book.Update("a", Table({{"USD", 96000}}, t0));
  m_book.Update("b", Table({{"USD", 98000}}, t0));
  EXPECT_EQ(m_book.Price("USD", t0)->price, 97000);
  EXPECT_EQ(m_book.AllPrices(t0).find("USD")->second.price, 97000);
}

TEST_F(PriceBookTest, StaleSourcesAreDropped) {
  base::TimePoint t0 = m_clock.Now();
  m_book.Update("old", Table({{"USD", 50000}}, t0));
  m_book.Update("new", Table({{"USD", 97000}}, t0 + seconds(200)));
  base::TimePoint now = t0 + seconds(300);  // "old" exactly max_age old: still counts
  EXPECT_EQ(m_book.Price("USD", now)->sources, 2);
  now = t0 + seconds(301);
  auto usd = m_book.Price("USD", now);
  ASSERT_TRUE(usd);
  EXPECT_EQ(usd->sources, 1);
  EXPECT_EQ(usd->price, 97000);
  EXPECT_EQ(m_book.AllPrices(now).find("USD")->second.sources, 1);
  now = t0 + seconds(501);  // both stale
  EXPECT_EQ(m_book.Price("USD", now), std::nullopt);
  EXPECT_TRUE(m_book.AllPrices(now).empty());
}

TEST_F(PriceBookTest, UpdateReplacesTheSourcesTable) {
  base::TimePoint t0 = m_clock.Now();
  m_book.Update("yadio", Table({{"USD", 97000}, {"EUR", 90000}}, t0));
  m_book.Update("yadio", Table({{"USD", 99000}}, t0 + seconds(60)));
  EXPECT_EQ(m_book.Price("USD", t0 + seconds(60))->price, 99000);
  EXPECT_EQ(m_book.Price("EUR", t0 + seconds(60)), std::nullopt);
}

TEST_F(PriceBookTest, FailuresKeepTheLastGoodTableUntilStale) {
  base::TimePoint t0 = m_clock.Now();
  m_book.Update("yadio", Table({{"USD", 97000}}, t0));
  m_book.RecordFailure("yadio", "HTTP 503", t0 + seconds(60));
  m_book.RecordFailure("bitpay", "timeout", t0 + seconds(60));
  EXPECT_EQ(m_book.Price("USD", t0 + seconds(60))->price, 97000);

  auto sources = m_book.Sources(t0 + seconds(60));
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].name, "bitpay");
  EXPECT_FALSE(sources[0].has_table);
  EXPECT_FALSE(sources[0].fresh);
  EXPECT_EQ(sources[0].last_error, "timeout");
  EXPECT_EQ(sources[1].name, "yadio");
  EXPECT_TRUE(sources[1].has_table);
  EXPECT_TRUE(sources[1].fresh);
  EXPECT_EQ(sources[1].currencies, 2u);
  EXPECT_EQ(sources[1].last_error, "HTTP 503");
  EXPECT_EQ(sources[1].last_error_at, t0 + seconds(60));

  EXPECT_FALSE(m_book.Sources(t0 + seconds(400))[1].fresh);
  m_book.Update("yadio", Table({{"USD", 97500}}, t0 + seconds(400)));
  EXPECT_EQ(m_book.Sources(t0 + seconds(400))[1].last_error, "");  // cleared by success
}

}  // namespace
