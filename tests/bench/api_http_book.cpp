// bench_api_http_book: the hot path of GET /api/book/ — a pre-serialized body shared by
// every request — over a real HttpServer on 127.0.0.1, one connection per request (the client
// reads Content-Length bytes, then closes).
//
// Prints, per body size: requests per second and µs per request when the handler sends the
// shared std::shared_ptr<const std::string> (written from its own memory: no copy at all),
// when it sends a fresh copy made per request, and the cost of one copy of the body, for
// scale. The difference between the first two lines is the copy the shared body avoids.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "api/http/server.h"

namespace {

using Clock = std::chrono::steady_clock;

// One GET over a new connection; returns the bytes of the response, 0 on failure.
size_t GetOnce(uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  size_t total = 0;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    std::string head;
    size_t expected = 0;
    char buffer[65536];
    while (true) {
      pollfd pfd{fd, POLLIN, 0};
      if (::poll(&pfd, 1, 5000) <= 0) break;
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      total += static_cast<size_t>(n);
      if (expected == 0) {
        head.append(buffer, static_cast<size_t>(n));
        const size_t end = head.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        const size_t at = head.find("Content-Length: ");
        if (at == std::string::npos) break;
        expected = end + 4 + std::strtoul(head.c_str() + at + 16, nullptr, 10);
      }
      if (total >= expected) break;
    }
  }
  ::close(fd);
  return total;
}

double MicrosPerRequest(uint16_t port, const char* path, int requests) {
  const std::string request = std::string("GET ") + path + " HTTP/1.1\r\nHost: bench\r\n\r\n";
  for (int i = 0; i < 20; ++i) GetOnce(port, request);  // warm-up
  const auto start = Clock::now();
  for (int i = 0; i < requests; ++i) {
    if (GetOnce(port, request) == 0) {
      std::fprintf(stderr, "request failed\n");
      std::exit(1);
    }
  }
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count() / requests;
}

}  // namespace

int main() {
  std::printf("%-10s %-28s %12s %12s\n", "body", "path", "req/s", "us/req");
  for (size_t size : {size_t{1} << 10, size_t{100} << 10, size_t{1} << 20}) {
    auto body = std::make_shared<const std::string>(std::string(size, 'x'));
    api::http::HttpServer server;
    (void)server.Add(api::http::Method::kGet, "/api/book/",
                     [body](api::http::Request, api::http::Responder responder) { responder.Send(200, body); });
    (void)server.Add(api::http::Method::kGet, "/api/book-copied/",
                     [body](api::http::Request, api::http::Responder responder) {
                       responder.Send(200, std::string(*body));
                     });
    if (!server.Start({}).ok()) return 1;
    const int requests = size >= (size_t{1} << 20) ? 300 : 2000;

    const double shared = MicrosPerRequest(server.Port(), "/api/book/", requests);
    const double copied = MicrosPerRequest(server.Port(), "/api/book-copied/", requests);
    const auto copy_start = Clock::now();
    size_t sink = 0;
    for (int i = 0; i < 1000; ++i) {
      std::string copy(*body);
      sink += static_cast<size_t>(copy[i % copy.size()]);
    }
    const double copy_us = std::chrono::duration<double, std::micro>(Clock::now() - copy_start).count() / 1000;

    std::printf("%-10zu %-28s %12.0f %12.1f\n", size, "shared_ptr (no copy in api)", 1e6 / shared, shared);
    std::printf("%-10zu %-28s %12.0f %12.1f\n", size, "std::string copied per req", 1e6 / copied, copied);
    std::printf("%-10zu %-28s %12s %12.1f   (sink %zu)\n", size, "one copy of the body", "", copy_us, sink % 2);
    server.Stop();
  }
  return 0;
}
