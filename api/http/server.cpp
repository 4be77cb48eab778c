#include "api/http/server.h"

#include <csignal>
#include <exception>
#include <mutex>

#include <pistache/endpoint.h>

#include "api/http/dispatcher.h"
#include "api/http/endpoint_handler.h"
#include "api/http/exchange.h"

namespace api::http {
namespace {

void IgnoreSigpipe() {
  static std::once_flag once;
  // A client that closes early must not kill the process with SIGPIPE on our next write.
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

}  // namespace

struct HttpServer::Impl {
  internal::RouteTable routes;  // moved into the dispatcher by Start
  bool started = false;
  std::shared_ptr<internal::ServerLife> life = std::make_shared<internal::ServerLife>();
  std::unique_ptr<Pistache::Http::Endpoint> endpoint;
  std::shared_ptr<const internal::Dispatcher> dispatcher;
  std::shared_ptr<internal::ConnectionRegistry> connections = std::make_shared<internal::ConnectionRegistry>();
};

HttpServer::HttpServer() : m_impl(std::make_unique<Impl>()) {}

HttpServer::~HttpServer() { Stop(); }

base::Status HttpServer::Add(Method method, std::string_view path, Handler handler) {
  if (m_impl->started) return base::Status::Error(base::Status::kInvalid, "routes are fixed once the server started");
  return m_impl->routes.Add(method, path, std::move(handler));
}

base::Status HttpServer::Start(const ServerOptions& options) {
  if (m_impl->started) return base::Status::Error(base::Status::kInvalid, "the server was already started");
  m_impl->started = true;
  IgnoreSigpipe();

  const std::string where = options.host + ":" + std::to_string(options.port);
  try {
    auto dispatcher = std::make_shared<const internal::Dispatcher>(std::move(m_impl->routes), options.max_body_bytes,
                                                                   m_impl->life);
    auto endpoint = std::make_unique<Pistache::Http::Endpoint>(
        Pistache::Address(options.host, Pistache::Port(options.port)));
    // STYLE.md, Pistache pitfalls: maxRequestSize defaults to 4096 bytes; set the timeouts.
    auto endpoint_options = Pistache::Http::Endpoint::options()
                                .threads(options.threads)
                                .flags(Pistache::Tcp::Options::ReuseAddr)
                                .backlog(options.backlog)
                                .maxRequestSize(options.max_request_bytes)
                                .headerTimeout(options.header_timeout)
                                .bodyTimeout(options.body_timeout)
                                .keepaliveTimeout(options.keepalive_timeout);
    endpoint->init(endpoint_options);
    endpoint->setHandler(
        std::make_shared<internal::EndpointHandler>(dispatcher, m_impl->connections, options.max_body_bytes));
    endpoint->serveThreaded();
    m_port = static_cast<uint16_t>(endpoint->getPort());
    m_impl->dispatcher = std::move(dispatcher);
    m_impl->endpoint = std::move(endpoint);
  } catch (const std::exception& e) {
    return base::Status::Error(base::Status::kUnavailable, "cannot serve HTTP on " + where + ": " + e.what());
  }
  return base::Status::Ok();
}

void HttpServer::Stop() {
  {
    // From here on, no ResponseWriter touches the endpoint (see ServerLife).
    std::unique_lock lock(m_impl->life->mutex);
    m_impl->life->running = false;
  }
  if (m_impl->endpoint) {
    // STYLE.md, Pistache pitfalls: shutdown() only signals; the threads are joined when the
    // endpoint is destroyed; only then may the state the handlers use go.
    m_impl->endpoint->shutdown();
    m_impl->endpoint.reset();
    // Pistache leaves the sockets of the connections still open at this point unclosed.
    m_impl->connections->CloseLeaked();
  }
  m_impl->dispatcher.reset();
  m_impl->routes = internal::RouteTable();
}

}  // namespace api::http
