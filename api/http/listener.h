// Internal to api/http: the accepting socket (TCP host:port or a unix domain socket path) and
// its accept loop, which gives each connection its strand and an HttpSession.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/http/context.h"

namespace api::http::internal {

class Listener final : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, std::shared_ptr<const ServerContext> context);

  // Binds and listens (synchronously, before the io threads run). Errors: the reason, naming
  // the address.
  base::Status Open();
  // The bound TCP port; 0 for a unix socket.
  uint16_t Port() const;
  // Starts the accept loop.
  void Run();

 private:
  base::Status OpenTcp();
  base::Status OpenUnix();
  void Accept();
  void OnAccept(beast::error_code ec, Socket socket);

  net::io_context& m_ioc;
  const std::shared_ptr<const ServerContext> m_ctx;
  net::basic_socket_acceptor<Protocol, Executor> m_acceptor;
  net::steady_timer m_retry_timer;
};

// "127.0.0.1", "::1", or "unix" for a unix domain socket; "" if unknown.
std::string RemoteIp(const Socket& socket);

}  // namespace api::http::internal
