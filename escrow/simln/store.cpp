#include "escrow/simln/store.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

namespace escrow::simln {
namespace {

using Json = nlohmann::json;
using Status = Store::Status;

constexpr int kSchemaVersion = 1;

// Version 1. Hashes and preimages are 32-byte BLOBs; enums are stored by their LND names;
// lists (HTLCs, routes, custom records) are JSON text.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE meta(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  network TEXT NOT NULL,
  genesis_time INTEGER NOT NULL,
  start_height INTEGER NOT NULL,
  block_interval_seconds INTEGER NOT NULL CHECK (block_interval_seconds > 0),
  mined_blocks INTEGER NOT NULL,
  channels_opened INTEGER NOT NULL);
CREATE TABLE nodes(
  name TEXT PRIMARY KEY,
  seed TEXT NOT NULL,
  alias TEXT NOT NULL,
  failure_mode TEXT NOT NULL,
  failure_delay_ms INTEGER NOT NULL,
  last_add_index INTEGER NOT NULL,
  last_settle_index INTEGER NOT NULL,
  last_payment_index INTEGER NOT NULL);
CREATE TABLE channels(
  chan_id INTEGER PRIMARY KEY,
  spec_key TEXT NOT NULL UNIQUE,
  node_a TEXT NOT NULL REFERENCES nodes(name),
  node_b TEXT NOT NULL REFERENCES nodes(name),
  a_local_msat INTEGER NOT NULL CHECK (a_local_msat >= 0),
  b_local_msat INTEGER NOT NULL CHECK (b_local_msat >= 0),
  a_pending_msat INTEGER NOT NULL CHECK (a_pending_msat >= 0),
  b_pending_msat INTEGER NOT NULL CHECK (b_pending_msat >= 0),
  base_fee_msat INTEGER NOT NULL,
  fee_rate_ppm INTEGER NOT NULL,
  cltv_delta INTEGER NOT NULL,
  failure_mode TEXT NOT NULL,
  failure_delay_ms INTEGER NOT NULL,
  next_htlc_index INTEGER NOT NULL);
CREATE TABLE invoices(
  node TEXT NOT NULL REFERENCES nodes(name),
  payment_hash BLOB NOT NULL CHECK (length(payment_hash) = 32),
  is_hold INTEGER NOT NULL,
  memo TEXT NOT NULL,
  preimage BLOB,
  value_msat INTEGER NOT NULL,
  creation_date INTEGER NOT NULL,
  settle_date INTEGER NOT NULL,
  payment_request TEXT NOT NULL,
  description_hash BLOB,
  expiry INTEGER NOT NULL,
  cltv_expiry INTEGER NOT NULL,
  is_private INTEGER NOT NULL,
  add_index INTEGER NOT NULL,
  settle_index INTEGER NOT NULL,
  amt_paid_msat INTEGER NOT NULL,
  state TEXT NOT NULL,
  is_keysend INTEGER NOT NULL,
  payment_addr BLOB NOT NULL,
  htlcs TEXT NOT NULL,
  PRIMARY KEY (node, payment_hash),
  UNIQUE (node, add_index));
CREATE TABLE payments(
  node TEXT NOT NULL REFERENCES nodes(name),
  payment_hash BLOB NOT NULL CHECK (length(payment_hash) = 32),
  payment_index INTEGER NOT NULL,
  value_msat INTEGER NOT NULL,
  fee_msat INTEGER NOT NULL,
  preimage BLOB,
  payment_request TEXT NOT NULL,
  status TEXT NOT NULL,
  failure_reason TEXT NOT NULL,
  creation_time_ns INTEGER NOT NULL,
  dest_node TEXT NOT NULL,
  route TEXT NOT NULL,
  timeout_at INTEGER NOT NULL,
  PRIMARY KEY (node, payment_hash));
)sql";

std::string SqliteError(sqlite3* db, const std::string& what) {
  return what + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
}

// A prepared statement; binds by 1-based position, reads by 0-based column.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : m_db(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) != SQLITE_OK) m_stmt = nullptr;
  }
  ~Stmt() { sqlite3_finalize(m_stmt); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return m_stmt != nullptr; }

  Stmt& Bind(int64_t v) {
    Check(sqlite3_bind_int64(m_stmt, ++m_pos, v));
    return *this;
  }
  Stmt& Bind(const std::string& v) {
    Check(sqlite3_bind_text(m_stmt, ++m_pos, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& Bind(const Hash32& v) {
    Check(sqlite3_bind_blob(m_stmt, ++m_pos, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& Bind(const std::optional<Hash32>& v) {
    if (v) return Bind(*v);
    Check(sqlite3_bind_null(m_stmt, ++m_pos));
    return *this;
  }

  // Runs a statement that returns no rows.
  Status Run(const std::string& what) {
    if (!m_stmt || !m_bind_ok) return base::Err(SqliteError(m_db, what));
    if (sqlite3_step(m_stmt) != SQLITE_DONE) return base::Err(SqliteError(m_db, what));
    return {};
  }
  // Steps to the next row: true on a row, false when done; `error` set on failure.
  bool Next(std::string* error) {
    if (!m_stmt) {
      *error = SqliteError(m_db, "prepare");
      return false;
    }
    int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) *error = SqliteError(m_db, "step");
    return false;
  }

  int64_t Int(int col) const { return sqlite3_column_int64(m_stmt, col); }
  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(m_stmt, col);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(m_stmt, col))
             : std::string();
  }
  std::optional<Hash32> Blob32(int col) const {
    if (sqlite3_column_type(m_stmt, col) == SQLITE_NULL) return std::nullopt;
    const void* p = sqlite3_column_blob(m_stmt, col);
    if (!p || sqlite3_column_bytes(m_stmt, col) != 32) return std::nullopt;
    Hash32 h{};
    const auto* b = static_cast<const uint8_t*>(p);
    std::copy(b, b + 32, h.begin());
    return h;
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK) m_bind_ok = false;
  }
  sqlite3* m_db;
  sqlite3_stmt* m_stmt = nullptr;
  int m_pos = 0;
  bool m_bind_ok = true;
};

Status Exec(sqlite3* db, const char* sql, const std::string& what) {
  char* msg = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string err = what + ": " + (msg ? msg : "unknown error");
    sqlite3_free(msg);
    return base::Err(err);
  }
  return {};
}

// --- JSON encodings of the list columns --------------------------------------------------------

Json CustomRecordsToJson(const CustomRecords& records) {
  Json j = Json::object();
  for (const auto& [type, value] : records) j[std::to_string(type)] = base::HexEncode(value);
  return j;
}

CustomRecords CustomRecordsFromJson(const Json& j) {
  CustomRecords records;
  for (const auto& [key, value] : j.items()) {
    auto bytes = base::HexDecode(value.get<std::string>());
    records.emplace(std::stoull(key), bytes ? *bytes : base::Bytes{});
  }
  return records;
}

std::string HtlcsToJson(const InvoiceRec& rec) {
  Json arr = Json::array();
  for (size_t i = 0; i < rec.inv.htlcs.size(); ++i) {
    const InvoiceHtlc& h = rec.inv.htlcs[i];
    arr.push_back({{"chan_id", h.chan_id},
                   {"htlc_index", h.htlc_index},
                   {"amt_msat", h.amt_msat},
                   {"accept_height", h.accept_height},
                   {"accept_time", h.accept_time},
                   {"resolve_time", h.resolve_time},
                   {"expiry_height", h.expiry_height},
                   {"state", HtlcStateName(h.state)},
                   {"custom_records", CustomRecordsToJson(h.custom_records)},
                   {"payer", i < rec.htlc_payers.size() ? rec.htlc_payers[i] : std::string()}});
  }
  return arr.dump();
}

void HtlcsFromJson(const std::string& text, InvoiceRec* rec) {
  Json arr = Json::parse(text);
  for (const Json& j : arr) {
    InvoiceHtlc h;
    h.chan_id = j.at("chan_id").get<uint64_t>();
    h.htlc_index = j.at("htlc_index").get<uint64_t>();
    h.amt_msat = j.at("amt_msat").get<int64_t>();
    h.accept_height = j.at("accept_height").get<int32_t>();
    h.accept_time = j.at("accept_time").get<int64_t>();
    h.resolve_time = j.at("resolve_time").get<int64_t>();
    h.expiry_height = j.at("expiry_height").get<int32_t>();
    h.state = HtlcStateFromName(j.at("state").get<std::string>()).value_or(HtlcState::kCanceled);
    h.custom_records = CustomRecordsFromJson(j.at("custom_records"));
    rec->inv.htlcs.push_back(std::move(h));
    rec->htlc_payers.push_back(j.at("payer").get<std::string>());
  }
}

std::string RouteToJson(const std::vector<HopRec>& route) {
  Json arr = Json::array();
  for (const HopRec& h : route) {
    arr.push_back({{"chan_id", h.chan_id},
                   {"from_side", h.from_side},
                   {"amt_msat", h.amt_msat},
                   {"expiry_height", h.expiry_height},
                   {"locked", h.locked}});
  }
  return arr.dump();
}

std::vector<HopRec> RouteFromJson(const std::string& text) {
  std::vector<HopRec> route;
  for (const Json& j : Json::parse(text)) {
    HopRec h;
    h.chan_id = j.at("chan_id").get<uint64_t>();
    h.from_side = j.at("from_side").get<int>();
    h.amt_msat = j.at("amt_msat").get<int64_t>();
    h.expiry_height = j.at("expiry_height").get<uint32_t>();
    h.locked = j.at("locked").get<bool>();
    route.push_back(h);
  }
  return route;
}

FailureSetting FailureFrom(const std::string& mode, int64_t delay_ms) {
  return FailureSetting{FailureModeFromName(mode).value_or(FailureMode::kNone), delay_ms};
}

std::string InUseHint(const std::string& path, const std::string& error) {
  if (error.find("locked") == std::string::npos) return path + ": " + error;
  return path + " is in use by another simln (" + error + ")";
}

}  // namespace

base::Expected<std::unique_ptr<Store>, std::string> Store::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string err = SqliteError(db, "open " + path);
    sqlite3_close(db);
    return base::Err(err);
  }
  std::unique_ptr<Store> store(new Store(db));
  sqlite3_busy_timeout(db, 1000);
  // One network per file: the exclusive lock keeps a second simln (which would hold its own
  // diverging copy of the state) out. WAL with synchronous=NORMAL makes a commit durable
  // against a killed process (kill -9) without an fsync per commit.
  for (const char* pragma : {"PRAGMA locking_mode=EXCLUSIVE", "PRAGMA journal_mode=WAL",
                             "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
    if (auto s = Exec(db, pragma, pragma); !s) return base::Err(InUseHint(path, s.error()));
  }
  if (auto s = store->Migrate(); !s) return base::Err(InUseHint(path, s.error()));
  // Take the write lock now rather than at the first mutation.
  if (auto s = Exec(db, "BEGIN IMMEDIATE; COMMIT", "lock"); !s) return base::Err(InUseHint(path, s.error()));
  return store;
}

Store::~Store() { sqlite3_close(m_db); }

Store::Status Store::Migrate() {
  int version = 0;
  {
    Stmt q(m_db, "PRAGMA user_version");
    std::string err;
    if (q.Next(&err)) version = static_cast<int>(q.Int(0));
    if (!err.empty()) return base::Err(err);
  }
  if (version > kSchemaVersion) {
    return base::Err("store schema version " + std::to_string(version) + " is newer than this simln (" +
                     std::to_string(kSchemaVersion) + ")");
  }
  if (version == kSchemaVersion) return {};
  // version 0: a new file, unless it already holds foreign tables.
  {
    Stmt q(m_db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
    std::string err;
    if (q.Next(&err) && q.Int(0) != 0)
      return base::Err("not a simln store (it has tables but no schema version)");
    if (!err.empty()) return base::Err(err);
  }
  if (auto s = Begin(); !s) return s;
  if (auto s = Exec(m_db, kSchemaV1, "create schema v1"); !s) {
    Rollback();
    return s;
  }
  if (auto s = Exec(m_db, "PRAGMA user_version = 1", "set schema version"); !s) {
    Rollback();
    return s;
  }
  return Commit();
}

base::Expected<bool, std::string> Store::IsEmpty() {
  Stmt q(m_db, "SELECT count(*) FROM meta");
  std::string err;
  if (q.Next(&err)) return q.Int(0) == 0;
  return base::Err(err.empty() ? std::string("count meta: no row") : err);
}

Store::Status Store::Begin() { return Exec(m_db, "BEGIN IMMEDIATE", "begin"); }
Store::Status Store::Commit() { return Exec(m_db, "COMMIT", "commit"); }
void Store::Rollback() { (void)Exec(m_db, "ROLLBACK", "rollback"); }

Store::Status Store::SaveMeta(const MetaRec& m) {
  Stmt q(m_db,
         "INSERT INTO meta(id, network, genesis_time, start_height, block_interval_seconds, mined_blocks, "
         "channels_opened) VALUES (1, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
         "network = excluded.network, genesis_time = excluded.genesis_time, "
         "start_height = excluded.start_height, block_interval_seconds = excluded.block_interval_seconds, "
         "mined_blocks = excluded.mined_blocks, channels_opened = excluded.channels_opened");
  q.Bind(m.network).Bind(m.genesis_time).Bind(int64_t{m.start_height}).Bind(m.block_interval_seconds);
  q.Bind(int64_t{m.mined_blocks}).Bind(static_cast<int64_t>(m.channels_opened));
  return q.Run("save meta");
}

Store::Status Store::SaveNode(const NodeRec& n) {
  Stmt q(m_db,
         "INSERT INTO nodes(name, seed, alias, failure_mode, failure_delay_ms, last_add_index, "
         "last_settle_index, last_payment_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
         "ON CONFLICT(name) DO UPDATE SET seed = excluded.seed, alias = excluded.alias, "
         "failure_mode = excluded.failure_mode, failure_delay_ms = excluded.failure_delay_ms, "
         "last_add_index = excluded.last_add_index, last_settle_index = excluded.last_settle_index, "
         "last_payment_index = excluded.last_payment_index");
  q.Bind(n.name).Bind(n.seed).Bind(n.alias).Bind(std::string(FailureModeName(n.failure.mode)));
  q.Bind(n.failure.delay_ms).Bind(static_cast<int64_t>(n.last_add_index));
  q.Bind(static_cast<int64_t>(n.last_settle_index)).Bind(static_cast<int64_t>(n.last_payment_index));
  return q.Run("save node");
}

Store::Status Store::SaveChannel(const ChannelRec& c) {
  Stmt q(m_db,
         "INSERT INTO channels(chan_id, spec_key, node_a, node_b, a_local_msat, b_local_msat, "
         "a_pending_msat, b_pending_msat, base_fee_msat, fee_rate_ppm, cltv_delta, failure_mode, "
         "failure_delay_ms, next_htlc_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
         "ON CONFLICT(chan_id) DO UPDATE SET a_local_msat = excluded.a_local_msat, "
         "b_local_msat = excluded.b_local_msat, a_pending_msat = excluded.a_pending_msat, "
         "b_pending_msat = excluded.b_pending_msat, base_fee_msat = excluded.base_fee_msat, "
         "fee_rate_ppm = excluded.fee_rate_ppm, cltv_delta = excluded.cltv_delta, "
         "failure_mode = excluded.failure_mode, failure_delay_ms = excluded.failure_delay_ms, "
         "next_htlc_index = excluded.next_htlc_index");
  q.Bind(static_cast<int64_t>(c.chan_id)).Bind(c.spec_key).Bind(c.node[0]).Bind(c.node[1]);
  q.Bind(c.local_msat[0]).Bind(c.local_msat[1]).Bind(c.pending_msat[0]).Bind(c.pending_msat[1]);
  q.Bind(c.base_fee_msat).Bind(c.fee_rate_ppm).Bind(int64_t{c.cltv_delta});
  q.Bind(std::string(FailureModeName(c.failure.mode))).Bind(c.failure.delay_ms);
  q.Bind(static_cast<int64_t>(c.next_htlc_index));
  return q.Run("save channel");
}

Store::Status Store::SaveInvoice(const InvoiceRec& r) {
  const Invoice& i = r.inv;
  Stmt q(m_db,
         "INSERT INTO invoices(node, payment_hash, is_hold, memo, preimage, value_msat, creation_date, "
         "settle_date, payment_request, description_hash, expiry, cltv_expiry, is_private, add_index, "
         "settle_index, amt_paid_msat, state, is_keysend, payment_addr, htlcs) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
         "ON CONFLICT(node, payment_hash) DO UPDATE SET preimage = excluded.preimage, "
         "settle_date = excluded.settle_date, settle_index = excluded.settle_index, "
         "amt_paid_msat = excluded.amt_paid_msat, state = excluded.state, htlcs = excluded.htlcs");
  q.Bind(r.node).Bind(i.r_hash).Bind(int64_t{r.is_hold}).Bind(i.memo).Bind(i.r_preimage).Bind(i.value_msat);
  q.Bind(i.creation_date).Bind(i.settle_date).Bind(i.payment_request).Bind(i.description_hash);
  q.Bind(i.expiry).Bind(static_cast<int64_t>(i.cltv_expiry)).Bind(int64_t{i.is_private});
  q.Bind(static_cast<int64_t>(i.add_index)).Bind(static_cast<int64_t>(i.settle_index)).Bind(i.amt_paid_msat);
  q.Bind(std::string(InvoiceStateName(i.state))).Bind(int64_t{i.is_keysend}).Bind(i.payment_addr);
  q.Bind(HtlcsToJson(r));
  return q.Run("save invoice");
}

Store::Status Store::SavePayment(const PaymentRec& r) {
  const Payment& p = r.pay;
  Stmt q(m_db,
         "INSERT INTO payments(node, payment_hash, payment_index, value_msat, fee_msat, preimage, "
         "payment_request, status, failure_reason, creation_time_ns, dest_node, route, timeout_at) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
         "ON CONFLICT(node, payment_hash) DO UPDATE SET payment_index = excluded.payment_index, "
         "value_msat = excluded.value_msat, fee_msat = excluded.fee_msat, preimage = excluded.preimage, "
         "payment_request = excluded.payment_request, status = excluded.status, "
         "failure_reason = excluded.failure_reason, creation_time_ns = excluded.creation_time_ns, "
         "dest_node = excluded.dest_node, route = excluded.route, timeout_at = excluded.timeout_at");
  q.Bind(r.node).Bind(p.payment_hash).Bind(static_cast<int64_t>(p.payment_index)).Bind(p.value_msat);
  q.Bind(p.fee_msat).Bind(p.payment_preimage).Bind(p.payment_request);
  q.Bind(std::string(PaymentStatusName(p.status))).Bind(std::string(FailureReasonName(p.failure_reason)));
  q.Bind(p.creation_time_ns).Bind(r.dest_node).Bind(RouteToJson(r.route)).Bind(r.timeout_at);
  return q.Run("save payment");
}

base::Expected<NetworkState, std::string> Store::Load() {
  NetworkState st;
  std::string err;
  try {
    {
      Stmt q(m_db,
             "SELECT network, genesis_time, start_height, block_interval_seconds, mined_blocks, "
             "channels_opened FROM meta WHERE id = 1");
      if (!q.Next(&err)) return base::Err(err.empty() ? std::string("store has no meta row") : err);
      st.meta.network = q.Text(0);
      st.meta.genesis_time = q.Int(1);
      st.meta.start_height = static_cast<uint32_t>(q.Int(2));
      st.meta.block_interval_seconds = q.Int(3);
      st.meta.mined_blocks = static_cast<uint32_t>(q.Int(4));
      st.meta.channels_opened = static_cast<uint64_t>(q.Int(5));
    }
    {
      Stmt q(m_db,
             "SELECT name, seed, alias, failure_mode, failure_delay_ms, last_add_index, last_settle_index, "
             "last_payment_index FROM nodes");
      while (q.Next(&err)) {
        NodeRec n;
        n.name = q.Text(0);
        n.seed = q.Text(1);
        n.alias = q.Text(2);
        n.failure = FailureFrom(q.Text(3), q.Int(4));
        n.last_add_index = static_cast<uint64_t>(q.Int(5));
        n.last_settle_index = static_cast<uint64_t>(q.Int(6));
        n.last_payment_index = static_cast<uint64_t>(q.Int(7));
        st.nodes.emplace(n.name, std::move(n));
      }
      if (!err.empty()) return base::Err(err);
    }
    {
      Stmt q(m_db,
             "SELECT chan_id, spec_key, node_a, node_b, a_local_msat, b_local_msat, a_pending_msat, "
             "b_pending_msat, base_fee_msat, fee_rate_ppm, cltv_delta, failure_mode, failure_delay_ms, "
             "next_htlc_index FROM channels");
      while (q.Next(&err)) {
        ChannelRec c;
        c.chan_id = static_cast<uint64_t>(q.Int(0));
        c.spec_key = q.Text(1);
        c.node[0] = q.Text(2);
        c.node[1] = q.Text(3);
        c.local_msat[0] = q.Int(4);
        c.local_msat[1] = q.Int(5);
        c.pending_msat[0] = q.Int(6);
        c.pending_msat[1] = q.Int(7);
        c.base_fee_msat = q.Int(8);
        c.fee_rate_ppm = q.Int(9);
        c.cltv_delta = static_cast<uint32_t>(q.Int(10));
        c.failure = FailureFrom(q.Text(11), q.Int(12));
        c.next_htlc_index = static_cast<uint64_t>(q.Int(13));
        st.channels.emplace(c.chan_id, std::move(c));
      }
      if (!err.empty()) return base::Err(err);
    }
    {
      Stmt q(m_db,
             "SELECT node, payment_hash, is_hold, memo, preimage, value_msat, creation_date, settle_date, "
             "payment_request, description_hash, expiry, cltv_expiry, is_private, add_index, settle_index, "
             "amt_paid_msat, state, is_keysend, payment_addr, htlcs FROM invoices");
      while (q.Next(&err)) {
        InvoiceRec r;
        r.node = q.Text(0);
        r.inv.r_hash = q.Blob32(1).value_or(Hash32{});
        r.is_hold = q.Int(2) != 0;
        r.inv.memo = q.Text(3);
        r.inv.r_preimage = q.Blob32(4);
        r.inv.value_msat = q.Int(5);
        r.inv.creation_date = q.Int(6);
        r.inv.settle_date = q.Int(7);
        r.inv.payment_request = q.Text(8);
        r.inv.description_hash = q.Blob32(9);
        r.inv.expiry = q.Int(10);
        r.inv.cltv_expiry = static_cast<uint64_t>(q.Int(11));
        r.inv.is_private = q.Int(12) != 0;
        r.inv.add_index = static_cast<uint64_t>(q.Int(13));
        r.inv.settle_index = static_cast<uint64_t>(q.Int(14));
        r.inv.amt_paid_msat = q.Int(15);
        r.inv.state = InvoiceStateFromName(q.Text(16)).value_or(InvoiceState::kCanceled);
        r.inv.is_keysend = q.Int(17) != 0;
        r.inv.payment_addr = q.Blob32(18).value_or(Hash32{});
        HtlcsFromJson(q.Text(19), &r);
        RecordKey key{r.node, r.inv.r_hash};
        st.invoices.emplace(std::move(key), std::move(r));
      }
      if (!err.empty()) return base::Err(err);
    }
    {
      Stmt q(m_db,
             "SELECT node, payment_hash, payment_index, value_msat, fee_msat, preimage, payment_request, "
             "status, failure_reason, creation_time_ns, dest_node, route, timeout_at FROM payments");
      while (q.Next(&err)) {
        PaymentRec r;
        r.node = q.Text(0);
        r.pay.payment_hash = q.Blob32(1).value_or(Hash32{});
        r.pay.payment_index = static_cast<uint64_t>(q.Int(2));
        r.pay.value_msat = q.Int(3);
        r.pay.fee_msat = q.Int(4);
        r.pay.payment_preimage = q.Blob32(5);
        r.pay.payment_request = q.Text(6);
        r.pay.status = PaymentStatusFromName(q.Text(7)).value_or(PaymentStatus::kUnknown);
        r.pay.failure_reason = FailureReasonFromName(q.Text(8)).value_or(FailureReason::kError);
        r.pay.creation_time_ns = q.Int(9);
        r.dest_node = q.Text(10);
        r.route = RouteFromJson(q.Text(11));
        r.timeout_at = q.Int(12);
        RecordKey key{r.node, r.pay.payment_hash};
        st.payments.emplace(std::move(key), std::move(r));
      }
      if (!err.empty()) return base::Err(err);
    }
  } catch (const Json::exception& e) {
    return base::Err(std::string("corrupt JSON column in store: ") + e.what());
  } catch (const std::exception& e) {  // std::stoull on a corrupt custom record key
    return base::Err(std::string("corrupt store: ") + e.what());
  }
  return st;
}

}  // namespace escrow::simln
