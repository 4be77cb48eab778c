// Debian's microsocks (a real SOCKS5 proxy; ops/setup installs it) on a free loopback port, for
// tests whose clients must go through `socks5h://`. Header-only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>

#include "tests/support/coordinator_cluster.h"
#include "tests/support/process.h"

namespace testsupport {

struct Microsocks {
  std::unique_ptr<Process> process;
  int port = 0;
  std::string url() const { return "socks5h://127.0.0.1:" + std::to_string(port); }

  // Starts it (log <dir>/microsocks.log) and waits (bounded) until it accepts a connection.
  // nullptr if it could not be started or never listened.
  static std::unique_ptr<Microsocks> Start(const std::string& dir) {
    auto m = std::make_unique<Microsocks>();
    m->port = FreeLoopbackPort();
    m->process = Process::Start({"/usr/bin/microsocks", "-i", "127.0.0.1", "-p", std::to_string(m->port)},
                                dir + "/microsocks.log");
    if (!m->process) return nullptr;
    const int port = m->port;
    bool up = WaitUntil(
        [port] {
          int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
          sockaddr_in addr{};
          addr.sin_family = AF_INET;
          addr.sin_port = htons(static_cast<uint16_t>(port));
          addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
          bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
          ::close(fd);
          return ok;
        },
        std::chrono::seconds(10));
    return up ? std::move(m) : nullptr;
  }

  static int FreeLoopbackPort() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    int port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
  }
};

}  // namespace testsupport
