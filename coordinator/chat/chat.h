// The trade chat's rules, shared by every transport: RoboSats' REST chat (/api/chat/, its
// client's API mode) and its WebSocket (/ws/chat/<order_id>/, the client's default mode). The
// coordinator stores the clients' PGP ciphertext only and never reads it. RoboSats v0.8.6:
// chat/views.py ChatView, chat/models.py Message.
//
// - Readable by the two participants in 9, 10 (the fiat exchange), 11 and 16 (the dispute);
//   writable in 9 and 10.
// - Each message ≤ 5000 characters (RoboSats' TextField max_length; 6003 otherwise), indexed
//   1, 2, … per order.
// - Rooms are purged 3 days after their order finished (the engine's hourly sweep).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/base/expected.h"
#include "config/base/status.h"
#include "coordinator/trade_ops.h"

namespace coordinator::chat {

constexpr size_t kMaxMessage = 5000;
constexpr int64_t kPurgeAfterS = 3 * 86400;
// RoboSats' "is_peer_connected() mockup": a peer seen within the last minute is connected.
constexpr int64_t kPeerSeenS = 60;

struct Room {
  const Order* order = nullptr;
  Robot me;
  Robot peer;
};

// Checks that `robot` may read (`write` false) or write the chat of order `order_id`.
// Errors: 6000 no such order, 6001 not a participant, 6002 not in a chat status.
base::Result<Room> Enter(TradeOps& ops, const Order* order, const Robot& robot, bool write);

// A new message from `room.me`; errors: 6003 empty or over 5000 characters.
base::Result<ChatMessage> Post(TradeOps& ops, const Room& room, const std::string& ciphertext);

// RoboSats' message shape: {index, time, message, nick}.
nlohmann::json MessageJson(const ChatMessage& m, const std::string& nick);
// RoboSats' ChatView answer: {peer_connected, messages (index > offset), peer_pubkey}.
// `peer_live`: the peer holds a chat socket open now (else: seen within a minute).
nlohmann::json Page(TradeOps& ops, const Room& room, int64_t offset, bool peer_live);

}  // namespace coordinator::chat
