// Internal to escrow/simln/http (server.cpp and session.cpp): what a server shares with its
// connections, and the start of a connection's session. Not a public header.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <set>

#include "escrow/simln/http/server.h"

namespace escrow::simln::http::detail {

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Shuts the connection down (io thread): pending reads and writes fail, Closed() turns true.
  virtual void ForceClose() = 0;
};

// What every session of one server shares. Outlives every session: the server waits for the
// last one to deregister before it stops the io thread.
struct Core {
  Core(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}

  const ServerOptions options;
  const Handler handler;
  std::optional<boost::asio::ssl::context> tls;  // before `ioc`: destroyed after it
  boost::asio::io_context ioc{1};

  // io thread only.
  void Register(SessionBase* s) {
    sessions.insert(s);
    std::lock_guard lock(mu);
    ++live;
  }
  void Deregister(SessionBase* s) {
    if (sessions.erase(s) == 0) return;
    {
      std::lock_guard lock(mu);
      --live;
    }
    cv.notify_all();
  }
  void CloseAll() {
    for (SessionBase* s : sessions) s->ForceClose();
  }
  // Any thread but the io thread.
  void WaitNoSessions() {
    std::unique_lock lock(mu);
    cv.wait(lock, [this] { return live == 0; });
  }

  std::set<SessionBase*> sessions;  // io thread only
  std::mutex mu;
  std::condition_variable cv;
  size_t live = 0;  // guarded by mu
};

// Serves one accepted connection (plain or TLS, as `core.tls` says) until it closes; registers
// with `core` at once and deregisters when done. io thread.
void StartSession(Core& core, boost::asio::ip::tcp::socket socket);

}  // namespace escrow::simln::http::detail
