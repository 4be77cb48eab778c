// Internal to api/http: the route tables and the one wrapper every request goes through
// (route lookup, CORS preflight, 404/405/426, body parsing, exception barrier). No Beast here:
// it sees a Request and answers through an Exchange.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http/exchange.h"
#include "api/http/server.h"

namespace api::http::internal {

inline constexpr size_t kMethodCount = 9;  // api::http::Method's enumerators

// "/api/book/" and "/api/book" → "/api/book"; "/" stays "/".
std::string_view RouteKey(std::string_view path);

// "GET /api/book/" for logs: the path only (no query), bounded and printable.
std::string Label(Method method, std::string_view path);

class RouteTable {
 public:
  base::Status Add(Method method, std::string_view path, Handler handler);
  // The handlers of `path` by method (empty function: not allowed), or nullptr.
  const std::array<Handler, kMethodCount>* Find(std::string_view path) const;
  // The route serving `path` as first registered ("/api/book/"), or kRouteUnmatched.
  std::string_view Pattern(std::string_view path) const;

 private:
  struct Entry {
    std::string pattern;  // as registered (the key drops a trailing slash)
    std::array<Handler, kMethodCount> handlers;
  };
  std::map<std::string, Entry, std::less<>> m_routes;
};

class WebSocketRoutes {
 public:
  base::Status Add(std::string_view prefix, WebSocketAccept accept);
  // The accept of the longest prefix serving `path`, or nullptr (see HttpServer::AddWebSocket).
  // `prefix` (optional) receives that prefix.
  const WebSocketAccept* Find(std::string_view path, std::string_view* prefix = nullptr) const;

 private:
  std::vector<std::pair<std::string, WebSocketAccept>> m_routes;  // longest prefix first
};

class Dispatcher {
 public:
  Dispatcher(RouteTable routes, WebSocketRoutes websockets)
      : m_routes(std::move(routes)), m_websockets(std::move(websockets)) {}

  // Answers one complete request (its body still raw: `request.body` is parsed here) through
  // `exchange`, on the connection's strand. Never throws.
  void Dispatch(Request request, const std::shared_ptr<Exchange>& exchange) const;

  const WebSocketRoutes& websockets() const { return m_websockets; }
  // For observers: the route pattern of `path` (observer.h).
  std::string_view RouteOf(std::string_view path) const;

 private:
  RouteTable m_routes;
  WebSocketRoutes m_websockets;
};

}  // namespace api::http::internal
