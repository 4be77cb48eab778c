// One connection of escrow/simln/http on Boost.Beast: the io thread runs the session (TLS
// handshake, Beast's request parser, every write, graceful close); a request's handler runs
// on a thread of its own and waits for its writes on the io thread.
#include "escrow/simln/http/session.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <future>
#include <limits>
#include <thread>
#include <type_traits>

#include "config/base/log.h"

namespace escrow::simln::http::detail {
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

}  // namespace

void StartSession(Core& core, tcp::socket socket) {
  if (core.tls) {
    std::make_shared<Session<TlsStream>>(core, std::move(socket))->Start();
  } else {
    std::make_shared<Session<PlainStream>>(core, std::move(socket))->Start();
  }
}

}  // namespace escrow::simln::http::detail
