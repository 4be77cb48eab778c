// coordinator::Store: the SQLite persistence of the trade engine. WAL mode, foreign keys,
// versioned migrations (schema_version table; each migration runs once, in a transaction).
//
// Single writer: only the engine thread calls it (it is not thread-safe; open a second Store
// on the same file for read-only tooling). Everything Put between Begin() and Commit() lands
// in one SQLite transaction or not at all: a state change and its money intents are never
// half-written. Ids are handed out by NewId() before the rows are written (the writer is
// single, so in-memory counters loaded at Open are safe; a rolled-back id is simply skipped).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/base/expected.h"
#include "coordinator/model.h"

namespace coordinator {

enum class Table {
  kRobot, kOrder, kHold, kTake, kPayout, kIntent, kLedger, kTick,
  kDispute, kChat, kRewardWithdrawal, kNotification, kDevTaxAccrual, kDevTaxPayment, kNostrEvent,
  kOutage, kHeartbeat,
};
inline constexpr size_t kTableCount = 17;

class Store {
 public:
  // Creates the file (0600) and migrates it to the latest schema version.
  static base::Expected<std::unique_ptr<Store>, std::string> Open(const std::string& path);
  virtual ~Store() = default;

  virtual int SchemaVersion() const = 0;
  virtual int64_t NewId(Table table) = 0;

  // Unit of work. REQUIRES: no transaction open for Begin; one open for Commit/Rollback.
  // All or nothing: if any Put of the transaction failed, or COMMIT itself fails (a deferred
  // foreign key left dangling), Commit rolls the whole transaction back and returns the
  // error; no transaction is open afterwards. Rollback with none open does nothing.
  virtual base::Expected<void, std::string> Begin() = 0;
  virtual base::Expected<void, std::string> Commit() = 0;
  virtual void Rollback() = 0;

  // Upserts by id (id must be non-zero: take it from NewId). Allowed outside a transaction
  // too (then each is its own transaction). Errors name the table and SQLite's reason (a
  // CHECK, UNIQUE or NOT NULL constraint), never a value of the row. References are checked
  // at commit: rows of one transaction may be Put in any order.
  virtual base::Expected<void, std::string> Put(const Robot& r) = 0;
  virtual base::Expected<void, std::string> Put(const Order& o) = 0;
  virtual base::Expected<void, std::string> Put(const HoldInvoice& h) = 0;
  virtual base::Expected<void, std::string> Put(const Take& t) = 0;
  virtual base::Expected<void, std::string> Put(const Payout& p) = 0;
  virtual base::Expected<void, std::string> Put(const Intent& i) = 0;
  virtual base::Expected<void, std::string> Put(const LedgerEntry& e) = 0;
  virtual base::Expected<void, std::string> Put(const MarketTick& t) = 0;
  virtual base::Expected<void, std::string> Put(const Dispute& d) = 0;
  virtual base::Expected<void, std::string> Put(const ChatMessage& m) = 0;
  virtual base::Expected<void, std::string> Put(const RewardWithdrawal& w) = 0;
  virtual base::Expected<void, std::string> Put(const Notification& n) = 0;
  virtual base::Expected<void, std::string> Put(const DevTaxAccrual& a) = 0;
  virtual base::Expected<void, std::string> Put(const DevTaxPayment& p) = 0;
  // (kind, pubkey, d_tag) is unique: replace an address's event by reusing its row id.
  virtual base::Expected<void, std::string> Put(const NostrEventRecord& e) = 0;
  virtual base::Expected<void, std::string> Put(const Outage& o) = 0;
  virtual base::Expected<void, std::string> Put(const Heartbeat& h) = 0;

  // Reads. nullopt: no such row. Lists are in id order unless said otherwise. A read that
  // fails in SQLite (I/O error, corruption) is logged and answers nullopt / empty.
  virtual std::optional<Robot> RobotById(int64_t id) = 0;
  virtual std::optional<Robot> RobotByHashId(const std::string& hash_id) = 0;
  // The most recent order (highest id) the robot made or took, if any.
  virtual std::optional<int64_t> LastOrderIdOf(int64_t robot_id) = 0;
  virtual std::optional<Robot> RobotByPublicKey(const std::string& public_key) = 0;
  virtual std::optional<Order> OrderById(int64_t id) = 0;
  // Every order not in a terminal status (4, 5, 12, 14, 17, 18): the engine's working set.
  virtual std::vector<Order> LiveOrders() = 0;
  virtual std::optional<HoldInvoice> HoldById(int64_t id) = 0;
  virtual std::optional<HoldInvoice> HoldByHash(const std::string& payment_hash) = 0;
  virtual std::vector<HoldInvoice> HoldsOfOrder(int64_t order_id) = 0;
  // Holds in kPending, kOpen or kAccepted: what the node may still hold for us.
  virtual std::vector<HoldInvoice> UnresolvedHolds() = 0;
  virtual std::optional<Take> TakeById(int64_t id) = 0;
  virtual std::vector<Take> TakesOfOrder(int64_t order_id) = 0;
  virtual std::optional<Payout> PayoutById(int64_t id) = 0;
  virtual std::vector<Payout> PayoutsOfOrder(int64_t order_id) = 0;
  // payment_hash is unique across payouts: an invoice is paid for one order only.
  virtual std::optional<Payout> PayoutByHash(const std::string& payment_hash) = 0;
  virtual std::optional<Intent> IntentById(int64_t id) = 0;
  virtual std::vector<Intent> OpenIntents() = 0;
  virtual std::vector<LedgerEntry> LedgerOfOrder(int64_t order_id) = 0;
  virtual std::vector<LedgerEntry> Ledger() = 0;
  // Ticks with start <= timestamp < end, oldest first, at most `limit`.
  virtual std::vector<MarketTick> Ticks(int64_t start, int64_t end, size_t limit) = 0;
  // The `limit` most recent ticks (by timestamp), oldest first as in Ticks().
  virtual std::vector<MarketTick> LatestTicks(size_t limit) = 0;
  virtual int64_t CountRobots() = 0;
  // Orders in `status`, newest first, at most `limit`.
  virtual std::vector<Order> OrdersByStatus(OrderStatus status, size_t limit) = 0;
  // The orders `robot_id` made or took, newest first, at most `limit`.
  virtual std::vector<Order> OrdersOfRobot(int64_t robot_id, size_t limit) = 0;

  // Disputes.
  virtual std::optional<Dispute> DisputeOfOrder(int64_t order_id) = 0;
  // Open disputes (outcome kOpen), oldest first.
  virtual std::vector<Dispute> OpenDisputes() = 0;
  // The most recent disputes (open or not), newest first, at most `limit`.
  virtual std::vector<Dispute> RecentDisputes(size_t limit) = 0;

  // Chat: the order's messages with index > `after_index`, in index order; the last index (0:
  // none); how many a robot sent. Purge: deletes the messages of orders that finished before
  // `finished_before` (Unix s); returns how many.
  virtual std::vector<ChatMessage> ChatOfOrder(int64_t order_id, int64_t after_index) = 0;
  virtual int64_t ChatLastIndex(int64_t order_id) = 0;
  virtual int64_t CountChatBy(int64_t order_id, int64_t robot_id) = 0;
  virtual base::Expected<int64_t, std::string> PurgeChatsOfOrdersFinishedBefore(int64_t finished_before) = 0;

  // Reward withdrawals.
  virtual std::optional<RewardWithdrawal> RewardWithdrawalById(int64_t id) = 0;
  virtual std::optional<RewardWithdrawal> RewardWithdrawalByHash(const std::string& payment_hash) = 0;
  // A withdrawal of the robot not yet finished (kPending or kInFlight), if any.
  virtual std::optional<RewardWithdrawal> PendingRewardWithdrawalOf(int64_t robot_id) = 0;
  virtual std::vector<RewardWithdrawal> RewardWithdrawals() = 0;
  // Σ earned_rewards_sat over every robot: the rewards the coordinator owes.
  virtual int64_t RewardsOutstanding() = 0;

  // The robot's notifications created at or after `since`, newest first, at most `limit`.
  virtual std::vector<Notification> NotificationsOf(int64_t robot_id, int64_t since, size_t limit) = 0;

  // Nostr events: the one at an address, if any; every event, oldest first (by created_at).
  virtual std::optional<NostrEventRecord> NostrEventAt(int kind, const std::string& pubkey,
                                                       const std::string& d_tag) = 0;
  virtual std::vector<NostrEventRecord> NostrEvents() = 0;
  // The events with since <= created_at <= until, newest first (ties: lowest event id first,
  // NIP-01's order), at most `limit`.
  virtual std::vector<NostrEventRecord> NostrEventsNewestFirst(int64_t since, int64_t until, size_t limit) = 0;
  // The last heartbeat written (nullopt: never, e.g. a new database).
  virtual std::optional<Heartbeat> LastHeartbeat() = 0;
  // The outage of `reason` still going on (ended_at 0), if any.
  virtual std::optional<Outage> OpenOutage(OutageReason reason) = 0;
  // The latest outages, newest first, at most `limit`.
  virtual std::vector<Outage> RecentOutages(size_t limit) = 0;

  // Ledger rows with start <= created_at < end, in id order.
  virtual std::vector<LedgerEntry> LedgerBetween(int64_t start, int64_t end) = 0;

  // The dev tax. Totals over every accrual: the last id (0: none) and Σ accrued_msat.
  struct DevTaxTotals {
    int64_t last_accrual_id = 0;
    int64_t accrued_msat = 0;
    int64_t proceeds_sat = 0;
  };
  virtual DevTaxTotals DevTaxAccruedThrough(int64_t last_accrual_id) = 0;  // accruals with id <= last
  virtual DevTaxTotals DevTaxAccrued() = 0;
  // Σ amount_sat of the succeeded payments.
  virtual int64_t DevTaxPaidSat() = 0;
  // The highest accrual id a succeeded payment covered (0: none).
  virtual int64_t DevTaxPaidThrough() = 0;
  // The first accrual with an id above `id`, if any.
  virtual std::optional<DevTaxAccrual> DevTaxAccrualAfter(int64_t id) = 0;
  virtual std::optional<DevTaxPayment> DevTaxPaymentById(int64_t id) = 0;
  // The payment with this payment hash (hex), if any (never matches "").
  virtual std::optional<DevTaxPayment> DevTaxPaymentByHash(const std::string& payment_hash) = 0;
  // The payment in flight (at most one), if any.
  virtual std::optional<DevTaxPayment> DevTaxPaymentInFlight() = 0;
  // The latest payment (highest id), if any.
  virtual std::optional<DevTaxPayment> LastDevTaxPayment() = 0;
  // Rows with start <= created_at < end, in id order.
  virtual std::vector<DevTaxAccrual> DevTaxAccrualsBetween(int64_t start, int64_t end) = 0;
  virtual std::vector<DevTaxPayment> DevTaxPaymentsBetween(int64_t start, int64_t end) = 0;
  // Robots whose last activity is at or after `since` (Unix seconds).
  virtual int64_t CountRobotsSeenSince(int64_t since) = 0;
};

}  // namespace coordinator
