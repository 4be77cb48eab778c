// escrow/simln/http's Server on Boost.Asio: the listener (our own accept4, CLOEXEC), the io
// thread, SetOnline/Stop; each connection is a session (session.cpp).
#include "escrow/simln/http/server.h"

#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <future>
#include <mutex>
#include <thread>

#include "config/base/log.h"
#include "escrow/simln/http/session.h"

namespace escrow::simln::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using ErrorCode = boost::system::error_code;
using detail::Core;

constexpr char kComponent[] = "simln.http";
constexpr std::chrono::milliseconds kAcceptRetry{50};

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
    ++m_generation;
    m_retry.cancel();
    if (m_acceptor) {
      ErrorCode ec;
      m_acceptor->close(ec);
      m_acceptor.reset();
    }
  }

  void AcceptNext() {
    if (!m_listening) return;
    m_acceptor->async_wait(tcp::acceptor::wait_read,
                           [this, generation = m_generation](ErrorCode ec) { OnAcceptable(ec, generation); });
  }

  void OnAcceptable(ErrorCode ec, uint64_t generation) {
    // A wait of a listener closed since (offline, then online again) is stale.
    if (!m_listening || generation != m_generation || ec == net::error::operation_aborted) return;
    if (ec) return RetryAccept();
    for (int i = 0; i < 64; ++i) {
      int fd = ::accept4(m_acceptor->native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        Adopt(fd);
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
    m_retry.async_wait([this, generation = m_generation](ErrorCode ec) {
      if (!ec && generation == m_generation) AcceptNext();
    });
  }

  void Adopt(int fd) {
    ErrorCode ec;
    tcp::socket socket(m_core->ioc);
    socket.assign(m_protocol, fd, ec);
    if (ec) {
      ::close(fd);
      return;
    }
    socket.set_option(tcp::no_delay(true), ec);
    detail::StartSession(*m_core, std::move(socket));
  }

  std::unique_ptr<Core> m_core;  // first: destroyed last
  std::atomic<uint16_t> m_port;

  // io thread only (or before it starts).
  std::optional<tcp::acceptor> m_acceptor;
  tcp m_protocol = tcp::v4();
  net::steady_timer m_retry;
  bool m_listening = false;
  uint64_t m_generation = 0;  // of the listener; bumped when it closes

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
