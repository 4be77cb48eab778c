// ServerOptions::observer: told of every answer with the route pattern (never the raw path or
// its query), the status, and a latency.
#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "api/http/server.h"
#include "tests/adapter/api_http/http_client.h"

namespace api::http {
namespace {

using apihttp_test::Call;
using apihttp_test::Fetch;

struct Seen {
  Method method;
  std::string route;
  int status;
  std::chrono::nanoseconds elapsed;
};

class Recorder final : public RequestObserver {
 public:
  void OnAnswered(const AnsweredRequest& a) override {
    std::lock_guard lock(m_mu);
    m_seen.push_back({a.method, std::string(a.route), a.status, a.elapsed});
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(m_mu);
    return m_seen;
  }

 private:
  std::mutex m_mu;
  std::vector<Seen> m_seen;
};

TEST(HttpObserver, SeesRoutePatternsStatusesAndNeverTheRawPath) {
  auto recorder = std::make_shared<Recorder>();
  HttpServer server;
  ASSERT_TRUE(server.Add(Method::kGet, "/api/book/", [](Request, Responder out) { out.Send(200, "[]"); }).ok());
  ASSERT_TRUE(server.Add(Method::kPost, "/api/make/", [](Request, Responder out) { out.Send(201, "{}"); }).ok());
  ServerOptions options;
  options.observer = recorder;
  options.max_body_bytes = 100;
  options.max_request_bytes = 8192;
  ASSERT_TRUE(server.Start(options).ok());
  const std::string base = "http://127.0.0.1:" + std::to_string(server.Port());

  EXPECT_EQ(Fetch({.url = base + "/api/book?currency=1&token=SECRET1"}).status, 200);
  EXPECT_EQ(Fetch({.url = base + "/api/order/SECRET2/"}).status, 404);
  EXPECT_EQ(Fetch({.method = "PUT", .url = base + "/api/book/"}).status, 405);
  EXPECT_EQ(Fetch({.method = "POST", .url = base + "/api/make/", .headers = {"Content-Type: application/json"},
                   .body = std::string(500, ' '), .send_body = true})
                .status,
            413);
  server.Stop();

  auto seen = recorder->seen();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].route, "/api/book/");  // as registered, whatever the spelling asked
  EXPECT_EQ(seen[0].status, 200);
  EXPECT_EQ(seen[0].method, Method::kGet);
  EXPECT_EQ(seen[1].route, kRouteUnmatched);
  EXPECT_EQ(seen[1].status, 404);
  EXPECT_EQ(seen[2].route, "/api/book/");
  EXPECT_EQ(seen[2].status, 405);
  EXPECT_EQ(seen[3].route, kRouteRejected);
  EXPECT_EQ(seen[3].status, 413);
  for (const auto& s : seen) {
    EXPECT_EQ(s.route.find("SECRET"), std::string::npos) << s.route;
    EXPECT_GE(s.elapsed.count(), 0);
  }
}

}  // namespace
}  // namespace api::http
