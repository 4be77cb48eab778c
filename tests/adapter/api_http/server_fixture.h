// The server fixture shared by the api_http adapter tests: an HttpServer on 127.0.0.1:0
// with echo routes, and a Worker thread standing in for the engine.
#pragma once

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "api/http/server.h"
#include "tests/adapter/api_http/http_client.h"

namespace api::http {

using apihttp_test::Reply;

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

// The request as the handler saw it.
inline nlohmann::json EchoOf(const Request& request) {
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
    if (options.unix_socket_path.empty()) {
      ASSERT_NE(m_server.Port(), 0);
    } else {
      ASSERT_EQ(m_server.Port(), 0);
    }
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

}  // namespace api::http
