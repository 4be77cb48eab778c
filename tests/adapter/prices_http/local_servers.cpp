#include "tests/adapter/prices_http/local_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

#include "tests/support/test_support.h"

namespace pricetest {

namespace {

int ListenLoopback(int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    throw std::runtime_error("bind/listen failed");
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

// Waits for a connection while checking `stopping`; -1 when stopping.
int AcceptOrStop(int listen_fd, const std::atomic<bool>& stopping) {
  while (!stopping) {
    pollfd p{listen_fd, POLLIN, 0};
    int r = ::poll(&p, 1, 50);
    if (r <= 0) continue;
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) return fd;
  }
  return -1;
}

void SetRecvTimeout(int fd, int seconds) {
  timeval tv{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

bool RecvExact(int fd, unsigned char* out, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::recv(fd, out + got, n - got, 0);
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}

}  // namespace

// ---- LocalHttpServer ------------------------------------------------------------------------

LocalHttpServer::LocalHttpServer() {
  m_listen_fd = ListenLoopback(m_port);
  m_accept = std::thread([this] { AcceptLoop(); });
}

LocalHttpServer::~LocalHttpServer() { Stop(); }

void LocalHttpServer::Route(const std::string& path, Reply reply) {
  std::lock_guard lock(m_mutex);
  m_routes.insert_or_assign(path, std::move(reply));
}

std::vector<LocalHttpServer::Request> LocalHttpServer::Requests() const {
  std::lock_guard lock(m_mutex);
  return m_requests;
}

size_t LocalHttpServer::HeldCount() const {
  std::lock_guard lock(m_mutex);
  return m_held;
}

void LocalHttpServer::ReleaseHeld() {
  {
    std::lock_guard lock(m_mutex);
    m_released = true;
  }
  m_released_cv.notify_all();
}

void LocalHttpServer::Stop() {
  if (m_stopping.exchange(true)) return;
  m_released_cv.notify_all();
  if (m_accept.joinable()) m_accept.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(m_mutex);
    threads.swap(m_threads);
  }
  for (std::thread& t : threads) t.join();
  ::close(m_listen_fd);
}

void LocalHttpServer::AcceptLoop() {
  while (true) {
    int fd = AcceptOrStop(m_listen_fd, m_stopping);
    if (fd < 0) return;
    std::lock_guard lock(m_mutex);
    m_threads.emplace_back([this, fd] { Serve(fd); });
  }
}

void LocalHttpServer::Serve(int fd) {
  SetRecvTimeout(fd, 10);
  std::string data;
  char buf[4096];
  while (data.find("\r\n\r\n") == std::string::npos && data.size() < 65536) {
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  size_t head_end = data.find("\r\n\r\n");
  if (head_end == std::string::npos) {
    ::close(fd);
    return;
  }
  Request request;
  size_t line_end = data.find("\r\n");
  std::string line = data.substr(0, line_end);
  size_t sp1 = line.find(' ');
  size_t sp2 = line.find(' ', sp1 + 1);
  request.method = line.substr(0, sp1);
  request.path = line.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t pos = line_end + 2;
  while (pos < head_end) {
    size_t end = data.find("\r\n", pos);
    std::string header = data.substr(pos, end - pos);
    size_t colon = header.find(':');
    if (colon != std::string::npos) {
      std::string name = header.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      std::string value = header.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      request.headers.insert_or_assign(name, value);
    }
    pos = end + 2;
  }

  Reply reply{404, R"({"detail": "Not found."})", false};
  {
    std::unique_lock lock(m_mutex);
    m_requests.push_back(request);
    auto it = m_routes.find(request.path);
    if (it != m_routes.end()) reply = it->second;
    if (reply.hold) {
      ++m_held;
      m_released_cv.wait(lock, [this] { return m_released || m_stopping.load(); });
      --m_held;
      if (!m_released) {  // stopping: drop the connection unanswered
        lock.unlock();
        ::close(fd);
        return;
      }
    }
  }
  std::string response =
      "HTTP/1.1 " + std::to_string(reply.status) + " X\r\nContent-Type: application/json\r\n" +
      "Content-Length: " + std::to_string(reply.body.size()) + "\r\nConnection: close\r\n\r\n" + reply.body;
  SendAll(fd, response);
  ::shutdown(fd, SHUT_WR);
  // Drain until the client closes, so that it never sees a reset before reading the reply.
  while (::recv(fd, buf, sizeof(buf), 0) > 0) {
  }
  ::close(fd);
}

// ---- LocalSocks5Proxy -----------------------------------------------------------------------

LocalSocks5Proxy::LocalSocks5Proxy() {
  m_listen_fd = ListenLoopback(m_port);
  m_accept = std::thread([this] { AcceptLoop(); });
}

LocalSocks5Proxy::~LocalSocks5Proxy() { Stop(); }

std::vector<std::string> LocalSocks5Proxy::Destinations() const {
  std::lock_guard lock(m_mutex);
  return m_destinations;
}

void LocalSocks5Proxy::Stop() {
  if (m_stopping.exchange(true)) return;
  if (m_accept.joinable()) m_accept.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(m_mutex);
    threads.swap(m_threads);
  }
  for (std::thread& t : threads) t.join();
  ::close(m_listen_fd);
}

void LocalSocks5Proxy::AcceptLoop() {
  while (true) {
    int fd = AcceptOrStop(m_listen_fd, m_stopping);
    if (fd < 0) return;
    std::lock_guard lock(m_mutex);
    m_threads.emplace_back([this, fd] { Serve(fd); });
  }
}

// RFC 1928: greeting (no authentication), one CONNECT, then a byte relay.
void LocalSocks5Proxy::Serve(int fd) {
  SetRecvTimeout(fd, 10);
  unsigned char head[2];
  unsigned char methods[255];
  if (!RecvExact(fd, head, 2) || head[0] != 5 || !RecvExact(fd, methods, head[1])) {
    ::close(fd);
    return;
  }
  SendAll(fd, std::string("\x05\x00", 2));
  unsigned char req[4];
  if (!RecvExact(fd, req, 4) || req[0] != 5 || req[1] != 1) {
    ::close(fd);
    return;
  }
  std::string destination;
  if (req[3] == 3) {  // a domain name: resolution left to the proxy (what socks5h means)
    unsigned char len = 0;
    char name[256];
    if (!RecvExact(fd, &len, 1) || !RecvExact(fd, reinterpret_cast<unsigned char*>(name), len)) {
      ::close(fd);
      return;
    }
    destination = "domain:" + std::string(name, len);
  } else if (req[3] == 1) {
    unsigned char a[4];
    if (!RecvExact(fd, a, 4)) {
      ::close(fd);
      return;
    }
    destination = "ipv4:" + std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) +
                  "." + std::to_string(a[3]);
  } else {
    ::close(fd);
    return;
  }
  unsigned char port_bytes[2];
  if (!RecvExact(fd, port_bytes, 2)) {
    ::close(fd);
    return;
  }
  int port = (port_bytes[0] << 8) | port_bytes[1];
  {
    std::lock_guard lock(m_mutex);
    m_destinations.push_back(destination + ":" + std::to_string(port));
  }

  int up = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool connected = ::connect(up, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  // Reply: succeeded (0) or connection refused (5), bound address 0.0.0.0:0.
  std::string reply("\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);
  if (!connected) reply[1] = 5;
  SendAll(fd, reply);
  if (!connected) {
    ::close(up);
    ::close(fd);
    return;
  }
  char buf[4096];
  bool open = true;
  while (open && !m_stopping) {
    pollfd p[2] = {{fd, POLLIN, 0}, {up, POLLIN, 0}};
    int r = ::poll(p, 2, 50);
    if (r <= 0) continue;
    for (int i = 0; i < 2 && open; ++i) {
      if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      ssize_t n = ::recv(p[i].fd, buf, sizeof(buf), 0);
      if (n <= 0 || !SendAll(p[1 - i].fd, std::string(buf, static_cast<size_t>(n)))) open = false;
    }
  }
  ::close(up);
  ::close(fd);
}

// ---- helpers --------------------------------------------------------------------------------

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

std::string Fixture(const std::string& name) {
  std::string path = (std::filesystem::path(testsupport::SourceDirOf(__FILE__)) / "fixtures" / name).string();
  std::string text = testsupport::ReadFile(path);
  if (text.empty()) throw std::runtime_error("missing fixture " + path);
  return text;
}

}  // namespace pricetest
