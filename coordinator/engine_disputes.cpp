// The dispatcher's side of disputes, chat, rewards, reviews, notifications and the operator's
// commands: each finds its order and robot, calls the rules (disputes/, chat/, rewards/,
// notifications/) through Engine::Ops, and renders RoboSats' answer.
#include <cctype>
#include <ctime>

#include "config/base/log.h"
#include "coordinator/chat/chat.h"
#include "coordinator/disputes/disputes.h"
#include "coordinator/engine.h"
#include "coordinator/engine_ops.h"
#include "coordinator/engine_tx.h"
#include "coordinator/errors.h"
#include "coordinator/notifications/notifications.h"
#include "coordinator/rewards/rewards.h"
#include "escrow/crypto/sha256.h"

namespace coordinator {
namespace {

using Json = nlohmann::json;
using JsonResult = base::Result<Json>;

bool IsLowerHex(const std::string& s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) || std::isupper(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

JsonResult Engine::DoStatement(Tx& tx, Robot& robot, const StatementCmd& c) {
  auto found = tx.store.OrderById(c.order_id);
  if (!found) return Refuse(err::kInvalidOrderId);
  Order o = *found;
  if (o.maker_id != robot.id && o.taker_id != robot.id) return Refuse(err::kNotParticipant);
  Ops ops(*this, tx);
  auto st = disputes::SubmitStatement(ops, o, robot, c.statement);
  if (!st.ok()) return base::Err(st);
  return AnswerOrder(tx, o, robot);
}

JsonResult Engine::DoChatGet(Tx& tx, Robot& robot, const ChatGetCmd& c) {
  auto order = tx.store.OrderById(c.order_id);
  Ops ops(*this, tx);
  auto room = chat::Enter(ops, order ? &*order : nullptr, robot, /*write=*/false);
  if (!room.ok()) return base::Err(room.error());
  return chat::Page(ops, *room, c.offset, c.live_peer);
}

JsonResult Engine::DoChatPost(Tx& tx, Robot& robot, const ChatPostCmd& c) {
  auto order = tx.store.OrderById(c.order_id);
  Ops ops(*this, tx);
  auto room = chat::Enter(ops, order ? &*order : nullptr, robot, /*write=*/true);
  if (!room.ok()) return base::Err(room.error());
  auto posted = chat::Post(ops, *room, c.message);
  if (!posted.ok()) return base::Err(posted.error());
  notifications::OnChatMessage(ops, *order, room->me, room->peer);
  if (m_d.on_chat_message) {
    tx.after_commit.push_back([this, order_id = order->id, message = chat::MessageJson(*posted, robot.nickname)] {
      m_d.on_chat_message(order_id, message);
    });
  }
  // RoboSats chat/views.py: with an offset, every message after it; without, {}.
  if (!c.offset) return Json::object();
  return chat::Page(ops, *room, *c.offset, c.live_peer);
}

JsonResult Engine::DoReward(Tx& tx, Robot& robot, const RewardCmd& c) {
  Ops ops(*this, tx);
  InvoiceRules rules = InvoiceRulesNow();
  rules.probe = c.probe;
  // Without a routing budget the coordinator pays the fee on top of the balance: a budget in
  // ppm that would do is then a share of the balance itself.
  if (!c.routing_budget_ppm) rules.budget_base_sats = robot.earned_rewards_sat;
  auto w = rewards::Withdraw(ops, robot, c.signed_invoice, c.routing_budget_ppm, rules);
  if (!w.ok()) return base::Err(w.error());
  // RoboSats answers once the payment ended: {"successful_withdrawal": true}, or its error.
  tx.reply_after_intent = tx.new_intents.back().id;
  tx.deferred_answer = [this, id = w->id]() -> JsonResult {
    auto now = m_d.store->RewardWithdrawalById(id);
    if (!now) return Refuse(err::kPaymentFailed);
    switch (now->state) {
      case PayoutState::kSucceeded:
        return Json{{"successful_withdrawal", true}};
      case PayoutState::kFailed:
        return Refuse(err::kPaymentFailed, "Invoice payment failure: " + now->failure_reason);
      case PayoutState::kPending:
      case PayoutState::kInFlight:
      case PayoutState::kReplaced:
        return Refuse(err::kPaymentFailed,
                      "Invoice payment failure: the payment is still in flight; your rewards stay reserved until "
                      "it ends, and come back if it fails");
    }
    return Refuse(err::kPaymentFailed);
  };
  return Json{{"successful_withdrawal", false}};
}

// RoboSats api/views.py ReviewView: a BIP-340 signature by the coordinator's nostr key over the
// UTF-8 bytes of "<robot nostr pubkey hex><last finished order id>", which clients put in the
// "sig" tag of a kind-31986 rating (frontend/src/utils/nostr.ts verifyCoordinatorToken).
JsonResult Engine::DoReview(Tx& tx, Robot& robot, const ReviewCmd& c) {
  if (!IsLowerHex(c.pubkey, 64)) return Refuse(err::kWrongPubkey);
  auto last_id = tx.store.LastOrderIdOf(robot.id);
  auto last = last_id ? tx.store.OrderById(*last_id) : std::nullopt;
  if (!last || (last->status != OrderStatus::kSuccess && last->status != OrderStatus::kMakerLostDispute &&
                last->status != OrderStatus::kTakerLostDispute)) {
    return Refuse(err::kNoFinishedOrder);
  }
  if (robot.nostr_pubkey.empty()) {
    robot.nostr_pubkey = c.pubkey;
    tx.Put(robot);
    m_live_robot_keys.erase(robot.id);  // Publish looks its key up again
  }
  if (robot.nostr_pubkey != c.pubkey) return Refuse(err::kNoFinishedOrder);
  if (m_d.nostr_key == nullptr) return Refuse(err::kNotUnderstood, "This coordinator has no nostr key");
  const std::string message = c.pubkey + std::to_string(last->id);
  auto sig = m_d.nostr_key->SignSchnorrMessage(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(message.data()), message.size()));
  return Json{{"pubkey", c.pubkey}, {"token", escrow::crypto::ToHex(sig)}};
}

JsonResult Engine::DoNotifications(Tx& tx, Robot& robot, const NotificationsCmd& c) {
  Json list = Json::array();
  for (const auto& n : tx.store.NotificationsOf(robot.id, c.since, 500)) list.push_back(notifications::Json(n));
  return list;
}

void Engine::OnRewardResult(Tx& tx, int64_t intent_id, const escrow::LnResult<escrow::PayOutcome>& r) {
  auto intent = tx.Must(tx.store.IntentById(intent_id), "intent");
  if (intent.state == IntentState::kDone) return;
  auto w = tx.Must(tx.store.RewardWithdrawalById(intent.target_id), "reward withdrawal");
  Ops ops(*this, tx);
  auto done = [&] {
    intent.state = IntentState::kDone;
    intent.done_at = tx.now;
    tx.Put(intent);
  };
  if (!r.ok()) {
    if (r.error().code == escrow::LnErrorCode::kInvalidArgument || r.error().code == escrow::LnErrorCode::kNoRoute ||
        r.error().code == escrow::LnErrorCode::kInsufficientBalance) {
      done();
      rewards::OnFailed(ops, w, "the node refused the payment: " + r.error().message);
      return;
    }
    base::Log(base::LogLevel::kWarn, "engine", "reward payment undecided; will re-drive",
              {{"withdrawal", std::to_string(w.id)}, {"error", escrow::LnErrorCodeName(r.error().code)}});
    m_intent_retry_at[intent_id] =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count() +
        intent_retry_interval.count();
    return;
  }
  done();
  if (r->status == escrow::PaymentStatus::kSucceeded) {
    rewards::OnPaid(ops, w, (r->fee_msat + 999) / 1000, r->preimage ? escrow::crypto::ToHex(*r->preimage) : "");
  } else {
    rewards::OnFailed(ops, w, escrow::FailureReasonName(r->failure_reason));
  }
}

void Engine::PurgeChats() {
  const int64_t now = m_d.clock->NowSeconds();
  if (now - m_last_chat_purge < 3600) return;
  m_last_chat_purge = now;
  Transact(
      [&](Tx& tx) {
        auto purged = tx.store.PurgeChatsOfOrdersFinishedBefore(now - chat::kPurgeAfterS);
        if (!purged.ok()) throw StoreFailure(purged.error());
        if (*purged > 0) {
          base::Log(base::LogLevel::kInfo, "engine", "chat rooms purged", {{"messages", std::to_string(*purged)}});
        }
      },
      nullptr);
}

}  // namespace coordinator
