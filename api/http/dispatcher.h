// Internal to api/http: the route table and the one wrapper every request goes through
// (route lookup, CORS preflight, 404/405, body checks and parsing, exception barrier).
#pragma once

#include <array>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <pistache/http.h>

#include "api/http/exchange.h"
#include "api/http/server.h"

namespace api::http::internal {

inline constexpr size_t kMethodCount = 9;  // api::http::Method's enumerators

// "/api/book/" and "/api/book" → "/api/book"; "/" stays "/".
std::string_view RouteKey(std::string_view path);

class RouteTable {
 public:
  base::Status Add(Method method, std::string_view path, Handler handler);
  // The handlers of `path` by method (empty function: not allowed), or nullptr.
  const std::array<Handler, kMethodCount>* Find(std::string_view path) const;

 private:
  std::map<std::string, std::array<Handler, kMethodCount>, std::less<>> m_routes;
};

class Dispatcher {
 public:
  Dispatcher(RouteTable routes, size_t max_body_bytes, std::shared_ptr<ServerLife> life)
      : m_routes(std::move(routes)), m_max_body_bytes(max_body_bytes), m_life(std::move(life)) {}

  // Answers one complete request, on a Pistache thread. Never throws.
  void Dispatch(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter writer) const;

  // An error answered before a request could be dispatched (framing): RoboSats' error JSON
  // with `error_code`, and Connection: close.
  void Reject(Pistache::Http::ResponseWriter writer, int status, int error_code, std::string_view message) const;

 private:
  RouteTable m_routes;
  size_t m_max_body_bytes;
  std::shared_ptr<ServerLife> m_life;
};

}  // namespace api::http::internal
