// The engine's commands and order transitions: make, take, pause, cancel, invoices, confirm,
// expiries. Each runs inside one transaction (Engine::Transact); money moves only through
// intents queued here.
#include <cmath>
#include <ctime>
#include <limits>
#include <map>

#include "config/base/log.h"
#include "coordinator/engine.h"
#include "coordinator/disputes/disputes.h"
#include "coordinator/engine_ops.h"
#include "coordinator/engine_tx.h"
#include "coordinator/errors.h"
#include "coordinator/identity/pgp.h"
#include "coordinator/money.h"
#include "escrow/bolt11.h"
#include "escrow/crypto/sha256.h"

namespace coordinator {
namespace {

using Json = nlohmann::json;
using JsonResult = base::Result<Json>;


std::string PasswordHash(const std::string& password) {
  return escrow::crypto::ToHex(escrow::crypto::Sha256(std::string_view(password)));
}

}  // namespace

bool Engine::IsBuyer(const Order& o, int64_t robot_id) const {
  // A BUY order's maker buys; a SELL order's taker buys.
  return o.type == OrderType::kBuy ? robot_id == o.maker_id : (robot_id == o.taker_id && robot_id != 0);
}



JsonResult Engine::Dispatch(Tx& tx, Robot* robot, Command& command) {
  if (robot == nullptr) return Refuse(err::kNoCredentials);
  // Activity ("Active", "Seen recently"): written at most once a minute, so reads stay cheap.
  if (tx.now - robot->last_seen_at >= 60) {
    robot->last_seen_at = tx.now;
    tx.Put(*robot);
  } else {
    robot->last_seen_at = tx.now;
  }
  return std::visit(
      [&](auto& c) -> JsonResult {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, GetRobotCmd>) {
          return RobotView(tx, *robot);
        } else if constexpr (std::is_same_v<T, SetStealthCmd>) {
          robot->wants_stealth = c.wants_stealth;
          tx.Put(*robot);
          return Json{{"wantsStealth", c.wants_stealth}};
        } else if constexpr (std::is_same_v<T, MakeCmd>) {
          return DoMake(tx, *robot, c);
        } else if constexpr (std::is_same_v<T, GetOrderCmd>) {
          auto o = tx.store.OrderById(c.order_id);
          if (!o) return Refuse(err::kInvalidOrderId);
          return AnswerOrder(tx, *o, *robot);
        } else if constexpr (std::is_same_v<T, TakeCmd>) {
          return DoTake(tx, *robot, c);
        } else if constexpr (std::is_same_v<T, PauseCmd>) {
          return DoPause(tx, *robot, c);
        } else if constexpr (std::is_same_v<T, CancelCmd>) {
          return DoCancel(tx, *robot, c);
        } else if constexpr (std::is_same_v<T, UpdateInvoiceCmd>) {
          return DoUpdateInvoice(tx, *robot, c);
        } else if constexpr (std::is_same_v<T, ConfirmCmd>) {
          return DoConfirm(tx, *robot, c);
        } else if constexpr (std::is_same_v<T, UndoConfirmCmd>) {
          return DoUndoConfirm(tx, *robot, c);
        } else if constexpr (std::is_same_v<T, DisputeCmd>) {
          return DoDispute(tx, *robot, c);
        } else if constexpr (std::is_same_v<T, RatePlatformCmd>) {
          return DoRate(tx, *robot, c);
        } else if constexpr (std::is_same_v<T, StatementCmd>) {
          return DoStatement(tx, *robot, c);
        } else if constexpr (std::is_same_v<T, ChatGetCmd>) {
          return DoChatGet(tx, *robot, c);
        } else if constexpr (std::is_same_v<T, ChatPostCmd>) {
          return DoChatPost(tx, *robot, c);
        } else if constexpr (std::is_same_v<T, RewardCmd>) {
          return DoReward(tx, *robot, c);
        } else if constexpr (std::is_same_v<T, ReviewCmd>) {
          return DoReview(tx, *robot, c);
        } else {
          static_assert(std::is_same_v<T, NotificationsCmd>);
          return DoNotifications(tx, *robot, c);
        }
      },
      command);
}

// Refuses a robot that already has an active order or a pending take (RoboSats 1000–1002).
static std::optional<base::Status> BusyRobot(Engine::Tx& tx, const Robot& robot) {
  if (robot.active_order_id == 0) return std::nullopt;
  auto o = tx.store.OrderById(robot.active_order_id);
  if (!o || IsTerminal(o->status)) return std::nullopt;
  if (o->maker_id == robot.id) return Error(err::kAlreadyMaker);
  if (o->taker_id == robot.id) return Error(err::kAlreadyTaker);
  return Error(err::kAlreadyTaking);
}

JsonResult Engine::DoMake(Tx& tx, Robot& robot, const MakeCmd& c) {
  const TradeParams& p = m_d.params;
  if (auto busy = BusyRobot(tx, robot)) return base::Err(*busy);
  if (m_d.currency_code(c.currency).empty()) return Refuse(err::kNotUnderstood, "Unknown currency id");
  auto rate = m_d.rates->Rate(c.currency);
  if (!rate) return Refuse(err::kNotUnderstood, "There is no market price for this currency right now");

  Order o;
  o.type = c.type;
  o.currency = c.currency;
  o.has_range = c.has_range;
  o.payment_method = c.payment_method.empty() ? "not specified" : c.payment_method;
  o.is_explicit = c.is_explicit;
  o.description = c.description;
  o.latitude = c.latitude;
  o.longitude = c.longitude;
  if (c.password && !c.password->empty()) o.password_hash = PasswordHash(*c.password);

  double premium = 0;
  if (!c.premium.empty()) {
    auto v = ParseSignedDecimal(c.premium, 3, 2);
    if (!v || *v < -100 || *v > 999) return Refuse(err::kNotUnderstood, "premium must be between -100 and 999");
    premium = *v;
  }
  o.premium = FormatDecimal(premium, 2);
  o.public_duration = c.public_duration.value_or(p.public_duration_default);
  if (o.public_duration < p.public_duration_min || o.public_duration > p.public_duration_max) {
    return Refuse(err::kNotUnderstood, "public_duration out of range");
  }
  o.escrow_duration = c.escrow_duration.value_or(p.escrow_duration_default);
  if (o.escrow_duration < p.escrow_duration_min || o.escrow_duration > p.escrow_duration_max) {
    return Refuse(err::kNotUnderstood, "escrow_duration out of range");
  }
  double bond = p.bond_default;
  if (!c.bond_size.empty()) {
    auto v = ParseDecimal(c.bond_size, 2, 2);
    if (!v || *v < p.bond_min || *v > p.bond_max) return Refuse(err::kNotUnderstood, "bond_size out of range");
    bond = *v;
  }
  o.bond_size = FormatDecimal(bond, 2);

  int64_t sats_now = 0;
  if (c.has_range) {
    if (c.min_amount.empty() || c.max_amount.empty()) return Refuse(err::kRangeNeedsMinMax);
    if (c.is_explicit) return Refuse(err::kNotUnderstood, "Range orders cannot have an explicit amount of satoshis");
    auto lo = ParseDecimal(c.min_amount, 10, 8);
    auto hi = ParseDecimal(c.max_amount, 10, 8);
    if (!lo || !hi || *lo <= 0 || *hi <= 0) return Refuse(err::kNotUnderstood, "Invalid min_amount or max_amount");
    if (*hi < 1.5 * *lo) return Refuse(err::kRangeTooNarrow);
    if (*hi > 15 * *lo) return Refuse(err::kRangeTooWide);
    auto lo_sats = SatsForFiat(*lo, *rate, premium);
    auto hi_sats = SatsForFiat(*hi, *rate, premium);
    if (!lo_sats || !hi_sats) return Refuse(err::kNotUnderstood, "Invalid amounts");
    if (*hi_sats > p.max_order_sat) {
      return Refuse(err::kRangeMaxTooBig, "Your order maximum amount is too big. It is worth " + std::to_string(*hi_sats) +
                                              " Sats now, but the limit is " + std::to_string(p.max_order_sat) + " Sats");
    }
    if (*lo_sats < p.min_order_sat) {
      return Refuse(err::kRangeMinTooSmall, "Your order minimum amount is too small. It is worth " +
                                                std::to_string(*lo_sats) + " Sats now, but the limit is " +
                                                std::to_string(p.min_order_sat) + " Sats");
    }
    o.min_amount = FormatDecimal(*lo, 8);
    o.max_amount = FormatDecimal(*hi, 8);
    sats_now = *hi_sats;  // the bond covers the largest trade the range allows
  } else {
    if (c.amount.empty()) return Refuse(err::kNeedAmount);
    auto amount = ParseDecimal(c.amount, 10, 8);
    if (!amount || *amount <= 0) return Refuse(err::kNotUnderstood, "Invalid amount");
    o.amount = FormatDecimal(*amount, 8);
    if (c.is_explicit) {
      if (!c.satoshis) return Refuse(err::kNotUnderstood, "Explicit orders need satoshis");
      sats_now = *c.satoshis;
      o.satoshis = *c.satoshis;
    } else {
      auto s = SatsForFiat(*amount, *rate, premium);
      if (!s) return Refuse(err::kNotUnderstood, "Invalid amount");
      sats_now = *s;
    }
    if (sats_now > p.max_order_sat) {
      return Refuse(err::kTooBig, "Your order is too big. It is worth " + std::to_string(sats_now) +
                                      " Sats now, but the limit is " + std::to_string(p.max_order_sat) + " Sats");
    }
    if (sats_now < p.min_order_sat) {
      return Refuse(err::kTooSmall, "Your order is too small. It is worth " + std::to_string(sats_now) +
                                        " Sats now, but the limit is " + std::to_string(p.min_order_sat) + " Sats");
    }
  }
  if (snapshot()->public_orders >= p.max_public_orders) {
    return Refuse(err::kBookFull, "The " + m_d.facts.alias + " coordinator book is at full capacity! Current limit is " +
                                      std::to_string(p.max_public_orders) + " orders");
  }

  o.id = tx.store.NewId(Table::kOrder);
  o.status = OrderStatus::kWaitingMakerBond;
  o.maker_id = robot.id;
  o.created_at = tx.now;
  o.expires_at = tx.now + p.maker_bond_expiry_s;
  o.last_satoshis = sats_now;
  auto maker_bond = NewHold(tx, o, robot.id, HoldRole::kMakerBond, BondSats(sats_now, bond), 0, p.maker_bond_expiry_s);
  AnswerWhenBondExists(tx, robot, o.id);
  o.maker_bond_id = maker_bond.id;
  tx.Put(o);
  robot.active_order_id = o.id;
  tx.Put(robot);
  return AnswerOrder(tx, o, robot);
}

// Make and take answer once the node has made the bond invoice (its AddHold intent, the last
// one queued), re-rendering the view then.
void Engine::AnswerWhenBondExists(Tx& tx, const Robot& robot, int64_t order_id) {
  tx.reply_after_intent = tx.new_intents.back().id;
  tx.deferred_answer = [this, hash_id = robot.hash_id, order_id]() -> JsonResult {
    auto viewer = m_d.store->RobotByHashId(hash_id);
    auto order = m_d.store->OrderById(order_id);
    if (!viewer || !order) return Refuse(err::kInvalidOrderId);
    Tx view_tx(*m_d.store, m_d.clock->NowSeconds());
    return AnswerOrder(view_tx, *order, *viewer);
  };
}

JsonResult Engine::DoTake(Tx& tx, Robot& robot, const TakeCmd& c) {
  const TradeParams& p = m_d.params;
  auto found = tx.store.OrderById(c.order_id);
  if (!found) return Refuse(err::kInvalidOrderId);
  Order o = *found;
  // Taking again an order one is already taking: answer with the same take.
  for (const auto& t : tx.store.TakesOfOrder(o.id)) {
    if (t.robot_id == robot.id && t.state == TakeState::kPending) return AnswerOrder(tx, o, robot);
  }
  if (o.maker_id == robot.id) return Refuse(err::kOrderNotAvailable, "You cannot take your own order");
  if (o.status != OrderStatus::kPublic) return Refuse(err::kNotPublic);
  if (auto busy = BusyRobot(tx, robot)) return base::Err(*busy);
  if (robot.penalty_until > tx.now) {
    return Refuse(err::kTakePenalty,
                  "You need to wait " + std::to_string(robot.penalty_until - tx.now) + " seconds to take an order");
  }
  if (!o.password_hash.empty() && (!c.password || PasswordHash(*c.password) != o.password_hash)) {
    return Refuse(err::kWrongPassword);
  }
  auto rate = m_d.rates->Rate(o.currency);
  if (!rate) return Refuse(err::kNotUnderstood, "There is no market price for this currency right now");
  double premium = ParseSignedDecimal(o.premium, 3, 2).value_or(0);

  Take t;
  int64_t sats = 0;
  if (o.has_range) {
    auto amount = ParseDecimal(c.amount, 10, 8);
    auto lo = ParseDecimal(o.min_amount, 10, 8).value_or(0);
    auto hi = ParseDecimal(o.max_amount, 10, 8).value_or(0);
    if (!amount || *amount < lo || *amount > hi) return Refuse(err::kAmountOutOfRange);
    auto s = SatsForFiat(*amount, *rate, premium);
    if (!s) return Refuse(err::kAmountOutOfRange);
    sats = *s;
    t.amount = FormatDecimal(*amount, 8);
  } else {
    t.amount = o.amount;
    if (o.is_explicit) {
      sats = o.satoshis;
    } else {
      auto s = SatsForFiat(ParseDecimal(o.amount, 10, 8).value_or(0), *rate, premium);
      if (!s) return Refuse(err::kNotUnderstood, "Invalid amount");
      sats = *s;
    }
  }
  t.id = tx.store.NewId(Table::kTake);
  t.order_id = o.id;
  t.robot_id = robot.id;
  t.trade_satoshis = sats;
  t.expires_at = tx.now + p.taker_bond_expiry_s;
  double bond_pct = ParseDecimal(o.bond_size, 2, 2).value_or(p.bond_default);
  auto bond = NewHold(tx, o, robot.id, HoldRole::kTakerBond, BondSats(sats, bond_pct), t.id, p.taker_bond_expiry_s);
  AnswerWhenBondExists(tx, robot, o.id);
  t.bond_id = bond.id;
  tx.Put(t);
  robot.active_order_id = o.id;
  tx.Put(robot);
  tx.touched_orders.insert(o.id);
  return AnswerOrder(tx, o, robot);
}

JsonResult Engine::DoPause(Tx& tx, Robot& robot, const PauseCmd& c) {
  auto found = tx.store.OrderById(c.order_id);
  if (!found) return Refuse(err::kInvalidOrderId);
  Order o = *found;
  if (o.maker_id != robot.id) return Refuse(err::kNotYourOrderToPause);
  if (o.status == OrderStatus::kPublic) {
    o.status = OrderStatus::kPaused;
  } else if (o.status == OrderStatus::kPaused) {
    o.status = OrderStatus::kPublic;
  } else {
    return Refuse(err::kCannotPause);
  }
  tx.Put(o);
  return AnswerOrder(tx, o, robot);
}

// Ends an order: returns every unresolved take's bond, frees the robots.
void Engine::FinishOrder(Tx& tx, Order& o, OrderStatus terminal) {
  o.status = terminal;
  o.finished_at = tx.now;
  tx.Put(o);
  for (auto t : tx.store.TakesOfOrder(o.id)) {
    if (t.state == TakeState::kPending) EndTake(tx, t, TakeState::kLost, /*penalise=*/false);
  }
  ReleaseRobots(tx, o);
}

Robot Engine::EndTake(Tx& tx, Take& t, TakeState end, bool penalise) {
  t.state = end;
  tx.Put(t);
  auto bond = tx.Must(tx.store.HoldById(t.bond_id), "bond");
  Resolve(tx, bond, /*settle=*/false);
  auto r = tx.Must(tx.store.RobotById(t.robot_id), "robot");
  if (r.active_order_id == t.order_id) r.active_order_id = 0;
  if (penalise) r.penalty_until = tx.now + m_d.params.penalty_timeout_s;
  tx.Put(r);
  tx.touched_orders.insert(t.order_id);
  return r;
}

void Engine::ReleaseRobots(Tx& tx, const Order& o) {
  for (int64_t rid : {o.maker_id, o.taker_id}) {
    if (rid == 0) continue;
    auto r = tx.Must(tx.store.RobotById(rid), "robot");
    if (r.active_order_id == o.id) {
      r.active_order_id = 0;
      tx.Put(r);
    }
  }
}

// Settles `bond` as forfeited; `wronged_robot_id` (0: nobody) earns the rewards share.
void Engine::Forfeit(Tx& tx, Order& o, HoldInvoice& bond, int64_t wronged_robot_id) {
  (void)o;
  if (bond.state != HoldState::kAccepted) {
    // Never locked: nothing to take; make sure it can't be paid later.
    Resolve(tx, bond, false);
    return;
  }
  bond.reward_robot_id = wronged_robot_id;
  tx.Put(bond);
  Resolve(tx, bond, true);
}

JsonResult Engine::DoCancel(Tx& tx, Robot& robot, const CancelCmd& c) {
  auto found = tx.store.OrderById(c.order_id);
  if (!found) return Refuse(err::kInvalidOrderId);
  Order o = *found;
  const bool is_maker = o.maker_id == robot.id;
  const bool is_taker = o.taker_id != 0 && o.taker_id == robot.id;
  std::optional<Take> my_take;
  for (const auto& t : tx.store.TakesOfOrder(o.id)) {
    if (t.robot_id == robot.id && t.state == TakeState::kPending) my_take = t;
  }
  if (!is_maker && !is_taker && !my_take) return Refuse(err::kNotParticipant);
  // RoboSats API: `cancel_status` — cancel only if the order is (still) in that status.
  int seen_status = my_take ? static_cast<int>(OrderStatus::kWaitingTakerBond) : static_cast<int>(o.status);
  if (c.cancel_status && *c.cancel_status != seen_status) {
    return Refuse(err::kCancelStatusMismatch, "Current order status is " + std::to_string(seen_status) + ", not " +
                                                  std::to_string(*c.cancel_status) + ".");
  }

  if (my_take) {
    // A pre-taker walks away before locking its bond: the bond is returned, a short penalty.
    Take t = *my_take;
    robot = EndTake(tx, t, TakeState::kCancelled, /*penalise=*/true);
    return AnswerOrder(tx, o, robot);
  }

  auto hold = [&](int64_t id) { return tx.Must(tx.store.HoldById(id), "hold"); };
  switch (o.status) {
    case OrderStatus::kWaitingMakerBond:
    case OrderStatus::kPublic:
    case OrderStatus::kPaused: {
      if (!is_maker) return Refuse(err::kCannotCancel);
      // Before a take: the maker's bond is returned.
      auto bond = hold(o.maker_bond_id);
      Resolve(tx, bond, false);
      FinishOrder(tx, o, OrderStatus::kCancelled);
      return CancelledAnswer(o);
    }
    case OrderStatus::kWaitingCollateralAndInvoice:
    case OrderStatus::kWaitingCollateral: {
      // After the take, before the escrow: the one who cancels loses the bond; half of it goes
      // to the counterparty as rewards; the other bond is returned.
      auto mine = hold(is_maker ? o.maker_bond_id : o.taker_bond_id);
      auto theirs = hold(is_maker ? o.taker_bond_id : o.maker_bond_id);
      Forfeit(tx, o, mine, is_maker ? o.taker_id : o.maker_id);
      Resolve(tx, theirs, false);
      if (o.escrow_id) {
        auto esc = hold(o.escrow_id);
        Resolve(tx, esc, false);
      }
      FinishOrder(tx, o, OrderStatus::kCancelled);
      return CancelledAnswer(o);
    }
    case OrderStatus::kWaitingInvoice:
    case OrderStatus::kSendingFiat:
    case OrderStatus::kFiatSent: {
      // The escrow is locked: a cancel is a request for a collaborative cancel.
      if (is_maker) o.maker_asked_cancel = true;
      if (is_taker) o.taker_asked_cancel = true;
      if (o.maker_asked_cancel && o.taker_asked_cancel) {
        for (int64_t id : {o.maker_bond_id, o.taker_bond_id, o.escrow_id}) {
          auto h = hold(id);
          Resolve(tx, h, false);
        }
        if (o.payout_id) {
          auto p = tx.Must(tx.store.PayoutById(o.payout_id), "payout");
          p.state = PayoutState::kReplaced;
          tx.Put(p);
        }
        FinishOrder(tx, o, OrderStatus::kCollaborativelyCancelled);
        return CancelledAnswer(o);
      }
      tx.Put(o);
      return AnswerOrder(tx, o, robot);
    }
    case OrderStatus::kWaitingTakerBond:
    case OrderStatus::kCancelled:
    case OrderStatus::kExpired:
    case OrderStatus::kInDispute:
    case OrderStatus::kCollaborativelyCancelled:
    case OrderStatus::kSendingSats:
    case OrderStatus::kSuccess:
    case OrderStatus::kRoutingFailed:
    case OrderStatus::kWaitingDisputeResolution:
    case OrderStatus::kMakerLostDispute:
    case OrderStatus::kTakerLostDispute:
      return Refuse(err::kCannotCancel);
  }
  return Refuse(err::kCannotCancel);
}

JsonResult Engine::DoConfirm(Tx& tx, Robot& robot, const ConfirmCmd& c) {
  auto found = tx.store.OrderById(c.order_id);
  if (!found) return Refuse(err::kInvalidOrderId);
  Order o = *found;
  if (o.maker_id != robot.id && o.taker_id != robot.id) return Refuse(err::kNotParticipant);
  const bool buyer = IsBuyer(o, robot.id);
  if (buyer) {
    if (o.status == OrderStatus::kFiatSent) return AnswerOrder(tx, o, robot);  // already confirmed
    if (o.status != OrderStatus::kSendingFiat) return Refuse(err::kCannotConfirm);
    o.is_fiat_sent = true;
    o.fiat_sent_ever = true;
    o.status = OrderStatus::kFiatSent;
    tx.Put(o);
    return AnswerOrder(tx, o, robot);
  }
  if (o.status == OrderStatus::kSendingFiat) return Refuse(err::kSellerConfirmsFirst);
  if (o.status != OrderStatus::kFiatSent) return Refuse(err::kCannotConfirm);
  // The seller received the fiat: take the escrow, return both bonds; the buyer is paid once
  // the escrow settle is confirmed (OnHoldSettled). Only a locked escrow can be taken: one the
  // node gave back must never move the order to 13 with nothing to settle.
  auto esc = tx.Must(tx.store.HoldById(o.escrow_id), "escrow");
  if (esc.state != HoldState::kAccepted) {
    return Refuse(err::kCannotConfirm, "The trade escrow is not locked: the fiat payment cannot be confirmed");
  }
  Resolve(tx, esc, true);
  for (int64_t id : {o.maker_bond_id, o.taker_bond_id}) {
    auto b = tx.Must(tx.store.HoldById(id), "bond");
    Resolve(tx, b, false);
  }
  o.status = OrderStatus::kSendingSats;
  o.expires_at = 0;
  tx.Put(o);
  return AnswerOrder(tx, o, robot);
}

JsonResult Engine::DoUndoConfirm(Tx& tx, Robot& robot, const UndoConfirmCmd& c) {
  auto found = tx.store.OrderById(c.order_id);
  if (!found) return Refuse(err::kInvalidOrderId);
  Order o = *found;
  if (o.maker_id != robot.id && o.taker_id != robot.id) return Refuse(err::kNotParticipant);
  if (!IsBuyer(o, robot.id)) return Refuse(err::kOnlyBuyerUndo);
  if (o.status != OrderStatus::kFiatSent) return Refuse(err::kCannotUndo);
  o.is_fiat_sent = false;
  o.status = OrderStatus::kSendingFiat;
  tx.Put(o);
  return AnswerOrder(tx, o, robot);
}

JsonResult Engine::DoDispute(Tx& tx, Robot& robot, const DisputeCmd& c) {
  auto found = tx.store.OrderById(c.order_id);
  if (!found) return Refuse(err::kInvalidOrderId);
  Order o = *found;
  if (o.maker_id != robot.id && o.taker_id != robot.id) return Refuse(err::kNotParticipant);
  Ops ops(*this, tx);
  auto st = disputes::OpenByRobot(ops, o, robot);
  if (!st.ok()) return base::Err(st);
  return AnswerOrder(tx, o, robot);
}

JsonResult Engine::DoRate(Tx& tx, Robot& robot, const RatePlatformCmd& c) {
  auto found = tx.store.OrderById(c.order_id);
  if (!found) return Refuse(err::kInvalidOrderId);
  Order o = *found;
  if (o.maker_id != robot.id && o.taker_id != robot.id) return Refuse(err::kNotParticipant);
  if (c.rating < 1 || c.rating > 5) return Refuse(err::kNotUnderstood, "rating must be 1 to 5");
  if (o.status != OrderStatus::kSuccess) return Refuse(err::kNotUnderstood, "You can rate the platform after a successful trade");
  o.platform_rating = c.rating;
  tx.Put(o);
  return AnswerOrder(tx, o, robot);
}

}  // namespace coordinator
