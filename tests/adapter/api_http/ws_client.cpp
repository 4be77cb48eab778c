#include "tests/adapter/api_http/ws_client.h"

#include <boost/asio/connect.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>

namespace apihttp_test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

WsClient::WsClient() : m_ws(m_ioc) {}

WsClient::~WsClient() {
  beast::error_code ec;
  beast::get_lowest_layer(m_ws).socket().close(ec);
}

bool WsClient::RunUntil(const bool& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    if (m_ioc.stopped()) m_ioc.restart();
    m_ioc.run_one_until(deadline);
  }
  return done;
}

Handshake WsClient::Connect(uint16_t port, const std::string& target,
                            const std::vector<std::pair<std::string, std::string>>& headers,
                            std::chrono::milliseconds timeout) {
  Handshake result;
  beast::error_code ec;
  beast::get_lowest_layer(m_ws).socket().connect(
      net::ip::tcp::endpoint(net::ip::make_address_v4("127.0.0.1"), port), ec);
  if (ec) {
    result.error = "connect: " + ec.message();
    return result;
  }
  m_ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  auto response = std::make_shared<websocket::response_type>();
  bool done = false;
  m_ws.async_handshake(*response, "127.0.0.1:" + std::to_string(port), target,
                       [&](beast::error_code handshake_ec) {
                         ec = handshake_ec;
                         done = true;
                       });
  if (!RunUntil(done, timeout)) {
    beast::get_lowest_layer(m_ws).socket().close(ec);
    RunUntil(done, std::chrono::seconds(5));
    result.error = "handshake timed out";
    return result;
  }
  result.status = static_cast<int>(response->result_int());
  result.body = response->body();
  result.upgraded = !ec;
  if (ec) result.error = ec.message();
  return result;
}

bool WsClient::SendText(const std::string& text, std::chrono::milliseconds timeout) {
  bool done = false;
  beast::error_code ec;
  m_ws.text(true);
  m_ws.async_write(net::buffer(text), [&](beast::error_code write_ec, size_t) {
    ec = write_ec;
    done = true;
  });
  return RunUntil(done, timeout) && !ec;
}

bool WsClient::SendBinary(const std::string& data, std::chrono::milliseconds timeout) {
  bool done = false;
  beast::error_code ec;
  m_ws.binary(true);
  m_ws.async_write(net::buffer(data), [&](beast::error_code write_ec, size_t) {
    ec = write_ec;
    done = true;
  });
  return RunUntil(done, timeout) && !ec;
}

WsMessage WsClient::Read(std::chrono::milliseconds timeout) {
  if (!m_read_pending) {
    m_read_pending = true;
    m_read_done = false;
    m_ws.async_read(m_buffer, [this](beast::error_code ec, size_t) {
      m_read_ec = ec;
      m_read_done = true;
    });
  }
  WsMessage message;
  if (!RunUntil(m_read_done, timeout)) return message;  // kTimeout; still pending
  m_read_pending = false;
  if (m_read_ec == websocket::error::closed) {
    message.kind = WsMessage::kClosed;
    message.close_code = m_ws.reason().code;
    message.close_reason = std::string(m_ws.reason().reason.data(), m_ws.reason().reason.size());
    return message;
  }
  if (m_read_ec) {
    message.kind = WsMessage::kError;
    message.error = m_read_ec.message();
    return message;
  }
  message.kind = m_ws.got_text() ? WsMessage::kText : WsMessage::kBinary;
  message.data = beast::buffers_to_string(m_buffer.data());
  m_buffer.consume(m_buffer.size());
  return message;
}

bool WsClient::Close(uint16_t code, std::chrono::milliseconds timeout) {
  bool done = false;
  beast::error_code ec;
  m_ws.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), ""),
                   [&](beast::error_code close_ec) {
                     ec = close_ec;
                     done = true;
                   });
  return RunUntil(done, timeout) && !ec;
}

}  // namespace apihttp_test
