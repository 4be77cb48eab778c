#include "api/http/listener.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "api/http/http_session.h"
#include "config/base/log.h"

namespace api::http::internal {
namespace {

using namespace std::chrono_literals;
using Tcp = net::ip::tcp;

// The address family's TCP endpoint inside a generic one (AF_INET or AF_INET6).
std::optional<Tcp::endpoint> AsTcp(const Protocol::endpoint& endpoint) {
  const int family = endpoint.data()->sa_family;
  if (family != AF_INET && family != AF_INET6) return std::nullopt;
  Tcp::endpoint tcp;
  if (endpoint.size() > tcp.capacity()) return std::nullopt;
  std::memcpy(tcp.data(), endpoint.data(), endpoint.size());
  tcp.resize(endpoint.size());
  return tcp;
}

}  // namespace

std::string RemoteIp(const Socket& socket) {
  beast::error_code ec;
  const Protocol::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return {};
  if (endpoint.data()->sa_family == AF_UNIX) return "unix";
  const auto tcp = AsTcp(endpoint);
  if (!tcp) return {};
  auto address = tcp->address();
  // A v4 client of a dual-stack listener: its v4 spelling.
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

Listener::Listener(net::io_context& ioc, std::shared_ptr<const ServerContext> context)
    : m_ioc(ioc),
      m_ctx(std::move(context)),
      m_acceptor(net::make_strand(ioc)),
      m_retry_timer(m_acceptor.get_executor()) {}

base::Status Listener::Open() { return m_ctx->options.unix_socket_path.empty() ? OpenTcp() : OpenUnix(); }

base::Status Listener::OpenTcp() {
  const ServerOptions& options = m_ctx->options;
  const std::string where = options.host + ":" + std::to_string(options.port);
  beast::error_code ec;
  Tcp::endpoint tcp;
  const auto address = net::ip::make_address(options.host, ec);
  if (!ec) {
    tcp = Tcp::endpoint(address, options.port);
  } else {
    Tcp::resolver resolver(m_ioc);
    const auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec || results.empty()) {
      return base::Status::Error(
          base::Status::kUnavailable,
          "cannot serve HTTP on " + where + ": cannot resolve the host: " + ec.message());
    }
    tcp = results.begin()->endpoint();
  }
  const Protocol::endpoint endpoint(tcp);
  const auto fail = [&](const char* step) {
    return base::Status::Error(base::Status::kUnavailable,
                               "cannot serve HTTP on " + where + ": " + step + ": " + ec.message());
  };
  if (m_acceptor.open(endpoint.protocol(), ec)) return fail("socket");
  if (m_acceptor.set_option(net::socket_base::reuse_address(true), ec)) return fail("SO_REUSEADDR");
  if (m_acceptor.bind(endpoint, ec)) return fail("bind");
  if (m_acceptor.listen(m_ctx->options.backlog, ec)) return fail("listen");
  return base::Status::Ok();
}

base::Status Listener::OpenUnix() {
  const std::string& path = m_ctx->options.unix_socket_path;
  const auto fail = [&](const std::string& why) {
    return base::Status::Error(base::Status::kUnavailable, "cannot serve HTTP on unix:" + path + ": " + why);
  };
  net::local::stream_protocol::endpoint local;
  try {
    local = net::local::stream_protocol::endpoint(path);
  } catch (const std::exception&) {
    return fail("path too long");
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return fail("exists and is not a socket");
    // A socket file someone still listens on is theirs; a stale one (a crash) is replaced.
    net::local::stream_protocol::socket probe(m_ioc);
    beast::error_code probe_ec;
    probe.connect(local, probe_ec);
    if (!probe_ec) return fail("another server listens there");
    ::unlink(path.c_str());
  }
  const Protocol::endpoint endpoint(local);
  beast::error_code ec;
  if (m_acceptor.open(endpoint.protocol(), ec)) return fail("socket: " + ec.message());
  // The file is created by bind with the process umask: make it owner-only from the start
  // (umask is process-wide; Start runs before the daemon's other threads create files).
  const mode_t old_mask = ::umask(0177);
  m_acceptor.bind(endpoint, ec);
  ::umask(old_mask);
  if (ec) return fail("bind: " + ec.message());
  if (::chmod(path.c_str(), 0600) != 0) return fail("chmod 0600 failed");
  if (m_acceptor.listen(m_ctx->options.backlog, ec)) return fail("listen: " + ec.message());
  return base::Status::Ok();
}

uint16_t Listener::Port() const {
  beast::error_code ec;
  const auto endpoint = m_acceptor.local_endpoint(ec);
  if (ec) return 0;
  const auto tcp = AsTcp(endpoint);
  return tcp ? tcp->port() : 0;
}

void Listener::Run() {
  net::dispatch(m_acceptor.get_executor(), beast::bind_front_handler(&Listener::Accept, shared_from_this()));
}

void Listener::Accept() {
  // Each connection on a strand of its own.
  m_acceptor.async_accept(net::make_strand(m_ioc),
                          beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
}

void Listener::OnAccept(beast::error_code ec, Socket socket) {
  if (ec == net::error::operation_aborted) return;
  if (ec) {
    // Out of descriptors (EMFILE) and the like: try again shortly instead of spinning.
    base::Log(base::LogLevel::kWarn, "api_http", "accept failed; retrying", {{"error", ec.message()}});
    m_retry_timer.expires_after(100ms);
    m_retry_timer.async_wait([self = shared_from_this()](beast::error_code timer_ec) {
      if (!timer_ec) self->Accept();
    });
    return;
  }
  if (m_ctx->options.unix_socket_path.empty()) {
    beast::error_code ignored;
    socket.set_option(Tcp::no_delay(true), ignored);  // answers go out whole, at once
  }
  std::string remote_ip = RemoteIp(socket);
  std::make_shared<HttpSession>(std::move(socket), std::move(remote_ip), m_ctx)->Run();
  Accept();
}

}  // namespace api::http::internal
