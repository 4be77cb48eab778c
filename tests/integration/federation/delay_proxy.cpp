#include "tests/integration/federation/delay_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace federation_test {

namespace {

int ConnectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

std::unique_ptr<DelayProxy> DelayProxy::Start(int upstream_port, std::chrono::milliseconds delay) {
  std::unique_ptr<DelayProxy> p(new DelayProxy());
  p->m_upstream_port = upstream_port;
  p->m_delay = delay;
  p->m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (p->m_listen < 0) return nullptr;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(p->m_listen, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(p->m_listen, 64) != 0 ||
      ::getsockname(p->m_listen, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(p->m_listen);
    return nullptr;
  }
  p->m_port = ntohs(addr.sin_port);
  p->m_acceptor = std::thread([raw = p.get()] { raw->Accept(); });
  return p;
}

DelayProxy::~DelayProxy() { Stop(); }

void DelayProxy::Stop() {
  if (m_stop.exchange(true)) return;
  if (m_acceptor.joinable()) m_acceptor.join();
  std::vector<std::thread> relays;
  {
    std::lock_guard lock(m_mu);
    relays.swap(m_relays);
  }
  for (auto& t : relays) t.join();
  ::close(m_listen);
}

bool DelayProxy::Wait(std::chrono::milliseconds d) {
  auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    if (m_stop) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return !m_stop;
}

void DelayProxy::Accept() {
  while (!m_stop) {
    pollfd p{m_listen, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int client = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    std::lock_guard lock(m_mu);
    m_relays.emplace_back([this, client] { Relay(client); });
  }
}

void DelayProxy::Relay(int client) {
  int upstream = ConnectLoopback(m_upstream_port);
  if (upstream < 0) {
    ::close(client);
    return;
  }
  char buf[16384];
  while (!m_stop) {
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    if (::poll(fds, 2, 100) <= 0) continue;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::recv(client, buf, sizeof(buf), 0);
      if (n <= 0) break;
      if (!Wait(m_delay) || !WriteAll(upstream, buf, static_cast<size_t>(n))) break;
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::recv(upstream, buf, sizeof(buf), 0);
      if (n <= 0 || !WriteAll(client, buf, static_cast<size_t>(n))) break;
    }
  }
  ::close(upstream);
  ::close(client);
}

}  // namespace federation_test
