// WebSocket (RFC 6455) connections served by HttpServer on the same port as HTTP: the
// RoboSats client derives /relay/ (NIP-01) and /ws/chat/<order_id>/ from the coordinator's
// one URL (DESIGN.md "What the RoboSats client needs from one coordinator URL").
//
// The life of one connection:
// 1. A GET with "Upgrade: websocket" arrives on a path registered with
//    HttpServer::AddWebSocket. The server calls the route's WebSocketAccept with the parsed
//    Request (path, query — e.g. token_sha256_hex —, headers, remote_ip) and the WebSocket
//    object that will carry the connection.
// 2. accept either refuses — the client gets an HTTP answer with the refusal's status and
//    RoboSats' error JSON, and no upgrade — or returns handlers. The server then completes the
//    handshake (101 Switching Protocols).
// 3. Each complete text message from the client is given to on_text, in order. A binary
//    message closes the socket with 1003 (Unsupported Data); a message over
//    WebSocketOptions::max_message_bytes with 1009 (Message Too Big) once its first
//    max_message_bytes + 1 bytes are in (no more is buffered); invalid UTF-8 in a text
//    message with 1007 (Beast checks it). Such a message is not delivered.
// 4. on_close runs exactly once when the connection ends, whatever the reason: the client
//    closed, the server or the app closed, a timeout, an error, HttpServer::Stop. Once it ran,
//    nothing else is delivered.
//
// Handlers (accept, on_text, on_close) run on the server's io threads, one at a time per
// connection (its strand); they must not block — hand work to another thread and answer with
// SendText later. What they throw is logged and closes the socket with 1011 (Internal Error);
// a throwing accept is answered 500.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/http/request.h"
#include "config/base/expected.h"

namespace api::http {

namespace internal {
struct WebSocketLink;
}

// One WebSocket connection, as the app holds it. Thread-safe; may outlive the connection and
// the server (every call then does nothing).
class WebSocket {
 public:
  explicit WebSocket(std::shared_ptr<internal::WebSocketLink> link) : m_link(std::move(link)) {}

  // Queues `message` as one text frame (it must be valid UTF-8: clients close on anything
  // else). Messages are written in the order of the calls. May be called from accept (the
  // message then follows the handshake). Returns false, and queues nothing, when the socket
  // is closing or closed, the server stopped, or the message would pass the outbound queue's
  // bound — the socket is then closed with 1008: a client that does not read is dropped, never
  // buffered for without limit.
  bool SendText(std::string message);
  // The same for a message shared by many sockets (one serialized event to every subscriber):
  // no copy is made.
  bool SendText(std::shared_ptr<const std::string> message);

  // Closes the socket: the messages already queued are written, then a close frame with
  // `code` (1000 normal, 1001 going away, 1008 policy, 1011 internal error, 3000–4999 the
  // app's own) and `reason` (at most 123 bytes; longer is cut). The connection ends when the
  // client answers the close, or after WebSocketOptions::close_timeout. Later calls, and
  // SendText, do nothing.
  void Close(uint16_t code = 1000, std::string_view reason = {});

  // False once the socket is closing or closed (by anyone), or the server stopped.
  bool IsOpen() const;

  // The client's IP address as seen by the socket ("unix" on a unix-socket listener).
  const std::string& remote_ip() const;

 private:
  std::shared_ptr<internal::WebSocketLink> m_link;
};

struct WebSocketHandlers {
  // A complete text message from the client. Optional.
  std::function<void(std::string message)> on_text;
  // The connection ended (see above). Optional.
  std::function<void()> on_close;
};

// No upgrade: the client gets `status` with RoboSats' error JSON {"error_code": error_code,
// "bad_request": message} (errors.h ErrorJson), as a REST endpoint would answer.
struct WebSocketRefusal {
  int status = 403;
  int error_code = 0;
  std::string message;
};

// Decides one upgrade. `socket` is the connection's WebSocket: keep it (handlers usually
// capture it, or a weak_ptr to it) to send and close. Return the handlers to accept, or
// base::Err(WebSocketRefusal{…}) to refuse.
using WebSocketAccept = std::function<base::Expected<WebSocketHandlers, WebSocketRefusal>(
    const Request& request, const std::shared_ptr<WebSocket>& socket)>;

}  // namespace api::http
