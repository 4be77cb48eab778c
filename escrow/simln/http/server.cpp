// escrow/simln/http on Boost.Beast: the io thread runs each connection's session (TLS
// handshake, request parsing by Beast's parser, every write, graceful close); a request's
// handler runs on a thread of its own and waits for its writes on the io thread.
#include "escrow/simln/http/server.h"

#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <future>
#include <limits>
#include <mutex>
#include <set>
#include <thread>
#include <type_traits>

#include "config/base/log.h"

namespace escrow::simln::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using ErrorCode = boost::system::error_code;
using Done = std::function<void(ErrorCode)>;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr char kComponent[] = "simln.http";
constexpr std::chrono::seconds kHandshakeTimeout{10};
constexpr std::chrono::seconds kWriteTimeout{10};
constexpr std::chrono::seconds kCloseTimeout{2};  // TLS close_notify, then draining the peer
constexpr std::chrono::milliseconds kAcceptRetry{50};

std::string Lower(beast::string_view s) {
  std::string out(s.data(), s.size());
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

beast::string_view View(std::string_view s) { return beast::string_view(s.data(), s.size()); }

template <class Header>
void SetStatus(Header& header, int status) {
  if (status < 100 || status > 999) status = 500;
  header.result(static_cast<unsigned>(status));
  // Beast knows the standard reason phrases; grpc-gateway also uses 499 (gRPC Canceled).
  if (bhttp::int_to_status(static_cast<unsigned>(status)) == bhttp::status::unknown) {
    header.reason(status == 499 ? "Client Closed Request" : "Status");
  }
}

// A parse error that deserves an answer (400/413/431), as opposed to a peer that went away
// (end of stream, timeout, reset) which just ends the connection.
bool IsParseError(const ErrorCode& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Shuts the connection down (io thread): pending reads and writes fail, Closed() turns true.
  virtual void ForceClose() = 0;
};

// What every session of one server shares. Outlives every session: the server waits for the
// last one to deregister before it stops the io thread.
struct Core {
  Core(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}

  const ServerOptions options;
  const Handler handler;
  std::optional<net::ssl::context> tls;  // before `ioc`: destroyed after it
  net::io_context ioc{1};

  // io thread only.
  void Register(SessionBase* s) {
    sessions.insert(s);
    std::lock_guard lock(mu);
    ++live;
  }
  void Deregister(SessionBase* s) {
    if (sessions.erase(s) == 0) return;
    {
      std::lock_guard lock(mu);
      --live;
    }
    cv.notify_all();
  }
  void CloseAll() {
    for (SessionBase* s : sessions) s->ForceClose();
  }
  // Any thread but the io thread.
  void WaitNoSessions() {
    std::unique_lock lock(mu);
    cv.wait(lock, [this] { return live == 0; });
  }

  std::set<SessionBase*> sessions;  // io thread only
  std::mutex mu;
  std::condition_variable cv;
  size_t live = 0;  // guarded by mu
};

// One accepted connection. Every member is used on the io thread, except where noted: while a
// handler runs, its thread owns the Writer and only posts work to the io thread.
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Session(Core& core, tcp::socket&& socket)
      : m_core(core), m_fd(socket.native_handle()), m_stream(MakeStream(core, std::move(socket))) {}

  void Start() {
    m_core.Register(this);
    if constexpr (kTls) {
      Lowest().expires_after(kHandshakeTimeout);
      m_stream.async_handshake(net::ssl::stream_base::server,
                               [self = Self()](ErrorCode ec) { self->OnHandshake(ec); });
    } else {
      ReadRequest();
    }
  }

  void ForceClose() override {
    m_closing = true;
    ErrorCode ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
  }

 private:
  class Writer;

  static Stream MakeStream(Core& core, tcp::socket&& socket) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *core.tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  std::shared_ptr<Session> Self() { return this->shared_from_this(); }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(m_stream); }

  void OnHandshake(ErrorCode ec) {
    if (ec) {
      base::Log(base::LogLevel::kDebug, kComponent, "TLS handshake failed",
                {{"server", m_core.options.name}, {"error", ec.message()}});
      return Finish();
    }
    ReadRequest();
  }

  void ReadRequest() {
    if (m_closing) return Finish();
    m_parser.emplace();
    m_parser->header_limit(static_cast<uint32_t>(
        std::min<size_t>(m_core.options.max_header_bytes, std::numeric_limits<uint32_t>::max())));
    m_parser->body_limit(static_cast<uint64_t>(m_core.options.max_body_bytes));
    Lowest().expires_after(m_core.options.idle_timeout);
    bhttp::async_read_header(m_stream, m_buffer, *m_parser,
                             [self = Self()](ErrorCode ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(ErrorCode ec) {
    if (ec) return OnReadError(ec);
    if (m_parser->is_done()) return Dispatch();
    const auto& request = m_parser->get();
    if (beast::iequals(request[bhttp::field::expect], "100-continue")) {
      auto go_on = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                          request.version());
      Lowest().expires_after(kWriteTimeout);
      bhttp::async_write(m_stream, *go_on, [self = Self(), go_on](ErrorCode ec, size_t) {
        if (ec) return self->Finish();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  // The body, with Content-Length or chunked (Beast decodes the chunks and counts the decoded
  // bytes against body_limit).
  void ReadBody() {
    Lowest().expires_after(m_core.options.idle_timeout);
    bhttp::async_read(m_stream, m_buffer, *m_parser, [self = Self()](ErrorCode ec, size_t) {
      if (ec) return self->OnReadError(ec);
      self->Dispatch();
    });
  }

  void OnReadError(ErrorCode ec) {
    if (m_closing) return Finish();
    if (ec == bhttp::error::header_limit) return Reject(431, "request headers too large");
    if (ec == bhttp::error::body_limit) return Reject(413, "request body too large");
    if (IsParseError(ec)) return Reject(400, "malformed request");
    Finish();
  }

  // An error answer; the connection closes after it.
  void Reject(int status, const std::string& text) {
    base::Log(base::LogLevel::kDebug, kComponent, "request refused",
              {{"server", m_core.options.name}, {"status", std::to_string(status)}});
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    SetStatus(*res, status);
    res->set(bhttp::field::content_type, "text/plain");
    res->keep_alive(false);
    res->body() = text + "\n";
    res->prepare_payload();
    Lowest().expires_after(kWriteTimeout);
    bhttp::async_write(m_stream, *res, [self = Self(), res](ErrorCode ec, size_t) {
      if (ec) return self->Finish();
      self->Close();
    });
  }

  void Dispatch() {
    if (m_closing) return Finish();
    bhttp::request<bhttp::string_body> message = m_parser->release();
    m_parser.reset();
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    if (request.target.empty() || request.target.front() != '/') return Reject(400, "malformed request");
    size_t q = request.target.find('?');
    request.path = request.target.substr(0, q);
    request.query = q == std::string::npos ? "" : request.target.substr(q + 1);
    for (const auto& field : message) {
      request.headers.emplace_back(Lower(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    const bool keep_alive = message.keep_alive();
    const unsigned version = message.version();
    Lowest().expires_never();
    try {
      m_thread = std::thread([self = Self(), request = std::move(request), keep_alive, version] {
        self->RunHandler(request, keep_alive, version);
      });
    } catch (const std::system_error& e) {
      base::Log(base::LogLevel::kError, kComponent, "cannot start a handler thread",
                {{"server", m_core.options.name}, {"what", e.what()}});
      Reject(503, "server busy");
    }
  }

  // Handler thread.
  void RunHandler(const Request& request, bool keep_alive, unsigned version) {
    Writer writer(*this, keep_alive, version);
    try {
      m_core.handler(request, writer);
    } catch (const std::exception& e) {
      base::Log(base::LogLevel::kError, kComponent, "handler threw",
                {{"server", m_core.options.name}, {"what", e.what()}});
      if (!writer.responded()) writer.Respond(500, "text/plain", "internal error\n");
    } catch (...) {
      base::Log(base::LogLevel::kError, kComponent, "handler threw", {{"server", m_core.options.name}});
      if (!writer.responded()) writer.Respond(500, "text/plain", "internal error\n");
    }
    const bool keep = writer.Complete();
    const bool aborted = writer.aborted();
    net::post(m_core.ioc, [self = Self(), keep, aborted] { self->OnHandled(keep, aborted); });
  }

  void OnHandled(bool keep, bool aborted) {
    m_thread.join();  // the thread's last act was to post this
    if (m_closing || aborted) return Finish();
    if (keep) return ReadRequest();
    Close();
  }

  // Graceful close: TLS close_notify, then our FIN, then read until the peer's FIN (bounded),
  // so that a peer still sending (an unread body, a pipelined request) gets our answer rather
  // than a reset.
  void Close() {
    if constexpr (kTls) {
      Lowest().expires_after(kCloseTimeout);
      m_stream.async_shutdown([self = Self()](ErrorCode) { self->Linger(); });
    } else {
      Linger();
    }
  }

  void Linger() {
    if (m_closing) return Finish();
    ErrorCode ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Finish();
    Lowest().expires_after(kCloseTimeout);
    Drain();
  }

  void Drain() {
    Lowest().async_read_some(net::buffer(m_scratch), [self = Self()](ErrorCode ec, size_t) {
      if (ec) return self->Finish();
      self->Drain();
    });
  }

  // REQUIRES: no handler thread runs.
  void Finish() {
    if (m_finished) return;
    m_finished = true;
    Lowest().close();
    m_core.Deregister(this);
  }

  Core& m_core;
  const int m_fd;  // for the handler thread's poll(2) and Abort(); closed only in Finish()
  Stream m_stream;
  beast::flat_buffer m_buffer;
  std::optional<bhttp::request_parser<bhttp::string_body>> m_parser;
  std::array<char, 2048> m_scratch{};
  std::thread m_thread;                 // the running handler, if any
  std::atomic<bool> m_closing{false};  // set by ForceClose; read by the handler thread
  bool m_finished = false;
};

// The handler's side of one request. Lives on the handler thread; each write is performed on
// the io thread and awaited.
template <class Stream>
class Session<Stream>::Writer final : public ResponseWriter {
 public:
  Writer(Session& session, bool keep_alive, unsigned version)
      : m_session(session), m_keep_alive(keep_alive), m_version(version) {}

  bool Respond(int status, std::string_view content_type, std::string_view body,
               const std::vector<std::pair<std::string, std::string>>& extra_headers = {}) override {
    if (m_state != State::kIdle) return false;
    m_state = State::kDone;
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(m_version);
    SetStatus(*res, status);
    res->set(bhttp::field::content_type, View(content_type));
    for (const auto& [name, value] : extra_headers) res->insert(View(name), View(value));
    res->keep_alive(m_keep_alive);
    res->body().assign(body);
    res->prepare_payload();
    return Write([res](Stream& stream, Done done) {
      bhttp::async_write(stream, *res, [res, done](ErrorCode ec, size_t) { done(ec); });
    });
  }

  bool BeginStream(int status, std::string_view content_type) override {
    if (m_state != State::kIdle) return false;
    m_state = State::kStreaming;
    struct Head {
      bhttp::response<bhttp::empty_body> res;
      std::optional<bhttp::response_serializer<bhttp::empty_body>> serializer;
    };
    auto head = std::make_shared<Head>();
    head->res.version(m_version);
    SetStatus(head->res, status);
    head->res.set(bhttp::field::content_type, View(content_type));
    head->res.keep_alive(m_keep_alive);
    head->res.chunked(true);
    head->serializer.emplace(head->res);
    return Write([head](Stream& stream, Done done) {
      bhttp::async_write_header(stream, *head->serializer, [head, done](ErrorCode ec, size_t) { done(ec); });
    });
  }

  bool WriteChunk(std::string_view data) override {
    if (m_state != State::kStreaming) return false;
    if (data.empty()) return !m_broken;  // an empty chunk would end the stream
    auto payload = std::make_shared<std::string>(data);
    return Write([payload](Stream& stream, Done done) {
      net::async_write(stream, bhttp::make_chunk(net::buffer(*payload)),
                       [payload, done](ErrorCode ec, size_t) { done(ec); });
    });
  }

  bool EndStream() override {
    if (m_state != State::kStreaming) return false;
    m_state = State::kDone;
    return Write([](Stream& stream, Done done) {
      net::async_write(stream, bhttp::make_chunk_last(), [done](ErrorCode ec, size_t) { done(ec); });
    });
  }

  bool Closed() override {
    if (m_broken || m_session.m_closing.load()) return true;
    // The peer's FIN (or a reset) shows without reading: the socket may hold a pipelined request.
    pollfd p{m_session.m_fd, POLLRDHUP, 0};
    if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0) m_broken = true;
    return m_broken;
  }

  void Abort() override {
    if (!m_broken) ::shutdown(m_session.m_fd, SHUT_RDWR);
    m_broken = true;
    m_aborted = true;
  }

  bool responded() const { return m_state != State::kIdle; }
  bool aborted() const { return m_aborted; }

  // After the handler: a 500 if it did not answer, the last chunk if it left a stream open.
  // Returns whether the connection may serve another request.
  bool Complete() {
    if (!m_broken) {
      if (m_state == State::kIdle) Respond(500, "text/plain", "no response\n");
      if (m_state == State::kStreaming) EndStream();
    }
    return m_keep_alive && !m_broken;
  }

 private:
  enum class State { kIdle, kStreaming, kDone };

  // Runs `start(stream, done)` on the io thread and waits for `done`.
  template <class Start>
  bool Write(Start start) {
    if (m_broken) return false;
    auto promise = std::make_shared<std::promise<bool>>();
    std::future<bool> written = promise->get_future();
    net::post(m_session.m_core.ioc, [self = m_session.Self(), start = std::move(start), promise]() mutable {
      if (self->m_closing) {
        promise->set_value(false);
        return;
      }
      self->Lowest().expires_after(kWriteTimeout);
      start(self->m_stream, [promise](ErrorCode ec) { promise->set_value(!ec); });
    });
    bool ok = false;
    try {
      ok = written.get();
    } catch (const std::future_error&) {
      ok = false;  // the io context dropped the work
    }
    if (!ok) m_broken = true;
    return ok;
  }

  Session& m_session;
  const bool m_keep_alive;
  const unsigned m_version;
  State m_state = State::kIdle;
  bool m_broken = false;
  bool m_aborted = false;
};

base::Expected<void, std::string> LoadTls(net::ssl::context& ctx, const TlsFiles& files) {
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ErrorCode ec;
  ctx.use_certificate_chain_file(files.cert_path, ec);
  if (ec) return base::Err("cannot load certificate " + files.cert_path + ": " + ec.message());
  ctx.use_private_key_file(files.key_path, net::ssl::context::pem, ec);
  if (ec) return base::Err("cannot load private key " + files.key_path + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
    return base::Err("private key " + files.key_path + " does not match " + files.cert_path);
  }
  return {};
}

class ServerImpl final : public Server {
 public:
  explicit ServerImpl(std::unique_ptr<Core> core)
      : m_core(std::move(core)), m_port(m_core->options.port), m_retry(m_core->ioc) {}

  ~ServerImpl() override { Stop(); }

  // Binds, then starts the io thread.
  base::Expected<void, std::string> Begin() {
    if (auto opened = OpenListener(); !opened) return opened;
    m_work.emplace(net::make_work_guard(m_core->ioc));
    m_io = std::thread([this] { RunIo(); });
    net::post(m_core->ioc, [this] { AcceptNext(); });
    return {};
  }

  uint16_t port() const override { return m_port.load(); }

  base::Expected<void, std::string> SetOnline(bool online) override {
    std::lock_guard lock(m_state_mu);
    if (m_stopped) return base::Err(std::string("server stopped"));
    if (online == m_online.load()) return {};
    if (!online) {
      m_online = false;
      OnIo([this] {
        CloseListener();
        m_core->CloseAll();
      });
      m_core->WaitNoSessions();
      base::Log(base::LogLevel::kInfo, kComponent, "offline", {{"server", m_core->options.name}});
      return {};
    }
    auto opened = OnIo([this] {
      auto r = OpenListener();
      if (r) AcceptNext();
      return r;
    });
    if (!opened) return opened;
    m_online = true;
    base::Log(base::LogLevel::kInfo, kComponent, "online", {{"server", m_core->options.name}});
    return {};
  }

  bool online() const override { return m_online.load(); }

  void Stop() override {
    std::lock_guard lock(m_state_mu);
    if (m_stopped) return;
    m_stopped = true;
    m_online = false;
    if (!m_io.joinable()) {  // never started
      CloseListener();
      return;
    }
    OnIo([this] {
      CloseListener();
      m_core->CloseAll();
    });
    m_core->WaitNoSessions();
    m_work.reset();
    m_core->ioc.stop();
    m_io.join();
  }

 private:
  void RunIo() {
    for (;;) {
      try {
        m_core->ioc.run();
        return;
      } catch (const std::exception& e) {
        base::Log(base::LogLevel::kError, kComponent, "io thread caught",
                  {{"server", m_core->options.name}, {"what", e.what()}});
      }
    }
  }

  // Runs `f` on the io thread and returns its result. REQUIRES: the io thread runs; not on it.
  template <class F>
  auto OnIo(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    net::post(m_core->ioc, [&task] { task(); });
    return result.get();
  }

  // io thread (or before it starts).
  base::Expected<void, std::string> OpenListener() {
    const std::string& host = m_core->options.host;
    ErrorCode ec;
    const net::ip::address address = net::ip::make_address(host, ec);
    if (ec) return base::Err("bad listen address " + host + ": " + ec.message());
    const tcp::endpoint endpoint(address, m_port.load());
    const std::string where = host + ":" + std::to_string(m_port.load());
    // Our own socket(2) and accept4(2) rather than Asio's: with SOCK_CLOEXEC, so that the
    // processes an embedding program spawns never inherit (and keep open) the listener.
    int fd = ::socket(address.is_v6() ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return base::Err("cannot listen on " + where + ": " + std::strerror(errno));
    tcp::acceptor acceptor(m_core->ioc);
    acceptor.assign(endpoint.protocol(), fd, ec);
    if (ec) {
      ::close(fd);
      return base::Err("cannot listen on " + where + ": " + ec.message());
    }
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(64, ec);
    if (ec) return base::Err("cannot listen on " + where + ": " + ec.message());
    m_port = acceptor.local_endpoint(ec).port();
    m_protocol = endpoint.protocol();
    m_acceptor.emplace(std::move(acceptor));
    m_listening = true;
    return {};
  }

  void CloseListener() {
    m_listening = false;
    m_retry.cancel();
    if (m_acceptor) {
      ErrorCode ec;
      m_acceptor->close(ec);
      m_acceptor.reset();
    }
  }

  void AcceptNext() {
    if (!m_listening) return;
    m_acceptor->async_wait(tcp::acceptor::wait_read, [this](ErrorCode ec) { OnAcceptable(ec); });
  }

  void OnAcceptable(ErrorCode ec) {
    if (!m_listening || ec == net::error::operation_aborted) return;
    if (ec) return RetryAccept();
    for (int i = 0; i < 64; ++i) {
      int fd = ::accept4(m_acceptor->native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        StartSession(fd);
        continue;
      }
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return RetryAccept();  // EMFILE, ENFILE, ENOBUFS, ENOMEM: wait rather than spin
    }
    AcceptNext();
  }

  void RetryAccept() {
    m_retry.expires_after(kAcceptRetry);
    m_retry.async_wait([this](ErrorCode ec) {
      if (!ec) AcceptNext();
    });
  }

  void StartSession(int fd) {
    ErrorCode ec;
    tcp::socket socket(m_core->ioc);
    socket.assign(m_protocol, fd, ec);
    if (ec) {
      ::close(fd);
      return;
    }
    socket.set_option(tcp::no_delay(true), ec);
    if (m_core->tls) {
      std::make_shared<Session<TlsStream>>(*m_core, std::move(socket))->Start();
    } else {
      std::make_shared<Session<PlainStream>>(*m_core, std::move(socket))->Start();
    }
  }

  std::unique_ptr<Core> m_core;  // first: destroyed last
  std::atomic<uint16_t> m_port;

  // io thread only (or before it starts).
  std::optional<tcp::acceptor> m_acceptor;
  tcp m_protocol = tcp::v4();
  net::steady_timer m_retry;
  bool m_listening = false;

  std::optional<net::executor_work_guard<net::io_context::executor_type>> m_work;
  std::thread m_io;

  std::mutex m_state_mu;  // serialises SetOnline/Stop
  bool m_stopped = false;
  std::atomic<bool> m_online{true};
};

}  // namespace

base::Expected<std::unique_ptr<Server>, std::string> Server::Start(ServerOptions options, Handler handler) {
  auto core = std::make_unique<Core>(std::move(options), std::move(handler));
  if (core->options.tls) {
    try {
      core->tls.emplace(net::ssl::context::tls_server);
    } catch (const std::exception& e) {
      return base::Err(std::string("TLS context: ") + e.what());
    }
    if (auto loaded = LoadTls(*core->tls, *core->options.tls); !loaded) return base::Err(loaded.error());
  }
  auto server = std::make_unique<ServerImpl>(std::move(core));
  if (auto begun = server->Begin(); !begun) return base::Err(begun.error());
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace escrow::simln::http
