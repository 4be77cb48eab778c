// A small blocking HTTP GET over libcurl for the price providers: bounded time and size,
// optional SOCKS5h proxy (Tor), cancellable from another thread.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "config/base/expected.h"

namespace federation {

struct HttpGetOptions {
  // Whole transfer, connection included.
  std::chrono::milliseconds timeout{20'000};
  // "" = a direct connection (proxy environment variables are ignored); else it MUST be
  // "socks5h://host:port", so that names are resolved by the proxy (see CheckProxyUrl).
  std::string proxy;
  // Extra request headers, "Name: value".
  std::vector<std::string> headers;
  // A larger body fails the request.
  size_t max_body_bytes = 2 << 20;
  // When it becomes true, the transfer aborts within about a second. May be null.
  const std::atomic<bool>* cancel = nullptr;
  // false: a 3xx answer is returned as it is (its status), never followed.
  bool follow_redirects = true;
  // libcurl CONNECT_TO entries "HOST:PORT:CONNECT-HOST:CONNECT-PORT": connect there instead
  // (through the proxy too) while the URL, Host header and TLS name stay (address pinning).
  std::vector<std::string> connect_to;
  std::string user_agent = "coordinatord-prices/1";
};

struct HttpResponse {
  long status = 0;
  std::string body;
};

// "" or "socks5h://host:port" is fine. socks5:// is refused: libcurl would resolve names
// locally and leak them (and .onion names) to DNS; so is every other scheme.
base::Expected<void, std::string> CheckProxyUrl(std::string_view proxy);

// GETs `url` (http or https; redirects only to https, at most 3). Any HTTP status is a
// response; transport failures, a refused proxy, an oversized body or a cancel are errors, with
// the URL and curl's reason. Never throws. Thread-safe (one curl handle per call).
base::Expected<HttpResponse, std::string> HttpGet(const std::string& url, const HttpGetOptions& options);

}  // namespace federation
