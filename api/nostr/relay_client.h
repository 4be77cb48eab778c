// A NIP-01 client connection to one relay (Boost.Beast WebSocket over TCP, TLS for wss://,
// optionally through a SOCKS5 proxy that resolves host names itself, as Tor's SocksPort).
// Blocking calls, each bounded by a timeout; used from one thread (the publisher's).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "config/base/expected.h"

namespace api::nostr {

struct RelayUrl {
  bool tls = false;
  std::string host;  // without brackets for IPv6
  std::string port;  // "80" / "443" when the URL has none
  std::string path;  // "/" when the URL has none
};
// Parses ws://host[:port][/path] and wss://…; nullopt otherwise.
std::optional<RelayUrl> ParseRelayUrl(const std::string& url);

class RelayClient {
 public:
  // `socks5_proxy`: "host:port" or "" (direct).
  RelayClient(std::string url, std::string socks5_proxy, std::chrono::milliseconds timeout);
  ~RelayClient();
  RelayClient(const RelayClient&) = delete;
  RelayClient& operator=(const RelayClient&) = delete;

  // Connects (TCP, SOCKS5, TLS, WebSocket handshake). Errors say which step failed.
  base::Expected<void, std::string> Connect();
  bool Connected() const;
  // Sends one text frame.
  base::Expected<void, std::string> Send(const std::string& text);
  // Reads one text frame, waiting at most `timeout` (nullopt on time-out, the connection kept);
  // an error closes the connection.
  base::Expected<std::optional<std::string>, std::string> Read(std::chrono::milliseconds timeout);
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace api::nostr
