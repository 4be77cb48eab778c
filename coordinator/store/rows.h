// Row <-> struct mappings. Internal to coordinator/store/.
//
// Each table's columns are listed once, in its Columns(visitor, row) overload, in the order
// of the struct. The same list generates the SQL column lists (NameList), binds a struct to
// an upsert (Binder) and reads a selected row back into a struct (Reader), so a field can
// not be written under one name and read under another.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "coordinator/model.h"
#include "coordinator/store/db.h"

namespace coordinator::store {

// A reference the model writes as 0 ("none"); NULL in SQL so that its foreign key holds.
template <class T>
struct Ref {
  T& id;
};
template <class T>
Ref<T> AsRef(T& id) { return {id}; }

template <class Row> struct TableOf;
template <> struct TableOf<Robot> { static constexpr const char* kName = "robots"; };
template <> struct TableOf<Order> { static constexpr const char* kName = "orders"; };
template <> struct TableOf<HoldInvoice> { static constexpr const char* kName = "holds"; };
template <> struct TableOf<Take> { static constexpr const char* kName = "takes"; };
template <> struct TableOf<Payout> { static constexpr const char* kName = "payouts"; };
template <> struct TableOf<Intent> { static constexpr const char* kName = "intents"; };
template <> struct TableOf<LedgerEntry> { static constexpr const char* kName = "ledger"; };
template <> struct TableOf<MarketTick> { static constexpr const char* kName = "ticks"; };
template <> struct TableOf<Dispute> { static constexpr const char* kName = "disputes"; };
template <> struct TableOf<ChatMessage> { static constexpr const char* kName = "chat_messages"; };
template <> struct TableOf<RewardWithdrawal> { static constexpr const char* kName = "reward_withdrawals"; };
template <> struct TableOf<Notification> { static constexpr const char* kName = "notifications"; };
template <> struct TableOf<DevTaxAccrual> { static constexpr const char* kName = "dev_tax_accruals"; };
template <> struct TableOf<DevTaxPayment> { static constexpr const char* kName = "dev_tax_payments"; };
template <> struct TableOf<NostrEventRecord> { static constexpr const char* kName = "nostr_events"; };
template <> struct TableOf<Outage> { static constexpr const char* kName = "outages"; };
template <> struct TableOf<Heartbeat> { static constexpr const char* kName = "heartbeat"; };

// In each Columns(), R is the struct or the const struct: one list serves writing and reading.
template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, Robot>
void Columns(V& v, R& r) {
  v("id", r.id);
  v("hash_id", r.hash_id);
  v("nickname", r.nickname);
  v("public_key", r.public_key);
  v("encrypted_private_key", r.encrypted_private_key);
  v("nostr_pubkey", r.nostr_pubkey);
  v("created_at", r.created_at);
  v("last_seen_at", r.last_seen_at);
  v("earned_rewards_sat", r.earned_rewards_sat);
  v("penalty_until", r.penalty_until);
  v("active_order_id", AsRef(r.active_order_id));
  v("wants_stealth", r.wants_stealth);
}

template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, Order>
void Columns(V& v, R& o) {
  v("id", o.id);
  v("status", o.status);
  v("type", o.type);
  v("currency", o.currency);
  v("has_range", o.has_range);
  v("amount", o.amount);
  v("min_amount", o.min_amount);
  v("max_amount", o.max_amount);
  v("payment_method", o.payment_method);
  v("is_explicit", o.is_explicit);
  v("premium", o.premium);
  v("satoshis", o.satoshis);
  v("public_duration", o.public_duration);
  v("escrow_duration", o.escrow_duration);
  v("bond_size", o.bond_size);
  v("latitude", o.latitude);
  v("longitude", o.longitude);
  v("password_hash", o.password_hash);
  v("description", o.description);
  v("maker_id", o.maker_id);
  v("taker_id", AsRef(o.taker_id));
  v("created_at", o.created_at);
  v("expires_at", o.expires_at);
  v("last_satoshis", o.last_satoshis);
  v("trade_satoshis", o.trade_satoshis);
  v("taken_amount", o.taken_amount);
  v("contract_price", o.contract_price);
  v("contract_at", o.contract_at);
  v("finished_at", o.finished_at);
  v("maker_bond_id", AsRef(o.maker_bond_id));
  v("taker_bond_id", AsRef(o.taker_bond_id));
  v("escrow_id", AsRef(o.escrow_id));
  v("payout_id", AsRef(o.payout_id));
  v("is_fiat_sent", o.is_fiat_sent);
  v("fiat_sent_ever", o.fiat_sent_ever);
  v("maker_asked_cancel", o.maker_asked_cancel);
  v("taker_asked_cancel", o.taker_asked_cancel);
  v("is_disputed", o.is_disputed);
  v("expiry_reason", o.expiry_reason);
  v("platform_rating", o.platform_rating);
  v("outage_extended_s", o.outage_extended_s);
  v("outage_capped", o.outage_capped);
}

template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, HoldInvoice>
void Columns(V& v, R& h) {
  v("id", h.id);
  v("order_id", h.order_id);
  v("robot_id", h.robot_id);
  v("take_id", AsRef(h.take_id));
  v("role", h.role);
  v("amount_sat", h.amount_sat);
  v("payment_hash", h.payment_hash);
  v("preimage", h.preimage);
  v("payment_request", h.payment_request);
  v("state", h.state);
  v("created_at", h.created_at);
  v("invoice_expires_at", h.invoice_expires_at);
  v("cltv_expiry", h.cltv_expiry);
  v("htlc_expiry_height", h.htlc_expiry_height);
  v("reward_robot_id", AsRef(h.reward_robot_id));
  v("custody", h.custody);
}

template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, Take>
void Columns(V& v, R& t) {
  v("id", t.id);
  v("order_id", t.order_id);
  v("robot_id", t.robot_id);
  v("amount", t.amount);
  v("trade_satoshis", t.trade_satoshis);
  v("bond_id", AsRef(t.bond_id));
  v("expires_at", t.expires_at);
  v("state", t.state);
}

template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, Payout>
void Columns(V& v, R& p) {
  v("id", p.id);
  v("order_id", AsRef(p.order_id));
  v("robot_id", p.robot_id);
  v("payment_request", p.payment_request);
  v("payment_hash", p.payment_hash);
  v("amount_sat", p.amount_sat);
  v("routing_budget_ppm", p.routing_budget_ppm);
  v("routing_budget_sat", p.routing_budget_sat);
  v("state", p.state);
  v("attempts", p.attempts);
  v("next_attempt_at", p.next_attempt_at);
  v("fee_sat", p.fee_sat);
  v("preimage", p.preimage);
  v("failure_reason", p.failure_reason);
  v("invoice_expires_at", p.invoice_expires_at);
  v("created_at", p.created_at);
}

template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, Intent>
void Columns(V& v, R& i) {
  v("id", i.id);
  v("kind", i.kind);
  v("order_id", AsRef(i.order_id));
  v("target_id", i.target_id);
  v("state", i.state);
  v("attempts", i.attempts);
  v("created_at", i.created_at);
  v("done_at", i.done_at);
}

template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, LedgerEntry>
void Columns(V& v, R& e) {
  v("id", e.id);
  v("order_id", AsRef(e.order_id));
  v("robot_id", AsRef(e.robot_id));
  v("kind", e.kind);
  v("amount_sat", e.amount_sat);
  v("created_at", e.created_at);
  v("memo", e.memo);
}

template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, MarketTick>
void Columns(V& v, R& t) {
  v("id", t.id);
  v("timestamp", t.timestamp);
  v("currency", t.currency);
  v("volume", t.volume);
  v("price", t.price);
  v("premium", t.premium);
  v("fee", t.fee);
}

template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, Dispute>
void Columns(V& v, R& d) {
  v("id", d.id);
  v("order_id", d.order_id);
  v("cause", d.cause);
  v("opened_by", AsRef(d.opened_by));
  v("opened_at", d.opened_at);
  v("deadline_at", d.deadline_at);
  v("maker_statement", d.maker_statement);
  v("taker_statement", d.taker_statement);
  v("maker_statement_at", d.maker_statement_at);
  v("taker_statement_at", d.taker_statement_at);
  v("outcome", d.outcome);
  v("resolved_at", d.resolved_at);
  v("resolved_by", d.resolved_by);
  v("note", d.note);
}

template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, ChatMessage>
void Columns(V& v, R& m) {
  v("id", m.id);
  v("order_id", m.order_id);
  v("\"index\"", m.index);
  v("robot_id", m.robot_id);
  v("created_at", m.created_at);
  v("message", m.message);
}

template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, RewardWithdrawal>
void Columns(V& v, R& w) {
  v("id", w.id);
  v("robot_id", w.robot_id);
  v("payment_request", w.payment_request);
  v("payment_hash", w.payment_hash);
  v("debited_sat", w.debited_sat);
  v("amount_sat", w.amount_sat);
  v("routing_budget_ppm", w.routing_budget_ppm);
  v("routing_budget_sat", w.routing_budget_sat);
  v("state", w.state);
  v("fee_sat", w.fee_sat);
  v("preimage", w.preimage);
  v("failure_reason", w.failure_reason);
  v("invoice_expires_at", w.invoice_expires_at);
  v("created_at", w.created_at);
  v("finished_at", w.finished_at);
}

template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, Notification>
void Columns(V& v, R& n) {
  v("id", n.id);
  v("robot_id", n.robot_id);
  v("order_id", n.order_id);
  v("status", n.status);
  v("title", n.title);
  v("description", n.description);
  v("created_at", n.created_at);
}

template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, DevTaxAccrual>
void Columns(V& v, R& a) {
  v("id", a.id);
  v("ledger_id", a.ledger_id);
  v("order_id", AsRef(a.order_id));
  v("proceeds_sat", a.proceeds_sat);
  v("share_ppm", a.share_ppm);
  v("accrued_msat", a.accrued_msat);
  v("created_at", a.created_at);
}

template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, DevTaxPayment>
void Columns(V& v, R& p) {
  v("id", p.id);
  v("first_accrual_id", p.first_accrual_id);
  v("last_accrual_id", p.last_accrual_id);
  v("accrued_msat_through", p.accrued_msat_through);
  v("amount_sat", p.amount_sat);
  v("payee", p.payee);
  v("payment_hash", p.payment_hash);
  v("payment_request", p.payment_request);
  v("preimage", p.preimage);
  v("state", p.state);
  v("attempt", p.attempt);
  v("fee_limit_sat", p.fee_limit_sat);
  v("fee_sat", p.fee_sat);
  v("failure_reason", p.failure_reason);
  v("created_at", p.created_at);
  v("finished_at", p.finished_at);
}

// Collects the column names of a table, in order.
struct NameList {
  std::vector<std::string> names;
  template <class T>
  void operator()(const char* name, const T&) { names.emplace_back(name); }
};

// Binds a struct's fields to parameters ?1, ?2, … in column order.
class Binder {
 public:
  explicit Binder(Statement& s, int first = 1) : m_s(s), m_i(first) {}

  template <std::integral I>
  void operator()(const char*, I v) { m_s.BindInt(m_i++, static_cast<int64_t>(v)); }
  template <class E>
    requires std::is_enum_v<E>
  void operator()(const char*, E v) { m_s.BindInt(m_i++, static_cast<int64_t>(v)); }
  void operator()(const char*, double v) { m_s.BindReal(m_i++, v); }
  void operator()(const char*, const std::string& v) { m_s.BindText(m_i++, v); }
  template <class T>
  void operator()(const char* name, const std::optional<T>& v) {
    if (v) {
      (*this)(name, *v);
    } else {
      m_s.BindNull(m_i++);
    }
  }
  void operator()(const char*, Ref<const int64_t> r) {
    if (r.id != 0) {
      m_s.BindInt(m_i++, r.id);
    } else {
      m_s.BindNull(m_i++);
    }
  }

 private:
  Statement& m_s;
  int m_i;
};

// Reads the columns of the current row into a struct's fields, in column order.
class Reader {
 public:
  explicit Reader(const Statement& s) : m_s(s) {}

  template <std::integral I>
  void operator()(const char*, I& v) { v = static_cast<I>(m_s.Int(m_i++)); }
  template <class E>
    requires std::is_enum_v<E>
  void operator()(const char*, E& v) { v = static_cast<E>(m_s.Int(m_i++)); }
  void operator()(const char*, double& v) { v = m_s.Real(m_i++); }
  void operator()(const char*, std::string& v) { v = m_s.Text(m_i++); }
  template <class T>
  void operator()(const char* name, std::optional<T>& v) {
    if (m_s.IsNull(m_i)) {
      v.reset();
      ++m_i;
    } else {
      (*this)(name, v.emplace());
    }
  }
  void operator()(const char*, Ref<int64_t> r) { r.id = m_s.IsNull(m_i) ? 0 : m_s.Int(m_i); ++m_i; }

 private:
  const Statement& m_s;
  int m_i = 0;
};

template <class Row>
std::vector<std::string> ColumnNames() {
  NameList list;
  const Row row{};
  Columns(list, row);
  return list.names;
}

template <class Row>
void BindRow(Statement& s, const Row& row) {
  Binder binder(s);
  Columns(binder, row);
}

template <class Row>
Row ReadRow(const Statement& s) {
  Row row{};
  Reader reader(s);
  Columns(reader, row);
  return row;
}

// "SELECT <columns> FROM <table> <tail>"
template <class Row>
std::string SelectSql(const std::string& tail) {
  std::string sql = "SELECT ";
  const auto names = ColumnNames<Row>();
  for (size_t i = 0; i < names.size(); ++i) sql += (i ? ", " : "") + names[i];
  return sql + " FROM " + TableOf<Row>::kName + " " + tail;
}

// "INSERT INTO <table> (<columns>) VALUES (?1, …) ON CONFLICT (id) DO UPDATE SET c = excluded.c, …"
template <class Row>
std::string UpsertSql() {
  const auto names = ColumnNames<Row>();
  std::string columns, values, updates;
  for (size_t i = 0; i < names.size(); ++i) {
    columns += (i ? ", " : "") + names[i];
    values += (i ? ", ?" : "?") + std::to_string(i + 1);
    if (names[i] != "id") updates += (updates.empty() ? "" : ", ") + names[i] + " = excluded." + names[i];
  }
  return std::string("INSERT INTO ") + TableOf<Row>::kName + " (" + columns + ") VALUES (" + values +
         ") ON CONFLICT (id) DO UPDATE SET " + updates;
}

template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, NostrEventRecord>
void Columns(V& v, R& e) {
  v("id", e.id);
  v("event_id", e.event_id);
  v("kind", e.kind);
  v("pubkey", e.pubkey);
  v("d_tag", e.d_tag);
  v("order_id", e.order_id);
  v("created_at", e.created_at);
  v("json", e.json);
}

template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, Outage>
void Columns(V& v, R& o) {
  v("id", o.id);
  v("reason", o.reason);
  v("started_at", o.started_at);
  v("ended_at", o.ended_at);
  v("deadlines_extended", o.deadlines_extended);
  v("deadlines_capped", o.deadlines_capped);
}

template <class V, class R>
  requires std::same_as<std::remove_const_t<R>, Heartbeat>
void Columns(V& v, R& h) {
  v("id", h.id);
  v("beat_at", h.beat_at);
}

}  // namespace coordinator::store
