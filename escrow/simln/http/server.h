// The simln daemon's HTTP/1.1 server, on Boost.Beast/Asio (the project's one HTTP stack):
// keep-alive, request bodies with Content-Length or chunked transfer encoding (capped: 413),
// `Expect: 100-continue`, responses with Content-Length or chunked transfer encoding for long
// streams (LND's grpc-gateway streams one JSON object + "\n" per chunk), optional TLS (OpenSSL
// through boost::asio::ssl). Loopback use only: no HTTP/2, no compression.
//
// Threading: one io_context thread per Server accepts, handshakes, reads requests and performs
// every write; each request's handler runs on a thread of its own (started when the request
// is complete, joined when the handler returns), so handlers may block: a stream handler loops
// until the stream ends. ResponseWriter calls hand their bytes to the io thread and return once
// they are written (or failed). Handlers must poll ResponseWriter::Closed() while they wait, so
// that Stop() and SetOnline(false) finish promptly.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/base/expected.h"

namespace escrow::simln::http {

struct Request {
  std::string method;                                        // "GET", "POST", …
  std::string target;                                        // as sent: path?query
  std::string path;                                          // percent-encoded, as sent
  std::string query;                                         // after '?', percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  // The first header named `name` (case-insensitive), if any.
  std::optional<std::string> Header(std::string_view name) const;
};

// Percent-decodes `text`; with `plus_is_space` (query strings, as Go's url.ParseQuery) '+'
// becomes ' '. Returns nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);
// The first value of `name` in a query string (decoded as Go's url.ParseQuery does).
std::optional<std::string> QueryParam(std::string_view query, std::string_view name);

// Writes one response: either Respond() once, or BeginStream() + WriteChunk()* + EndStream().
// Every call returns false once the connection is gone; later calls are no-ops. Used only on
// the handler's thread. A handler that returns without a response gets a 500; a stream left
// open is ended (the last chunk is written).
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  virtual bool Respond(int status, std::string_view content_type, std::string_view body,
                       const std::vector<std::pair<std::string, std::string>>& extra_headers = {}) = 0;
  virtual bool BeginStream(int status, std::string_view content_type) = 0;
  virtual bool WriteChunk(std::string_view data) = 0;
  virtual bool EndStream() = 0;
  // True once the server is stopping or going offline, or the peer has closed its side.
  virtual bool Closed() = 0;
  // Drops the connection at once (TCP shutdown): no last chunk, no TLS close_notify; the peer
  // sees a truncated response. For failure injection in tests.
  virtual void Abort() = 0;
};

using Handler = std::function<void(const Request&, ResponseWriter&)>;

struct TlsFiles {
  std::string cert_path;  // PEM
  std::string key_path;   // PEM
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;            // 0: ephemeral
  std::optional<TlsFiles> tls;  // plain HTTP when empty
  size_t max_header_bytes = 64 * 1024;  // request line + headers; beyond: 431
  size_t max_body_bytes = 1024 * 1024;  // decoded body, Content-Length or chunked; beyond: 413
  std::chrono::milliseconds idle_timeout{30000};  // between keep-alive requests, and per request read
  std::string name = "http";                      // for logs
};

class Server {
 public:
  // Binds and starts listening. Errors: bad host, bind/listen failure, unreadable TLS files.
  static base::Expected<std::unique_ptr<Server>, std::string> Start(ServerOptions options, Handler handler);
  virtual ~Server() = default;

  // The bound port (stays the same across SetOnline(false)/SetOnline(true)).
  virtual uint16_t port() const = 0;

  // Offline: the listening socket is closed (connections are refused) and every open
  // connection is shut down. Online again: the same port is bound anew. Returns an error if
  // re-binding fails (the server stays offline; the caller may retry).
  virtual base::Expected<void, std::string> SetOnline(bool online) = 0;
  virtual bool online() const = 0;

  // Stops accepting, shuts every connection down and joins every thread. Idempotent; the
  // destructor calls it. SetOnline(false) and Stop() return once every handler has returned;
  // they must not be called from a handler of this server.
  virtual void Stop() = 0;
};

}  // namespace escrow::simln::http
