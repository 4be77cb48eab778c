#include "api/http/dispatcher.h"

#include <algorithm>
#include <exception>
#include <string>

#include "api/http/errors.h"
#include "api/http/parse.h"
#include "config/base/log.h"

namespace api::http::internal {
namespace {

size_t Index(Method method) { return static_cast<size_t>(method); }

// API.md "CORS": the preflight allows every origin, these methods and these headers.
std::vector<HeaderField> PreflightHeaders() {
  return {
      {"Access-Control-Allow-Methods", "GET, POST, PUT, OPTIONS"},
      {"Access-Control-Allow-Headers", "Authorization, Content-Type"},
      {"Access-Control-Max-Age", "86400"},  // django-cors-headers' default
  };
}

std::string AllowedMethods(const std::array<Handler, kMethodCount>& handlers) {
  std::string allow;
  for (size_t i = 0; i < kMethodCount; ++i) {
    if (!handlers[i]) continue;
    allow += MethodName(static_cast<Method>(i));
    allow += ", ";
  }
  return allow + "OPTIONS";
}

}  // namespace

std::string_view RouteKey(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

std::string Label(Method method, std::string_view path) {
  std::string label(MethodName(method));
  label += ' ';
  for (char c : path.substr(0, 200)) label += (c >= 0x20 && c < 0x7f) ? c : '?';
  return label;
}

base::Status RouteTable::Add(Method method, std::string_view path, Handler handler) {
  if (path.empty() || path.front() != '/') {
    return base::Status::Error(base::Status::kInvalid, "route path must start with '/'");
  }
  if (method == Method::kOptions) {
    return base::Status::Error(base::Status::kInvalid, "OPTIONS is answered by the server (CORS preflight)");
  }
  if (!handler) return base::Status::Error(base::Status::kInvalid, "empty handler");
  const std::string_view key = RouteKey(path);
  auto it = m_routes.find(key);
  if (it == m_routes.end()) it = m_routes.emplace(std::string(key), Entry{std::string(path), {}}).first;
  Handler& slot = it->second.handlers[Index(method)];
  if (slot) {
    return base::Status::Error(
        base::Status::kInvalid,
        "route registered twice: " + std::string(MethodName(method)) + " " + std::string(key));
  }
  slot = std::move(handler);
  return base::Status::Ok();
}

const std::array<Handler, kMethodCount>* RouteTable::Find(std::string_view path) const {
  auto it = m_routes.find(RouteKey(path));
  return it == m_routes.end() ? nullptr : &it->second.handlers;
}

std::string_view RouteTable::Pattern(std::string_view path) const {
  auto it = m_routes.find(RouteKey(path));
  return it == m_routes.end() ? kRouteUnmatched : std::string_view(it->second.pattern);
}

base::Status WebSocketRoutes::Add(std::string_view prefix, WebSocketAccept accept) {
  if (prefix.empty() || prefix.front() != '/') {
    return base::Status::Error(base::Status::kInvalid, "WebSocket path prefix must start with '/'");
  }
  if (!accept) return base::Status::Error(base::Status::kInvalid, "empty WebSocket accept");
  for (const auto& [existing, unused] : m_routes) {
    if (existing == prefix) {
      return base::Status::Error(base::Status::kInvalid, "WebSocket prefix registered twice: " + existing);
    }
  }
  m_routes.emplace_back(std::string(prefix), std::move(accept));
  std::stable_sort(m_routes.begin(), m_routes.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  return base::Status::Ok();
}

const WebSocketAccept* WebSocketRoutes::Find(std::string_view path, std::string_view* prefix_out) const {
  for (const auto& [prefix, accept] : m_routes) {
    // "/relay/" also serves "/relay".
    if (path.starts_with(prefix) || (prefix.size() > 1 && prefix.back() == '/' &&
                                     path == std::string_view(prefix).substr(0, prefix.size() - 1))) {
      if (prefix_out) *prefix_out = prefix;
      return &accept;
    }
  }
  return nullptr;
}

std::string_view Dispatcher::RouteOf(std::string_view path) const {
  std::string_view pattern = m_routes.Pattern(path);
  if (pattern == kRouteUnmatched) m_websockets.Find(path, &pattern);
  return pattern;
}

void Dispatcher::Dispatch(Request request, const std::shared_ptr<Exchange>& exchange) const {
  const Method method = request.method;
  try {
    if (method == Method::kOptions) {
      // The CORS preflight, on any path (django-cors-headers answers it before URL routing).
      Reply reply;
      reply.status = 204;
      reply.headers = PreflightHeaders();
      exchange->Send(std::move(reply));
      return;
    }
    const auto* handlers = m_routes.Find(request.path);
    if (handlers == nullptr) {
      if (m_websockets.Find(request.path) != nullptr) {
        // RFC 9110 §15.5.22: 426 names the protocol to upgrade to.
        Reply reply =
            Reply::Json(426, ErrorJson(kErrorNotUnderstood, "This path speaks WebSocket only").dump());
        reply.headers.push_back({"Upgrade", "websocket"});
        exchange->Send(std::move(reply));
        return;
      }
      exchange->Send(Reply::Json(404, NotFoundJson().dump()));
      return;
    }
    const Handler& handler = (*handlers)[Index(method)];
    if (!handler) {
      Reply reply = Reply::Json(405, MethodNotAllowedJson(MethodName(method)).dump());
      reply.headers.push_back({"Allow", AllowedMethods(*handlers)});
      exchange->Send(std::move(reply));
      return;
    }
    auto body = ParseBody(request.headers.Get("content-type"), request.raw_body);
    if (!body.ok()) {
      exchange->Send(Reply::Json(400, ErrorJson(kErrorNotUnderstood, body.error().message).dump()));
      return;
    }
    request.body = std::move(body).value();
    handler(std::move(request), Responder(exchange));
  } catch (const std::exception& e) {
    base::Log(base::LogLevel::kError, "api_http", "handler threw; answering 500",
              {{"request", exchange->label()}, {"exception", e.what()}});
    exchange->Send(Reply::Json(500, InternalErrorJson().dump()));
  } catch (...) {
    base::Log(base::LogLevel::kError, "api_http", "handler threw a non-exception; answering 500",
              {{"request", exchange->label()}});
    exchange->Send(Reply::Json(500, InternalErrorJson().dump()));
  }
}

}  // namespace api::http::internal
