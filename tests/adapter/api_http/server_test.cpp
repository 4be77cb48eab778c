// HttpServer over real sockets on 127.0.0.1, driven with libcurl (and a raw socket where curl
// would not send the request).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/http/server.h"
#include "tests/adapter/api_http/http_client.h"

namespace api::http {
namespace {

using apihttp_test::Call;
using apihttp_test::Fetch;
using apihttp_test::FetchAll;
using apihttp_test::RawExchange;
using apihttp_test::Reply;
using namespace std::chrono_literals;

// Runs queued jobs on its own thread: the stand-in for the engine's thread.
class Worker {
 public:
  Worker() : m_thread([this] { Run(); }) {}
  ~Worker() {
    {
      std::lock_guard lock(m_mutex);
      m_done = true;
    }
    m_cv.notify_all();
    m_thread.join();
  }
  void Post(std::function<void()> job) {
    {
      std::lock_guard lock(m_mutex);
      m_jobs.push_back(std::move(job));
    }
    m_cv.notify_all();
  }

 private:
  void Run() {
    std::unique_lock lock(m_mutex);
    while (true) {
      m_cv.wait(lock, [&] { return m_done || !m_jobs.empty(); });
      if (m_jobs.empty()) return;
      auto job = std::move(m_jobs.front());
      m_jobs.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  }
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<std::function<void()>> m_jobs;
  bool m_done = false;
  std::thread m_thread;  // last: starts once the rest is built
};

nlohmann::json EchoOf(const Request& request) {
  nlohmann::json query = nlohmann::json::object();
  for (const auto& [name, value] : request.query) query[name] = value;
  return {{"method", std::string(MethodName(request.method))},
          {"path", request.path},
          {"query", query},
          {"body", request.body},
          {"raw_body_size", request.raw_body.size()},
          {"authorization", request.headers.Get("authorization")},
          {"remote_ip", request.remote_ip}};
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    ASSERT_TRUE(m_server.Add(Method::kGet, "/api/echo/", Echo()).ok());
    ASSERT_TRUE(m_server.Add(Method::kPost, "/api/echo/", Echo()).ok());
    ASSERT_TRUE(m_server.Add(Method::kPut, "/api/echo/", Echo()).ok());
    ASSERT_TRUE(m_server.Add(Method::kGet, "/api/noslash", Echo()).ok());
    auto status = m_server.Start(options);
    ASSERT_TRUE(status.ok()) << status.message;
    ASSERT_NE(m_server.Port(), 0);
  }
  static Handler Echo() {
    return [](Request request, Responder responder) { responder.Send(200, EchoOf(request)); };
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(m_server.Port()) + path;
  }
  static nlohmann::json Json(const Reply& reply) {
    return nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  }

  HttpServer m_server;
};

TEST_F(HttpServerTest, StartsOnAnEphemeralPortAndStops) {
  StartServer();
  const Reply reply = Fetch({.url = Url("/api/echo/")});
  EXPECT_EQ(reply.status, 200) << reply.error;
  m_server.Stop();
  m_server.Stop();  // idempotent
  EXPECT_EQ(Fetch({.url = Url("/api/echo/"), .timeout = 3000ms}).status, 0);
}

TEST_F(HttpServerTest, TrailingSlashBothWays) {
  StartServer();
  for (const char* path : {"/api/echo/", "/api/echo", "/api/noslash", "/api/noslash/"}) {
    const Reply reply = Fetch({.url = Url(path)});
    EXPECT_EQ(reply.status, 200) << path << " " << reply.error;
    EXPECT_EQ(Json(reply)["path"], path);
  }
}

TEST_F(HttpServerTest, QueryParametersAreDecoded) {
  StartServer();
  const Reply reply = Fetch({.url = Url("/api/echo/?order_id=42&text=two+words&e=%C3%A9&flag")});
  ASSERT_EQ(reply.status, 200);
  const auto query = Json(reply)["query"];
  EXPECT_EQ(query["order_id"], "42");
  EXPECT_EQ(query["text"], "two words");
  EXPECT_EQ(query["e"], "\xC3\xA9");
  EXPECT_EQ(query["flag"], "");
  EXPECT_EQ(Json(reply)["remote_ip"], "127.0.0.1");
}

TEST_F(HttpServerTest, JsonBody) {
  StartServer();
  const Reply reply = Fetch({.method = "POST",
                             .url = Url("/api/echo/?order_id=7"),
                             .headers = {"Content-Type: application/json"},
                             .body = R"({"action": "take", "amount": 12.5, "nested": {"k": [1, 2]}})",
                             .send_body = true});
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto body = Json(reply)["body"];
  EXPECT_EQ(body["action"], "take");
  EXPECT_EQ(body["amount"], 12.5);
  EXPECT_EQ(body["nested"]["k"][1], 2);
  EXPECT_EQ(Json(reply)["query"]["order_id"], "7");
}

TEST_F(HttpServerTest, FormBody) {
  StartServer();
  const Reply reply = Fetch({.method = "POST",
                             .url = Url("/api/echo/"),
                             .headers = {"Content-Type: application/x-www-form-urlencoded"},
                             .body = "type=1&currency=2&amount=100.5&payment_method=SEPA+Instant&pw=a%26b",
                             .send_body = true});
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto body = Json(reply)["body"];
  EXPECT_EQ(body["type"], "1");
  EXPECT_EQ(body["currency"], "2");
  EXPECT_EQ(body["payment_method"], "SEPA Instant");
  EXPECT_EQ(body["pw"], "a&b");
}

TEST_F(HttpServerTest, AuthorizationHeaderOf8KiBIsAccepted) {
  StartServer();
  // RoboSats' first request: "Token <base91> | Public <armored key> | Private <…> | Nostr <…>".
  std::string authorization = "Token " + std::string(40, 'T') + " | Public ";
  while (authorization.size() < 8 * 1024) authorization += "xsFNBGRk\\";
  const Reply reply = Fetch({.url = Url("/api/echo/"), .headers = {"Authorization: " + authorization}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(Json(reply)["authorization"], authorization);
}

// A JSON body of exactly `size` bytes.
std::string JsonBodyOfSize(size_t size) {
  std::string body = R"({"pad":")";
  body += std::string(size - body.size() - 2, 'x');
  return body + "\"}";
}

TEST_F(HttpServerTest, BodyJustUnderAndOverTheCap) {
  ServerOptions options;
  options.max_body_bytes = 16 * 1024;
  StartServer(options);

  const Reply at_cap = Fetch({.method = "POST",
                              .url = Url("/api/echo/"),
                              .headers = {"Content-Type: application/json"},
                              .body = JsonBodyOfSize(options.max_body_bytes),
                              .send_body = true});
  EXPECT_EQ(at_cap.status, 200) << at_cap.body;
  EXPECT_EQ(Json(at_cap)["raw_body_size"], options.max_body_bytes);

  const Reply over = Fetch({.method = "POST",
                            .url = Url("/api/echo/"),
                            .headers = {"Content-Type: application/json"},
                            .body = JsonBodyOfSize(options.max_body_bytes + 1),
                            .send_body = true});
  EXPECT_EQ(over.status, 413) << over.error;
  EXPECT_EQ(Json(over)["error_code"], 1049) << over.body;
  EXPECT_NE(Json(over)["bad_request"].get<std::string>().find("16384"), std::string::npos);
  EXPECT_EQ(over.Header("content-type"), "application/json");
  EXPECT_EQ(over.Header("access-control-allow-origin"), "*");

  // The server still serves afterwards.
  EXPECT_EQ(Fetch({.url = Url("/api/echo/")}).status, 200);
}

TEST_F(HttpServerTest, ExpectContinueGets100ThenTheAnswerOr413WithoutTheBody) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  const Reply small = Fetch({.method = "POST",
                             .url = Url("/api/echo/"),
                             .headers = {"Content-Type: application/json", "Expect: 100-continue"},
                             .body = JsonBodyOfSize(1000),
                             .send_body = true});
  EXPECT_EQ(small.status, 200) << small.error;
  EXPECT_EQ(Json(small)["raw_body_size"], 1000);

  const Reply big = Fetch({.method = "POST",
                           .url = Url("/api/echo/"),
                           .headers = {"Content-Type: application/json", "Expect: 100-continue"},
                           .body = JsonBodyOfSize(200 * 1024),
                           .send_body = true});
  EXPECT_EQ(big.status, 413) << big.error;
  EXPECT_EQ(Json(big)["error_code"], 1049);
}

TEST_F(HttpServerTest, RequestOverMaxRequestBytesIs413Json) {
  StartServer();  // 64 KiB for the whole request
  const Reply reply = Fetch({.url = Url("/api/echo/"), .headers = {"Authorization: Token " + std::string(70000, 'a')}});
  EXPECT_EQ(reply.status, 413) << reply.error;
  EXPECT_EQ(Json(reply)["error_code"], 1049) << reply.body;
  EXPECT_EQ(reply.Header("connection"), "close");
  EXPECT_EQ(Fetch({.url = Url("/api/echo/")}).status, 200);
}

TEST_F(HttpServerTest, HugeContentLengthIsRefusedBeforeAnyAllocation) {
  StartServer();
  const std::string response = RawExchange(
      m_server.Port(),
      "POST /api/echo/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 999999999999\r\n\r\n{}",
      5000ms);
  EXPECT_EQ(response.rfind("HTTP/1.1 413", 0), 0u) << response;
  EXPECT_NE(response.find("\"error_code\":1049"), std::string::npos) << response;
}

TEST_F(HttpServerTest, MalformedHttpIs400Json) {
  StartServer();
  const std::string response = RawExchange(m_server.Port(), "FROB /api/echo/ HTTP/1.1\r\nHost: x\r\n\r\n", 5000ms);
  EXPECT_EQ(response.rfind("HTTP/1.1 400", 0), 0u) << response;
  EXPECT_NE(response.find("\"error_code\":1049"), std::string::npos) << response;
  EXPECT_NE(response.find("application/json"), std::string::npos) << response;
}

TEST_F(HttpServerTest, MalformedJsonAndWrongContentTypeAre400Json) {
  StartServer();
  const Call calls[] = {
      {.method = "POST", .url = Url("/api/echo/"), .headers = {"Content-Type: application/json"},
       .body = "{\"action\": take-secret", .send_body = true},
      {.method = "POST", .url = Url("/api/echo/"), .headers = {"Content-Type: application/json"},
       .body = "[1,2,3]", .send_body = true},
      {.method = "POST", .url = Url("/api/echo/"), .headers = {"Content-Type: text/plain"},
       .body = "action=take", .send_body = true},
  };
  for (const Call& call : calls) {
    const Reply reply = Fetch(call);
    EXPECT_EQ(reply.status, 400) << call.body;
    const auto json = Json(reply);
    EXPECT_EQ(json["error_code"], 1049) << reply.body;
    EXPECT_TRUE(json["bad_request"].is_string()) << reply.body;
    EXPECT_EQ(reply.body.find("take-secret"), std::string::npos) << reply.body;
    EXPECT_EQ(reply.Header("content-type"), "application/json");
    EXPECT_EQ(reply.Header("access-control-allow-origin"), "*");
  }
}

TEST_F(HttpServerTest, HandlerThatThrowsGets500JsonWithoutTheExceptionText) {
  ASSERT_TRUE(m_server
                  .Add(Method::kGet, "/api/throws/",
                       [](Request, Responder) { throw std::runtime_error("macaroon=0201036c6e64 leaked"); })
                  .ok());
  ASSERT_TRUE(m_server.Add(Method::kGet, "/api/throws-int/", [](Request, Responder) { throw 42; }).ok());
  StartServer();
  for (const char* path : {"/api/throws/", "/api/throws-int/"}) {
    const Reply reply = Fetch({.url = Url(path)});
    EXPECT_EQ(reply.status, 500) << path;
    EXPECT_EQ(Json(reply), (nlohmann::json{{"error_code", 1028}, {"bad_request", "Internal error"}})) << reply.body;
    EXPECT_EQ(reply.body.find("macaroon"), std::string::npos);
    EXPECT_EQ(reply.Header("access-control-allow-origin"), "*");
  }
}

TEST_F(HttpServerTest, UnknownPathIs404AndWrongMethodIs405) {
  StartServer();
  const Reply missing = Fetch({.url = Url("/api/nothing-here/")});
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Json(missing), (nlohmann::json{{"detail", "Not found."}}));
  EXPECT_EQ(missing.Header("content-type"), "application/json");
  EXPECT_EQ(missing.Header("access-control-allow-origin"), "*");

  const Reply wrong = Fetch({.method = "DELETE", .url = Url("/api/noslash/")});
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(Json(wrong), (nlohmann::json{{"detail", "Method \"DELETE\" not allowed."}}));
  EXPECT_EQ(wrong.Header("allow"), "GET, OPTIONS");
  EXPECT_EQ(wrong.Header("access-control-allow-origin"), "*");
}

TEST_F(HttpServerTest, CorsOnEveryResponseAndPreflight) {
  StartServer();
  const Reply ok = Fetch({.url = Url("/api/echo/")});
  EXPECT_EQ(ok.Header("access-control-allow-origin"), "*");
  EXPECT_EQ(ok.Header("content-type"), "application/json");

  for (const char* path : {"/api/echo/", "/api/echo", "/api/anything/"}) {
    const Reply preflight = Fetch({.method = "OPTIONS",
                                   .url = Url(path),
                                   .headers = {"Origin: https://unsafe.example",
                                               "Access-Control-Request-Method: POST",
                                               "Access-Control-Request-Headers: authorization, content-type"}});
    EXPECT_EQ(preflight.status, 204) << path;
    EXPECT_EQ(preflight.Header("access-control-allow-origin"), "*");
    EXPECT_EQ(preflight.Header("access-control-allow-methods"), "GET, POST, PUT, OPTIONS");
    EXPECT_EQ(preflight.Header("access-control-allow-headers"), "Authorization, Content-Type");
    EXPECT_EQ(preflight.Header("access-control-max-age"), "86400");
    EXPECT_TRUE(preflight.body.empty());
  }
}

TEST_F(HttpServerTest, PreSerializedSharedBody) {
  auto book = std::make_shared<const std::string>(R"([{"id":1,"type":0}])");
  ASSERT_TRUE(m_server.Add(Method::kGet, "/api/book/", [book](Request, Responder r) { r.Send(200, book); }).ok());
  ASSERT_TRUE(m_server
                  .Add(Method::kGet, "/api/text/",
                       [](Request, Responder r) { r.Send(200, "plain words", "text/plain; charset=utf-8"); })
                  .ok());
  StartServer();
  const Reply reply = Fetch({.url = Url("/api/book/")});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, *book);
  EXPECT_EQ(reply.Header("content-type"), "application/json");
  const Reply text = Fetch({.url = Url("/api/text/")});
  EXPECT_EQ(text.body, "plain words");
  EXPECT_EQ(text.Header("content-type"), "text/plain; charset=utf-8");
}

TEST_F(HttpServerTest, AsyncReplyFromAnotherThreadAfterTheHandlerReturned) {
  Worker worker;
  std::atomic<bool> handler_returned{false};
  std::atomic<int> first_send{-1}, second_send{-1};
  ASSERT_TRUE(m_server
                  .Add(Method::kGet, "/api/later/",
                       [&](Request request, Responder responder) {
                         worker.Post([&, request = std::move(request), responder]() mutable {
                           std::this_thread::sleep_for(20ms);
                           const bool returned = handler_returned.load();
                           first_send = responder.Send(200, nlohmann::json{{"late", true},
                                                                           {"after_return", returned},
                                                                           {"id", request.QueryParam("id").value_or("")}});
                           second_send = responder.Send(500, nlohmann::json{{"late", false}});
                         });
                         handler_returned = true;
                       })
                  .ok());
  StartServer();
  const Reply reply = Fetch({.url = Url("/api/later/?id=abc")});
  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(Json(reply), (nlohmann::json{{"late", true}, {"after_return", true}, {"id", "abc"}}));
  EXPECT_EQ(first_send.load(), 1);
  EXPECT_EQ(second_send.load(), 0);  // double Send is a no-op
}

TEST_F(HttpServerTest, TwoHundredConcurrentRequestsRepliedFromAWorker) {
  Worker worker;
  ASSERT_TRUE(m_server
                  .Add(Method::kPost, "/api/order/",
                       [&](Request request, Responder responder) {
                         worker.Post([request = std::move(request), responder]() mutable {
                           responder.Send(200, nlohmann::json{{"order_id", request.QueryParam("order_id").value_or("")},
                                                              {"action", request.body.value("action", "")}});
                         });
                       })
                  .ok());
  StartServer();
  std::vector<Call> calls;
  for (int i = 0; i < 200; ++i) {
    calls.push_back({.method = "POST",
                     .url = Url("/api/order/?order_id=" + std::to_string(i)),
                     .headers = {"Content-Type: application/json"},
                     .body = R"({"action": "take-)" + std::to_string(i) + R"("})",
                     .send_body = true,
                     .timeout = 20000ms});
  }
  const auto replies = FetchAll(calls, 30000ms);
  ASSERT_EQ(replies.size(), calls.size());
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(replies[i].status, 200) << i << " " << replies[i].error;
    EXPECT_EQ(Json(replies[i]), (nlohmann::json{{"order_id", std::to_string(i)}, {"action", "take-" + std::to_string(i)}}));
  }
}

TEST_F(HttpServerTest, SeveralPistacheThreadsServeConcurrentRequests) {
  Worker worker;
  ASSERT_TRUE(m_server
                  .Add(Method::kGet, "/api/order/",
                       [&](Request request, Responder responder) {
                         worker.Post([request = std::move(request), responder]() mutable {
                           responder.Send(200, nlohmann::json{{"id", request.QueryParam("id").value_or("")}});
                         });
                       })
                  .ok());
  ServerOptions options;
  options.threads = 4;
  StartServer(options);
  std::vector<Call> calls;
  for (int i = 0; i < 100; ++i) calls.push_back({.url = Url("/api/order/?id=" + std::to_string(i)), .timeout = 20000ms});
  const auto replies = FetchAll(calls, 30000ms);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(replies[i].status, 200) << i << " " << replies[i].error;
    EXPECT_EQ(Json(replies[i])["id"], std::to_string(i));
  }
}

TEST_F(HttpServerTest, DroppedResponderAnswers500AtOnce) {
  ASSERT_TRUE(m_server.Add(Method::kGet, "/api/forgets/", [](Request, Responder) {}).ok());
  StartServer();
  const Reply reply = Fetch({.url = Url("/api/forgets/")});
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(Json(reply)["error_code"], 1028);
}

TEST_F(HttpServerTest, ResponderNeverCalledEndsIn408AfterTheHeaderTimeout) {
  std::mutex mutex;
  std::vector<Responder> kept;
  ASSERT_TRUE(m_server
                  .Add(Method::kGet, "/api/stuck/",
                       [&](Request, Responder responder) {
                         std::lock_guard lock(mutex);
                         kept.push_back(std::move(responder));
                       })
                  .ok());
  ServerOptions options;
  options.header_timeout = 1000ms;
  options.body_timeout = 1000ms;
  StartServer(options);
  const Reply reply = Fetch({.url = Url("/api/stuck/"), .timeout = 15000ms});
  EXPECT_EQ(reply.status, 408) << reply.error;
  std::lock_guard lock(mutex);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_FALSE(kept[0].Sent());
  m_server.Stop();
  EXPECT_FALSE(kept[0].Send(200, nlohmann::json::object()));  // after Stop: a no-op
}

TEST_F(HttpServerTest, StopWithRequestsInFlight) {
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<Responder> pending;
  ASSERT_TRUE(m_server
                  .Add(Method::kGet, "/api/slow/",
                       [&](Request, Responder responder) {
                         std::lock_guard lock(mutex);
                         pending.push_back(std::move(responder));
                         arrived.notify_all();
                       })
                  .ok());
  StartServer();

  std::vector<Call> calls;
  for (int i = 0; i < 20; ++i) calls.push_back({.url = Url("/api/slow/?i=" + std::to_string(i)), .timeout = 10000ms});
  std::vector<Reply> replies;
  std::thread client([&] { replies = FetchAll(calls, 15000ms); });

  // A replier keeps answering from its own thread while the server stops.
  std::atomic<bool> stop_replying{false};
  std::thread replier([&] {
    while (!stop_replying) {
      std::vector<Responder> batch;
      {
        std::unique_lock lock(mutex);
        arrived.wait_for(lock, 5ms);
        if (pending.size() > 10) batch.assign(pending.begin() + 10, pending.end()), pending.resize(10);
      }
      for (auto& responder : batch) responder.Send(200, nlohmann::json{{"ok", true}});
    }
  });

  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(arrived.wait_for(lock, 10s, [&] { return pending.size() >= 10; }));
  }
  m_server.Stop();
  std::vector<Responder> left;
  {
    std::lock_guard lock(mutex);
    left = pending;
  }
  for (auto& responder : left) EXPECT_FALSE(responder.Send(200, nlohmann::json{{"ok", true}}));
  stop_replying = true;
  replier.join();
  client.join();
  ASSERT_EQ(replies.size(), calls.size());
  for (const auto& reply : replies) EXPECT_TRUE(reply.status == 200 || reply.status == 0) << reply.status;
}

TEST(HttpServerLifecycle, RoutesAreFixedAtStartAndPortsInUseAreReported) {
  HttpServer first;
  ASSERT_TRUE(first.Start({}).ok());
  EXPECT_FALSE(first.Add(Method::kGet, "/api/late/", [](Request, Responder) {}).ok());
  EXPECT_FALSE(first.Start({}).ok());

  HttpServer second;
  ServerOptions options;
  options.port = first.Port();
  const auto status = second.Start(options);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message.find(std::to_string(first.Port())), std::string::npos) << status.message;
}

TEST(HttpServerLifecycle, ADefaultResponderSendsNothing) {
  Responder responder;
  EXPECT_FALSE(responder.Send(200, nlohmann::json::object()));
  EXPECT_FALSE(responder.Sent());
}

}  // namespace
}  // namespace api::http
