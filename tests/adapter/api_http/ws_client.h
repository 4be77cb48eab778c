// A WebSocket client for the api_http tests, on Beast's own client over loopback. Every call
// is bounded by a timeout; a read that times out stays pending, so that a later Read picks up
// its result and the client keeps answering the server's pings meanwhile.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace apihttp_test {

struct Handshake {
  bool upgraded = false;
  int status = 0;     // the HTTP status of the answer (101 when upgraded)
  std::string body;   // the answer's body when refused
  std::string error;  // what went wrong, if it did
};

struct WsMessage {
  enum Kind { kText, kBinary, kClosed, kError, kTimeout };
  Kind kind = kTimeout;
  std::string data;    // kText, kBinary
  int close_code = 0;  // kClosed: the server's close code
  std::string close_reason;
  std::string error;  // kError
};

class WsClient {
 public:
  WsClient();
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // Connects to 127.0.0.1:port and asks for the upgrade of `target`, with extra headers.
  Handshake Connect(uint16_t port, const std::string& target,
                    const std::vector<std::pair<std::string, std::string>>& headers = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Writes one message. False on error or timeout.
  bool SendText(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  bool SendBinary(const std::string& data, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The next message, the close, an error, or kTimeout (the read stays pending).
  WsMessage Read(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The closing handshake: sends a close frame with `code`, reads until the server's answering
  // close (Beast drains what comes before it) and closes the socket. True if all of it went
  // through in time.
  bool Close(uint16_t code, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  // Runs the io_context until `done` or `timeout`.
  bool RunUntil(const bool& done, std::chrono::milliseconds timeout);

  boost::asio::io_context m_ioc;
  boost::beast::websocket::stream<boost::beast::tcp_stream> m_ws;
  boost::beast::flat_buffer m_buffer;
  bool m_read_pending = false;
  bool m_read_done = false;
  boost::beast::error_code m_read_ec;
};

}  // namespace apihttp_test
