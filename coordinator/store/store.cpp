#include "coordinator/store/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "config/base/log.h"
#include "coordinator/store/migrations.h"
#include "coordinator/store/rows.h"
#include "coordinator/store/sqlite_store.h"

namespace coordinator {
namespace store {
namespace {

const char* TableName(Table table) {
  switch (table) {
    case Table::kRobot: return TableOf<Robot>::kName;
    case Table::kOrder: return TableOf<Order>::kName;
    case Table::kHold: return TableOf<HoldInvoice>::kName;
    case Table::kTake: return TableOf<Take>::kName;
    case Table::kPayout: return TableOf<Payout>::kName;
    case Table::kIntent: return TableOf<Intent>::kName;
    case Table::kLedger: return TableOf<LedgerEntry>::kName;
    case Table::kTick: return TableOf<MarketTick>::kName;
    case Table::kDispute: return TableOf<Dispute>::kName;
    case Table::kChat: return TableOf<ChatMessage>::kName;
    case Table::kRewardWithdrawal: return TableOf<RewardWithdrawal>::kName;
    case Table::kNotification: return TableOf<Notification>::kName;
    case Table::kDevTaxAccrual: return TableOf<DevTaxAccrual>::kName;
    case Table::kDevTaxPayment: return TableOf<DevTaxPayment>::kName;
    case Table::kNostrEvent: return TableOf<NostrEventRecord>::kName;
    case Table::kOutage: return TableOf<Outage>::kName;
    case Table::kHeartbeat: return TableOf<Heartbeat>::kName;
  }
  return "?";
}

template <class Row> constexpr Table kTableOf = Table::kRobot;  // Robot, and the others:
template <> constexpr Table kTableOf<Order> = Table::kOrder;
template <> constexpr Table kTableOf<HoldInvoice> = Table::kHold;
template <> constexpr Table kTableOf<Take> = Table::kTake;
template <> constexpr Table kTableOf<Payout> = Table::kPayout;
template <> constexpr Table kTableOf<Intent> = Table::kIntent;
template <> constexpr Table kTableOf<LedgerEntry> = Table::kLedger;
template <> constexpr Table kTableOf<MarketTick> = Table::kTick;
template <> constexpr Table kTableOf<Dispute> = Table::kDispute;
template <> constexpr Table kTableOf<ChatMessage> = Table::kChat;
template <> constexpr Table kTableOf<RewardWithdrawal> = Table::kRewardWithdrawal;
template <> constexpr Table kTableOf<Notification> = Table::kNotification;
template <> constexpr Table kTableOf<DevTaxAccrual> = Table::kDevTaxAccrual;
template <> constexpr Table kTableOf<DevTaxPayment> = Table::kDevTaxPayment;
template <> constexpr Table kTableOf<NostrEventRecord> = Table::kNostrEvent;
template <> constexpr Table kTableOf<Outage> = Table::kOutage;
template <> constexpr Table kTableOf<Heartbeat> = Table::kHeartbeat;

size_t Index(Table table) { return static_cast<size_t>(table); }

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// The database holds preimages and robots' encrypted keys: owner-only, before SQLite ever
// opens it (SQLite gives its -wal and -shm files the database file's mode). An existing file
// is tightened, as are the side files a previous run left behind.
//
// Never by opening and closing a descriptor of an existing file: closing any descriptor of a
// file drops every POSIX lock this process holds on it (fcntl(2)), including the locks of a
// connection already open here (coordinatord opens the store more than once: the engine's,
// the market history's, the dev-fund statements'). Without its lock on the -shm file another
// process's connection (a backup, coordctl, an auditor) believes it is the first, truncates the
// shared memory, and this process dies of SIGBUS at its next transaction — or the WAL is
// recovered under a live writer (sqlite.org/howtocorrupt.html, section 2.2). An O_PATH
// descriptor takes no part in locks: the file is checked through one and chmod-ed by path.
base::Expected<void, std::string> TightenExisting(const std::string& path, bool required) {
  int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (!required && errno == ENOENT) return {};  // absent: SQLite creates it with the database's mode
    return base::Err(Errno("cannot open " + path));
  }
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  const bool chmod_ok = regular && ((st.st_mode & 07777) == 0600 || ::chmod(proc.c_str(), 0600) == 0);
  std::string error = regular ? Errno("cannot chmod " + path) : path + " is not a regular file";
  ::close(fd);  // O_PATH: drops no lock
  if (!chmod_ok) return base::Err(std::move(error));
  return {};
}

base::Expected<void, std::string> MakePrivateFile(const std::string& path) {
  // A new file: nobody holds a lock on it yet.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) {
    const bool chmod_ok = ::fchmod(fd, 0600) == 0;  // the umask may have narrowed more, never widened
    std::string error = chmod_ok ? "" : Errno("cannot chmod " + path);
    ::close(fd);
    if (!chmod_ok) return base::Err(std::move(error));
  } else if (errno != EEXIST) {
    return base::Err(Errno("cannot create " + path));
  } else if (auto r = TightenExisting(path, true); !r) {
    return r;
  }
  for (const char* suffix : {"-wal", "-shm"}) {
    if (auto r = TightenExisting(path + suffix, false); !r) return r;
  }
  return {};
}

// WAL: readers never block the writer. synchronous=FULL: in WAL mode NORMAL may lose the
// last commits on power loss; FULL syncs the WAL at every commit, and a committed transition
// moves money.
base::Expected<void, std::string> Configure(Db& db) {
  auto mode = db.QueryText("PRAGMA journal_mode = WAL");
  if (!mode) return base::Err(mode.error());
  if (*mode != "wal") return base::Err("cannot enable WAL mode (journal_mode is " + *mode + ")");
  if (auto r = db.Exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON"); !r) return r;
  auto fk = db.QueryInt("PRAGMA foreign_keys");
  if (!fk || *fk != 1) return base::Err(std::string("this SQLite does not enforce foreign keys"));
  return {};
}

void LogReadError(const char* table, const std::string& error) {
  base::Log(base::LogLevel::kError, "store", "read failed", {{"table", table}, {"error", error}});
}

void LogRollbackError(const std::string& error) {
  base::Log(base::LogLevel::kError, "store", "rollback failed", {{"error", error}});
}

int64_t Clamp(size_t limit) {
  return static_cast<int64_t>(std::min<size_t>(limit, std::numeric_limits<int64_t>::max()));
}

}  // namespace

SqliteStore::~SqliteStore() { Rollback(); }

int64_t SqliteStore::NewId(Table table) { return ++m_last_ids[Index(table)]; }

base::Expected<void, std::string> SqliteStore::Begin() {
  if (m_db->InTransaction()) return base::Err(std::string("store: begin: a transaction is already open"));
  m_write_failed = false;
  // IMMEDIATE: take the write lock now, so that COMMIT can not fail for want of it.
  if (auto r = m_db->Exec("BEGIN IMMEDIATE"); !r) return base::Err("store: begin: " + r.error());
  return {};
}

base::Expected<void, std::string> SqliteStore::Commit() {
  if (m_write_failed) {
    Rollback();
    return base::Err(std::string("store: commit refused: a write of this transaction failed (rolled back)"));
  }
  if (!m_db->InTransaction()) return base::Err(std::string("store: commit: no transaction open"));
  if (auto r = m_db->Exec("COMMIT"); !r) {
    Rollback();  // e.g. a deferred foreign key: the unit lands whole or not at all
    return base::Err("store: commit: " + r.error() + " (rolled back)");
  }
  return {};
}

void SqliteStore::Rollback() {
  m_write_failed = false;
  if (!m_db->InTransaction()) return;
  if (auto r = m_db->Exec("ROLLBACK"); !r) LogRollbackError(r.error());
}

template <class Row>
base::Expected<void, std::string> SqliteStore::PutRow(const Row& row) {
  static const std::string kSql = UpsertSql<Row>();
  const std::string context = std::string("store: put ") + TableOf<Row>::kName + ": ";
  auto fail = [&](const std::string& error) -> base::Expected<void, std::string> {
    if (m_db->InTransaction()) m_write_failed = true;
    return base::Err(context + error);
  };
  if (row.id <= 0) return fail("id must be positive (take it from NewId)");
  auto stmt = m_db->Prepare(kSql);
  if (!stmt) return fail(stmt.error());
  Use use(**stmt);
  BindRow(*use, row);
  if (auto r = use->Step(); !r) return fail(r.error());
  // An id written by the caller is never handed out again by NewId.
  int64_t& last = m_last_ids[Index(kTableOf<Row>)];
  last = std::max(last, row.id);
  return {};
}

base::Expected<void, std::string> SqliteStore::Put(const Robot& r) { return PutRow(r); }
base::Expected<void, std::string> SqliteStore::Put(const Order& o) { return PutRow(o); }
base::Expected<void, std::string> SqliteStore::Put(const HoldInvoice& h) { return PutRow(h); }
base::Expected<void, std::string> SqliteStore::Put(const Take& t) { return PutRow(t); }
base::Expected<void, std::string> SqliteStore::Put(const Payout& p) { return PutRow(p); }
base::Expected<void, std::string> SqliteStore::Put(const Intent& i) { return PutRow(i); }
base::Expected<void, std::string> SqliteStore::Put(const LedgerEntry& e) { return PutRow(e); }
base::Expected<void, std::string> SqliteStore::Put(const MarketTick& t) { return PutRow(t); }
base::Expected<void, std::string> SqliteStore::Put(const Dispute& d) { return PutRow(d); }
base::Expected<void, std::string> SqliteStore::Put(const ChatMessage& m) { return PutRow(m); }
base::Expected<void, std::string> SqliteStore::Put(const RewardWithdrawal& w) { return PutRow(w); }
base::Expected<void, std::string> SqliteStore::Put(const Notification& n) { return PutRow(n); }
base::Expected<void, std::string> SqliteStore::Put(const NostrEventRecord& e) { return PutRow(e); }
base::Expected<void, std::string> SqliteStore::Put(const Outage& o) { return PutRow(o); }
base::Expected<void, std::string> SqliteStore::Put(const Heartbeat& h) { return PutRow(h); }

template <class Row, class... Args>
std::vector<Row> SqliteStore::Select(const std::string& sql, const Args&... args) {
  auto stmt = m_db->Prepare(sql);
  if (!stmt) {
    LogReadError(TableOf<Row>::kName, stmt.error());
    return {};
  }
  Use use(**stmt);
  Binder binder(*use);
  (binder("", args), ...);
  std::vector<Row> rows;
  for (;;) {
    auto more = use->Step();
    if (!more) {
      LogReadError(TableOf<Row>::kName, more.error());
      return {};
    }
    if (!*more) return rows;
    rows.push_back(ReadRow<Row>(*use));
  }
}

template <class Row, class... Args>
std::optional<Row> SqliteStore::SelectOne(const std::string& sql, const Args&... args) {
  auto rows = Select<Row>(sql, args...);
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

template <class... Args>
int64_t SqliteStore::ScalarInt(const char* table, const std::string& sql, const Args&... args) {
  auto stmt = m_db->Prepare(sql);
  if (!stmt) {
    LogReadError(table, stmt.error());
    return 0;
  }
  Use use(**stmt);
  Binder binder(*use);
  (binder("", args), ...);
  auto row = use->Step();
  if (!row) {
    LogReadError(table, row.error());
    return 0;
  }
  if (!*row || use->IsNull(0)) return 0;
  return use->Int(0);
}

std::optional<Robot> SqliteStore::RobotById(int64_t id) {
  static const std::string kSql = SelectSql<Robot>("WHERE id = ?1");
  return SelectOne<Robot>(kSql, id);
}

std::optional<Robot> SqliteStore::RobotByHashId(const std::string& hash_id) {
  static const std::string kSql = SelectSql<Robot>("WHERE hash_id = ?1");
  return SelectOne<Robot>(kSql, hash_id);
}

std::optional<int64_t> SqliteStore::LastOrderIdOf(int64_t robot_id) {
  auto stmt = m_db->Prepare("SELECT MAX(id) FROM orders WHERE maker_id = ?1 OR taker_id = ?1");
  if (!stmt) {
    LogReadError(TableOf<Order>::kName, stmt.error());
    return std::nullopt;
  }
  Use use(**stmt);
  use->BindInt(1, robot_id);
  auto row = use->Step();
  if (!row) {
    LogReadError(TableOf<Order>::kName, row.error());
    return std::nullopt;
  }
  if (!*row || use->IsNull(0)) return std::nullopt;
  return use->Int(0);
}

std::optional<Robot> SqliteStore::RobotByPublicKey(const std::string& public_key) {
  static const std::string kSql = SelectSql<Robot>("WHERE public_key = ?1 ORDER BY id LIMIT 1");
  return SelectOne<Robot>(kSql, public_key);
}

std::optional<Order> SqliteStore::OrderById(int64_t id) {
  static const std::string kSql = SelectSql<Order>("WHERE id = ?1");
  return SelectOne<Order>(kSql, id);
}

std::vector<Order> SqliteStore::LiveOrders() {
  // Same predicate as the partial index orders_live, so that SQLite uses it.
  static const std::string kSql =
      SelectSql<Order>("WHERE status NOT IN (4, 5, 12, 14, 17, 18) ORDER BY id");
  return Select<Order>(kSql);
}

std::optional<HoldInvoice> SqliteStore::HoldById(int64_t id) {
  static const std::string kSql = SelectSql<HoldInvoice>("WHERE id = ?1");
  return SelectOne<HoldInvoice>(kSql, id);
}

std::optional<HoldInvoice> SqliteStore::HoldByHash(const std::string& payment_hash) {
  static const std::string kSql = SelectSql<HoldInvoice>("WHERE payment_hash = ?1");
  return SelectOne<HoldInvoice>(kSql, payment_hash);
}

std::vector<HoldInvoice> SqliteStore::HoldsOfOrder(int64_t order_id) {
  static const std::string kSql = SelectSql<HoldInvoice>("WHERE order_id = ?1 ORDER BY id");
  return Select<HoldInvoice>(kSql, order_id);
}

std::vector<HoldInvoice> SqliteStore::UnresolvedHolds() {
  // Same predicate as the partial index holds_unresolved.
  static const std::string kSql = SelectSql<HoldInvoice>("WHERE state IN (0, 1, 2) ORDER BY id");
  return Select<HoldInvoice>(kSql);
}

std::optional<Take> SqliteStore::TakeById(int64_t id) {
  static const std::string kSql = SelectSql<Take>("WHERE id = ?1");
  return SelectOne<Take>(kSql, id);
}

std::vector<Take> SqliteStore::TakesOfOrder(int64_t order_id) {
  static const std::string kSql = SelectSql<Take>("WHERE order_id = ?1 ORDER BY id");
  return Select<Take>(kSql, order_id);
}

std::optional<Payout> SqliteStore::PayoutById(int64_t id) {
  static const std::string kSql = SelectSql<Payout>("WHERE id = ?1");
  return SelectOne<Payout>(kSql, id);
}

std::vector<Payout> SqliteStore::PayoutsOfOrder(int64_t order_id) {
  static const std::string kSql = SelectSql<Payout>("WHERE order_id = ?1 ORDER BY id");
  return Select<Payout>(kSql, order_id);
}

std::optional<Payout> SqliteStore::PayoutByHash(const std::string& payment_hash) {
  static const std::string kSql = SelectSql<Payout>("WHERE payment_hash = ?1");
  return SelectOne<Payout>(kSql, payment_hash);
}

std::optional<Intent> SqliteStore::IntentById(int64_t id) {
  static const std::string kSql = SelectSql<Intent>("WHERE id = ?1");
  return SelectOne<Intent>(kSql, id);
}

std::vector<Intent> SqliteStore::OpenIntents() {
  // Same predicate as the partial index intents_open.
  static const std::string kSql = SelectSql<Intent>("WHERE state = 0 ORDER BY id");
  return Select<Intent>(kSql);
}

std::vector<LedgerEntry> SqliteStore::LedgerOfOrder(int64_t order_id) {
  static const std::string kSql = SelectSql<LedgerEntry>("WHERE order_id = ?1 ORDER BY id");
  return Select<LedgerEntry>(kSql, order_id);
}

std::vector<LedgerEntry> SqliteStore::Ledger() {
  static const std::string kSql = SelectSql<LedgerEntry>("ORDER BY id");
  return Select<LedgerEntry>(kSql);
}

std::vector<MarketTick> SqliteStore::Ticks(int64_t start, int64_t end, size_t limit) {
  static const std::string kSql = SelectSql<MarketTick>(
      "WHERE timestamp >= ?1 AND timestamp < ?2 ORDER BY timestamp, id LIMIT ?3");
  return Select<MarketTick>(kSql, start, end, Clamp(limit));
}

std::vector<MarketTick> SqliteStore::LatestTicks(size_t limit) {
  static const std::string kSql =
      SelectSql<MarketTick>("ORDER BY timestamp DESC, id DESC LIMIT ?1");
  auto ticks = Select<MarketTick>(kSql, Clamp(limit));
  std::reverse(ticks.begin(), ticks.end());  // oldest first, as Ticks()
  return ticks;
}

int64_t SqliteStore::CountRobots() {
  auto count = m_db->QueryInt("SELECT COUNT(*) FROM robots");
  if (!count) {
    LogReadError(TableOf<Robot>::kName, count.error());
    return 0;
  }
  return *count;
}

int64_t SqliteStore::CountRobotsSeenSince(int64_t since) {
  auto stmt = m_db->Prepare("SELECT COUNT(*) FROM robots WHERE last_seen_at >= ?1");
  if (!stmt) {
    LogReadError(TableOf<Robot>::kName, stmt.error());
    return 0;
  }
  Use use(**stmt);
  use->BindInt(1, since);
  auto row = use->Step();
  if (!row || !*row) {
    if (!row) LogReadError(TableOf<Robot>::kName, row.error());
    return 0;
  }
  return use->Int(0);
}

std::vector<Order> SqliteStore::OrdersByStatus(OrderStatus status, size_t limit) {
  static const std::string kSql = SelectSql<Order>("WHERE status = ?1 ORDER BY id DESC LIMIT ?2");
  return Select<Order>(kSql, static_cast<int64_t>(status), Clamp(limit));
}

std::vector<Order> SqliteStore::OrdersOfRobot(int64_t robot_id, size_t limit) {
  static const std::string kSql =
      SelectSql<Order>("WHERE maker_id = ?1 OR taker_id = ?1 ORDER BY id DESC LIMIT ?2");
  return Select<Order>(kSql, robot_id, Clamp(limit));
}

std::optional<Dispute> SqliteStore::DisputeOfOrder(int64_t order_id) {
  static const std::string kSql = SelectSql<Dispute>("WHERE order_id = ?1");
  return SelectOne<Dispute>(kSql, order_id);
}

std::vector<Dispute> SqliteStore::OpenDisputes() {
  // Same predicate as the partial index disputes_open.
  static const std::string kSql = SelectSql<Dispute>("WHERE outcome = 0 ORDER BY id");
  return Select<Dispute>(kSql);
}

std::vector<Dispute> SqliteStore::RecentDisputes(size_t limit) {
  static const std::string kSql = SelectSql<Dispute>("ORDER BY id DESC LIMIT ?1");
  return Select<Dispute>(kSql, Clamp(limit));
}

std::vector<ChatMessage> SqliteStore::ChatOfOrder(int64_t order_id, int64_t after_index) {
  static const std::string kSql =
      SelectSql<ChatMessage>("WHERE order_id = ?1 AND \"index\" > ?2 ORDER BY \"index\"");
  return Select<ChatMessage>(kSql, order_id, after_index);
}

int64_t SqliteStore::ChatLastIndex(int64_t order_id) {
  return ScalarInt(TableOf<ChatMessage>::kName, "SELECT MAX(\"index\") FROM chat_messages WHERE order_id = ?1",
                   order_id);
}

int64_t SqliteStore::CountChatBy(int64_t order_id, int64_t robot_id) {
  return ScalarInt(TableOf<ChatMessage>::kName,
                   "SELECT COUNT(*) FROM chat_messages WHERE order_id = ?1 AND robot_id = ?2", order_id,
                   robot_id);
}

base::Expected<int64_t, std::string> SqliteStore::PurgeChatsOfOrdersFinishedBefore(int64_t finished_before) {
  auto stmt = m_db->Prepare(
      "DELETE FROM chat_messages WHERE order_id IN "
      "(SELECT id FROM orders WHERE finished_at > 0 AND finished_at < ?1)");
  if (!stmt) return base::Err("store: purge chat: " + stmt.error());
  Use use(**stmt);
  use->BindInt(1, finished_before);
  if (auto r = use->Step(); !r) {
    if (m_db->InTransaction()) m_write_failed = true;
    return base::Err("store: purge chat: " + r.error());
  }
  return m_db->Changes();
}

std::optional<RewardWithdrawal> SqliteStore::RewardWithdrawalById(int64_t id) {
  static const std::string kSql = SelectSql<RewardWithdrawal>("WHERE id = ?1");
  return SelectOne<RewardWithdrawal>(kSql, id);
}

std::optional<RewardWithdrawal> SqliteStore::RewardWithdrawalByHash(const std::string& payment_hash) {
  static const std::string kSql = SelectSql<RewardWithdrawal>("WHERE payment_hash = ?1");
  return SelectOne<RewardWithdrawal>(kSql, payment_hash);
}

std::optional<RewardWithdrawal> SqliteStore::PendingRewardWithdrawalOf(int64_t robot_id) {
  static const std::string kSql =
      SelectSql<RewardWithdrawal>("WHERE robot_id = ?1 AND state IN (0, 1) ORDER BY id LIMIT 1");
  return SelectOne<RewardWithdrawal>(kSql, robot_id);
}

std::vector<RewardWithdrawal> SqliteStore::RewardWithdrawals() {
  static const std::string kSql = SelectSql<RewardWithdrawal>("ORDER BY id");
  return Select<RewardWithdrawal>(kSql);
}

int64_t SqliteStore::RewardsOutstanding() {
  return ScalarInt(TableOf<Robot>::kName, "SELECT COALESCE(SUM(earned_rewards_sat), 0) FROM robots");
}

std::vector<Notification> SqliteStore::NotificationsOf(int64_t robot_id, int64_t since, size_t limit) {
  static const std::string kSql = SelectSql<Notification>(
      "WHERE robot_id = ?1 AND created_at >= ?2 ORDER BY created_at DESC, id DESC LIMIT ?3");
  return Select<Notification>(kSql, robot_id, since, Clamp(limit));
}

std::optional<NostrEventRecord> SqliteStore::NostrEventAt(int kind, const std::string& pubkey,
                                                          const std::string& d_tag) {
  static const std::string kSql = SelectSql<NostrEventRecord>("WHERE kind = ?1 AND pubkey = ?2 AND d_tag = ?3");
  return SelectOne<NostrEventRecord>(kSql, static_cast<int64_t>(kind), pubkey, d_tag);
}

std::vector<NostrEventRecord> SqliteStore::NostrEvents() {
  static const std::string kSql = SelectSql<NostrEventRecord>("ORDER BY created_at, id");
  return Select<NostrEventRecord>(kSql);
}

std::vector<NostrEventRecord> SqliteStore::NostrEventsNewestFirst(int64_t since, int64_t until, size_t limit) {
  static const std::string kSql = SelectSql<NostrEventRecord>(
      "WHERE created_at BETWEEN ?1 AND ?2 ORDER BY created_at DESC, event_id LIMIT ?3");
  return Select<NostrEventRecord>(kSql, since, until, Clamp(limit));
}

std::vector<LedgerEntry> SqliteStore::LedgerBetween(int64_t start, int64_t end) {
  static const std::string kSql =
      SelectSql<LedgerEntry>("WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at, id");
  return Select<LedgerEntry>(kSql, start, end);
}

base::Expected<void, std::string> SqliteStore::Put(const DevTaxAccrual& a) { return PutRow(a); }
base::Expected<void, std::string> SqliteStore::Put(const DevTaxPayment& p) { return PutRow(p); }

std::optional<Heartbeat> SqliteStore::LastHeartbeat() {
  static const std::string kSql = SelectSql<Heartbeat>("WHERE id = 1");
  return SelectOne<Heartbeat>(kSql);
}

std::optional<Outage> SqliteStore::OpenOutage(OutageReason reason) {
  static const std::string kSql = SelectSql<Outage>("WHERE ended_at = 0 AND reason = ?1 ORDER BY id DESC LIMIT 1");
  return SelectOne<Outage>(kSql, static_cast<int64_t>(reason));
}

std::vector<Outage> SqliteStore::RecentOutages(size_t limit) {
  static const std::string kSql = SelectSql<Outage>("ORDER BY id DESC LIMIT ?1");
  return Select<Outage>(kSql, Clamp(limit));
}

Store::DevTaxTotals SqliteStore::DevTaxAccruedThrough(int64_t last_accrual_id) {
  DevTaxTotals t;
  const char* table = TableOf<DevTaxAccrual>::kName;
  t.last_accrual_id = ScalarInt(table, "SELECT COALESCE(MAX(id), 0) FROM dev_tax_accruals WHERE id <= ?1", last_accrual_id);
  t.accrued_msat =
      ScalarInt(table, "SELECT COALESCE(SUM(accrued_msat), 0) FROM dev_tax_accruals WHERE id <= ?1", last_accrual_id);
  t.proceeds_sat =
      ScalarInt(table, "SELECT COALESCE(SUM(proceeds_sat), 0) FROM dev_tax_accruals WHERE id <= ?1", last_accrual_id);
  return t;
}

Store::DevTaxTotals SqliteStore::DevTaxAccrued() {
  return DevTaxAccruedThrough(std::numeric_limits<int64_t>::max());
}

int64_t SqliteStore::DevTaxPaidSat() {
  return ScalarInt(TableOf<DevTaxPayment>::kName,
                   "SELECT COALESCE(SUM(amount_sat), 0) FROM dev_tax_payments WHERE state = 2");
}

int64_t SqliteStore::DevTaxPaidThrough() {
  return ScalarInt(TableOf<DevTaxPayment>::kName,
                   "SELECT COALESCE(MAX(last_accrual_id), 0) FROM dev_tax_payments WHERE state = 2");
}

std::optional<DevTaxAccrual> SqliteStore::DevTaxAccrualAfter(int64_t id) {
  static const std::string kSql = SelectSql<DevTaxAccrual>("WHERE id > ?1 ORDER BY id LIMIT 1");
  return SelectOne<DevTaxAccrual>(kSql, id);
}

std::optional<DevTaxPayment> SqliteStore::DevTaxPaymentById(int64_t id) {
  static const std::string kSql = SelectSql<DevTaxPayment>("WHERE id = ?1");
  return SelectOne<DevTaxPayment>(kSql, id);
}

std::optional<DevTaxPayment> SqliteStore::DevTaxPaymentByHash(const std::string& payment_hash) {
  if (payment_hash.empty()) return std::nullopt;
  static const std::string kSql = SelectSql<DevTaxPayment>("WHERE payment_hash = ?1");
  return SelectOne<DevTaxPayment>(kSql, payment_hash);
}

std::optional<DevTaxPayment> SqliteStore::DevTaxPaymentInFlight() {
  static const std::string kSql = SelectSql<DevTaxPayment>("WHERE state = 1 ORDER BY id LIMIT 1");
  return SelectOne<DevTaxPayment>(kSql);
}

std::optional<DevTaxPayment> SqliteStore::LastDevTaxPayment() {
  static const std::string kSql = SelectSql<DevTaxPayment>("ORDER BY id DESC LIMIT 1");
  return SelectOne<DevTaxPayment>(kSql);
}

std::vector<DevTaxAccrual> SqliteStore::DevTaxAccrualsBetween(int64_t start, int64_t end) {
  static const std::string kSql = SelectSql<DevTaxAccrual>("WHERE created_at >= ?1 AND created_at < ?2 ORDER BY id");
  return Select<DevTaxAccrual>(kSql, start, end);
}

std::vector<DevTaxPayment> SqliteStore::DevTaxPaymentsBetween(int64_t start, int64_t end) {
  static const std::string kSql = SelectSql<DevTaxPayment>("WHERE created_at >= ?1 AND created_at < ?2 ORDER BY id");
  return Select<DevTaxPayment>(kSql, start, end);
}

}  // namespace store

base::Expected<std::unique_ptr<Store>, std::string> Store::Open(const std::string& path) {
  if (auto r = store::MakePrivateFile(path); !r) return base::Err("store: " + r.error());
  auto db = store::Db::Open(path);
  if (!db) return base::Err("store: " + db.error());
  // Refuse a newer schema before anything (even the WAL switch) writes to the file.
  auto version = store::SchemaVersionOf(**db);
  if (!version) return base::Err("store: " + path + ": " + version.error());
  if (*version > static_cast<int>(store::Migrations().size())) {
    return base::Err("store: " + path + ": database schema version " + std::to_string(*version) +
                     " is newer than this build knows (" + std::to_string(store::Migrations().size()) + ")");
  }
  if (auto r = store::Configure(**db); !r) return base::Err("store: " + path + ": " + r.error());
  auto migrated = store::Migrate(**db, store::Migrations());
  if (!migrated) return base::Err("store: " + path + ": " + migrated.error());
  std::array<int64_t, kTableCount> last_ids{};
  for (size_t i = 0; i < kTableCount; ++i) {
    auto max = (*db)->QueryInt(std::string("SELECT MAX(id) FROM ") + store::TableName(static_cast<Table>(i)));
    if (!max) return base::Err("store: " + path + ": " + max.error());
    last_ids[i] = *max;
  }
  return std::unique_ptr<Store>(new store::SqliteStore(std::move(*db), *migrated, last_ids));
}

}  // namespace coordinator
