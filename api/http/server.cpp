#include "api/http/server.h"

#include <unistd.h>

#include <csignal>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>

#include "api/http/context.h"
#include "api/http/listener.h"
#include "config/base/log.h"

namespace api::http {
namespace {

void IgnoreSigpipe() {
  static std::once_flag once;
  // A client that closes early must not kill the process with SIGPIPE on our next write.
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

base::Status CheckOptions(const ServerOptions& options) {
  const auto invalid = [](const std::string& why) {
    return base::Status::Error(base::Status::kInvalid, why);
  };
  if (options.threads < 1) return invalid("threads must be at least 1");
  if (options.max_request_bytes == 0 || options.max_body_bytes == 0)
    return invalid("request caps must be positive");
  if (options.websocket.max_message_bytes == 0)
    return invalid("websocket.max_message_bytes must be positive");
  if (options.websocket.max_queued_messages == 0 || options.websocket.max_queued_bytes == 0) {
    return invalid("the WebSocket outbound queue's bounds must be positive");
  }
  return base::Status::Ok();
}

}  // namespace

struct HttpServer::Impl {
  internal::RouteTable routes;  // moved into the context by Start
  internal::WebSocketRoutes websockets;
  bool started = false;
  std::shared_ptr<internal::ServerLife> life = std::make_shared<internal::ServerLife>();
  std::unique_ptr<internal::net::io_context> ioc;
  std::optional<internal::net::executor_work_guard<internal::net::io_context::executor_type>> work;
  std::shared_ptr<internal::Listener> listener;
  std::vector<std::thread> threads;
  std::string unix_socket_path;  // to remove at Stop
};

HttpServer::HttpServer() : m_impl(std::make_unique<Impl>()) {}

HttpServer::~HttpServer() { Stop(); }

base::Status HttpServer::Add(Method method, std::string_view path, Handler handler) {
  if (m_impl->started)
    return base::Status::Error(base::Status::kInvalid, "routes are fixed once the server started");
  return m_impl->routes.Add(method, path, std::move(handler));
}

base::Status HttpServer::AddWebSocket(std::string_view path_prefix, WebSocketAccept accept) {
  if (m_impl->started)
    return base::Status::Error(base::Status::kInvalid, "routes are fixed once the server started");
  return m_impl->websockets.Add(path_prefix, std::move(accept));
}

base::Status HttpServer::Start(const ServerOptions& options) {
  if (m_impl->started) return base::Status::Error(base::Status::kInvalid, "the server was already started");
  if (auto checked = CheckOptions(options); !checked.ok()) return checked;
  m_impl->started = true;
  IgnoreSigpipe();

  try {
    auto context = std::make_shared<const internal::ServerContext>(
        options, internal::Dispatcher(std::move(m_impl->routes), std::move(m_impl->websockets)),
        m_impl->life);
    auto ioc = std::make_unique<internal::net::io_context>(options.threads);
    auto listener = std::make_shared<internal::Listener>(*ioc, context);
    if (auto opened = listener->Open(); !opened.ok()) {
      listener.reset();  // before its io_context
      return opened;
    }
    m_port = listener->Port();
    listener->Run();
    m_impl->work.emplace(ioc->get_executor());
    m_impl->unix_socket_path = options.unix_socket_path;
    m_impl->listener = std::move(listener);
    m_impl->ioc = std::move(ioc);
    for (int i = 0; i < options.threads; ++i) {
      m_impl->threads.emplace_back([ioc = m_impl->ioc.get()] {
        while (true) {
          try {
            ioc->run();
            return;
          } catch (const std::exception& e) {
            // Handlers catch what they expect; this is a bug, not a reason to stop serving.
            base::Log(base::LogLevel::kError, "api_http", "io thread caught an exception",
                      {{"exception", e.what()}});
          }
        }
      });
    }
  } catch (const std::exception& e) {
    return base::Status::Error(base::Status::kUnavailable, std::string("cannot serve HTTP: ") + e.what());
  }
  return base::Status::Ok();
}

void HttpServer::Stop() {
  {
    // From here on, no Responder or WebSocket reaches a connection (see ServerLife).
    std::unique_lock lock(m_impl->life->mutex);
    m_impl->life->running = false;
  }
  if (m_impl->ioc) {
    m_impl->ioc->stop();
    for (auto& thread : m_impl->threads) thread.join();
    m_impl->threads.clear();
    m_impl->work.reset();
    m_impl->listener.reset();
    // Destroying the io_context destroys every pending operation's handler, and with them
    // the last references to every connection: their sockets close here, open WebSockets get
    // on_close, and the route handlers (held by the connections' shared context) go.
    m_impl->ioc.reset();
  }
  if (!m_impl->unix_socket_path.empty()) {
    ::unlink(m_impl->unix_socket_path.c_str());
    m_impl->unix_socket_path.clear();
  }
  m_impl->routes = internal::RouteTable();
  m_impl->websockets = internal::WebSocketRoutes();
}

}  // namespace api::http
