// A minimal HTTPS/1.1 responder over OpenSSL for the lnd_http tests: listens on 127.0.0.1:0,
// one thread per connection, records every request, and lets the test's handler answer with
// a whole response, a chunked stream (flushed chunk by chunk) or a dropped connection.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <openssl/ssl.h>

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

// One accepted connection, handed to the handler after its request was read.
class Exchange {
 public:
  const Request& request() const { return m_request; }
  // A complete response with Content-Length; the connection closes after the handler.
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
  Exchange(SSL* ssl, int fd, const std::atomic<bool>& stopping) : m_ssl(ssl), m_fd(fd), m_stopping(stopping) {}
  bool WriteAll(std::string_view data);

  SSL* m_ssl;
  int m_fd;
  const std::atomic<bool>& m_stopping;
  Request m_request;
  bool m_dropped = false;
};

class TlsServer {
 public:
  using Handler = std::function<void(Exchange&)>;

  TlsServer(const CertFiles& cert, Handler handler);
  ~TlsServer();  // stops accepting, releases held connections, joins every thread
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  int port() const { return m_port; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(m_port); }

  std::vector<Request> requests() const;
  size_t Count(const std::string& method, const std::string& target_prefix) const;
  // Waits until at least `n` requests arrived; false after `timeout`.
  bool WaitForRequests(size_t n, std::chrono::milliseconds timeout) const;
  // TLS handshakes that failed (e.g. the client refused our certificate).
  int failed_handshakes() const { return m_failed_handshakes.load(); }

 private:
  void AcceptLoop();
  void Serve(int fd);

  Handler m_handler;
  SSL_CTX* m_ctx = nullptr;
  int m_listen_fd = -1;
  int m_port = 0;
  std::atomic<bool> m_stopping{false};
  std::atomic<int> m_failed_handshakes{0};
  std::thread m_acceptor;
  mutable std::mutex m_mu;
  mutable std::condition_variable m_cv;
  std::vector<Request> m_requests;     // guarded by m_mu
  std::vector<std::thread> m_workers;  // guarded by m_mu
};

// A TCP port on 127.0.0.1 with nothing listening (bound, read, released).
int UnusedPort();

}  // namespace lndtest
