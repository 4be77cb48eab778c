// HttpServer: one listener for HTTP/1.1 and WebSocket, over Boost.Beast/Asio (see
// api/README.md "Why Beast"). Every listener of the coordinator is one of these.
//
// Routes are fixed before Start (an immutable table: no lock on the request path). Each
// request is framed, checked and parsed here; handlers only see api::http::Request and answer
// through a Responder, now or later, from any thread. A GET carrying a WebSocket upgrade to a
// path registered with AddWebSocket becomes a WebSocket (websocket.h) on the same port.
//
// What the server answers by itself, always JSON, always with Access-Control-Allow-Origin: *
// (API.md "CORS"; RoboSats serves the same through django-cors-headers):
// - OPTIONS on any path: the CORS preflight, 204 with Access-Control-Allow-Methods
//   "GET, POST, PUT, OPTIONS", -Allow-Headers "Authorization, Content-Type", -Max-Age 86400.
// - unknown path: 404 {"detail": "Not found."}; known path, other method: 405
//   {"detail": "Method \"X\" not allowed."} with Allow (Django REST framework's answers). A
//   path served only as WebSocket, asked without an upgrade: 426 with Upgrade: websocket.
// - a body over max_body_bytes, or a request over max_request_bytes (both known from the
//   headers before the body is read, so the client may skip sending it; a chunked body is
//   counted as it arrives): 413 {"error_code": 1049, "bad_request": "…"}, Connection: close.
// - malformed JSON, a JSON body that is not an object, an unsupported Content-Type:
//   400 {"error_code": 1049, "bad_request": "…"}; a malformed HTTP request or a method
//   outside api::http::Method: 400 likewise, Connection: close.
// - a handler that throws: 500 {"error_code": 1028, "bad_request": "Internal error"}; the
//   exception text goes to the log only.
// - a handler's Responder dropped unsent: 500 likewise; kept but unsent for reply_timeout:
//   503 {"error_code": 1028, …} (responder.h).
// - "Expect: 100-continue" is answered 100 Continue, or 413 when the body is over the cap.
// A request whose headers or body stall past header_timeout / body_timeout gets no answer: the
// connection is closed.
//
// Connections: HTTP/1.1 keeps a connection open unless the client sends "Connection: close";
// HTTP/1.0 closes unless it sends "Connection: keep-alive". A connection that is not kept is
// shut down right after the answer is written (the client sees EOF at once); a kept one is
// closed after keepalive_timeout without a new request. Requests on one connection are
// answered in order, one at a time.
//
// Compression: a JSON answer of gzip_min_bytes or more, to a request whose Accept-Encoding
// accepts gzip, is sent gzip-encoded (Content-Encoding: gzip); such answers carry
// Vary: Accept-Encoding whether compressed or not. A body sent with its gzip form
// (Responder::Send with gzip_body) is never compressed again.
//
// Threads: `threads` io threads run every connection; each connection's work (reading,
// handlers, writing) runs on its own strand, so one connection's handlers never run
// concurrently with each other. Handlers must not block: they parse and hand over.
//
// REQUIRES: Add()/AddWebSocket() before Start(); Start() once.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/http/observer.h"
#include "api/http/request.h"
#include "api/http/responder.h"
#include "api/http/websocket.h"
#include "config/base/status.h"

namespace api::http {

struct WebSocketOptions {
  // The largest message accepted from a client; a larger one closes the socket with 1009
  // (Message Too Big). It is counted as it arrives: nothing larger is buffered.
  size_t max_message_bytes = 64 * 1024;
  // What may wait to be written to one client. A client that lets more pile up (it does not
  // read) is closed with 1008 (Policy Violation): SendText returns false from then on.
  size_t max_queued_messages = 1024;
  size_t max_queued_bytes = 4 * 1024 * 1024;
  // A client silent this long is disconnected; after half of it without a frame from the
  // client, the server sends a ping (which a live client answers with a pong).
  std::chrono::milliseconds idle_timeout{60000};
  // How long the opening handshake and the closing handshake may take; also how long a close
  // may wait behind a write the client does not read, before the socket is simply closed.
  std::chrono::milliseconds close_timeout{5000};
};

struct ServerOptions {
  std::string host = "127.0.0.1";  // an IPv4/IPv6 address or a name that resolves to one
  uint16_t port = 0;               // 0: an ephemeral port; read it back with Port()
  // Non-empty: listen on this unix domain socket path instead of host:port. The socket file
  // is created with mode 0600 (owner only), replaces a stale socket file nobody listens on,
  // and is removed by Stop(). Request::remote_ip is then "unix".
  std::string unix_socket_path;
  // io threads. Handlers only parse and enqueue (the engine is a single writer); two let one
  // slow write not delay every other connection.
  int threads = 2;
  // The request line, headers and body together. RoboSats' first request carries PGP keys in
  // its Authorization header (several KB). Headers beyond this: 413.
  size_t max_request_bytes = 64 * 1024;
  // The body alone. With the defaults, max_request_bytes binds first (a 64 KiB body plus
  // headers is over 64 KiB); either way the client gets 413 JSON.
  size_t max_body_bytes = 64 * 1024;
  // How long the request line and headers may take to arrive: from the accept on a new
  // connection, from the request's first byte on a kept one.
  std::chrono::milliseconds header_timeout{5000};
  // How long the body may take to arrive.
  std::chrono::milliseconds body_timeout{5000};
  // A kept-alive connection with no new request for this long is closed.
  std::chrono::milliseconds keepalive_timeout{15000};
  // How long a handler's Responder may stay unsent before the server answers 503 itself
  // (responder.h). Engine replies come in milliseconds; this only bounds a bug or a stall.
  std::chrono::milliseconds reply_timeout{30000};
  // How long writing one answer may take; a client that does not read it is disconnected.
  std::chrono::milliseconds write_timeout{30000};
  // gzip JSON answers of gzip_min_bytes or more for clients that accept it.
  bool gzip = true;
  size_t gzip_min_bytes = 1024;
  int backlog = 1024;
  WebSocketOptions websocket;
  // Told of every answer (route pattern, status, latency); null: nobody (observer.h).
  std::shared_ptr<RequestObserver> observer;
};

// Must not throw: whatever it throws becomes a 500. It may keep `responder` and reply later.
// Runs on an io thread: it must not block.
using Handler = std::function<void(Request request, Responder responder)>;

class HttpServer {
 public:
  HttpServer();
  // Stops the server if it runs.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Registers `handler` for `method` on `path` ("/api/book/"). The path answers with and
  // without its trailing slash. Errors: the server already started; a path not starting with
  // '/'; a route registered twice; OPTIONS (answered by the server).
  base::Status Add(Method method, std::string_view path, Handler handler);

  // Serves WebSocket upgrades (GET with Upgrade: websocket) of every path that starts with
  // `path_prefix` ("/ws/chat/" serves "/ws/chat/42/"; "/relay/" also serves "/relay"); the
  // longest registered prefix wins. `accept` decides (websocket.h). An upgrade to a path no
  // prefix serves is routed as plain HTTP (so 404 unless an HTTP route has it). Errors: the
  // server already started; a prefix not starting with '/'; a prefix registered twice.
  base::Status AddWebSocket(std::string_view path_prefix, WebSocketAccept accept);

  // Binds and starts serving in background threads. Ignores SIGPIPE process-wide.
  // Errors: called twice; the address cannot be bound or resolved; an invalid option.
  base::Status Start(const ServerOptions& options);

  // The bound port; 0 before Start and for a unix socket.
  uint16_t Port() const { return m_port; }

  // Stops accepting, closes every connection (HTTP and WebSocket; open WebSockets get their
  // on_close, on the calling thread), joins the io threads, drops the handlers, removes the
  // unix socket file. Responders and WebSockets still held elsewhere become no-ops.
  // Idempotent. REQUIRES: not called from a handler (it joins the thread running it).
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  uint16_t m_port = 0;
};

}  // namespace api::http
