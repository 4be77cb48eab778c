// federationd's /metrics (issue #11) on its own loopback listener, scraped over HTTP while it
// fetches three coordinatords through the SOCKS5 proxy: every coordinator's fetch status, the
// age of its last good data and its fetch latency; a killed coordinator shows as down while
// its data ages; the text passes `promtool check metrics`; the book's listener has no /metrics.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "tests/integration/federation/federation_fixture.h"
#include "tests/support/memory_sample.h"

namespace federation_test {
namespace {

using testsupport::ScrapedValue;

std::string Scrape(const std::string& url) {
  auto reply = RobotClient::Anonymous(url, 5000);
  EXPECT_EQ(reply.status, 200) << reply.Describe();
  return reply.body;
}

TEST_F(FederationCluster, MetricsShowEachCoordinatorsFetchStatusAgeAndLatency) {
  ASSERT_TRUE(WaitAllInBook()) << Get("/api/book/").dump();
  std::string text;
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] {
        text = Scrape(m_metrics_url);
        return ScrapedValue(text, "federationd_coordinators{status=\"offline\"}") == 0.0;
      },
      kWait, 100ms))
      << text;
  for (const auto& alias : kAliases) {
    const std::string c = "{coordinator=\"" + alias + "\"}";
    EXPECT_EQ(ScrapedValue(text, "federationd_coordinator_up" + c), 1.0) << alias << "\n" << text;
    EXPECT_EQ(ScrapedValue(text, "federationd_coordinator_status{coordinator=\"" + alias + "\",status=\"offline\"}"), 0.0)
        << text;
    auto age = ScrapedValue(text, "federationd_coordinator_last_success_age_seconds" + c);
    ASSERT_TRUE(age.has_value()) << alias << "\n" << text;
    EXPECT_GE(*age, 0.0);
    auto latency = ScrapedValue(text, "federationd_coordinator_fetch_duration_seconds" + c);
    ASSERT_TRUE(latency.has_value()) << alias << "\n" << text;
    EXPECT_GT(*latency, 0.0);
    EXPECT_GE(ScrapedValue(text, "federationd_coordinator_rounds_total{coordinator=\"" + alias + "\",result=\"ok\"}").value_or(0),
              1.0);
    EXPECT_GT(ScrapedValue(text, "federationd_coordinator_last_success_timestamp_seconds" + c).value_or(0), 1.7e9);
  }
  // Two orders on beta, one each on alpha and gamma (the fixture's book).
  EXPECT_EQ(ScrapedValue(text, "federationd_coordinator_orders{coordinator=\"beta\"}"), 2.0) << text;
  // The joint book's requests are counted by route pattern (never by query).
  EXPECT_NE(text.find("federationd_http_requests_total{method=\"GET\",route=\"/api/book/\",status=\"200\"}"),
            std::string::npos)
      << text;
  // federationd's own figures.
  EXPECT_GT(ScrapedValue(text, "process_resident_memory_bytes").value_or(0), 1e6) << text;
  EXPECT_GE(ScrapedValue(text, "process_threads").value_or(0), 2.0) << text;
  EXPECT_TRUE(ScrapedValue(text, "federationd_malloc_in_use_bytes").has_value()) << text;
  EXPECT_EQ(text.find("127.0.0.1"), std::string::npos) << "a coordinator's URL became a label";
  EXPECT_EQ(RobotClient::Anonymous(m_url + "/metrics").status, 404) << "/metrics on the joint book's listener";

  // A killed coordinator: down, offline, its last good data ageing; the others stay up.
  ASSERT_EQ(m_coordinators["beta"]->Stop(kWait), std::optional<int>(0));
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] {
        text = Scrape(m_metrics_url);
        return ScrapedValue(text, "federationd_coordinator_up{coordinator=\"beta\"}") == 0.0 &&
               ScrapedValue(text, "federationd_coordinator_last_success_age_seconds{coordinator=\"beta\"}").value_or(0) >= 1.0;
      },
      kWait, 100ms))
      << text;
  EXPECT_EQ(ScrapedValue(text, "federationd_coordinator_status{coordinator=\"beta\",status=\"offline\"}"), 1.0) << text;
  EXPECT_GE(ScrapedValue(text, "federationd_coordinator_rounds_total{coordinator=\"beta\",result=\"failed\"}").value_or(0),
            1.0);
  EXPECT_EQ(ScrapedValue(text, "federationd_coordinator_up{coordinator=\"alpha\"}"), 1.0) << text;
  EXPECT_EQ(ScrapedValue(text, "federationd_coordinators{status=\"offline\"}"), 1.0) << text;

  if (::access("/usr/bin/promtool", X_OK) != 0) GTEST_SKIP() << "promtool is not installed (Debian package prometheus)";
  const std::string file = m_dir + "/metrics.txt";
  std::ofstream(file) << text;
  const std::string cmd = "/usr/bin/promtool check metrics < '" + file + "' > '" + m_dir + "/promtool.out' 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << testsupport::ReadFile(m_dir + "/promtool.out");
}

}  // namespace
}  // namespace federation_test
