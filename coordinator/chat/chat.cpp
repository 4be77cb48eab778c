#include "coordinator/chat/chat.h"

#include "coordinator/errors.h"

namespace coordinator::chat {

base::Result<Room> Enter(TradeOps& ops, const Order* order, const Robot& robot, bool write) {
  if (order == nullptr) return Refuse(err::kChatNoOrder);
  const bool maker = robot.id == order->maker_id;
  const bool taker = order->taker_id != 0 && robot.id == order->taker_id;
  if (!maker && !taker) return Refuse(err::kChatNotParticipant);
  switch (order->status) {
    case OrderStatus::kSendingFiat:
    case OrderStatus::kFiatSent:
      break;
    case OrderStatus::kInDispute:
    case OrderStatus::kWaitingDisputeResolution:
      if (write) return Refuse(err::kChatNotNow);
      break;
    case OrderStatus::kWaitingMakerBond:
    case OrderStatus::kPublic:
    case OrderStatus::kPaused:
    case OrderStatus::kWaitingTakerBond:
    case OrderStatus::kCancelled:
    case OrderStatus::kExpired:
    case OrderStatus::kWaitingCollateralAndInvoice:
    case OrderStatus::kWaitingCollateral:
    case OrderStatus::kWaitingInvoice:
    case OrderStatus::kCollaborativelyCancelled:
    case OrderStatus::kSendingSats:
    case OrderStatus::kSuccess:
    case OrderStatus::kRoutingFailed:
    case OrderStatus::kMakerLostDispute:
    case OrderStatus::kTakerLostDispute:
      return Refuse(err::kChatNotNow);
  }
  auto peer = ops.store().RobotById(maker ? order->taker_id : order->maker_id);
  if (!peer) return Refuse(err::kChatNotParticipant);
  return Room{order, robot, *peer};
}

base::Result<ChatMessage> Post(TradeOps& ops, const Room& room, const std::string& ciphertext) {
  if (ciphertext.empty() || ciphertext.size() > kMaxMessage) return Refuse(err::kChatInvalid);
  ChatMessage m;
  m.id = ops.NewId(Table::kChat);
  m.order_id = room.order->id;
  m.index = ops.store().ChatLastIndex(room.order->id) + 1;
  m.robot_id = room.me.id;
  m.created_at = ops.now();
  m.message = ciphertext;
  ops.Put(m);
  return m;
}

nlohmann::json MessageJson(const ChatMessage& m, const std::string& nick) {
  return {{"index", m.index}, {"time", IsoTime(m.created_at)}, {"message", m.message}, {"nick", nick}};
}

nlohmann::json Page(TradeOps& ops, const Room& room, int64_t offset, bool peer_live) {
  nlohmann::json messages = nlohmann::json::array();
  for (const auto& m : ops.store().ChatOfOrder(room.order->id, offset)) {
    messages.push_back(MessageJson(m, m.robot_id == room.me.id ? room.me.nickname : room.peer.nickname));
  }
  const bool peer_connected = peer_live || room.peer.last_seen_at >= ops.now() - kPeerSeenS;
  return {{"peer_connected", peer_connected}, {"messages", std::move(messages)}, {"peer_pubkey", room.peer.public_key}};
}

}  // namespace coordinator::chat
