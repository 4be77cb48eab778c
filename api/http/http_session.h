// Internal to api/http: one HTTP/1.1 connection, on its own strand.
//
// The loop: wait for a request (keepalive_timeout on a kept connection), read its headers
// (header_timeout, header_limit = max_request_bytes), check the body's size against the caps
// from Content-Length before reading it (413 at once; Expect: 100-continue answered), read
// the body (body_timeout; a chunked body is capped as it arrives), then either hand a
// WebSocket upgrade to WsSession or dispatch the request and wait for its Reply (armed with
// reply_timeout), write the answer (write_timeout), and go on or close. A connection that is
// not kept alive, or that broke framing, is shut down for sending right after the answer
// (the client sees EOF at once), its remaining input drained briefly so that the kernel does
// not reset the connection under the answer, then closed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "api/http/context.h"
#include "api/http/shared_body.h"

namespace api::http::internal {

class HttpSession final : public ReplySink, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Socket socket, std::string remote_ip, std::shared_ptr<const ServerContext> context);

  // Starts reading the first request.
  void Run();

  // ReplySink: thread-safe.
  void PostReply(uint64_t request_id, Reply reply) override;

 private:
  using Parser = beast::http::request_parser<beast::http::string_body>;

  void ReadRequest();
  void OnIdleRead(beast::error_code ec, size_t bytes);
  void ReadHeader();
  void OnHeader(beast::error_code ec, size_t header_bytes);
  void ReadBody();
  void OnBody(beast::error_code ec, size_t bytes);
  void Handle();
  void Upgrade(const WebSocketAccept& accept, Request request);
  void OnReplyTimeout(beast::error_code ec, uint64_t request_id);
  void Deliver(uint64_t request_id, Reply reply);
  // A framing error or a cap: answers RoboSats' error JSON, then closes.
  void Reject(int status, const std::string& message);
  void Respond(Reply reply);
  // Tells the server's observer (if any) of the answer being given.
  void Observe(int status);
  void OnWrite(beast::error_code ec, size_t bytes);
  void LingeringClose();
  void Drain();
  void OnDrain(beast::error_code ec, size_t bytes);
  void CloseNow();

  const Executor m_strand;
  Stream m_stream;
  const std::string m_remote_ip;
  const std::shared_ptr<const ServerContext> m_ctx;
  const ServerOptions& m_options;  // m_ctx->options
  beast::flat_buffer m_buffer;
  std::optional<Parser> m_parser;
  std::optional<beast::http::response<SharedStringBody>> m_response;
  net::steady_timer m_reply_timer;

  // The request being served.
  Method m_method = Method::kGet;
  unsigned m_version = 11;
  bool m_keep_alive = false;
  bool m_accepts_gzip = false;
  bool m_chunked_cap_is_body = true;  // a chunked body's cap is max_body_bytes (else the request's)
  uint64_t m_request_id = 0;
  // For the observer: when the request's headers were complete, and its route pattern (owned
  // by the dispatcher, or one of observer.h's constants).
  std::chrono::steady_clock::time_point m_started{};
  std::string_view m_route = kRouteRejected;
  bool m_waiting = false;  // a Reply for m_request_id is awaited
  std::weak_ptr<Exchange> m_exchange;

  bool m_kept = false;  // a request was answered and the connection kept
  size_t m_drained = 0;
};

}  // namespace api::http::internal
