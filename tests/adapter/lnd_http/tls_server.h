// A fake LND for the lnd_http tests, served by the project's HTTP server (escrow/simln/http,
// Boost.Beast): HTTPS on 127.0.0.1:0 with the given certificate, keep-alive, every request
// recorded, and a test handler that answers with a whole response, a chunked stream (each
// chunk flushed on its own, any bytes: split or malformed lines), a dropped connection (no last
// chunk, no TLS close_notify), or silence until the client gives up.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "escrow/simln/http/server.h"

namespace lndtest {

struct CertFiles {
  std::string cert_path;
  std::string key_path;
};

// A fresh self-signed EC P-256 certificate (CA:TRUE, SAN 127.0.0.1 and localhost, like LND's
// tls.cert), written as <dir>/<name>.cert and <dir>/<name>.key.
CertFiles MakeSelfSignedCert(const std::string& dir, const std::string& name);

struct Request {
  std::string method;
  std::string target;                          // path and query, e.g. "/v1/getinfo"
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class TlsServer;

// One request, handed to the handler once it was read; lives for the handler's call.
class Exchange {
 public:
  const Request& request() const { return m_request; }
  // A complete response with Content-Length.
  void Respond(int status, std::string_view body);
  // Starts a chunked 200 (or `status`) response; Chunk flushes one chunk; EndStream finishes.
  void BeginStream(int status = 200);
  bool Chunk(std::string_view data);
  void EndStream();
  // Closes the TCP connection at once, without a final chunk or TLS close_notify.
  void Drop();
  // Returns when the client closes the connection or the server stops.
  void HoldOpen();

 private:
  friend class TlsServer;
  Exchange(Request request, escrow::simln::http::ResponseWriter& writer)
      : m_request(std::move(request)), m_writer(writer) {}

  Request m_request;
  escrow::simln::http::ResponseWriter& m_writer;
};

class TlsServer {
 public:
  using Handler = std::function<void(Exchange&)>;

  TlsServer(const CertFiles& cert, Handler handler);  // throws if it cannot listen
  ~TlsServer();  // stops accepting, releases held exchanges, joins every thread
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  int port() const { return m_server->port(); }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port()); }

  std::vector<Request> requests() const;
  size_t Count(const std::string& method, const std::string& target_prefix) const;
  // Waits until at least `n` requests arrived; false after `timeout`.
  bool WaitForRequests(size_t n, std::chrono::milliseconds timeout) const;

 private:
  void Serve(const escrow::simln::http::Request& request, escrow::simln::http::ResponseWriter& writer);

  Handler m_handler;
  mutable std::mutex m_mu;
  mutable std::condition_variable m_cv;
  std::vector<Request> m_requests;                       // guarded by m_mu
  std::unique_ptr<escrow::simln::http::Server> m_server;  // last: stopped before the rest goes
};

// A TCP port on 127.0.0.1 with nothing listening (bound, read, released).
int UnusedPort();

}  // namespace lndtest
