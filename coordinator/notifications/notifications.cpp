#include "coordinator/notifications/notifications.h"

namespace coordinator::notifications {
namespace {

std::string NickOf(TradeOps& ops, int64_t robot_id) {
  if (robot_id == 0) return "";
  auto r = ops.store().RobotById(robot_id);
  return r ? r->nickname : "";
}

void Add(TradeOps& ops, int64_t robot_id, const Order& o, std::string title, std::string description = "") {
  if (robot_id == 0) return;
  Notification n;
  n.id = ops.NewId(Table::kNotification);
  n.robot_id = robot_id;
  n.order_id = o.id;
  n.status = static_cast<int>(o.status);
  n.title = std::move(title);
  n.description = std::move(description);
  n.created_at = ops.now();
  ops.Put(n);
}

}  // namespace

void OnStatusChange(TradeOps& ops, const Order& o, std::optional<OrderStatus> before) {
  const std::string id = std::to_string(o.id);
  const std::string maker = NickOf(ops, o.maker_id);
  const std::string taker = NickOf(ops, o.taker_id);
  auto both = [&](const std::string& text_for_maker, const std::string& text_for_taker) {
    Add(ops, o.maker_id, o, text_for_maker);
    Add(ops, o.taker_id, o, text_for_taker);
  };
  switch (o.status) {
    case OrderStatus::kPublic:
      if (before == OrderStatus::kWaitingMakerBond) {
        Add(ops, o.maker_id, o, "✅ Hey " + maker + ", your order with ID " + id + " is public in the order book.");
      }
      return;
    case OrderStatus::kWaitingCollateralAndInvoice:
      Add(ops, o.maker_id, o, "✅ Hey " + maker + ", your order was taken by " + taker + "!🥳");
      Add(ops, o.taker_id, o, "✅ Hey " + taker + ", you just took the order with ID " + id + ".");
      return;
    case OrderStatus::kSendingFiat:
      if (before == OrderStatus::kFiatSent) return;  // an undone "fiat sent"
      both("✅ Hey " + maker + ", the escrow and invoice have been submitted. The fiat exchange starts now via the platform chat.",
           "✅ Hey " + taker + ", the escrow and invoice have been submitted. The fiat exchange starts now via the platform chat.");
      return;
    case OrderStatus::kExpired:
      if (o.expiry_reason == ExpiryReason::kNotTaken) {
        Add(ops, o.maker_id, o, "😪 Hey " + maker + ", your order with ID " + id + " has expired without a taker.");
      } else {
        both("😪 Hey " + maker + ", your order with ID " + id + " has expired.",
             "😪 Hey " + taker + ", your order with ID " + id + " has expired.");
      }
      return;
    case OrderStatus::kSuccess:
      both("🥳 Your order with ID " + id + " has finished successfully!",
           "🥳 Your order with ID " + id + " has finished successfully!");
      return;
    case OrderStatus::kCancelled:
      if (before == OrderStatus::kPublic || before == OrderStatus::kPaused) {
        Add(ops, o.maker_id, o, "❌ Hey " + maker + ", you have cancelled your public order with ID " + id + ".");
      } else {
        both("❌ Hey " + maker + ", your order with ID " + id + " has been cancelled.",
             "❌ Hey " + taker + ", your order with ID " + id + " has been cancelled.");
      }
      return;
    case OrderStatus::kCollaborativelyCancelled:
      both("❌ Hey " + maker + ", your order with ID " + id + " has been collaboratively cancelled.",
           "❌ Hey " + taker + ", your order with ID " + id + " has been collaboratively cancelled.");
      return;
    case OrderStatus::kInDispute:
      both("⚖️ Hey " + maker + ", a dispute has been opened on your order with ID " + id + ".",
           "⚖️ Hey " + taker + ", a dispute has been opened on your order with ID " + id + ".");
      return;
    case OrderStatus::kMakerLostDispute:
      Add(ops, o.maker_id, o, "⚖️ Hey " + maker + ", you lost the dispute on your order with ID " + id + ".");
      Add(ops, o.taker_id, o, "⚖️ Hey " + taker + ", you won the dispute on your order with ID " + id + ".");
      return;
    case OrderStatus::kTakerLostDispute:
      Add(ops, o.maker_id, o, "⚖️ Hey " + maker + ", you won the dispute on your order with ID " + id + ".");
      Add(ops, o.taker_id, o, "⚖️ Hey " + taker + ", you lost the dispute on your order with ID " + id + ".");
      return;
    case OrderStatus::kRoutingFailed: {
      const int64_t buyer = o.type == OrderType::kBuy ? o.maker_id : o.taker_id;
      Add(ops, buyer, o, "⚡❌ Hey " + NickOf(ops, buyer) + ", the lightning payment on your order with ID " + id +
                             " failed.");
      return;
    }
    case OrderStatus::kWaitingMakerBond:
    case OrderStatus::kPaused:
    case OrderStatus::kWaitingTakerBond:
    case OrderStatus::kWaitingCollateral:
    case OrderStatus::kWaitingInvoice:
    case OrderStatus::kFiatSent:
    case OrderStatus::kSendingSats:
    case OrderStatus::kWaitingDisputeResolution:
      return;
  }
}

void OnChatMessage(TradeOps& ops, const Order& o, const Robot& sender, const Robot& receiver) {
  Add(ops, receiver.id, o,
      "💬 Hey " + receiver.nickname + ", a new chat message in-app was sent to you by " + sender.nickname +
          " for order ID " + std::to_string(o.id) + ".");
}

nlohmann::json Json(const Notification& n) {
  return {{"title", n.title},
          {"description", n.description},
          {"order_id", n.order_id},
          {"status", n.status},
          {"created_at", IsoTime(n.created_at)}};
}

}  // namespace coordinator::notifications
