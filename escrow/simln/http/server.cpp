#include "escrow/simln/http/server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <list>
#include <mutex>
#include <thread>

#include "config/base/log.h"

namespace escrow::simln::http {
namespace {

constexpr char kComponent[] = "simln.http";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

const char* Reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 499: return "Client Closed Request";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

void SetTimeout(int fd, int option, std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof(tv));
}

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  ERR_clear_error();
  return buf;
}

// One accepted socket, plain or TLS.
class Transport {
 public:
  Transport(int fd, SSL* ssl) : m_fd(fd), m_ssl(ssl) {}
  ~Transport() {
    if (m_ssl != nullptr) SSL_free(m_ssl);
  }
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  bool Handshake() {
    if (m_ssl == nullptr) return true;
    if (SSL_accept(m_ssl) == 1) return true;
    ERR_clear_error();
    return false;
  }

  // >0 bytes read, 0 on orderly close, -1 on error or timeout.
  ssize_t Read(char* buf, size_t len) {
    if (m_ssl == nullptr) {
      for (;;) {
        ssize_t n = ::recv(m_fd, buf, len, 0);
        if (n < 0 && errno == EINTR) continue;
        return n < 0 ? -1 : n;
      }
    }
    int n = SSL_read(m_ssl, buf, static_cast<int>(std::min<size_t>(len, 1 << 20)));
    if (n > 0) return n;
    int err = SSL_get_error(m_ssl, n);
    ERR_clear_error();
    return err == SSL_ERROR_ZERO_RETURN ? 0 : -1;
  }

  bool WriteAll(std::string_view data) {
    while (!data.empty()) {
      if (m_ssl == nullptr) {
        ssize_t n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<size_t>(n));
      } else {
        int n = SSL_write(m_ssl, data.data(), static_cast<int>(std::min<size_t>(data.size(), 1 << 20)));
        if (n <= 0) {
          ERR_clear_error();
          return false;
        }
        data.remove_prefix(static_cast<size_t>(n));
      }
    }
    return true;
  }

  void Goodbye() {
    if (m_ssl != nullptr) {
      SSL_shutdown(m_ssl);
      ERR_clear_error();
    }
  }

  int fd() const { return m_fd; }

 private:
  int m_fd;
  SSL* m_ssl;
};

struct Connection {
  int fd = -1;  // guarded by ServerImpl::m_conn_mu once the thread runs
  std::atomic<bool> closing{false};
  std::atomic<bool> done{false};
  std::thread thread;
};

class Writer final : public ResponseWriter {
 public:
  Writer(Transport& transport, Connection& conn, bool keep_alive)
      : m_transport(transport), m_conn(conn), m_keep_alive(keep_alive) {}

  bool Respond(int status, std::string_view content_type, std::string_view body,
               const std::vector<std::pair<std::string, std::string>>& extra_headers = {}) override {
    if (m_state != State::kIdle) return Fail();
    m_state = State::kDone;
    std::string head = StatusLine(status);
    head += "Content-Type: ";
    head += content_type;
    head += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    for (const auto& [k, v] : extra_headers) head += k + ": " + v + "\r\n";
    head += m_keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    head.append(body);
    return Write(head);
  }

  bool BeginStream(int status, std::string_view content_type) override {
    if (m_state != State::kIdle) return Fail();
    m_state = State::kStreaming;
    std::string head = StatusLine(status);
    head += "Content-Type: ";
    head += content_type;
    head += "\r\nTransfer-Encoding: chunked\r\n";
    head += m_keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    return Write(head);
  }

  bool WriteChunk(std::string_view data) override {
    if (m_state != State::kStreaming) return Fail();
    if (data.empty()) return !m_broken;  // an empty chunk would end the stream
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
    std::string chunk(size);
    chunk.append(data);
    chunk += "\r\n";
    return Write(chunk);
  }

  bool EndStream() override {
    if (m_state != State::kStreaming) return Fail();
    m_state = State::kDone;
    return Write("0\r\n\r\n");
  }

  bool Closed() override {
    if (m_broken || m_conn.closing.load()) return true;
    pollfd p{m_transport.fd(), POLLRDHUP, 0};
    if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0) {
      m_broken = true;
    }
    return m_broken;
  }

  bool responded() const { return m_state != State::kIdle; }
  bool streaming() const { return m_state == State::kStreaming; }
  bool broken() const { return m_broken; }

 private:
  enum class State { kIdle, kStreaming, kDone };

  static std::string StatusLine(int status) {
    return "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) + "\r\n";
  }
  bool Fail() { return false; }
  bool Write(std::string_view data) {
    if (m_broken || m_conn.closing.load()) {
      m_broken = true;
      return false;
    }
    if (!m_transport.WriteAll(data)) m_broken = true;
    return !m_broken;
  }

  Transport& m_transport;
  Connection& m_conn;
  bool m_keep_alive;
  State m_state = State::kIdle;
  bool m_broken = false;
};

class ServerImpl final : public Server {
 public:
  ServerImpl(ServerOptions options, Handler handler, SSL_CTX* ctx)
      : m_options(std::move(options)), m_handler(std::move(handler)), m_ssl_ctx(ctx) {}

  ~ServerImpl() override {
    Stop();
    if (m_ssl_ctx != nullptr) SSL_CTX_free(m_ssl_ctx);
  }

  base::Expected<void, std::string> Listen() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
    addrinfo* res = nullptr;
    std::string port = std::to_string(m_port);
    if (int rc = ::getaddrinfo(m_options.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
      return base::Err("bad listen address " + m_options.host + ": " + gai_strerror(rc));
    }
    int fd = ::socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    if (fd < 0) {
      ::freeaddrinfo(res);
      return base::Err(std::string("socket: ") + std::strerror(errno));
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 64) != 0) {
      std::string err = std::strerror(errno);
      ::freeaddrinfo(res);
      ::close(fd);
      return base::Err("cannot listen on " + m_options.host + ":" + port + ": " + err);
    }
    ::freeaddrinfo(res);
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                        : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    m_listen_fd = fd;
    m_accept_thread = std::thread([this, fd] { AcceptLoop(fd); });
    return {};
  }

  void SetInitialPort(uint16_t port) { m_port = port; }

  uint16_t port() const override { return m_port; }

  base::Expected<void, std::string> SetOnline(bool online) override {
    std::lock_guard lock(m_state_mu);
    if (m_stopped) return base::Err(std::string("server stopped"));
    if (online == m_online.load()) return {};
    if (!online) {
      m_online = false;
      CloseListener();
      CloseConnections();
      base::Log(base::LogLevel::kInfo, kComponent, "offline", {{"server", m_options.name}});
      return {};
    }
    auto listened = Listen();
    if (!listened) return listened;
    m_online = true;
    base::Log(base::LogLevel::kInfo, kComponent, "online", {{"server", m_options.name}});
    return {};
  }

  bool online() const override { return m_online.load(); }

  void Stop() override {
    std::lock_guard lock(m_state_mu);
    if (m_stopped) return;
    m_stopped = true;
    m_online = false;
    CloseListener();
    CloseConnections();
  }

 private:
  void CloseListener() {
    if (m_listen_fd >= 0) ::shutdown(m_listen_fd, SHUT_RDWR);
    if (m_accept_thread.joinable()) m_accept_thread.join();
    if (m_listen_fd >= 0) ::close(m_listen_fd);
    m_listen_fd = -1;
  }

  // REQUIRES: the accept thread is joined (no new connections appear).
  void CloseConnections() {
    std::list<std::unique_ptr<Connection>> conns;
    {
      std::lock_guard lock(m_conn_mu);
      for (auto& c : m_conns) {
        c->closing = true;
        if (c->fd >= 0) ::shutdown(c->fd, SHUT_RDWR);
      }
      conns.swap(m_conns);
    }
    for (auto& c : conns) {
      if (c->thread.joinable()) c->thread.join();
    }
  }

  void ReapFinished() {
    std::list<std::unique_ptr<Connection>> finished;
    {
      std::lock_guard lock(m_conn_mu);
      for (auto it = m_conns.begin(); it != m_conns.end();) {
        if ((*it)->done.load()) {
          finished.push_back(std::move(*it));
          it = m_conns.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& c : finished) {
      if (c->thread.joinable()) c->thread.join();
    }
  }

  void AcceptLoop(int listen_fd) {
    for (;;) {
      int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          continue;
        }
        return;  // shut down (EINVAL) or closed
      }
      ReapFinished();
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      auto conn = std::make_unique<Connection>();
      conn->fd = fd;
      Connection* raw = conn.get();
      std::lock_guard lock(m_conn_mu);
      m_conns.push_back(std::move(conn));
      raw->thread = std::thread([this, raw] { Serve(*raw); });
    }
  }

  void Serve(Connection& conn) {
    int fd = conn.fd;
    SetTimeout(fd, SO_RCVTIMEO, std::chrono::milliseconds(10000));
    SetTimeout(fd, SO_SNDTIMEO, std::chrono::milliseconds(10000));
    SSL* ssl = nullptr;
    if (m_ssl_ctx != nullptr) {
      ssl = SSL_new(m_ssl_ctx);
      if (ssl != nullptr) SSL_set_fd(ssl, fd);
    }
    {
      Transport transport(fd, ssl);
      if ((m_ssl_ctx == nullptr || ssl != nullptr) && transport.Handshake()) {
        SetTimeout(fd, SO_RCVTIMEO, m_options.idle_timeout);
        ServeRequests(conn, transport);
        if (!conn.closing.load()) transport.Goodbye();
      }
    }
    {
      std::lock_guard lock(m_conn_mu);
      ::close(conn.fd);
      conn.fd = -1;
    }
    conn.done = true;
  }

  void ServeRequests(Connection& conn, Transport& transport) {
    std::string buf;
    char chunk[16384];
    while (!conn.closing.load()) {
      // Headers.
      size_t header_end;
      while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
        if (buf.size() > m_options.max_header_bytes) {
          SimpleError(transport, conn, 431, "request headers too large");
          return;
        }
        ssize_t n = transport.Read(chunk, sizeof(chunk));
        if (n <= 0) return;
        buf.append(chunk, static_cast<size_t>(n));
      }
      if (header_end > m_options.max_header_bytes) {
        SimpleError(transport, conn, 431, "request headers too large");
        return;
      }
      Request req;
      bool http10 = false;
      if (!ParseHead(std::string_view(buf).substr(0, header_end), req, http10)) {
        SimpleError(transport, conn, 400, "malformed request");
        return;
      }
      buf.erase(0, header_end + 4);
      if (req.Header("transfer-encoding")) {
        SimpleError(transport, conn, 411, "chunked request bodies are not supported");
        return;
      }
      size_t length = 0;
      if (auto cl = req.Header("content-length")) {
        std::string_view v = Trim(*cl);
        if (v.empty() || v.size() > 18 || !std::all_of(v.begin(), v.end(), ::isdigit)) {
          SimpleError(transport, conn, 400, "bad Content-Length");
          return;
        }
        length = std::stoull(std::string(v));
      }
      if (length > m_options.max_body_bytes) {
        SimpleError(transport, conn, 413, "request body too large");
        return;
      }
      if (auto expect = req.Header("expect");
          expect && Lower(Trim(*expect)) == "100-continue" && buf.size() < length) {
        if (!transport.WriteAll("HTTP/1.1 100 Continue\r\n\r\n")) return;
      }
      while (buf.size() < length) {
        ssize_t n = transport.Read(chunk, sizeof(chunk));
        if (n <= 0) return;
        buf.append(chunk, static_cast<size_t>(n));
      }
      req.body = buf.substr(0, length);
      buf.erase(0, length);

      auto connection = req.Header("connection");
      std::string conn_value = connection ? Lower(Trim(*connection)) : "";
      bool keep_alive = http10 ? conn_value == "keep-alive" : conn_value != "close";

      Writer writer(transport, conn, keep_alive);
      try {
        m_handler(req, writer);
      } catch (const std::exception& e) {
        base::Log(base::LogLevel::kError, kComponent, "handler threw",
                  {{"server", m_options.name}, {"what", e.what()}});
        if (!writer.responded()) writer.Respond(500, "text/plain", "internal error\n");
      }
      if (!writer.responded()) writer.Respond(500, "text/plain", "no response\n");
      if (writer.streaming()) writer.EndStream();
      if (writer.broken() || !keep_alive) return;
    }
  }

  static bool ParseHead(std::string_view head, Request& req, bool& http10) {
    size_t line_end = head.find("\r\n");
    std::string_view line = head.substr(0, line_end);
    size_t sp1 = line.find(' ');
    size_t sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 == sp1) return false;
    req.method = std::string(line.substr(0, sp1));
    req.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
    std::string_view version = line.substr(sp2 + 1);
    if (version != "HTTP/1.1" && version != "HTTP/1.0") return false;
    http10 = version == "HTTP/1.0";
    if (req.target.empty() || req.target[0] != '/') return false;
    size_t q = req.target.find('?');
    req.path = req.target.substr(0, q);
    req.query = q == std::string::npos ? "" : req.target.substr(q + 1);
    size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t end = head.find("\r\n", pos);
      if (end == std::string_view::npos) end = head.size();
      std::string_view h = head.substr(pos, end - pos);
      pos = end + 2;
      size_t colon = h.find(':');
      if (colon == std::string_view::npos || colon == 0) return false;
      req.headers.emplace_back(Lower(h.substr(0, colon)), std::string(Trim(h.substr(colon + 1))));
    }
    return true;
  }

  void SimpleError(Transport& transport, Connection& conn, int status, std::string_view msg) {
    Writer writer(transport, conn, false);
    writer.Respond(status, "text/plain", std::string(msg) + "\n");
  }

  ServerOptions m_options;
  Handler m_handler;
  SSL_CTX* m_ssl_ctx;
  uint16_t m_port = 0;

  std::mutex m_state_mu;  // serialises SetOnline/Stop
  bool m_stopped = false;
  std::atomic<bool> m_online{true};
  int m_listen_fd = -1;
  std::thread m_accept_thread;

  std::mutex m_conn_mu;
  std::list<std::unique_ptr<Connection>> m_conns;
};

base::Expected<SSL_CTX*, std::string> MakeTlsContext(const TlsFiles& files) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return base::Err("SSL_CTX_new: " + OpenSslError());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx, files.cert_path.c_str()) != 1) {
    std::string err = OpenSslError();
    SSL_CTX_free(ctx);
    return base::Err("cannot load certificate " + files.cert_path + ": " + err);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, files.key_path.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    std::string err = OpenSslError();
    SSL_CTX_free(ctx);
    return base::Err("cannot load private key " + files.key_path + ": " + err);
  }
  return ctx;
}

}  // namespace

base::Expected<std::unique_ptr<Server>, std::string> Server::Start(ServerOptions options, Handler handler) {
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { ::signal(SIGPIPE, SIG_IGN); });
  SSL_CTX* ctx = nullptr;
  if (options.tls) {
    auto made = MakeTlsContext(*options.tls);
    if (!made) return base::Err(made.error());
    ctx = *made;
  }
  uint16_t port = options.port;
  auto server = std::make_unique<ServerImpl>(std::move(options), std::move(handler), ctx);
  server->SetInitialPort(port);
  auto listened = server->Listen();
  if (!listened) return base::Err(listened.error());
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace escrow::simln::http
