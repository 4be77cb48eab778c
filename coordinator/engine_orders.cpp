// The engine's commands and order transitions: make, take, pause, cancel, invoices, confirm,
// expiries. Each runs inside one transaction (Engine::Transact); money moves only through
// intents queued here.
#include <cmath>
#include <ctime>
#include <limits>
#include <map>

#include "config/base/log.h"
#include "coordinator/engine.h"
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

base::Unexpected<base::Status> Refuse(int code, std::string message = {}) { return base::Err(Error(code, std::move(message))); }

std::string PasswordHash(const std::string& password) {
  return escrow::crypto::ToHex(escrow::crypto::Sha256(std::string_view(password)));
}

// BOLT 11 prefixes per network (BOLT #11: "lnbc" mainnet, "lntb" testnet, "lntbs" signet,
// "lnbcrt" regtest).
std::string PrefixFor(const std::string& network) {
  if (network == "mainnet") return "bc";
  if (network == "testnet") return "tb";
  if (network == "signet") return "tbs";
  if (network == "regtest") return "bcrt";
  if (network == "simnet") return "sb";
  return network;
}

}  // namespace

bool Engine::IsBuyer(const Order& o, int64_t robot_id) const {
  // A BUY order's maker buys; a SELL order's taker buys.
  return o.type == OrderType::kBuy ? robot_id == o.maker_id : (robot_id == o.taker_id && robot_id != 0);
}

// RoboSats: /api/ticks/ refuses more than 5000 ticks (1051).
static constexpr size_t kMaxTicks = 5000;

static std::string TickTime(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
  return buf;
}

JsonResult Engine::Dispatch(Tx& tx, Robot* robot, Command& command) {
  if (auto* t = std::get_if<TicksCmd>(&command)) {
    auto ticks = tx.store.Ticks(t->start, t->end, kMaxTicks + 1);
    if (ticks.size() > kMaxTicks) return Refuse(err::kTooManyTicks);
    Json list = Json::array();
    for (const auto& k : ticks) {
      list.push_back({{"timestamp", TickTime(k.timestamp)}, {"currency", k.currency}, {"volume", k.volume},
                      {"price", k.price}, {"premium", k.premium}, {"fee", k.fee}});
    }
    return list;
  }
  if (std::holds_alternative<HistoricalCmd>(command)) {
    // Volume and number of contracts per day (RoboSats /api/historical/).
    std::map<std::string, std::pair<double, int>> days;
    for (const auto& k : tx.store.Ticks(0, std::numeric_limits<int64_t>::max(), 1000000)) {
      auto& d = days[TickTime(k.timestamp).substr(0, 10)];
      d.first += std::strtod(k.volume.c_str(), nullptr);
      d.second += 1;
    }
    Json out = Json::array();
    for (const auto& [day, v] : days) out.push_back({{day, {{"volume", v.first}, {"num_contracts", v.second}}}});
    return out;
  }
  if (robot == nullptr) return Refuse(err::kNoCredentials);
  robot->last_seen_at = tx.now;
  return std::visit(
      [&](auto& c) -> JsonResult {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, GetRobotCmd>) {
          return RobotView(*robot);
        } else if constexpr (std::is_same_v<T, SetStealthCmd>) {
          robot->wants_stealth = c.wants_stealth;
          tx.Put(*robot);
          return Json{{"wantsStealth", c.wants_stealth}};
        } else if constexpr (std::is_same_v<T, MakeCmd>) {
          return DoMake(tx, *robot, c);
        } else if constexpr (std::is_same_v<T, GetOrderCmd>) {
          auto o = tx.store.OrderById(c.order_id);
          if (!o) return Refuse(err::kInvalidOrderId);
          return OrderView(tx, *o, *robot);
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
        } else {
          return Refuse(err::kNotUnderstood);  // TicksCmd, HistoricalCmd: answered above
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
  tx.reply_after_intent = tx.new_intents.back().id;
  o.maker_bond_id = maker_bond.id;
  tx.Put(o);
  robot.active_order_id = o.id;
  tx.Put(robot);
  return OrderView(tx, o, robot);
}

JsonResult Engine::DoTake(Tx& tx, Robot& robot, const TakeCmd& c) {
  const TradeParams& p = m_d.params;
  auto found = tx.store.OrderById(c.order_id);
  if (!found) return Refuse(err::kInvalidOrderId);
  Order o = *found;
  // Taking again an order one is already taking: answer with the same take.
  for (const auto& t : tx.store.TakesOfOrder(o.id)) {
    if (t.robot_id == robot.id && t.state == TakeState::kPending) return OrderView(tx, o, robot);
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
  tx.reply_after_intent = tx.new_intents.back().id;
  t.bond_id = bond.id;
  tx.Put(t);
  robot.active_order_id = o.id;
  tx.Put(robot);
  tx.touched_orders.insert(o.id);
  return OrderView(tx, o, robot);
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
  return OrderView(tx, o, robot);
}

// Ends an order: returns every unresolved take's bond, frees the robots.
void Engine::FinishOrder(Tx& tx, Order& o, OrderStatus terminal) {
  o.status = terminal;
  tx.Put(o);
  for (auto t : tx.store.TakesOfOrder(o.id)) {
    if (t.state != TakeState::kPending) continue;
    t.state = TakeState::kLost;
    tx.Put(t);
    auto bond = tx.Must(tx.store.HoldById(t.bond_id), "bond");
    Resolve(tx, bond, false);
    auto r = tx.Must(tx.store.RobotById(t.robot_id), "robot");
    if (r.active_order_id == o.id) {
      r.active_order_id = 0;
      tx.Put(r);
    }
  }
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
    t.state = TakeState::kCancelled;
    tx.Put(t);
    auto bond = tx.Must(tx.store.HoldById(t.bond_id), "bond");
    Resolve(tx, bond, false);
    robot.active_order_id = 0;
    robot.penalty_until = tx.now + m_d.params.penalty_timeout_s;
    tx.Put(robot);
    tx.touched_orders.insert(o.id);
    return OrderView(tx, o, robot);
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
      return OrderView(tx, o, robot);
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
      return OrderView(tx, o, robot);
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
      } else {
        tx.Put(o);
      }
      return OrderView(tx, o, robot);
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

JsonResult Engine::DoUpdateInvoice(Tx& tx, Robot& robot, const UpdateInvoiceCmd& c) {
  const TradeParams& p = m_d.params;
  auto found = tx.store.OrderById(c.order_id);
  if (!found) return Refuse(err::kInvalidOrderId);
  Order o = *found;
  if (o.maker_id != robot.id && o.taker_id != robot.id) return Refuse(err::kNotParticipant);
  if (!IsBuyer(o, robot.id)) return Refuse(err::kOnlyBuyerInvoice);
  std::optional<Payout> previous;
  if (o.payout_id) previous = tx.store.PayoutById(o.payout_id);
  switch (o.status) {
    case OrderStatus::kWaitingCollateralAndInvoice:
    case OrderStatus::kWaitingCollateral:
    case OrderStatus::kWaitingInvoice:
    case OrderStatus::kSendingFiat:
    case OrderStatus::kFiatSent:
      break;
    case OrderStatus::kRoutingFailed:
      // RoboSats: a new invoice only after expiration or 3 failed attempts.
      if (previous && previous->state != PayoutState::kFailed && tx.now < previous->invoice_expires_at) {
        return Refuse(err::kInvoiceNotNow);
      }
      break;
    case OrderStatus::kWaitingMakerBond:
    case OrderStatus::kPublic:
    case OrderStatus::kPaused:
    case OrderStatus::kWaitingTakerBond:
      return Refuse(err::kBondsNotLocked);
    case OrderStatus::kCancelled:
    case OrderStatus::kExpired:
    case OrderStatus::kInDispute:
    case OrderStatus::kCollaborativelyCancelled:
    case OrderStatus::kSendingSats:
    case OrderStatus::kSuccess:
    case OrderStatus::kWaitingDisputeResolution:
    case OrderStatus::kMakerLostDispute:
    case OrderStatus::kTakerLostDispute:
      return Refuse(err::kInvoiceNotNow, "You cannot submit an invoice now");
  }
  if (c.signed_invoice.empty()) return Refuse(err::kEmptyInvoice);
  if (c.routing_budget_ppm < 0 || c.routing_budget_ppm > p.max_routing_budget_ppm) {
    return Refuse(err::kBadInvoice, "routing_budget_ppm must be between 0 and " + std::to_string(p.max_routing_budget_ppm));
  }
  // Verified as of an hour from now: a client whose clock runs ahead of ours makes signatures
  // "in the future", which must not be refused.
  constexpr int64_t kClockSkewSeconds = 3600;
  auto text = identity::VerifyCleartextSigned(c.signed_invoice, robot.public_key, tx.now + kClockSkewSeconds);
  if (!text.ok()) return Refuse(err::kBadSignature);
  std::string payreq = *text;
  while (!payreq.empty() && (payreq.back() == '\n' || payreq.back() == '\r' || payreq.back() == ' ')) payreq.pop_back();
  auto inv = escrow::bolt11::Decode(payreq);
  if (!inv.ok()) return Refuse(err::kBadInvoice, "Does not look like a valid lightning invoice: " + inv.error());
  if (inv->network_prefix != PrefixFor(m_d.node.network)) {
    return Refuse(err::kBadInvoice, "The invoice is for another network");
  }
  const int64_t payout = PayoutSats(p, o.type, o.trade_satoshis);
  const int64_t budget = RoutingBudgetSats(payout, c.routing_budget_ppm);
  const int64_t expected = payout - budget;
  if (!inv->amount_msat || *inv->amount_msat != static_cast<uint64_t>(expected) * 1000) {
    return Refuse(err::kBadInvoice, "The invoice provided has the wrong amount: it must be exactly " +
                                        std::to_string(expected) + " Sats");
  }
  if (inv->IsExpired(static_cast<uint64_t>(tx.now))) return Refuse(err::kBadInvoice, "The invoice provided has already expired");
  if (!inv->payment_hash) return Refuse(err::kBadInvoice, "The invoice has no payment hash");
  // Route hints: the fees to cross a hint must fit in the routing budget.
  for (const auto& hint : inv->route_hints) {
    int64_t fee_msat = 0;
    for (const auto& hop : hint) {
      fee_msat += hop.fee_base_msat + static_cast<int64_t>(hop.fee_proportional_millionths) * expected / 1000;
    }
    if (fee_msat > budget * 1000) {
      return Refuse(err::kBadInvoice, "The invoice's route hints need more fees than the routing budget allows");
    }
  }
  std::string hash = escrow::crypto::ToHex(*inv->payment_hash);
  // An invoice is paid once, for one order: a hash seen before (here or elsewhere) is refused.
  if (tx.store.PayoutByHash(hash)) return Refuse(err::kNewInvoice);
  if (previous && (previous->state == PayoutState::kPending || previous->state == PayoutState::kFailed)) {
    previous->state = PayoutState::kReplaced;
    tx.Put(*previous);
  }
  Payout po;
  po.id = tx.store.NewId(Table::kPayout);
  po.order_id = o.id;
  po.robot_id = robot.id;
  po.payment_request = payreq;
  po.payment_hash = hash;
  po.amount_sat = expected;
  po.routing_budget_ppm = c.routing_budget_ppm;
  po.routing_budget_sat = budget;
  po.invoice_expires_at = static_cast<int64_t>(inv->timestamp + inv->expiry_seconds);
  po.created_at = tx.now;
  tx.Put(po);
  o.payout_id = po.id;
  switch (o.status) {
    case OrderStatus::kWaitingCollateralAndInvoice:
      o.status = OrderStatus::kWaitingCollateral;
      break;
    case OrderStatus::kWaitingInvoice:
      o.status = OrderStatus::kSendingFiat;
      o.expires_at = tx.now + p.fiat_exchange_duration_s;
      break;
    case OrderStatus::kRoutingFailed:
      o.status = OrderStatus::kSendingSats;
      StartPayout(tx, o, po);
      break;
    default:
      break;  // 7, 9, 10: the invoice is replaced, the status stays
  }
  tx.Put(o);
  return OrderView(tx, o, robot);
}

JsonResult Engine::DoConfirm(Tx& tx, Robot& robot, const ConfirmCmd& c) {
  auto found = tx.store.OrderById(c.order_id);
  if (!found) return Refuse(err::kInvalidOrderId);
  Order o = *found;
  if (o.maker_id != robot.id && o.taker_id != robot.id) return Refuse(err::kNotParticipant);
  const bool buyer = IsBuyer(o, robot.id);
  if (buyer) {
    if (o.status == OrderStatus::kFiatSent) return OrderView(tx, o, robot);  // already confirmed
    if (o.status != OrderStatus::kSendingFiat) return Refuse(err::kCannotConfirm);
    o.is_fiat_sent = true;
    o.status = OrderStatus::kFiatSent;
    tx.Put(o);
    return OrderView(tx, o, robot);
  }
  if (o.status == OrderStatus::kSendingFiat) return Refuse(err::kSellerConfirmsFirst);
  if (o.status != OrderStatus::kFiatSent) return Refuse(err::kCannotConfirm);
  // The seller received the fiat: take the escrow, return both bonds; the buyer is paid once
  // the escrow settle is confirmed (OnHoldSettled).
  auto esc = tx.Must(tx.store.HoldById(o.escrow_id), "escrow");
  Resolve(tx, esc, true);
  for (int64_t id : {o.maker_bond_id, o.taker_bond_id}) {
    auto b = tx.Must(tx.store.HoldById(id), "bond");
    Resolve(tx, b, false);
  }
  o.status = OrderStatus::kSendingSats;
  o.expires_at = 0;
  tx.Put(o);
  return OrderView(tx, o, robot);
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
  return OrderView(tx, o, robot);
}

JsonResult Engine::DoDispute(Tx& tx, Robot& robot, const DisputeCmd& c) {
  auto found = tx.store.OrderById(c.order_id);
  if (!found) return Refuse(err::kInvalidOrderId);
  if (found->maker_id != robot.id && found->taker_id != robot.id) return Refuse(err::kNotParticipant);
  // Disputes (statuses 11, 16–18, statements, resolution) come with the disputes work; until
  // then an order reaches 11 only when the fiat exchange times out (Expire).
  return Refuse(err::kCannotDispute, "Disputes cannot be opened on this coordinator yet");
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
  return OrderView(tx, o, robot);
}

// A hold invoice is locked at the node: the order moves on.
void Engine::OnHoldAccepted(Tx& tx, HoldInvoice& h, Order& o) {
  const TradeParams& p = m_d.params;
  auto give_back = [&] { Resolve(tx, h, false); };
  switch (h.role) {
    case HoldRole::kMakerBond:
      if (o.status != OrderStatus::kWaitingMakerBond || o.maker_bond_id != h.id) return give_back();
      o.status = OrderStatus::kPublic;
      o.expires_at = tx.now + o.public_duration;
      tx.Put(o);
      return;
    case HoldRole::kTakerBond: {
      auto t = tx.Must(tx.store.TakeById(h.take_id), "take");
      if (t.state != TakeState::kPending || o.status != OrderStatus::kPublic || o.taker_id != 0) {
        if (t.state == TakeState::kPending) {
          t.state = TakeState::kLost;
          tx.Put(t);
        }
        return give_back();
      }
      // First taker bond to lock wins the order.
      t.state = TakeState::kWon;
      tx.Put(t);
      o.taker_id = t.robot_id;
      o.taker_bond_id = h.id;
      o.taken_amount = t.amount;
      // The price is fixed now (RoboSats: at taker bond lock), except explicit orders.
      auto rate = m_d.rates->Rate(o.currency);
      double premium = ParseSignedDecimal(o.premium, 3, 2).value_or(0);
      int64_t sats = t.trade_satoshis;
      if (!o.is_explicit && rate) {
        if (auto s = SatsForFiat(ParseDecimal(t.amount, 10, 8).value_or(0), *rate, premium)) sats = *s;
      }
      o.trade_satoshis = sats;
      o.last_satoshis = sats;
      double fiat = ParseDecimal(t.amount, 10, 8).value_or(0);
      o.contract_price = sats > 0 ? fiat / (static_cast<double>(sats) / 1e8) : 0;
      o.status = OrderStatus::kWaitingCollateralAndInvoice;
      o.expires_at = tx.now + o.escrow_duration;
      const int64_t seller = o.type == OrderType::kSell ? o.maker_id : o.taker_id;
      auto esc = NewHold(tx, o, seller, HoldRole::kEscrow, EscrowSats(p, o.type, sats), 0, o.escrow_duration);
      o.escrow_id = esc.id;
      tx.Put(o);
      // The other pre-takers lose: their bonds go back.
      for (auto other : tx.store.TakesOfOrder(o.id)) {
        if (other.id == t.id || other.state != TakeState::kPending) continue;
        other.state = TakeState::kLost;
        tx.Put(other);
        auto b = tx.Must(tx.store.HoldById(other.bond_id), "bond");
        Resolve(tx, b, false);
        auto r = tx.Must(tx.store.RobotById(other.robot_id), "robot");
        if (r.active_order_id == o.id) {
          r.active_order_id = 0;
          tx.Put(r);
        }
      }
      // RoboSats API: Tick — one per contract.
      MarketTick tick;
      tick.id = tx.store.NewId(Table::kTick);
      tick.timestamp = tx.now;
      tick.currency = o.currency;
      tick.volume = FormatDecimal(static_cast<double>(sats) / 1e8, 8);
      tick.price = FormatDecimal(o.contract_price, 2);
      tick.premium = rate ? FormatDecimal(PremiumFor(fiat, sats, *rate), 2) : o.premium;
      tick.fee = FormatDecimal(p.fee, 6);
      tx.Put(tick);
      return;
    }
    case HoldRole::kEscrow:
      if (o.escrow_id != h.id) return give_back();
      if (o.status == OrderStatus::kWaitingCollateralAndInvoice) {
        o.status = OrderStatus::kWaitingInvoice;
      } else if (o.status == OrderStatus::kWaitingCollateral) {
        o.status = OrderStatus::kSendingFiat;
        o.expires_at = tx.now + p.fiat_exchange_duration_s;
      } else {
        return give_back();
      }
      tx.Put(o);
      return;
  }
}

// The current status timed out (RoboSats api/logics.py order_expires, simplified where noted).
void Engine::Expire(Tx& tx, Order& o) {
  auto hold = [&](int64_t id) { return tx.Must(tx.store.HoldById(id), "hold"); };
  auto expire_with = [&](ExpiryReason reason) {
    o.expiry_reason = reason;
    FinishOrder(tx, o, OrderStatus::kExpired);
  };
  const int64_t buyer = o.type == OrderType::kBuy ? o.maker_id : o.taker_id;
  const int64_t seller = o.type == OrderType::kSell ? o.maker_id : o.taker_id;
  auto bond_of = [&](int64_t robot_id) { return hold(robot_id == o.maker_id ? o.maker_bond_id : o.taker_bond_id); };
  switch (o.status) {
    case OrderStatus::kWaitingMakerBond: {
      auto b = hold(o.maker_bond_id);
      Resolve(tx, b, false);
      return expire_with(ExpiryReason::kMakerBondNotLocked);
    }
    case OrderStatus::kPublic:
    case OrderStatus::kPaused: {
      auto b = hold(o.maker_bond_id);
      Resolve(tx, b, false);
      return expire_with(ExpiryReason::kNotTaken);
    }
    case OrderStatus::kWaitingCollateralAndInvoice: {
      // Neither did their part: both bonds are taken, nobody is rewarded (RoboSats does the
      // same: "bonds must be charged to avoid service DDoSing").
      auto mb = hold(o.maker_bond_id), tb = hold(o.taker_bond_id), esc = hold(o.escrow_id);
      Forfeit(tx, o, mb, 0);
      Forfeit(tx, o, tb, 0);
      Resolve(tx, esc, false);
      return expire_with(ExpiryReason::kNeitherEscrowNorInvoice);
    }
    case OrderStatus::kWaitingCollateral: {
      // The seller did not lock the escrow. (RoboSats puts the order back in the book when the
      // taker is at fault; we end it, which keeps every hold's lifetime within its CLTV.)
      auto sb = bond_of(seller), bb = bond_of(buyer), esc = hold(o.escrow_id);
      Forfeit(tx, o, sb, buyer);
      Resolve(tx, bb, false);
      Resolve(tx, esc, false);
      return expire_with(ExpiryReason::kEscrowNotLocked);
    }
    case OrderStatus::kWaitingInvoice: {
      auto bb = bond_of(buyer), sb = bond_of(seller), esc = hold(o.escrow_id);
      Forfeit(tx, o, bb, seller);
      Resolve(tx, sb, false);
      Resolve(tx, esc, false);
      return expire_with(ExpiryReason::kInvoiceNotSubmitted);
    }
    case OrderStatus::kSendingFiat:
    case OrderStatus::kFiatSent: {
      // The fiat exchange timed out: a dispute opens and the coordinator takes custody of the
      // bonds and the escrow (as RoboSats does) so that no HTLC is left to expire.
      for (int64_t id : {o.maker_bond_id, o.taker_bond_id, o.escrow_id}) {
        auto h = hold(id);
        h.custody = true;
        tx.Put(h);
        Resolve(tx, h, true);
      }
      o.is_disputed = true;
      o.status = OrderStatus::kInDispute;
      o.expires_at = 0;
      tx.Put(o);
      return;
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
      o.expires_at = 0;
      tx.Put(o);
      return;
  }
}

}  // namespace coordinator
