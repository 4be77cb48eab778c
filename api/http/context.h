// Internal to api/http: the Beast/Asio types every connection uses, and what all connections
// of one server share.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/basic_stream.hpp>

#include "api/http/dispatcher.h"
#include "api/http/exchange.h"
#include "api/http/server.h"

namespace api::http::internal {

namespace net = boost::asio;
namespace beast = boost::beast;

// One strand per connection: its reads, handlers and writes never run concurrently.
using Executor = net::strand<net::io_context::executor_type>;
// TCP and unix domain sockets alike (asio's generic protocol carries the address family).
using Protocol = net::generic::stream_protocol;
using Socket = net::basic_stream_socket<Protocol, Executor>;
// A socket with Beast's per-operation timeouts (expires_after).
using Stream = beast::basic_stream<Protocol, Executor>;

// What every connection of one server shares; immutable once the server started.
struct ServerContext {
  ServerContext(ServerOptions options_, Dispatcher dispatcher_, std::shared_ptr<ServerLife> life_)
      : options(std::move(options_)), dispatcher(std::move(dispatcher_)), life(std::move(life_)) {}

  const ServerOptions options;
  const Dispatcher dispatcher;
  const std::shared_ptr<ServerLife> life;
};

}  // namespace api::http::internal
