#include "api/http/http_session.h"

#include <algorithm>
#include <exception>
#include <limits>
#include <string_view>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "api/http/errors.h"
#include "api/http/gzip.h"
#include "api/http/parse.h"
#include "api/http/ws_session.h"
#include "config/base/log.h"

namespace api::http::internal {
namespace {

namespace bhttp = beast::http;
using namespace std::chrono_literals;

// Bytes asked of the socket at a time while idle or draining.
constexpr size_t kReadChunk = 16 * 1024;
// After an answer that ends the connection: how long, and how much, unread input is drained.
constexpr auto kLingerTime = 2s;
constexpr size_t kLingerBytes = 1024 * 1024;

std::optional<Method> ToMethod(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get: return Method::kGet;
    case bhttp::verb::post: return Method::kPost;
    case bhttp::verb::put: return Method::kPut;
    case bhttp::verb::patch: return Method::kPatch;
    case bhttp::verb::delete_: return Method::kDelete;
    case bhttp::verb::head: return Method::kHead;
    case bhttp::verb::options: return Method::kOptions;
    case bhttp::verb::trace: return Method::kTrace;
    case bhttp::verb::connect: return Method::kConnect;
    default: return std::nullopt;  // WebDAV and unknown methods
  }
}

bool IsHttpError(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

std::string BodyTooLarge(const ServerOptions& options) {
  return "Request body too large: the limit is " + std::to_string(options.max_body_bytes) + " bytes";
}

std::string RequestTooLarge(const ServerOptions& options) {
  return "Request too large: the limit is " + std::to_string(options.max_request_bytes) + " bytes, headers included";
}

bool HasLineBreak(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

// RFC 9110 §10.1.1.
bool ExpectsContinue(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return beast::iequals(value, "100-continue");
}

Request ToRequest(bhttp::request<bhttp::string_body>& message, Method method, const std::string& remote_ip) {
  Request out;
  out.method = method;
  const std::string_view target(message.target().data(), message.target().size());
  const size_t question = target.find('?');
  out.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) {
    // A repeated name keeps its first value (request.h).
    for (auto& [name, value] : ParseFormUrlEncoded(target.substr(question + 1))) {
      out.query.emplace(std::move(name), std::move(value));
    }
  }
  for (const auto& field : message) {
    const std::string_view name(field.name_string().data(), field.name_string().size());
    std::string value(field.value().data(), field.value().size());
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    out.headers.Add(name, std::move(value));
  }
  out.raw_body = std::move(message.body());
  out.remote_ip = remote_ip;
  return out;
}

}  // namespace

HttpSession::HttpSession(Socket socket, std::string remote_ip, std::shared_ptr<const ServerContext> context)
    : m_strand(socket.get_executor()),
      m_stream(std::move(socket)),
      m_remote_ip(std::move(remote_ip)),
      m_ctx(std::move(context)),
      m_options(m_ctx->options),
      // Room for the largest header block plus one read; the parser's limits bind first.
      m_buffer(m_ctx->options.max_request_bytes + 64 * 1024),
      m_reply_timer(m_strand) {}

void HttpSession::Run() {
  net::dispatch(m_strand, beast::bind_front_handler(&HttpSession::ReadRequest, shared_from_this()));
}

void HttpSession::PostReply(uint64_t request_id, Reply reply) {
  net::post(m_strand, [self = shared_from_this(), request_id, reply = std::move(reply)]() mutable {
    self->Deliver(request_id, std::move(reply));
  });
}

void HttpSession::ReadRequest() {
  m_parser.emplace();
  m_parser->header_limit(static_cast<std::uint32_t>(
      std::min<size_t>(m_options.max_request_bytes, std::numeric_limits<std::uint32_t>::max())));
  // The body's caps are checked once the headers are in (OnHeader).
  m_parser->body_limit(boost::none);
  m_method = Method::kGet;
  m_version = 11;
  m_keep_alive = false;
  m_accepts_gzip = false;
  if (m_kept && m_buffer.size() == 0) {
    // Idle between requests: keepalive_timeout for the next request's first bytes.
    m_stream.expires_after(m_options.keepalive_timeout);
    m_stream.async_read_some(m_buffer.prepare(kReadChunk),
                             beast::bind_front_handler(&HttpSession::OnIdleRead, shared_from_this()));
    return;
  }
  ReadHeader();
}

void HttpSession::OnIdleRead(beast::error_code ec, size_t bytes) {
  if (ec) return CloseNow();  // idle too long, or the client closed
  m_buffer.commit(bytes);
  ReadHeader();
}

void HttpSession::ReadHeader() {
  m_stream.expires_after(m_options.header_timeout);
  bhttp::async_read_header(m_stream, m_buffer, *m_parser,
                           beast::bind_front_handler(&HttpSession::OnHeader, shared_from_this()));
}

void HttpSession::OnHeader(beast::error_code ec, size_t header_bytes) {
  m_started = std::chrono::steady_clock::now();
  m_route = kRouteRejected;
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    return Reject(413, RequestTooLarge(m_options));
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return CloseNow();
  if (ec && IsHttpError(ec)) return Reject(400, "Malformed HTTP request");
  if (ec) return CloseNow();  // a timeout (no answer: the client stalled) or a socket error

  auto& message = m_parser->get();
  m_version = message.version() == 10 ? 10 : 11;
  m_keep_alive = message.keep_alive();
  const auto method = ToMethod(message.method());
  if (!method) return Reject(400, "Malformed HTTP request: unsupported method");
  m_method = *method;

  // The caps, from the headers alone: a client told 413 may skip sending the body.
  const size_t room =
      m_options.max_request_bytes > header_bytes ? m_options.max_request_bytes - header_bytes : 0;
  if (const auto length = m_parser->content_length()) {
    if (*length > m_options.max_body_bytes) return Reject(413, BodyTooLarge(m_options));
    if (*length > room) return Reject(413, RequestTooLarge(m_options));
  } else if (m_parser->chunked()) {
    m_parser->body_limit(std::min<size_t>(m_options.max_body_bytes, room));
    m_chunked_cap_is_body = m_options.max_body_bytes <= room;
  }
  if (m_parser->is_done()) return Handle();

  if (ExpectsContinue(message[bhttp::field::expect])) {
    // RFC 9110 §10.1.1: a client that sent "Expect: 100-continue" waits for 100 before the
    // body (curl for up to a second).
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    m_stream.expires_after(m_options.write_timeout);
    net::async_write(m_stream, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code write_ec, size_t) {
                       if (write_ec) return self->CloseNow();
                       self->ReadBody();
                     });
    return;
  }
  ReadBody();
}

void HttpSession::ReadBody() {
  m_stream.expires_after(m_options.body_timeout);
  bhttp::async_read(m_stream, m_buffer, *m_parser,
                    beast::bind_front_handler(&HttpSession::OnBody, shared_from_this()));
}

void HttpSession::OnBody(beast::error_code ec, size_t) {
  if (ec == bhttp::error::body_limit) {
    return Reject(413, m_chunked_cap_is_body ? BodyTooLarge(m_options) : RequestTooLarge(m_options));
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return CloseNow();
  if (ec && IsHttpError(ec)) return Reject(400, "Malformed HTTP request");
  if (ec) return CloseNow();
  Handle();
}

void HttpSession::Handle() {
  // The handler's time is bounded by the reply timer, not by the socket's.
  m_stream.expires_never();
  auto& message = m_parser->get();
  m_accepts_gzip = m_options.gzip && AcceptsGzip(message[bhttp::field::accept_encoding]);
  Request request = ToRequest(message, m_method, m_remote_ip);
  m_route = m_ctx->dispatcher.RouteOf(request.path);

  if (m_method == Method::kGet && beast::websocket::is_upgrade(message)) {
    if (const WebSocketAccept* accept = m_ctx->dispatcher.websockets().Find(request.path)) {
      return Upgrade(*accept, std::move(request));
    }
  }

  ++m_request_id;
  auto exchange =
      std::make_shared<Exchange>(weak_from_this(), m_request_id, m_ctx->life, Label(m_method, request.path));
  m_exchange = exchange;
  m_waiting = true;
  m_reply_timer.expires_after(m_options.reply_timeout);
  m_reply_timer.async_wait(
      [self = shared_from_this(), id = m_request_id](beast::error_code ec) { self->OnReplyTimeout(ec, id); });
  m_ctx->dispatcher.Dispatch(std::move(request), exchange);
  // If the handler kept no copy of the Responder, `exchange` dies here: its 500 is posted.
}

void HttpSession::Upgrade(const WebSocketAccept& accept, Request request) {
  auto link = std::make_shared<WebSocketLink>(m_remote_ip, m_ctx->life, m_options.websocket);
  auto socket = std::make_shared<WebSocket>(link);
  std::optional<base::Expected<WebSocketHandlers, WebSocketRefusal>> decision;
  try {
    decision.emplace(accept(request, socket));
  } catch (const std::exception& e) {
    base::Log(base::LogLevel::kError, "api_http", "WebSocket accept threw; answering 500",
              {{"request", Label(m_method, request.path)}, {"exception", e.what()}});
  } catch (...) {
    base::Log(base::LogLevel::kError, "api_http", "WebSocket accept threw a non-exception; answering 500",
              {{"request", Label(m_method, request.path)}});
  }
  if (!decision || !decision->ok()) {
    link->Refuse();
    if (!decision) return Respond(Reply::Json(500, InternalErrorJson().dump()));
    const WebSocketRefusal& refusal = decision->error();
    const int status = refusal.status >= 400 && refusal.status <= 599 ? refusal.status : 403;
    return Respond(Reply::Json(status, ErrorJson(refusal.error_code, refusal.message).dump()));
  }
  Observe(101);
  // The connection is the WebSocket's from here on; this session ends.
  auto session =
      std::make_shared<WsSession>(std::move(m_stream), std::move(link), std::move(*decision).value(), m_ctx);
  session->Run(m_parser->release());
}

void HttpSession::OnReplyTimeout(beast::error_code ec, uint64_t request_id) {
  if (ec || !m_waiting || request_id != m_request_id) return;
  auto exchange = m_exchange.lock();
  if (!exchange) return;           // dropped unsent: its 500 is on the way
  if (!exchange->Claim()) return;  // a Send is on the way
  base::Log(base::LogLevel::kWarn, "api_http", "no reply within reply_timeout; answering 503",
            {{"request", exchange->label()}});
  Deliver(request_id, Reply::Json(503, ReplyTimeoutJson().dump()));
}

void HttpSession::Deliver(uint64_t request_id, Reply reply) {
  if (!m_waiting || request_id != m_request_id) return;  // late, or the connection moved on
  m_waiting = false;
  m_exchange.reset();
  m_reply_timer.cancel();
  Respond(std::move(reply));
}

void HttpSession::Reject(int status, const std::string& message) {
  m_keep_alive = false;
  m_accepts_gzip = false;
  m_method = Method::kGet;  // not HEAD: the error has a body
  Respond(Reply::Json(status, ErrorJson(kErrorNotUnderstood, message).dump()));
}

void HttpSession::Observe(int status) {
  const auto& observer = m_options.observer;
  if (!observer) return;
  try {
    observer->OnAnswered(AnsweredRequest{m_method, m_route, status, std::chrono::steady_clock::now() - m_started});
  } catch (const std::exception& e) {
    base::Log(base::LogLevel::kError, "api_http", "request observer threw", {{"exception", e.what()}});
  } catch (...) {
    base::Log(base::LogLevel::kError, "api_http", "request observer threw a non-exception");
  }
}

void HttpSession::Respond(Reply reply) {
  try {
    int status = reply.status;
    if (status < 100 || status > 599) status = 500;
    Observe(status);
    auto& res = m_response.emplace();
    res.version(m_version);
    res.result(static_cast<unsigned>(status));
    res.set(bhttp::field::access_control_allow_origin, "*");
    std::string_view content_type = reply.content_type;
    if (HasLineBreak(content_type)) content_type = "application/octet-stream";
    if (!content_type.empty()) res.set(bhttp::field::content_type, content_type);
    for (const HeaderField& field : reply.headers) {
      if (field.name.empty() || HasLineBreak(field.name) || HasLineBreak(field.value)) continue;
      res.insert(field.name, field.value);
    }
    // RFC 9110 §6.4.1: 1xx, 204 and 304 answers have no body (nor, for 204, Content-Length).
    const bool bodiless = status < 200 || status == 204 || status == 304;
    std::shared_ptr<const std::string> body = bodiless ? nullptr : std::move(reply.body);
    if (body && m_options.gzip &&
        (reply.gzip_body ||
         (body->size() >= m_options.gzip_min_bytes && MediaTypeOf(content_type) == kJsonContentType))) {
      res.set(bhttp::field::vary, "Accept-Encoding");
      if (m_accepts_gzip) {
        body =
            reply.gzip_body ? std::move(reply.gzip_body) : std::make_shared<const std::string>(Gzip(*body));
        res.set(bhttp::field::content_encoding, "gzip");
      }
    }
    if (!bodiless) res.content_length(body ? body->size() : 0);
    // HEAD: the headers of the answer a GET would get, Content-Length included, no body.
    if (m_method != Method::kHead) res.body() = std::move(body);
    res.keep_alive(m_keep_alive);
  } catch (const std::exception& e) {
    base::Log(base::LogLevel::kError, "api_http", "could not build a response", {{"error", e.what()}});
    return CloseNow();
  }
  m_stream.expires_after(m_options.write_timeout);
  bhttp::async_write(m_stream, *m_response,
                     beast::bind_front_handler(&HttpSession::OnWrite, shared_from_this()));
}

void HttpSession::OnWrite(beast::error_code ec, size_t) {
  m_response.reset();
  if (ec) return CloseNow();
  if (!m_keep_alive) return LingeringClose();
  m_kept = true;
  ReadRequest();
}

void HttpSession::LingeringClose() {
  beast::error_code ec;
  // FIN now: the client sees the end of the answer and of the connection at once.
  m_stream.socket().shutdown(net::socket_base::shutdown_send, ec);
  if (ec) return CloseNow();
  m_buffer.consume(m_buffer.size());
  m_drained = 0;
  m_stream.expires_after(kLingerTime);
  Drain();
}

void HttpSession::Drain() {
  m_buffer.consume(m_buffer.size());
  m_stream.async_read_some(m_buffer.prepare(kReadChunk),
                           beast::bind_front_handler(&HttpSession::OnDrain, shared_from_this()));
}

void HttpSession::OnDrain(beast::error_code ec, size_t bytes) {
  m_drained += bytes;
  if (ec || m_drained > kLingerBytes) return CloseNow();
  Drain();
}

void HttpSession::CloseNow() {
  m_waiting = false;
  m_exchange.reset();
  m_reply_timer.cancel();
  beast::error_code ec;
  m_stream.socket().shutdown(net::socket_base::shutdown_both, ec);
  m_stream.close();
}

}  // namespace api::http::internal
