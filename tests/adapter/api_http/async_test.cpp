// HttpServer's asynchronous side: replies from other threads, concurrency, the fate of
// responders never called, and Stop with requests in flight.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/http/server.h"
#include "tests/adapter/api_http/http_client.h"
#include "tests/adapter/api_http/server_fixture.h"

namespace api::http {
namespace {

using apihttp_test::Call;
using apihttp_test::Fetch;
using apihttp_test::FetchAll;
using apihttp_test::OpenConnection;
using apihttp_test::OpenSocketCount;
using namespace std::chrono_literals;

TEST_F(HttpServerTest, AsyncReplyFromAnotherThreadAfterTheHandlerReturned) {
  Worker worker;
  std::atomic<bool> handler_returned{false};
  // What the two Send calls returned, set by the worker once both are done.
  auto sends = std::make_shared<std::promise<std::pair<bool, bool>>>();
  ASSERT_TRUE(m_server
                  .Add(Method::kGet, "/api/later/",
                       [&](Request request, Responder responder) {
                         worker.Post([&, sends, request = std::move(request), responder]() mutable {
                           std::this_thread::sleep_for(20ms);
                           const bool returned = handler_returned.load();
                           const bool first = responder.Send(200, nlohmann::json{{"late", true},
                                                                                 {"after_return", returned},
                                                                                 {"id", request.QueryParam("id").value_or("")}});
                           const bool second = responder.Send(500, nlohmann::json{{"late", false}});
                           sends->set_value({first, second});
                         });
                         handler_returned = true;
                       })
                  .ok());
  StartServer();
  const Reply reply = Fetch({.url = Url("/api/later/?id=abc")});
  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(Json(reply), (nlohmann::json{{"late", true}, {"after_return", true}, {"id", "abc"}}));
  auto result = sends->get_future();
  ASSERT_EQ(result.wait_for(10s), std::future_status::ready);
  const auto [first, second] = result.get();
  EXPECT_TRUE(first);
  EXPECT_FALSE(second);  // double Send is a no-op
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

TEST_F(HttpServerTest, SeveralIoThreadsServeConcurrentRequests) {
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

TEST_F(HttpServerTest, ResponderNeverCalledEndsIn503AfterTheReplyTimeout) {
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
  options.reply_timeout = 500ms;
  StartServer(options);
  const Reply reply = Fetch({.url = Url("/api/stuck/"), .timeout = 15000ms});
  EXPECT_EQ(reply.status, 503) << reply.error;
  EXPECT_EQ(Json(reply),
            (nlohmann::json{{"error_code", 1028}, {"bad_request", "The coordinator did not answer in time. Try again."}}))
      << reply.body;
  EXPECT_EQ(reply.Header("access-control-allow-origin"), "*");
  EXPECT_EQ(reply.Header("content-type"), "application/json");
  // The connection stays usable for the next request.
  EXPECT_EQ(Fetch({.url = Url("/api/echo/")}).status, 200);
  std::lock_guard lock(mutex);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_TRUE(kept[0].Sent());  // answered, by the server
  EXPECT_FALSE(kept[0].Send(200, nlohmann::json::object()));
  m_server.Stop();
  EXPECT_FALSE(kept[0].Send(200, nlohmann::json::object()));  // after Stop: a no-op
}

TEST_F(HttpServerTest, ResponderHeldPastStopSendsNothing) {
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<Responder> kept;
  ASSERT_TRUE(m_server
                  .Add(Method::kGet, "/api/stuck/",
                       [&](Request, Responder responder) {
                         std::lock_guard lock(mutex);
                         kept.push_back(std::move(responder));
                         arrived.notify_all();
                       })
                  .ok());
  StartServer();
  OpenConnection client(m_server.Port(), "GET /api/stuck/ HTTP/1.1\r\nHost: x\r\n\r\n");
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(arrived.wait_for(lock, 10s, [&] { return kept.size() == 1; }));
  }
  m_server.Stop();
  EXPECT_FALSE(kept[0].Sent());
  EXPECT_FALSE(kept[0].Send(200, nlohmann::json::object()));
  EXPECT_TRUE(client.WaitForClose(10s));
  EXPECT_EQ(client.received(), "");  // no answer at all, not even the 500 of a dropped responder
  kept.clear();
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
        if (pending.size() > 10) {  // the first ten stay unanswered
          batch.assign(pending.begin() + 10, pending.end());
          pending.resize(10);
        }
      }
      for (auto& responder : batch) responder.Send(200, nlohmann::json{{"ok", true}});
    }
  });

  {
    std::unique_lock lock(mutex);
    EXPECT_TRUE(arrived.wait_for(lock, 10s, [&] { return pending.size() >= 10; }));  // no ASSERT: threads to join
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

TEST_F(HttpServerTest, StopClosesOpenConnections) {
  const int sockets_before = OpenSocketCount();
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
  {
    OpenConnection first(m_server.Port(), "GET /api/slow/ HTTP/1.1\r\nHost: x\r\n\r\n");
    OpenConnection second(m_server.Port(), "GET /api/slow/ HTTP/1.1\r\nHost: x\r\n\r\n");
    {
      std::unique_lock lock(mutex);
      ASSERT_TRUE(arrived.wait_for(lock, 10s, [&] { return pending.size() == 2; }));
    }
    m_server.Stop();
    EXPECT_TRUE(first.WaitForClose(10s));
    EXPECT_TRUE(second.WaitForClose(10s));
  }
  pending.clear();
  EXPECT_EQ(OpenSocketCount(), sockets_before);
}

}  // namespace
}  // namespace api::http
