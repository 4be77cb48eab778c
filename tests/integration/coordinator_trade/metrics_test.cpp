// GET /metrics on the operator's listener of a coordinator as operators run it (coordinatord on
// the lnd backend against the simln daemon): valid for `promtool check metrics`, absent from
// the public API, no secret in it, and scraped by a real Prometheus server (Debian's
// `prometheus`) whose HTTP API gives the order-status and locked-sats series back.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "tests/integration/coordinator_trade/trade_fixture.h"
#include "tests/support/memory_sample.h"

namespace coordinator_trade_test {
namespace {

using testsupport::Process;

bool HaveTool(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// A loopback port free right now (Prometheus cannot print the port it bound for :0).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

// "127.0.0.1:PORT" of "http://127.0.0.1:PORT".
std::string HostPortOf(const std::string& url) { return url.substr(url.find("//") + 2); }

// The value of the first series an instant query returns, nullopt if none (yet).
std::optional<double> QueryValue(const std::string& prometheus_url, const std::string& promql) {
  std::string encoded;
  for (unsigned char c : promql) {
    if (std::isalnum(c) || c == '_') {
      encoded += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      encoded += buf;
    }
  }
  auto reply = RobotClient::Anonymous(prometheus_url + "/api/v1/query?query=" + encoded, 5000);
  if (reply.status != 200 || !reply.json.is_object()) return std::nullopt;
  const auto& result = reply.json["data"]["result"];
  if (!result.is_array() || result.empty()) return std::nullopt;
  return std::stod(result[0]["value"][1].get<std::string>());
}

class CoordinatorMetrics : public CoordinatorTrade {};

TEST_F(CoordinatorMetrics, OperatorListenerServesPromtoolValidMetricsWithoutSecrets) {
  RegisterRobots();
  const int64_t id = MakeAndPublish(T("robot"), {{"type", 1}, {"currency", 1}, {"amount", "100"},
                                                 {"payment_method", "Strike"}, {"premium", "1"}});
  ASSERT_GT(id, 0);
  // A path carrying a token, which must never become a label.
  RobotClient::Anonymous(m_coordinatord->api_url() + "/api/order/?order_id=" + std::to_string(id) +
                         "&token=" + T("robot").robot->keys().token);

  auto scrape = RobotClient::Anonymous(m_coordinatord->operator_url() + "/metrics");
  ASSERT_EQ(scrape.status, 200) << scrape.Describe();
  const std::string& text = scrape.body;
  EXPECT_NE(text.find("coordinator_orders{status=\"public\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("coordinator_locked_sats{kind=\"maker_bond\"}"), std::string::npos);
  EXPECT_NE(text.find("coordinator_locked_sats{kind=\"escrow\"} 0"), std::string::npos);
  EXPECT_NE(text.find("coordinator_lightning_up 1"), std::string::npos);
  // The node calls the trade made, timed (the maker bond's hold invoice).
  EXPECT_NE(text.find("coordinator_lightning_call_duration_seconds_count{call=\"add_hold_invoice\",result=\"ok\"}"),
            std::string::npos);
  EXPECT_NE(text.find("coordinator_engine_queue_depth"), std::string::npos);
  EXPECT_NE(text.find("coordinator_htlc_nearest_expiry_blocks"), std::string::npos);
  EXPECT_NE(text.find("coordinator_price_feed_age_seconds"), std::string::npos);
  // The process's own figures (RSS, threads, descriptors, CPU), the heap in use and SQLite's.
  for (const char* name : {"process_resident_memory_bytes ", "process_virtual_memory_bytes ", "process_cpu_seconds_total ",
                           "process_start_time_seconds ", "process_open_fds ", "process_max_fds ", "process_threads ",
                           "coordinator_malloc_in_use_bytes ", "coordinator_malloc_free_bytes ",
                           "coordinator_sqlite_memory_bytes "}) {
    EXPECT_NE(text.find(std::string("\n") + name), std::string::npos) << name;
  }
  // coordinatord's RSS as /metrics says is the RSS of coordinatord (its /proc), within the
  // few pages that change between the two reads.
  const double rss = testsupport::ScrapedValue(text, "process_resident_memory_bytes").value_or(-1);
  const double proc_rss = 1024.0 * static_cast<double>(testsupport::RssKiB(m_coordinatord->pid()));
  EXPECT_GT(rss, 1e6);
  EXPECT_NEAR(rss, proc_rss, proc_rss * 0.2);
  EXPECT_GT(testsupport::ScrapedValue(text, "coordinator_sqlite_memory_bytes").value_or(-1), 0.0);
  // Requests by route pattern: the make, the order view (its query is not part of the route).
  EXPECT_NE(text.find("route=\"/api/make/\""), std::string::npos);
  EXPECT_NE(text.find("route=\"/api/order/\""), std::string::npos);
  EXPECT_NE(text.find("coordinator_http_request_duration_seconds_bucket"), std::string::npos);
  // No secret: neither robot's token, nor its hash (the Authorization value), nor a preimage.
  for (const char* name : {"robot", "other"}) {
    EXPECT_EQ(text.find(T(name).robot->keys().token), std::string::npos) << name;
    EXPECT_EQ(text.find(T(name).robot->token_sha256_b91()), std::string::npos) << name;
  }
  EXPECT_EQ(text.find("order_id="), std::string::npos);

  // Never on the public listener.
  EXPECT_EQ(RobotClient::Anonymous(m_coordinatord->api_url() + "/metrics").status, 404);

  if (!HaveTool("/usr/bin/promtool")) GTEST_SKIP() << "promtool is not installed (Debian package prometheus)";
  const std::string file = m_dir + "/metrics.txt";
  std::ofstream(file) << text;
  const std::string cmd = "/usr/bin/promtool check metrics < '" + file + "' > '" + m_dir + "/promtool.out' 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << testsupport::ReadFile(m_dir + "/promtool.out");
}

TEST_F(CoordinatorMetrics, PrometheusScrapesOrderStatusAndLockedSats) {
  if (!HaveTool("/usr/bin/prometheus")) GTEST_SKIP() << "prometheus is not installed (Debian package prometheus)";
  RegisterRobots();
  const int64_t id = MakeAndPublish(T("robot"), {{"type", 1}, {"currency", 1}, {"amount", "100"},
                                                 {"payment_method", "Strike"}, {"premium", "1"}});
  ASSERT_GT(id, 0);

  const int port = FreePort();
  ASSERT_GT(port, 0);
  const std::string config = m_dir + "/prometheus.yml";
  std::ofstream(config) << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                        << "scrape_configs:\n  - job_name: coordinatord\n    static_configs:\n"
                        << "      - targets: ['" << HostPortOf(m_coordinatord->operator_url()) << "']\n";
  auto prometheus = Process::Start({"/usr/bin/prometheus", "--config.file=" + config,
                                    "--storage.tsdb.path=" + m_dir + "/tsdb",
                                    "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                                   m_dir + "/prometheus.log");
  ASSERT_TRUE(prometheus);
  const std::string url = "http://127.0.0.1:" + std::to_string(port);

  std::optional<double> up, public_orders, maker_bond_sats;
  const bool scraped = testsupport::WaitUntil(
      [&] {
        up = QueryValue(url, "up{job=\"coordinatord\"}");
        public_orders = QueryValue(url, "coordinator_orders{status=\"public\"}");
        maker_bond_sats = QueryValue(url, "coordinator_locked_sats{kind=\"maker_bond\"}");
        return up == 1.0 && public_orders && maker_bond_sats;
      },
      60s, 250ms);
  EXPECT_TRUE(scraped) << "Prometheus never scraped the coordinator; its log:\n"
                       << testsupport::ReadFile(m_dir + "/prometheus.log");
  EXPECT_EQ(public_orders, std::optional<double>(1.0));
  ASSERT_TRUE(maker_bond_sats.has_value());
  // The maker bond: 3 % of the trade, locked as an accepted hold invoice.
  EXPECT_GT(*maker_bond_sats, 0.0);
  prometheus->Signal(SIGTERM);
  EXPECT_TRUE(prometheus->Wait(kWait).has_value());
}

}  // namespace
}  // namespace coordinator_trade_test
