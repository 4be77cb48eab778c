// /ws/chat/<order_id>/?token_sha256_hex=<hex SHA256 of the robot's token>: the trade chat over
// WebSocket, as RoboSats' client speaks it (frontend/src/components/TradeBox/EncryptedChat/
// EncryptedSocketChat, backend chat/consumers.py ChatRoomConsumer). The rules and storage are
// coordinator/chat's, shared with the REST /api/chat/: a message posted on one is seen on the
// other.
//
// RoboSats' protocol, every frame a JSON object:
// - client → server {"type": "message", "message": <text>, "nick": <its nick>}:
//   - text starting "-----BEGIN PGP MESSAGE-----": stored (chat rules: 9/10 only, ≤ 5000
//     characters), then sent to both robots as {"index", "message", "user_nick", "peer_connected",
//     "time"} — REST posts are sent the same way;
//   - "-----SERVE HISTORY-----": every stored message of the order, to the asker, in that shape;
//   - anything else (the client sends its PGP public key first): not stored, relayed to both as
//     {"message", "user_nick", "peer_connected"}.
// - on connect, both robots get {"message": <the joiner's peer's PGP public key>, "user_nick":
//   <joiner>, "peer_connected"}; on disconnect the other gets {"message": "peer-disconnected",
//   "user_nick": <leaver>, "peer_connected": false}.
// `peer_connected` is true when the other robot holds a socket of the room open.
//
// Refusals: a path without an order id, or a token that is not 64 hex characters → HTTP 400,
// no upgrade. The engine then checks the robot and the room (chat::Enter): an unknown robot,
// an outsider, an order not in a chat status → closed with 4003 and the reason (RoboSats'
// consumer refuses the same). A frame that is not a JSON object with a string "message", one
// whose "type" is not "message", or a message over 5000 characters → closed with 4400; more
// than max_messages_per_minute → 1008; a frame over the server's limit → 1009.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "api/http/websocket.h"
#include "coordinator/engine.h"

namespace api {

struct ChatSocketOptions {
  coordinator::Engine* engine = nullptr;
  std::function<int64_t()> now;  // Unix seconds, for the rate limit
  size_t max_messages_per_minute = 120;
  size_t max_early_messages = 8;  // frames held while the engine checks the robot
};

class ChatSockets {
 public:
  explicit ChatSockets(ChatSocketOptions options);
  ~ChatSockets();
  ChatSockets(const ChatSockets&) = delete;
  ChatSockets& operator=(const ChatSockets&) = delete;

  // For HttpServer::AddWebSocket("/ws/chat/", …).
  http::WebSocketAccept Acceptor();
  // The engine's on_chat_message: a stored message ({index, time, message, nick}) to every
  // socket of the order's room. Thread-safe, never blocks.
  void OnMessage(int64_t order_id, const nlohmann::json& message);
  // Does a robot other than `hash_id` hold a socket of the order's room open?
  bool PeerConnected(int64_t order_id, const std::string& hash_id) const;
  size_t SocketCount() const;

 private:
  struct State;
  std::shared_ptr<State> m_state;
};

}  // namespace api
