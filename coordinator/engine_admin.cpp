// The operator's commands (the admin API): reading disputes with everything needed to decide
// them, resolving one (resolvers only, once), orders by status, and a day's accounting. Every
// command is logged with who asked (the token's name and role), never a secret.
#include <algorithm>
#include <set>

#include "config/base/log.h"
#include "coordinator/disputes/disputes.h"
#include "coordinator/engine.h"
#include "coordinator/engine_ops.h"
#include "coordinator/engine_tx.h"
#include "coordinator/errors.h"
#include "coordinator/money.h"
#include "coordinator/payouts_in_flight.h"

namespace coordinator {
namespace {

using Json = nlohmann::json;
using JsonResult = base::Result<Json>;

const char* RoleName(AdminRole r) {
  switch (r) {
    case AdminRole::kSolver: return "solver";
    case AdminRole::kResolver: return "resolver";
  }
  return "?";
}

const char* CauseName(DisputeCause c) {
  switch (c) {
    case DisputeCause::kRobot: return "opened by a participant";
    case DisputeCause::kExpiry: return "the fiat exchange expired";
    case DisputeCause::kEscrowLost: return "the node gave back a hold";
  }
  return "?";
}

const char* HoldRoleName(HoldRole r) {
  switch (r) {
    case HoldRole::kMakerBond: return "maker_bond";
    case HoldRole::kTakerBond: return "taker_bond";
    case HoldRole::kEscrow: return "escrow";
  }
  return "?";
}

const char* HoldStateName(HoldState s) {
  switch (s) {
    case HoldState::kPending: return "pending";
    case HoldState::kOpen: return "open";
    case HoldState::kAccepted: return "locked";
    case HoldState::kSettled: return "settled";
    case HoldState::kCanceled: return "returned";
  }
  return "?";
}

Json OrderSummary(Store& store, const Order& o) {
  auto nick = [&](int64_t id) -> Json {
    if (id == 0) return nullptr;
    auto r = store.RobotById(id);
    return r ? Json(r->nickname) : Json(nullptr);
  };
  return {{"id", o.id},
          {"status", static_cast<int>(o.status)},
          {"status_message", StatusMessage(o.status)},
          {"type", o.type == OrderType::kBuy ? "buy" : "sell"},
          {"currency", o.currency},
          {"amount", o.has_range ? (o.taken_amount.empty() ? o.min_amount + "-" + o.max_amount : o.taken_amount)
                                 : o.amount},
          {"trade_satoshis", o.trade_satoshis},
          {"payment_method", o.payment_method},
          {"maker_nick", nick(o.maker_id)},
          {"taker_nick", nick(o.taker_id)},
          {"created_at", IsoTime(o.created_at)},
          {"is_disputed", o.is_disputed}};
}

// A statement may carry the chat log the client decrypted and attached
// (frontend/src/components/TradeBox/Prompts/Dispute.tsx: JSON {statement, messages}).
Json StatementJson(const std::string& raw, int64_t at) {
  if (raw.empty()) return nullptr;
  Json out{{"submitted_at", IsoTime(at)}, {"text", raw}, {"attached_chat", nullptr}};
  auto parsed = Json::parse(raw, nullptr, false);
  if (parsed.is_object() && parsed.contains("statement") && parsed["statement"].is_string()) {
    out["text"] = parsed["statement"];
    if (parsed.contains("messages")) out["attached_chat"] = parsed["messages"];
  }
  return out;
}

Json DisputeListEntry(Store& store, const Dispute& d) {
  auto o = store.OrderById(d.order_id);
  Json e = o ? OrderSummary(store, *o) : Json{{"id", d.order_id}};
  e["order_id"] = d.order_id;
  e["cause"] = CauseName(d.cause);
  e["opened_at"] = IsoTime(d.opened_at);
  e["deadline_at"] = IsoTime(d.deadline_at);
  e["maker_statement"] = !d.maker_statement.empty();
  e["taker_statement"] = !d.taker_statement.empty();
  e["outcome"] = DisputeOutcomeName(d.outcome);
  if (d.outcome != DisputeOutcome::kOpen) {
    e["resolved_at"] = IsoTime(d.resolved_at);
    e["resolved_by"] = d.resolved_by;
  }
  return e;
}

Json RobotDossier(Store& store, int64_t robot_id, int64_t order_id) {
  auto r = store.RobotById(robot_id);
  if (!r) return nullptr;
  Json history = Json::array();
  int disputes = 0;
  for (const auto& o : store.OrdersOfRobot(r->id, 50)) {
    if (o.id == order_id) continue;
    Json h{{"id", o.id}, {"status", static_cast<int>(o.status)}, {"status_message", StatusMessage(o.status)},
           {"role", o.maker_id == r->id ? "maker" : "taker"}, {"created_at", IsoTime(o.created_at)},
           {"trade_satoshis", o.trade_satoshis}, {"is_disputed", o.is_disputed}};
    disputes += o.is_disputed ? 1 : 0;
    history.push_back(std::move(h));
  }
  return {{"nickname", r->nickname},
          {"hash_id", r->hash_id},
          {"public_key", r->public_key},
          {"nostr_pubkey", r->nostr_pubkey},
          {"created_at", IsoTime(r->created_at)},
          {"last_seen_at", IsoTime(r->last_seen_at)},
          {"earned_rewards", r->earned_rewards_sat},
          {"other_orders", std::move(history)},
          {"other_disputes", disputes}};
}

}  // namespace

JsonResult Engine::DispatchAdmin(Tx& tx, const AdminActor& actor, AdminCommand& command) {
  Store& store = tx.store;
  auto log = [&](const char* what, int64_t order_id) {
    base::Log(base::LogLevel::kInfo, "admin", what,
              {{"actor", actor.name}, {"role", RoleName(actor.role)}, {"order", std::to_string(order_id)}});
  };
  return std::visit(
      [&](auto& c) -> JsonResult {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, AdminDisputesCmd>) {
          log("list disputes", 0);
          Json list = Json::array();
          for (const auto& d : c.include_resolved ? store.RecentDisputes(200) : store.OpenDisputes()) {
            list.push_back(DisputeListEntry(store, d));
          }
          return list;
        } else if constexpr (std::is_same_v<T, AdminDisputeCmd>) {
          log("show dispute", c.order_id);
          auto d = store.DisputeOfOrder(c.order_id);
          auto o = store.OrderById(c.order_id);
          if (!d || !o) return Refuse(err::kInvalidOrderId, "Order " + std::to_string(c.order_id) + " has no dispute");
          Json out = DisputeListEntry(store, *d);
          out["note"] = d->note;
          out["maker_statement"] = StatementJson(d->maker_statement, d->maker_statement_at);
          out["taker_statement"] = StatementJson(d->taker_statement, d->taker_statement_at);
          out["maker"] = RobotDossier(store, o->maker_id, o->id);
          out["taker"] = RobotDossier(store, o->taker_id, o->id);
          out["buyer"] = IsBuyer(*o, o->maker_id) ? "maker" : "taker";
          Json holds = Json::array();
          for (const auto& h : store.HoldsOfOrder(o->id)) {
            if (h.id != o->maker_bond_id && h.id != o->taker_bond_id && h.id != o->escrow_id) continue;
            holds.push_back({{"role", HoldRoleName(h.role)}, {"sats", h.amount_sat}, {"state", HoldStateName(h.state)},
                             {"custody", h.custody}});
          }
          out["holds"] = std::move(holds);
          Json chat = Json::array();
          for (const auto& m : store.ChatOfOrder(o->id, 0)) {
            chat.push_back({{"index", m.index}, {"time", IsoTime(m.created_at)},
                            {"from", m.robot_id == o->maker_id ? "maker" : "taker"}, {"ciphertext", m.message}});
          }
          out["chat"] = std::move(chat);
          if (o->payout_id) {
            if (auto p = store.PayoutById(o->payout_id)) {
              out["payout_invoice"] = {{"sats", p->amount_sat}, {"expires_at", IsoTime(p->invoice_expires_at)},
                                       {"expired", tx.now >= p->invoice_expires_at}};
            }
          }
          return out;
        } else if constexpr (std::is_same_v<T, AdminResolveCmd>) {
          if (actor.role != AdminRole::kResolver) {
            log("resolve refused: not a resolver", c.order_id);
            return Refuse(err::kNotUnderstood, "Only a resolver may resolve disputes");
          }
          auto found = store.OrderById(c.order_id);
          if (!found) return Refuse(err::kInvalidOrderId);
          Order o = *found;
          Ops ops(*this, tx);
          auto st = disputes::Resolve(ops, o, c.outcome, c.note, actor.name);
          if (!st.ok()) {
            log("resolve refused", c.order_id);
            return base::Err(st);
          }
          base::Log(base::LogLevel::kInfo, "admin", "dispute resolved",
                    {{"actor", actor.name}, {"role", RoleName(actor.role)}, {"order", std::to_string(o.id)},
                     {"outcome", DisputeOutcomeName(c.outcome)}});
          auto d = store.DisputeOfOrder(o.id);
          return d ? DisputeListEntry(store, *d) : Json::object();
        } else if constexpr (std::is_same_v<T, AdminOrdersCmd>) {
          log("list orders", 0);
          Json list = Json::array();
          std::vector<Order> orders;
          if (c.status) {
            orders = store.OrdersByStatus(*c.status, c.limit);
          } else {
            orders = store.LiveOrders();
            if (orders.size() > c.limit) orders.resize(c.limit);
          }
          for (const auto& o : orders) list.push_back(OrderSummary(store, o));
          return list;
        } else if constexpr (std::is_same_v<T, AdminPayoutsInFlightCmd>) {
          log("list payouts in flight", 0);
          Json list = Json::array();
          for (const auto& f : PayoutsInFlight(store)) {
            const int64_t age = std::max<int64_t>(0, tx.now - f.since);
            const bool overdue = age > m_d.params.payout_in_flight_budget_s;
            if (c.overdue_only && !overdue) continue;
            list.push_back(Json{{"order_id", f.payout.order_id},
                                {"payout_id", f.payout.id},
                                {"payment_hash", f.payout.payment_hash},
                                {"amount_sat", f.payout.amount_sat},
                                {"routing_budget_sat", f.payout.routing_budget_sat},
                                {"attempt", f.payout.attempts},
                                {"since", IsoTime(f.since)},
                                {"age_seconds", age},
                                {"overdue", overdue}});
          }
          return list;
        } else {
          static_assert(std::is_same_v<T, AdminAccountingCmd>);
          log("accounting", 0);
          int64_t inflow = 0, payouts = 0, routing = 0, proceeds = 0, credited = 0, withdrawn = 0, reward_fees = 0,
                  custody_in = 0, custody_out = 0, dev_tax_paid = 0, dev_tax_fees = 0;
          for (const auto& e : store.LedgerBetween(c.day_start, c.day_start + 86400)) {
            switch (e.kind) {
              case LedgerKind::kBondSettled:
              case LedgerKind::kEscrowSettled: inflow += e.amount_sat; break;
              case LedgerKind::kPayoutSent: payouts += e.amount_sat; break;
              case LedgerKind::kRoutingFee: routing += e.amount_sat; break;
              case LedgerKind::kRewardCredited: credited += e.amount_sat; break;
              case LedgerKind::kProceeds: proceeds += e.amount_sat; break;
              case LedgerKind::kDisputeCustody: custody_in += e.amount_sat; break;
              case LedgerKind::kCustodyReleased: custody_out += e.amount_sat; break;
              case LedgerKind::kRewardWithdrawn: withdrawn += e.amount_sat; break;
              case LedgerKind::kRewardRoutingFee: reward_fees += e.amount_sat; break;
              case LedgerKind::kDevTaxPaid: dev_tax_paid += e.amount_sat; break;
              case LedgerKind::kDevTaxRoutingFee: dev_tax_fees += e.amount_sat; break;
            }
          }
          // Contracted volume: the contracts formed that day (their ticks).
          int64_t contracts = 0;
          double volume_btc = 0;
          for (const auto& t : store.Ticks(c.day_start, c.day_start + 86400, 1000000)) {
            ++contracts;
            volume_btc += std::strtod(t.volume.c_str(), nullptr);
          }
          // Reward withdrawals paid that day: what left the node (amount + routing fee).
          int64_t rewards_paid = 0;
          for (const auto& w : store.RewardWithdrawals()) {
            if (w.state == PayoutState::kSucceeded && w.finished_at >= c.day_start && w.finished_at < c.day_start + 86400) {
              rewards_paid += w.amount_sat + w.fee_sat;
            }
          }
          int64_t custody_now = 0;
          for (const auto& d : store.OpenDisputes()) {
            for (const auto& h : store.HoldsOfOrder(d.order_id)) {
              if (h.custody && h.state == HoldState::kSettled) custody_now += h.amount_sat;
            }
          }
          return Json{{"day", IsoTime(c.day_start).substr(0, 10)},
                      {"contracts", contracts},
                      {"contracted_volume_btc", volume_btc},
                      {"inflow_sat", inflow},
                      {"outflow_sat", payouts + routing + rewards_paid + dev_tax_paid + dev_tax_fees},
                      {"payouts_sat", payouts},
                      {"routing_fees_sat", routing + reward_fees},
                      {"proceeds_sat", proceeds},
                      {"rewards_credited_sat", credited},
                      {"rewards_withdrawn_sat", withdrawn},
                      {"custody_taken_sat", custody_in},
                      {"custody_released_sat", custody_out},
                      {"rewards_outstanding_sat", store.RewardsOutstanding()},
                      {"custody_now_sat", custody_now},
                      {"dev_tax_paid_sat", dev_tax_paid},
                      {"dev_tax_routing_fees_sat", dev_tax_fees}};
        }
      },
      command);
}

}  // namespace coordinator
