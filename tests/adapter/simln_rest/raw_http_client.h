// One raw HTTP/1.1 exchange on 127.0.0.1, plain or over TLS (OpenSSL, the server's certificate
// pinned): the test writes the request bytes itself — e.g. a chunked body with extensions and a
// trailer, framed as Node's http client frames it rather than as libcurl would — and gets every
// byte of the answer back. The request should say "Connection: close": the answer is read
// until the server closes (bounded by `timeout`).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace simln_rest_test {

struct RawReply {
  std::string error;  // empty when an answer was read
  int status = 0;
  std::string head;  // status line and headers
  std::string body;  // what follows the head, as sent (chunked bodies stay framed)
};

inline RawReply RawHttpExchange(uint16_t port, const std::string& pinned_cert, const std::string& request,
                                std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  RawReply reply;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    reply.error = "connect failed";
    return reply;
  }
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  if (!pinned_cert.empty()) {
    ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_load_verify_locations(ctx, pinned_cert.c_str(), nullptr);
    ssl = SSL_new(ctx);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1) reply.error = "TLS handshake failed";
  }
  auto write_all = [&](std::string_view data) {
    while (!data.empty()) {
      long n = ssl != nullptr ? SSL_write(ssl, data.data(), static_cast<int>(data.size()))
                              : ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  };
  std::string bytes;
  if (reply.error.empty() && !write_all(request)) reply.error = "write failed";
  if (reply.error.empty()) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[16384];
    while (std::chrono::steady_clock::now() < deadline) {
      long n = ssl != nullptr ? SSL_read(ssl, buf, sizeof(buf)) : ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;  // closed (close_notify or FIN), reset or timed out
      bytes.append(buf, static_cast<size_t>(n));
    }
  }
  if (ssl != nullptr) SSL_free(ssl);
  if (ctx != nullptr) SSL_CTX_free(ctx);
  ERR_clear_error();
  ::close(fd);
  if (!reply.error.empty()) return reply;
  const size_t head_end = bytes.find("\r\n\r\n");
  if (bytes.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos || bytes.size() < 12) {
    reply.error = "no HTTP answer: " + bytes.substr(0, 80);
    return reply;
  }
  reply.status = std::stoi(bytes.substr(9, 3));
  reply.head = bytes.substr(0, head_end);
  reply.body = bytes.substr(head_end + 4);
  return reply;
}

// `body` framed in chunks of at most `chunk` bytes ("Transfer-Encoding: chunked"), the first
// chunk size with an extension (";ext=1", which a server must ignore), then the last chunk and
// a trailer field.
inline std::string Chunked(const std::string& body, size_t chunk) {
  std::string out;
  char size[32];
  for (size_t off = 0; off < body.size(); off += chunk) {
    std::string part = body.substr(off, chunk);
    std::snprintf(size, sizeof(size), "%zx", part.size());
    out += size;
    if (off == 0) out += ";ext=1";
    out += "\r\n" + part + "\r\n";
  }
  out += "0\r\nX-Trailer: done\r\n\r\n";
  return out;
}

}  // namespace simln_rest_test
