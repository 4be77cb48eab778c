// Notifications: what /api/notifications/ lists for a robot (RoboSats v0.8.6 api/notifications.py,
// its English titles): made on an order's status changes and on new chat messages, in the same
// transaction as the change. Never a secret: nicknames, order ids and statuses only.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "coordinator/trade_ops.h"

namespace coordinator::notifications {

// `o` moved from `before` (nullopt: it was just made) to its current status.
void OnStatusChange(TradeOps& ops, const Order& o, std::optional<OrderStatus> before);
// `sender` wrote in the chat of `o`: its peer is told.
void OnChatMessage(TradeOps& ops, const Order& o, const Robot& sender, const Robot& receiver);

// RoboSats' ListNotificationSerializer: {title, description, order_id, status, created_at}.
nlohmann::json Json(const Notification& n);

}  // namespace coordinator::notifications
