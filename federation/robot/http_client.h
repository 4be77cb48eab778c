// The robot's HTTP transport: one blocking request over libcurl, optionally through a SOCKS5h
// proxy (Tor). Onion names are only ever resolved by the proxy: a .onion URL without a proxy
// goes through Tor's default socks5h://127.0.0.1:9050, and socks5:// (local resolution) is
// refused outright.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "config/base/expected.h"

namespace federation::robot {

// Tor's SOCKS port on a trader's machine.
inline constexpr std::string_view kDefaultTorProxy = "socks5h://127.0.0.1:9050";

struct HttpOptions {
  // "" or "socks5h://host:port" (federation/prices/http_get.h CheckProxyUrl).
  std::string proxy;
  std::chrono::milliseconds timeout{30'000};
  size_t max_body_bytes = 16 << 20;
};

struct HttpResponse {
  long status = 0;
  std::string body;
};

// The proxy for `url`: `configured` if set (it must be socks5h://host:port), else
// kDefaultTorProxy for a .onion host, else "" (direct).
base::Expected<std::string, std::string> ProxyFor(std::string_view url, std::string_view configured);

// `method` ("GET", "POST", "PUT") `url` with `headers` ("Name: value") and `body` (sent when
// not empty). Any HTTP status is a response; transport failures are errors that name the
// method, the URL and curl's reason — never a header (they carry the robot's credential).
// Thread-safe: one curl handle per call.
base::Expected<HttpResponse, std::string> HttpCall(const std::string& method, const std::string& url,
                                                   const std::vector<std::string>& headers, const std::string& body,
                                                   const HttpOptions& options);

}  // namespace federation::robot
