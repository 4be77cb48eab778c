// Internal to api/http: one WebSocket connection (WsSession, on the strand of the HTTP
// connection it upgraded), and the link the app's WebSocket object reaches it through.
//
// Writes: one at a time, from a queue fed by WebSocket::SendText through the strand. The
// queue's bound is kept in the link (atomics), so that SendText refuses synchronously and the
// overflowing client is closed with 1008. A close (the app's, the overflow's, a binary
// message's 1003) waits for the write in flight, then sends the close frame; close_timeout
// later the socket is closed whatever happened (a client that does not read never completes a
// write). Reads: one message at a time, in pieces, closed with 1009 as soon as it passes
// max_message_bytes (checked here; see the constructor) and with 1003 as soon as it is
// binary; Beast checks UTF-8 (1007) and runs the idle timeout and keep-alive pings.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "api/http/context.h"

namespace api::http::internal {

class WsSession;

struct CloseRequest {
  uint16_t code = 1000;
  std::string reason;
  bool drop_queue = false;  // close before writing what is queued
};

// Shared by the app's WebSocket and the WsSession. The session attaches itself once the
// accept callback returned handlers; until then, SendText and Close are kept here.
struct WebSocketLink {
  WebSocketLink(std::string remote_ip_, std::shared_ptr<ServerLife> life_, const WebSocketOptions& options)
      : remote_ip(std::move(remote_ip_)),
        life(std::move(life_)),
        max_queued_messages(options.max_queued_messages),
        max_queued_bytes(options.max_queued_bytes) {}

  // The accept callback refused: nothing will ever be sent.
  void Refuse();
  // Thread-safe: what WebSocket::SendText and Close do.
  bool Send(std::shared_ptr<const std::string> message);
  void Close(CloseRequest request);

  const std::string remote_ip;
  const std::shared_ptr<ServerLife> life;
  const size_t max_queued_messages;
  const size_t max_queued_bytes;

  // False once a close was asked (by anyone) or the connection ended.
  std::atomic<bool> open{true};
  // Handed to the session and not yet written or dropped.
  std::atomic<size_t> queued_messages{0};
  std::atomic<size_t> queued_bytes{0};

  std::mutex mutex;
  bool attached = false;                                    // guarded by mutex
  std::weak_ptr<WsSession> session;                         // guarded by mutex
  std::vector<std::shared_ptr<const std::string>> pending;  // guarded by mutex; before attach
  std::optional<CloseRequest> pending_close;                // guarded by mutex; before attach
};

class WsSession final : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(Stream stream, std::shared_ptr<WebSocketLink> link, WebSocketHandlers handlers,
            std::shared_ptr<const ServerContext> context);
  // Calls on_close if the connection ended without Finish (HttpServer::Stop).
  ~WsSession();

  // Attaches to the link and answers the upgrade (101). On the strand.
  void Run(beast::http::request<beast::http::string_body> upgrade);

  // Thread-safe (through the strand). The message was counted in the link's queue already.
  void PostText(std::shared_ptr<const std::string> message);
  void PostClose(CloseRequest request);

 private:
  void OnHandshake(beast::error_code ec);
  void Read();
  void OnRead(beast::error_code ec, size_t bytes);
  void Enqueue(std::shared_ptr<const std::string> message);
  void WriteNext();
  void OnWrite(beast::error_code ec, size_t bytes);
  void RequestClose(CloseRequest request);
  void OnCloseTimeout(beast::error_code ec);
  void DropQueue();
  // The connection ended: on_close, once. On the strand.
  void Finish();

  const Executor m_strand;
  beast::websocket::stream<Stream> m_ws;
  const std::shared_ptr<WebSocketLink> m_link;
  WebSocketHandlers m_handlers;
  const std::shared_ptr<const ServerContext> m_ctx;
  beast::http::request<beast::http::string_body> m_upgrade;  // until the handshake is answered
  beast::flat_buffer m_read_buffer;
  net::steady_timer m_close_timer;
  std::deque<std::shared_ptr<const std::string>> m_queue;
  bool m_open = false;                  // the handshake completed
  bool m_writing = false;               // a message or the close frame is being written
  std::optional<CloseRequest> m_close;  // asked; sent once nothing is being written
  bool m_close_sent = false;
  bool m_finished = false;
};

}  // namespace api::http::internal
