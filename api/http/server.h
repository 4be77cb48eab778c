// HttpServer: the HTTP/1.1 listener of the public API, over Pistache 0.0.5.
//
// Routes are fixed before Start (no lock on the request path, no Pistache Router and so no
// Router race with several threads). Each request is framed, checked and parsed here;
// handlers only see api::http::Request, and answer through a Responder, now or later.
//
// What the server answers by itself, always JSON, always with Access-Control-Allow-Origin: *
// (API.md "CORS"; RoboSats serves the same through django-cors-headers):
// - OPTIONS on any path: the CORS preflight, 204 with Access-Control-Allow-Methods
//   "GET, POST, PUT, OPTIONS", -Allow-Headers "Authorization, Content-Type", -Max-Age 86400.
// - unknown path: 404 {"detail": "Not found."}; known path, other method: 405
//   {"detail": "Method \"X\" not allowed."} with Allow (Django REST framework's answers).
// - a body over max_body_bytes (known from Content-Length before the body is read: the
//   client may skip sending it), or a request over max_request_bytes: 413
//   {"error_code": 1049, "bad_request": "…"}; the connection is then drained and closed.
// - malformed JSON, a JSON body that is not an object, an unsupported Content-Type:
//   400 {"error_code": 1049, "bad_request": "…"}; a malformed HTTP request: 400 likewise.
// - a handler that throws: 500 {"error_code": 1028, "bad_request": "Internal error"}; the
//   exception text goes to the log only.
// - "Expect: 100-continue" is answered 100 Continue, or 413 when the body is over the cap.
// Pistache itself answers only 408 (empty body) when a request stalls past the timeouts.
//
// REQUIRES: Add() before Start(); Start() once.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/http/request.h"
#include "api/http/responder.h"
#include "config/base/status.h"

namespace api::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: an ephemeral port; read it back with Port()
  // Pistache threads. 1 is enough (handlers only parse and enqueue; the engine is a single
  // writer); more are safe here, as routing does not use Pistache's Router.
  int threads = 1;
  // The whole request as buffered: request line, headers and body. RoboSats' first request
  // carries PGP keys in its Authorization header (several KB): Pistache's 4096 default is far
  // too small.
  size_t max_request_bytes = 64 * 1024;
  // The body alone; checked against Content-Length before the body is read. With the
  // defaults, max_request_bytes binds first (a 64 KiB body plus headers is over 64 KiB);
  // either way the client gets 413 JSON.
  size_t max_body_bytes = 64 * 1024;
  // How long the request line and headers may take to arrive. The smaller of this and
  // body_timeout is also how long a handler may take to reply before Pistache answers 408
  // and closes (see responder.h).
  std::chrono::milliseconds header_timeout{5000};
  // How long the body may take to arrive.
  std::chrono::milliseconds body_timeout{5000};
  // An idle kept-alive connection is closed after this long.
  std::chrono::milliseconds keepalive_timeout{15000};
  int backlog = 1024;
};

// Must not throw: whatever it throws becomes a 500. It may keep `responder` and reply later.
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

  // Binds and starts serving in background threads. Ignores SIGPIPE process-wide.
  // Errors: called twice; the address cannot be bound.
  base::Status Start(const ServerOptions& options);

  // The bound port; 0 before Start.
  uint16_t Port() const { return m_port; }

  // Stops accepting and serving, then joins Pistache's threads, then closes the connections
  // still open (Pistache would leak them), then drops the handlers (in that order: Pistache's
  // threads use them until joined). Responders still held elsewhere become no-ops.
  // Idempotent. REQUIRES: not called from a handler (it joins the thread running it).
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  uint16_t m_port = 0;
};

}  // namespace api::http
