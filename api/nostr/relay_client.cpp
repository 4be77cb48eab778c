#include "api/nostr/relay_client.h"

#include <deque>
#include <variant>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace api::nostr {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

std::optional<RelayUrl> ParseRelayUrl(const std::string& url) {
  RelayUrl r;
  std::string rest;
  if (url.rfind("ws://", 0) == 0) {
    rest = url.substr(5);
  } else if (url.rfind("wss://", 0) == 0) {
    rest = url.substr(6);
    r.tls = true;
  } else {
    return std::nullopt;
  }
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  r.path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.empty()) return std::nullopt;
  if (authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    r.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      r.port = authority.substr(close + 2);
    }
  } else {
    const size_t colon = authority.find(':');
    r.host = authority.substr(0, colon);
    if (colon != std::string::npos) r.port = authority.substr(colon + 1);
  }
  if (r.host.empty()) return std::nullopt;
  if (r.port.empty()) r.port = r.tls ? "443" : "80";
  return r;
}

namespace {
using PlainWs = websocket::stream<beast::tcp_stream>;
using TlsWs = websocket::stream<asio::ssl::stream<beast::tcp_stream>>;
}  // namespace

struct RelayClient::Impl {
  std::string url;
  std::string proxy;
  std::chrono::milliseconds timeout;
  asio::io_context ioc;
  asio::ssl::context ssl{asio::ssl::context::tls_client};
  std::variant<std::monostate, std::unique_ptr<PlainWs>, std::unique_ptr<TlsWs>> ws;
  bool connected = false;
  // The read in flight (at most one), and what it brought.
  bool reading = false;
  beast::flat_buffer read_buffer;
  std::deque<std::string> inbox;
  std::string read_error;

  Impl(std::string u, std::string p, std::chrono::milliseconds t) : url(std::move(u)), proxy(std::move(p)), timeout(t) {
    ssl.set_default_verify_paths();
    ssl.set_verify_mode(asio::ssl::verify_peer);
  }

  beast::tcp_stream& Tcp() {
    if (auto* p = std::get_if<std::unique_ptr<PlainWs>>(&ws)) return (*p)->next_layer();
    return std::get<std::unique_ptr<TlsWs>>(ws)->next_layer().next_layer();
  }

  // Runs the io_context until `done` or the deadline; on time-out closes the socket (every
  // operation then ends with operation_aborted) and drains. Returns false on time-out.
  bool RunUntil(const bool& done, std::chrono::steady_clock::time_point deadline) {
    ioc.restart();
    while (!done) {
      if (ioc.run_one_until(deadline) == 0) {
        if (std::chrono::steady_clock::now() >= deadline) break;
        ioc.restart();
      }
    }
    return done;
  }

  template <class Start>
  beast::error_code Run(Start start, const char* step) {
    bool done = false;
    beast::error_code result;
    start([&done, &result](beast::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    if (!RunUntil(done, std::chrono::steady_clock::now() + timeout)) {
      Abort();
      (void)step;
      return asio::error::timed_out;
    }
    return result;
  }

  void Abort() {
    connected = false;
    if (std::holds_alternative<std::monostate>(ws)) return;
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Tcp().socket().close(ignored);
    ioc.restart();
    ioc.run();  // every handler completes (aborted)
    reading = false;
  }

  beast::error_code Socks5(const RelayUrl& target) {
    // RFC 1928: greeting (no authentication), CONNECT by domain name (ATYP 3: the proxy resolves).
    if (target.host.size() > 255) return asio::error::invalid_argument;
    auto& s = Tcp();
    std::vector<uint8_t> out = {5, 1, 0};
    if (auto ec = Run([&](auto h) { asio::async_write(s, asio::buffer(out), h); }, "socks5"); ec) return ec;
    std::array<uint8_t, 2> greet{};
    if (auto ec = Run([&](auto h) { asio::async_read(s, asio::buffer(greet), h); }, "socks5"); ec) return ec;
    if (greet[0] != 5 || greet[1] != 0) return asio::error::access_denied;
    const int port = std::stoi(target.port);
    out = {5, 1, 0, 3, static_cast<uint8_t>(target.host.size())};
    out.insert(out.end(), target.host.begin(), target.host.end());
    out.push_back(static_cast<uint8_t>(port >> 8));
    out.push_back(static_cast<uint8_t>(port & 0xff));
    if (auto ec = Run([&](auto h) { asio::async_write(s, asio::buffer(out), h); }, "socks5"); ec) return ec;
    std::array<uint8_t, 5> head{};
    if (auto ec = Run([&](auto h) { asio::async_read(s, asio::buffer(head), h); }, "socks5"); ec) return ec;
    if (head[0] != 5 || head[1] != 0) return asio::error::connection_refused;
    size_t rest = head[3] == 1 ? 5 : head[3] == 4 ? 17 : head[3] == 3 ? static_cast<size_t>(head[4]) + 2 : 0;
    if (rest == 0) return asio::error::invalid_argument;
    std::vector<uint8_t> tail(rest);
    return Run([&](auto h) { asio::async_read(s, asio::buffer(tail), h); }, "socks5");
  }

  base::Expected<void, std::string> Connect() {
    Close();
    auto target = ParseRelayUrl(url);
    if (!target) return base::Err("not a ws:// or wss:// URL");
    std::string connect_host = target->host, connect_port = target->port;
    if (!proxy.empty()) {
      const size_t colon = proxy.rfind(':');
      connect_host = proxy.substr(0, colon);
      connect_port = colon == std::string::npos ? "" : proxy.substr(colon + 1);
    }
    if (target->tls) {
      ws = std::make_unique<TlsWs>(ioc, ssl);
    } else {
      ws = std::make_unique<PlainWs>(ioc);
    }
    tcp::resolver resolver(ioc);
    tcp::resolver::results_type endpoints;
    {
      bool done = false;
      beast::error_code result;
      resolver.async_resolve(connect_host, connect_port,
                             [&](beast::error_code ec, tcp::resolver::results_type r) {
                               result = ec;
                               endpoints = std::move(r);
                               done = true;
                             });
      if (!RunUntil(done, std::chrono::steady_clock::now() + timeout)) {
        resolver.cancel();
        ioc.restart();
        ioc.run();
        return base::Err(std::string("resolve: timed out"));
      }
      if (result) return base::Err("resolve: " + result.message());
    }
    if (auto ec = Run([&](auto h) { asio::async_connect(Tcp().socket(), endpoints, h); }, "connect"); ec) {
      Abort();
      return base::Err((proxy.empty() ? "connect: " : "connect to the proxy: ") + ec.message());
    }
    if (!proxy.empty()) {
      if (auto ec = Socks5(*target); ec) {
        Abort();
        return base::Err("socks5: " + ec.message());
      }
    }
    std::string host_header = target->host.find(':') != std::string::npos ? "[" + target->host + "]" : target->host;
    if (target->port != (target->tls ? "443" : "80")) host_header += ":" + target->port;
    beast::error_code ec;
    if (auto* p = std::get_if<std::unique_ptr<TlsWs>>(&ws)) {
      auto& tls = (*p)->next_layer();
      if (!SSL_set_tlsext_host_name(tls.native_handle(), target->host.c_str())) {
        Abort();
        return base::Err(std::string("tls: cannot set the server name"));
      }
      tls.set_verify_callback(asio::ssl::host_name_verification(target->host));
      if ((ec = Run([&](auto h) { tls.async_handshake(asio::ssl::stream_base::client, h); }, "tls"))) {
        Abort();
        return base::Err("tls: " + ec.message());
      }
      (*p)->read_message_max(1 << 20);
      ec = Run([&](auto h) { (*p)->async_handshake(host_header, target->path, h); }, "websocket");
    } else {
      auto& plain = *std::get<std::unique_ptr<PlainWs>>(ws);
      plain.read_message_max(1 << 20);
      ec = Run([&](auto h) { plain.async_handshake(host_header, target->path, h); }, "websocket");
    }
    if (ec) {
      Abort();
      return base::Err("websocket handshake: " + ec.message());
    }
    connected = true;
    return {};
  }

  template <class F>
  auto WithWs(F f) {
    if (auto* p = std::get_if<std::unique_ptr<TlsWs>>(&ws)) return f(**p);
    return f(*std::get<std::unique_ptr<PlainWs>>(ws));
  }

  base::Expected<void, std::string> Send(const std::string& text) {
    if (!connected) return base::Err(std::string("not connected"));
    auto ec = WithWs([&](auto& s) {
      s.text(true);
      return Run([&](auto h) { s.async_write(asio::buffer(text), h); }, "write");
    });
    if (ec) {
      Abort();
      return base::Err("send: " + ec.message());
    }
    return {};
  }

  void StartRead() {
    reading = true;
    WithWs([&](auto& s) {
      s.async_read(read_buffer, [this](beast::error_code ec, size_t) {
        reading = false;
        if (ec) {
          read_error = ec.message();
          return;
        }
        inbox.push_back(beast::buffers_to_string(read_buffer.data()));
        read_buffer.consume(read_buffer.size());
      });
      return 0;
    });
  }

  base::Expected<std::optional<std::string>, std::string> Read(std::chrono::milliseconds wait) {
    auto pop = [this]() -> std::optional<std::string> {
      if (inbox.empty()) return std::nullopt;
      std::string m = std::move(inbox.front());
      inbox.pop_front();
      return m;
    };
    if (auto m = pop()) return m;
    if (!connected) return base::Err(std::string("not connected"));
    if (!reading) StartRead();
    const auto deadline = std::chrono::steady_clock::now() + wait;
    ioc.restart();
    while (reading && std::chrono::steady_clock::now() < deadline) {
      if (ioc.run_one_until(deadline) == 0) ioc.restart();
    }
    if (auto m = pop()) return m;
    if (!reading && !read_error.empty()) {
      std::string e = std::move(read_error);
      read_error.clear();
      Abort();
      return base::Err("read: " + e);
    }
    return std::optional<std::string>{};
  }

  void Close() {
    // Outlives Abort(): a close the peer did not answer in time completes (aborted) in Abort's
    // drain, and its handler still writes `done`.
    bool done = false;
    if (connected) {
      // A polite close, bounded by the timeout; then the socket goes whatever the peer does.
      WithWs([&](auto& s) {
        s.async_close(websocket::close_code::normal, [&done](beast::error_code) { done = true; });
        RunUntil(done, std::chrono::steady_clock::now() + std::min(timeout, std::chrono::milliseconds(1000)));
        return 0;
      });
    }
    Abort();
    ws = std::monostate{};
    inbox.clear();
    read_error.clear();
    read_buffer.consume(read_buffer.size());
  }
};

RelayClient::RelayClient(std::string url, std::string socks5_proxy, std::chrono::milliseconds timeout)
    : m_impl(std::make_unique<Impl>(std::move(url), std::move(socks5_proxy), timeout)) {}
RelayClient::~RelayClient() { m_impl->Close(); }
base::Expected<void, std::string> RelayClient::Connect() { return m_impl->Connect(); }
bool RelayClient::Connected() const { return m_impl->connected; }
base::Expected<void, std::string> RelayClient::Send(const std::string& text) { return m_impl->Send(text); }
base::Expected<std::optional<std::string>, std::string> RelayClient::Read(std::chrono::milliseconds timeout) {
  return m_impl->Read(timeout);
}
void RelayClient::Close() { m_impl->Close(); }

}  // namespace api::nostr
