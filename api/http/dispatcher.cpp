#include "api/http/dispatcher.h"

#include <exception>
#include <string>

#include "api/http/errors.h"
#include "api/http/parse.h"
#include "config/base/log.h"

namespace api::http::internal {
namespace {

Method FromPistache(Pistache::Http::Method method) {
  using P = Pistache::Http::Method;
  switch (method) {
    case P::Get: return Method::kGet;
    case P::Post: return Method::kPost;
    case P::Put: return Method::kPut;
    case P::Patch: return Method::kPatch;
    case P::Delete: return Method::kDelete;
    case P::Head: return Method::kHead;
    case P::Options: return Method::kOptions;
    case P::Trace: return Method::kTrace;
    case P::Connect: return Method::kConnect;
  }
  return Method::kGet;
}

size_t Index(Method method) { return static_cast<size_t>(method); }

// API.md "CORS": the preflight allows every origin, these methods and these headers.
constexpr HeaderField kPreflightHeaders[] = {
    {"Access-Control-Allow-Methods", "GET, POST, PUT, OPTIONS"},
    {"Access-Control-Allow-Headers", "Authorization, Content-Type"},
    {"Access-Control-Max-Age", "86400"},  // django-cors-headers' default
};

std::string AllowedMethods(const std::array<Handler, kMethodCount>& handlers) {
  std::string allow;
  for (size_t i = 0; i < kMethodCount; ++i) {
    if (!handlers[i]) continue;
    allow += MethodName(static_cast<Method>(i));
    allow += ", ";
  }
  return allow + "OPTIONS";
}

// "GET /api/book/" for logs: the path only (no query), bounded and printable.
std::string Label(Method method, std::string_view path) {
  std::string label(MethodName(method));
  label += ' ';
  for (char c : path.substr(0, 200)) label += (c >= 0x20 && c < 0x7f) ? c : '?';
  return label;
}

Request ToRequest(const Pistache::Http::Request& in, Method method) {
  Request out;
  out.method = method;
  out.path = in.resource();
  const auto& query = in.query();
  for (auto it = query.parameters_begin(); it != query.parameters_end(); ++it) {
    out.query.emplace(UrlDecode(it->first), UrlDecode(it->second));
  }
  for (const auto& [name, raw] : in.headers().rawList()) {
    std::string value = raw.value();
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    out.headers.Add(raw.name(), std::move(value));
  }
  out.raw_body = in.body();
  out.remote_ip = in.address().host();
  return out;
}

}  // namespace

std::string_view RouteKey(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
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
  if (it == m_routes.end()) it = m_routes.emplace(std::string(key), std::array<Handler, kMethodCount>{}).first;
  Handler& slot = it->second[Index(method)];
  if (slot) {
    return base::Status::Error(base::Status::kInvalid,
                               "route registered twice: " + std::string(MethodName(method)) + " " + std::string(key));
  }
  slot = std::move(handler);
  return base::Status::Ok();
}

const std::array<Handler, kMethodCount>* RouteTable::Find(std::string_view path) const {
  auto it = m_routes.find(RouteKey(path));
  return it == m_routes.end() ? nullptr : &it->second;
}

void Dispatcher::Dispatch(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter writer) const {
  const Method method = FromPistache(request.method());
  const std::string& path = request.resource();
  auto exchange = std::make_shared<Exchange>(std::move(writer), m_life, Label(method, path));
  try {
    if (method == Method::kOptions) {
      // The CORS preflight, on any path (django-cors-headers answers it before URL routing).
      exchange->Send(204, "", kJsonContentType,
                     {kPreflightHeaders[0], kPreflightHeaders[1], kPreflightHeaders[2]});
      return;
    }
    const auto* handlers = m_routes.Find(path);
    if (handlers == nullptr) {
      exchange->Send(404, NotFoundJson().dump(), kJsonContentType);
      return;
    }
    const Handler& handler = (*handlers)[Index(method)];
    if (!handler) {
      const std::string allow = AllowedMethods(*handlers);
      exchange->Send(405, MethodNotAllowedJson(MethodName(method)).dump(), kJsonContentType, {{"Allow", allow}});
      return;
    }
    // Chunked bodies have no Content-Length to check up front: check them now.
    if (request.body().size() > m_max_body_bytes) {
      exchange->Send(413,
                     ErrorJson(kErrorNotUnderstood, "Request body too large: the limit is " +
                                                        std::to_string(m_max_body_bytes) + " bytes")
                         .dump(),
                     kJsonContentType);
      return;
    }
    Request parsed = ToRequest(request, method);
    auto body = ParseBody(parsed.headers.Get("content-type"), parsed.raw_body);
    if (!body.ok()) {
      exchange->Send(400, ErrorJson(kErrorNotUnderstood, body.error().message).dump(), kJsonContentType);
      return;
    }
    parsed.body = std::move(body).value();
    handler(std::move(parsed), Responder(exchange));
  } catch (const std::exception& e) {
    base::Log(base::LogLevel::kError, "api_http", "handler threw; answering 500",
              {{"request", Label(method, path)}, {"exception", e.what()}});
    exchange->Send(500, InternalErrorJson().dump(), kJsonContentType);
  } catch (...) {
    base::Log(base::LogLevel::kError, "api_http", "handler threw a non-exception; answering 500",
              {{"request", Label(method, path)}});
    exchange->Send(500, InternalErrorJson().dump(), kJsonContentType);
  }
}

void Dispatcher::Reject(Pistache::Http::ResponseWriter writer, int status, int error_code,
                        std::string_view message) const {
  writer.headers().add<Pistache::Http::Header::Connection>(Pistache::Http::ConnectionControl::Close);
  Exchange exchange(std::move(writer), m_life, "framing");
  exchange.Send(status, ErrorJson(error_code, message).dump(), kJsonContentType);
}

}  // namespace api::http::internal
