// RoboSats API views: OrderDetail (per status and viewer), the robot, the book, info and
// limits. Field names and types follow fixtures/robosats/openapi-0.8.6.yaml.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "coordinator/engine.h"
#include "coordinator/disputes/disputes.h"
#include "coordinator/engine_tx.h"
#include "coordinator/errors.h"
#include "coordinator/money.h"
#include "coordinator/payouts_in_flight.h"

namespace coordinator {
namespace {

using Json = nlohmann::json;


Json DecimalOrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Json CoordinateOrNull(const std::optional<std::string>& s) {
  if (!s || s->empty()) return nullptr;
  return std::strtod(s->c_str(), nullptr);
}

// The book's coordinates are DRF DecimalFields (RoboSats OrderPublicSerializer, max 6 decimal
// places): strings such as "41.385064", or null.
Json CoordinateTextOrNull(const std::optional<std::string>& s) {
  if (!s || s->empty()) return nullptr;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", std::strtod(s->c_str(), nullptr));
  return std::string(buf);
}

// RoboSats' activity labels for maker_status/taker_status.
std::string Activity(int64_t last_seen, int64_t now) {
  if (now - last_seen < 120) return "Active";
  if (now - last_seen < 600) return "Seen recently";
  return "Inactive";
}

}  // namespace

Json Engine::RobotView(Tx& tx, const Robot& r) {
  Json j;
  j["nickname"] = r.nickname;
  j["hash_id"] = r.hash_id;
  j["public_key"] = r.public_key;
  j["encrypted_private_key"] = r.encrypted_private_key;
  j["nostr_pubkey"] = r.nostr_pubkey;
  j["earned_rewards"] = r.earned_rewards_sat;
  j["wants_stealth"] = r.wants_stealth;
  j["last_login"] = IsoTime(r.last_seen_at);
  j["tg_enabled"] = false;
  j["tg_token"] = "";
  j["tg_bot_name"] = "";
  // RoboSats api/views.py RobotView.get: the active order, or else the last order made or
  // taken; `found` only for a robot created more than 5 minutes ago (the client says "welcome
  // back" then).
  if (r.active_order_id != 0) {
    j["active_order_id"] = r.active_order_id;
  } else if (auto last = tx.store.LastOrderIdOf(r.id)) {
    j["last_order_id"] = *last;
  }
  if (r.created_at < tx.now - 300) j["found"] = true;
  return j;
}

base::Result<Json> Engine::AnswerOrder(Tx& tx, const Order& o, const Robot& viewer) {
  // RoboSats api/views.py OrderView.get: a cancelled order (4, 12) answers 1043 to everyone;
  // an order that is not public answers 1044 (403) to a robot that is not in it.
  if (o.status == OrderStatus::kCancelled || o.status == OrderStatus::kCollaborativelyCancelled) {
    return Refuse(err::kOrderCancelled);
  }
  const bool in_it = viewer.id == o.maker_id || (o.taker_id != 0 && viewer.id == o.taker_id);
  if (!in_it && o.status != OrderStatus::kPublic) return Refuse(err::kOrderNotAvailable);
  return OrderView(tx, o, viewer);
}

Json Engine::CancelledAnswer(const Order& o) {
  // RoboSats api/views.py take_update_confirm_dispute_cancel, action "cancel": once the order is
  // cancelled (4) or collaboratively cancelled (12), a 200 with this shape (not the order view).
  return Json{{"id", o.id},
              {"status", static_cast<int>(o.status)},
              {"type", static_cast<int>(o.type)},
              {"expires_at", IsoTime(o.expires_at)},
              {"bad_request", "This order has been cancelled"}};
}

Json Engine::OrderView(Tx& tx, const Order& o, const Robot& viewer) {
  const TradeParams& p = m_d.params;
  const int64_t now = tx.now;
  std::optional<Take> my_take;
  for (const auto& t : tx.store.TakesOfOrder(o.id)) {
    if (t.robot_id == viewer.id && t.state == TakeState::kPending) my_take = t;
  }
  const bool is_maker = viewer.id == o.maker_id;
  // RoboSats api/views.py OrderView.get: a robot with a pending take is the taker
  // (`is_taker = order.taker == user or take_order.exists()`); the client shows the taker bond
  // only to a participant.
  const bool is_taker = (o.taker_id != 0 && viewer.id == o.taker_id) || my_take.has_value();
  const bool participant = is_maker || is_taker;
  const OrderStatus shown = my_take ? OrderStatus::kWaitingTakerBond : o.status;
  const int status = static_cast<int>(shown);

  auto maker = tx.store.RobotById(o.maker_id);
  std::optional<Robot> taker;
  if (o.taker_id) taker = tx.store.RobotById(o.taker_id);

  auto rate = m_d.rates->Rate(o.currency);
  double premium = ParseSignedDecimal(o.premium, 3, 2).value_or(0);
  std::string amount_text = my_take ? my_take->amount : (o.has_range ? o.max_amount : o.amount);
  double amount = ParseDecimal(amount_text, 10, 8).value_or(0);
  int64_t sats_now = o.is_explicit ? o.satoshis : SatsForFiat(amount, rate.value_or(0), premium).value_or(0);
  if (participant && o.trade_satoshis > 0) sats_now = o.last_satoshis;
  double price_now = rate ? *rate * (1 + premium / 100) : 0;
  double premium_now = o.is_explicit && rate ? PremiumFor(amount, o.satoshis, *rate) : premium;

  Json j;
  j["id"] = o.id;
  j["status"] = status;
  j["created_at"] = IsoTime(o.created_at);
  int64_t expires = my_take ? my_take->expires_at : o.expires_at;
  j["expires_at"] = IsoTime(expires == 0 ? now : expires);
  j["type"] = static_cast<int>(o.type);
  j["currency"] = o.currency;
  j["amount"] = my_take ? Json(my_take->amount) : DecimalOrNull(o.has_range ? "" : o.amount);
  j["has_range"] = o.has_range;
  j["min_amount"] = DecimalOrNull(o.min_amount);
  j["max_amount"] = DecimalOrNull(o.max_amount);
  j["payment_method"] = o.payment_method;
  j["is_explicit"] = o.is_explicit;
  j["premium"] = o.premium;
  j["premium_now"] = std::round(premium_now * 100) / 100;
  j["satoshis"] = o.is_explicit ? Json(o.satoshis) : Json(nullptr);
  j["satoshis_now"] = sats_now;
  j["maker"] = o.maker_id;
  j["taker"] = o.taker_id ? Json(o.taker_id) : Json(nullptr);
  j["escrow_duration"] = o.escrow_duration;
  j["public_duration"] = o.public_duration;
  j["bond_size"] = o.bond_size;
  // RoboSats: t_to_expire(status), the whole duration of the status shown (the client's
  // countdown is (expires_at − now) / total_secs_exp).
  j["total_secs_exp"] = StatusSeconds(p, o, shown);
  // Ours (issue #12): how long this order's deadlines were moved for stretches the traders could
  // not act in (the coordinator down, its node unreachable); expires_at already includes it. When
  // a held HTLC's margin cut an extension short, nobody is penalised at that deadline.
  j["paused_for_outage_secs"] = o.outage_extended_s;
  j["outage_deadline_capped"] = o.outage_capped;
  if (viewer.penalty_until > now) j["penalty"] = IsoTime(viewer.penalty_until);
  j["is_maker"] = is_maker;
  j["is_taker"] = is_taker;
  j["is_participant"] = participant;
  j["has_password"] = !o.password_hash.empty();
  j["maker_nick"] = maker ? maker->nickname : "";
  j["maker_hash_id"] = maker ? maker->hash_id : "";
  j["maker_nostr_pubkey"] = maker ? maker->nostr_pubkey : "";
  j["maker_status"] = maker ? Activity(maker->last_seen_at, now) : "Inactive";
  j["taker_status"] = taker ? Activity(taker->last_seen_at, now) : "Inactive";
  j["price_now"] = std::round(price_now * 100) / 100;
  j["status_message"] = StatusMessage(shown);
  j["description"] = o.description.empty() ? Json(nullptr) : Json(o.description);
  j["latitude"] = CoordinateOrNull(o.latitude);
  j["longitude"] = CoordinateOrNull(o.longitude);
  if (o.expiry_reason) {
    j["expiry_reason"] = static_cast<int>(*o.expiry_reason);
    j["expiry_message"] = ExpiryMessage(*o.expiry_reason);
  } else {
    j["expiry_reason"] = nullptr;
  }
  if (!participant) return j;

  auto hold = [&](int64_t id) -> std::optional<HoldInvoice> { return id ? tx.store.HoldById(id) : std::nullopt; };
  const bool buyer = my_take ? o.type == OrderType::kSell : IsBuyer(o, viewer.id);
  j["is_buyer"] = buyer;
  j["is_seller"] = !buyer;
  j["ur_nick"] = viewer.nickname;
  j["taker_nick"] = taker ? taker->nickname : "None";
  j["taker_hash_id"] = taker ? taker->hash_id : "None";
  j["taker_nostr_pubkey"] = taker ? taker->nostr_pubkey : "";
  auto mb = hold(o.maker_bond_id), tb = hold(o.taker_bond_id), esc = hold(o.escrow_id);
  auto locked = [](const std::optional<HoldInvoice>& h) {
    return h && (h->state == HoldState::kAccepted || h->state == HoldState::kSettled);
  };
  j["maker_locked"] = locked(mb);
  j["taker_locked"] = locked(tb);
  j["escrow_locked"] = locked(esc);
  j["is_fiat_sent"] = o.is_fiat_sent;
  j["is_disputed"] = o.is_disputed;
  j["chat_last_index"] = tx.store.ChatLastIndex(o.id);
  if (o.status == OrderStatus::kInDispute || o.status == OrderStatus::kWaitingDisputeResolution) {
    // RoboSats: whether this robot's statement is in; ours: the coordinator's promised deadline.
    if (auto d = tx.store.DisputeOfOrder(o.id)) {
      j["statement_submitted"] = !(is_maker ? d->maker_statement : d->taker_statement).empty();
      j["status_message"] = disputes::StatusMessageWithDeadline(o.status, d->deadline_at);
    }
  }
  j["asked_for_cancel"] = is_maker ? o.maker_asked_cancel : o.taker_asked_cancel;
  j["pending_cancel"] = is_maker ? o.taker_asked_cancel : o.maker_asked_cancel;
  double bond_pct = ParseDecimal(o.bond_size, 2, 2).value_or(p.bond_default);
  j["bond_size_percent"] = bond_pct;
  j["swap_allowed"] = false;
  j["swap_failure_reason"] = "On-chain payouts are not available on this coordinator";
  j["tg_enabled"] = false;

  // What to pay next.
  std::optional<HoldInvoice> my_bond = my_take ? hold(my_take->bond_id) : (is_maker ? mb : tb);
  if (my_bond) {
    j["bond_satoshis"] = my_bond->amount_sat;
    j["bond_size_sats"] = my_bond->amount_sat;
    if ((status == 0 || status == 3) && my_bond->state == HoldState::kOpen) j["bond_invoice"] = my_bond->payment_request;
  }
  if (o.trade_satoshis > 0) {
    j["trade_satoshis"] = buyer ? PayoutSats(p, o.type, o.trade_satoshis) : EscrowSats(p, o.type, o.trade_satoshis);
  }
  if (!buyer && esc) {
    j["escrow_satoshis"] = esc->amount_sat;
    if ((status == 6 || status == 7) && esc->state == HoldState::kOpen) j["escrow_invoice"] = esc->payment_request;
  }
  // RoboSats sends no top-level trade_fee_percent (its OpenAPI document declares one, as an
  // integer, which a fraction of a percent cannot be): the fee is in the trade summary.
  if (buyer && o.trade_satoshis > 0) j["invoice_amount"] = PayoutSats(p, o.type, o.trade_satoshis);
  std::optional<Payout> po;
  if (o.payout_id) po = tx.store.PayoutById(o.payout_id);
  if (buyer && po && (status == 13 || status == 15)) {
    j["retries"] = po->attempts;
    if (po->state == PayoutState::kPending && po->next_attempt_at) j["next_retry_time"] = IsoTime(po->next_attempt_at);
    j["failure_reason"] = po->failure_reason;
    j["invoice_expired"] = po->state == PayoutState::kFailed && now >= po->invoice_expires_at;
    // Not RoboSats': the payout never sits silent (payouts_in_flight.h). While the node has it
    // in flight, since when and for how long.
    const auto since = PayoutInFlightSince(tx.store, *po);
    j["payout_in_flight"] = since.has_value();
    if (since) {
      j["payout_in_flight_since"] = IsoTime(*since);
      j["payout_in_flight_seconds"] = std::max<int64_t>(0, now - *since);
    }
  }
  if (status == 13 || status == 14 || status == 15) AddTradeSummary(o, buyer, po, mb, tb, esc, j);
  return j;
}

// RoboSats api/logics.py summarize_trade (statuses 13, 14, 15): both robots' summaries and the
// platform's, shown to each participant. `trade_fee_percent` is a fraction (0.00025): the
// client multiplies it by 100.
void Engine::AddTradeSummary(const Order& o, bool viewer_is_buyer, const std::optional<Payout>& po,
                             const std::optional<HoldInvoice>& maker_bond, const std::optional<HoldInvoice>& taker_bond,
                             const std::optional<HoldInvoice>& escrow, Json& j) {
  const TradeParams& p = m_d.params;
  const double fiat = ParseDecimal(o.taken_amount, 10, 8).value_or(0);
  const double bond_pct = ParseDecimal(o.bond_size, 2, 2).value_or(p.bond_default);
  for (const bool maker_side : {true, false}) {
    const int64_t robot_id = maker_side ? o.maker_id : o.taker_id;
    const auto& bond = maker_side ? maker_bond : taker_bond;
    Json s;
    s["trade_fee_percent"] = maker_side ? MakerFeeFraction(p) : TakerFeeFraction(p);
    s["bond_size_sats"] = bond ? bond->amount_sat : 0;
    s["bond_size_percent"] = bond_pct;
    const bool is_buyer = IsBuyer(o, robot_id);
    s["is_buyer"] = is_buyer;
    if (is_buyer) {
      s["sent_fiat"] = fiat;
      s["received_sats"] = po ? po->amount_sat : 0;
      s["payment_hash"] = po ? po->payment_hash : "";
      s["preimage"] = po && !po->preimage.empty() ? po->preimage : "processing";
      s["trade_fee_sats"] = o.trade_satoshis - (po ? po->amount_sat + po->routing_budget_sat : 0);
      s["is_swap"] = false;
    } else {
      s["sent_sats"] = escrow ? escrow->amount_sat : 0;
      s["received_fiat"] = fiat;
      s["trade_fee_sats"] = (escrow ? escrow->amount_sat : 0) - o.trade_satoshis;
    }
    j[maker_side ? "maker_summary" : "taker_summary"] = s;
  }
  Json platform;
  platform["contract_exchange_rate"] = o.contract_price;
  platform["contract_timestamp"] = IsoTime(o.contract_at ? o.contract_at : o.created_at);
  if (o.contract_at && o.finished_at) platform["contract_total_time"] = o.finished_at - o.contract_at;
  if (po) {
    platform["routing_budget_sats"] = po->routing_budget_sat;
    platform["routing_fee_sats"] = po->fee_sat;
    platform["trade_revenue_sats"] = (escrow ? escrow->amount_sat : 0) - po->amount_sat;
  }
  j["platform_summary"] = platform;
  if (viewer_is_buyer && po && o.status == OrderStatus::kSuccess) {
    j["num_satoshis"] = po->amount_sat;
    j["sent_satoshis"] = po->amount_sat;
    j["network"] = m_d.node.network;
  }
}

void Engine::Publish() {
  auto snap = std::make_shared<Snapshot>();
  snap->version = ++m_snapshot_version;
  const int64_t now = m_d.clock->NowSeconds();
  // The book: public orders without a password (RoboSats API: OrderPublic).
  std::map<std::pair<int, int>, Json> books;
  int num_buy = 0, num_sell = 0;
  int64_t liquidity = 0;
  const std::vector<Order> live = m_d.store->LiveOrders();
  // Gift-wrap recipients (NIP-59 kind 1059 at /relay/): the robots of live orders. Looked up
  // once per robot while it stays in a live order.
  {
    std::map<int64_t, std::string> keys;
    for (const auto& o : live) {
      for (int64_t robot_id : {o.maker_id, o.taker_id}) {
        if (robot_id == 0 || keys.count(robot_id)) continue;
        if (auto it = m_live_robot_keys.find(robot_id); it != m_live_robot_keys.end()) {
          keys.emplace(robot_id, it->second);
        } else {
          auto r = m_d.store->RobotById(robot_id);
          keys.emplace(robot_id, r ? r->nostr_pubkey : std::string());
        }
      }
    }
    m_live_robot_keys = std::move(keys);
    std::set<std::string> set;
    for (const auto& [id, key] : m_live_robot_keys) {
      if (!key.empty()) set.insert(key);
    }
    const std::shared_ptr<const Snapshot> before = std::atomic_load(&m_snapshot);
    if (before && before->live_robot_nostr_keys && *before->live_robot_nostr_keys == set) {
      snap->live_robot_nostr_keys = before->live_robot_nostr_keys;
    } else {
      snap->live_robot_nostr_keys = std::make_shared<const std::set<std::string>>(std::move(set));
    }
  }
  for (const auto& o : live) {
    if (o.status != OrderStatus::kPublic) continue;
    if (o.type == OrderType::kBuy) ++num_buy; else ++num_sell;
    auto rate = m_d.rates->Rate(o.currency);
    double premium = ParseSignedDecimal(o.premium, 3, 2).value_or(0);
    double amount = ParseDecimal(o.has_range ? o.max_amount : o.amount, 10, 8).value_or(0);
    int64_t sats_now = o.is_explicit ? o.satoshis : SatsForFiat(amount, rate.value_or(0), premium).value_or(0);
    liquidity += sats_now;
    if (!o.password_hash.empty()) continue;
    auto maker = m_d.store->RobotById(o.maker_id);
    Json e;
    e["id"] = o.id;
    e["created_at"] = IsoTime(o.created_at);
    e["expires_at"] = IsoTime(o.expires_at);
    e["type"] = static_cast<int>(o.type);
    e["currency"] = o.currency;
    e["amount"] = DecimalOrNull(o.has_range ? "" : o.amount);
    e["has_range"] = o.has_range;
    e["min_amount"] = DecimalOrNull(o.min_amount);
    e["max_amount"] = DecimalOrNull(o.max_amount);
    e["payment_method"] = o.payment_method;
    e["is_explicit"] = o.is_explicit;
    e["premium"] = o.premium;
    e["satoshis"] = o.is_explicit ? Json(o.satoshis) : Json(nullptr);
    e["maker"] = o.maker_id;
    e["maker_nick"] = maker ? maker->nickname : "";
    e["maker_hash_id"] = maker ? maker->hash_id : "";
    e["maker_status"] = maker ? Activity(maker->last_seen_at, now) : "Inactive";
    e["price"] = rate ? std::round(*rate * (1 + premium / 100) * 100) / 100 : 0.0;
    e["escrow_duration"] = o.escrow_duration;
    e["satoshis_now"] = sats_now;
    e["bond_size"] = o.bond_size;
    e["latitude"] = CoordinateTextOrNull(o.latitude);
    e["longitude"] = CoordinateTextOrNull(o.longitude);
    int type = static_cast<int>(o.type);
    for (int cur : {0, o.currency}) {
      for (int t : {type, 2}) {
        auto& list = books[{cur, t}];
        if (list.is_null()) list = Json::array();
        list.push_back(e);
      }
    }
  }
  // A body equal to the previous snapshot's is kept as that object: what is prepared from it once
  // (the API's gzip form, api/http/gzip.h GzipOnce) stays valid while the book does not change.
  const std::shared_ptr<const Snapshot> previous = std::atomic_load(&m_snapshot);
  for (auto& [key, list] : books) {
    std::string body = list.dump();
    if (previous) {
      auto it = previous->book.find(key);
      if (it != previous->book.end() && it->second && *it->second == body) {
        snap->book[key] = it->second;
        continue;
      }
    }
    snap->book[key] = std::make_shared<const std::string>(std::move(body));
  }
  snap->public_orders = num_buy + num_sell;

  const TradeParams& p = m_d.params;
  Json info;
  info["num_public_buy_orders"] = num_buy;
  info["num_public_sell_orders"] = num_sell;
  info["book_liquidity"] = liquidity;
  // Recomputed when a contract added a tick, and at most once a minute otherwise (the 24 h
  // window and today's robots move with the clock).
  if (m_stats_dirty || m_stats_at < 0 || now - m_stats_at >= 60) {
    m_stats = ComputeMarketStats(*m_d.store, now);
    m_stats_at = now;
    m_stats_dirty = false;
  }
  info["active_robots_today"] = m_stats.active_robots_today;
  info["last_day_nonkyc_btc_premium"] = m_stats.last_day_nonkyc_btc_premium;
  info["last_day_volume"] = m_stats.last_day_volume;
  info["lifetime_volume"] = m_stats.lifetime_volume;
  info["lnd_version"] = m_d.node.lnd_version;
  info["cln_version"] = "";
  info["robosats_running_commit_hash"] = m_d.facts.commit_hash;
  info["alternative_site"] = "";
  info["alternative_name"] = "";
  info["node_alias"] = m_d.node.alias;
  info["node_id"] = m_d.node.pubkey;
  info["network"] = m_d.node.network;
  info["min_order_size"] = p.min_order_sat;
  info["max_order_size"] = p.max_order_sat;
  info["swap_enabled"] = false;
  info["max_swap"] = 0;
  info["maker_fee"] = MakerFeeFraction(p);
  info["taker_fee"] = TakerFeeFraction(p);
  info["bond_size"] = p.bond_default;
  info["current_swap_fee_rate"] = 0.0;
  int major = 0, minor = 8, patch = 6;
  std::sscanf(m_d.facts.version.c_str(), "%d.%d.%d", &major, &minor, &patch);
  info["version"] = {{"major", major}, {"minor", minor}, {"patch", patch}};
  info["notice_severity"] = m_d.facts.notice_severity;
  info["notice_message"] = m_d.facts.notice_message;
  info["market_price_apis"] = m_d.facts.market_price_apis;
  // Ours: how long the coordinator takes at most to resolve a dispute.
  info["dispute_resolution_hours"] = static_cast<double>(p.dispute_resolution_s) / 3600.0;
  // Ours: the dev-tax share (dev_tax.share, 0..1); the signed statements are at /api/devfund/.
  info["dev_tax_share"] = static_cast<double>(m_d.dev_tax.share_ppm) / 1e6;
  // Ours (issue #12): the latest stretch the traders could not act in, null if none ever;
  // ended_at null while it goes on (the node unreachable now).
  info["last_outage"] = nullptr;
  if (auto outages = m_d.store->RecentOutages(1); !outages.empty()) {
    const Outage& out = outages.front();
    info["last_outage"] = {
        {"reason", out.reason == OutageReason::kCoordinatorDown ? "coordinator_down" : "node_unreachable"},
        {"started_at", IsoTime(out.started_at)},
        {"ended_at", out.ended_at ? Json(IsoTime(out.ended_at)) : Json(nullptr)},
        {"seconds", (out.ended_at ? out.ended_at : now) - out.started_at},
        {"deadlines_extended", out.deadlines_extended}};
  }
  snap->info = std::make_shared<const std::string>(info.dump());
  std::atomic_store(&m_snapshot, std::shared_ptr<const Snapshot>(std::move(snap)));
}

}  // namespace coordinator
