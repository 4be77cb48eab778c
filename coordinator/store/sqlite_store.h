// SqliteStore: the Store of store.h over SQLite. Internal to coordinator/store/ (and its
// tests, which inspect the connection's PRAGMAs and query plans); everyone else holds a
// Store from Store::Open.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "coordinator/store/db.h"
#include "coordinator/store/store.h"

namespace coordinator::store {

class SqliteStore final : public Store {
 public:
  // REQUIRES: `db` is migrated to `version`, with the connection PRAGMAs set.
  SqliteStore(std::unique_ptr<Db> db, int version, std::array<int64_t, kTableCount> last_ids)
      : m_db(std::move(db)), m_version(version), m_last_ids(last_ids) {}
  ~SqliteStore() override;

  int SchemaVersion() const override { return m_version; }
  int64_t NewId(Table table) override;

  base::Expected<void, std::string> Begin() override;
  base::Expected<void, std::string> Commit() override;
  void Rollback() override;

  base::Expected<void, std::string> Put(const Robot& r) override;
  base::Expected<void, std::string> Put(const Order& o) override;
  base::Expected<void, std::string> Put(const HoldInvoice& h) override;
  base::Expected<void, std::string> Put(const Take& t) override;
  base::Expected<void, std::string> Put(const Payout& p) override;
  base::Expected<void, std::string> Put(const Intent& i) override;
  base::Expected<void, std::string> Put(const LedgerEntry& e) override;
  base::Expected<void, std::string> Put(const MarketTick& t) override;
  base::Expected<void, std::string> Put(const Dispute& d) override;
  base::Expected<void, std::string> Put(const ChatMessage& m) override;
  base::Expected<void, std::string> Put(const RewardWithdrawal& w) override;
  base::Expected<void, std::string> Put(const Notification& n) override;
  base::Expected<void, std::string> Put(const NostrEventRecord& e) override;
  base::Expected<void, std::string> Put(const Outage& o) override;
  base::Expected<void, std::string> Put(const Heartbeat& h) override;

  std::optional<Robot> RobotById(int64_t id) override;
  std::optional<Robot> RobotByHashId(const std::string& hash_id) override;
  std::optional<int64_t> LastOrderIdOf(int64_t robot_id) override;
  std::optional<Robot> RobotByPublicKey(const std::string& public_key) override;
  std::optional<Order> OrderById(int64_t id) override;
  std::vector<Order> LiveOrders() override;
  std::optional<HoldInvoice> HoldById(int64_t id) override;
  std::optional<HoldInvoice> HoldByHash(const std::string& payment_hash) override;
  std::vector<HoldInvoice> HoldsOfOrder(int64_t order_id) override;
  std::vector<HoldInvoice> UnresolvedHolds() override;
  std::optional<Take> TakeById(int64_t id) override;
  std::vector<Take> TakesOfOrder(int64_t order_id) override;
  std::optional<Payout> PayoutById(int64_t id) override;
  std::vector<Payout> PayoutsOfOrder(int64_t order_id) override;
  std::optional<Payout> PayoutByHash(const std::string& payment_hash) override;
  std::optional<Intent> IntentById(int64_t id) override;
  std::vector<Intent> OpenIntents() override;
  std::vector<LedgerEntry> LedgerOfOrder(int64_t order_id) override;
  std::vector<LedgerEntry> Ledger() override;
  std::vector<MarketTick> Ticks(int64_t start, int64_t end, size_t limit) override;
  std::vector<MarketTick> LatestTicks(size_t limit) override;
  int64_t CountRobots() override;
  int64_t CountRobotsSeenSince(int64_t since) override;
  std::vector<Order> OrdersByStatus(OrderStatus status, size_t limit) override;
  std::vector<Order> OrdersOfRobot(int64_t robot_id, size_t limit) override;
  std::optional<Dispute> DisputeOfOrder(int64_t order_id) override;
  std::vector<Dispute> OpenDisputes() override;
  std::vector<Dispute> RecentDisputes(size_t limit) override;
  std::vector<ChatMessage> ChatOfOrder(int64_t order_id, int64_t after_index) override;
  int64_t ChatLastIndex(int64_t order_id) override;
  int64_t CountChatBy(int64_t order_id, int64_t robot_id) override;
  base::Expected<int64_t, std::string> PurgeChatsOfOrdersFinishedBefore(int64_t finished_before) override;
  std::optional<RewardWithdrawal> RewardWithdrawalById(int64_t id) override;
  std::optional<RewardWithdrawal> RewardWithdrawalByHash(const std::string& payment_hash) override;
  std::optional<RewardWithdrawal> PendingRewardWithdrawalOf(int64_t robot_id) override;
  std::vector<RewardWithdrawal> RewardWithdrawals() override;
  int64_t RewardsOutstanding() override;
  std::vector<Notification> NotificationsOf(int64_t robot_id, int64_t since, size_t limit) override;
  std::optional<NostrEventRecord> NostrEventAt(int kind, const std::string& pubkey, const std::string& d_tag) override;
  std::vector<NostrEventRecord> NostrEvents() override;
  std::vector<NostrEventRecord> NostrEventsNewestFirst(int64_t since, int64_t until, size_t limit) override;
  std::optional<Heartbeat> LastHeartbeat() override;
  std::optional<Outage> OpenOutage(OutageReason reason) override;
  std::vector<Outage> RecentOutages(size_t limit) override;
  std::vector<LedgerEntry> LedgerBetween(int64_t start, int64_t end) override;
  base::Expected<void, std::string> Put(const DevTaxAccrual& a) override;
  base::Expected<void, std::string> Put(const DevTaxPayment& p) override;
  DevTaxTotals DevTaxAccruedThrough(int64_t last_accrual_id) override;
  DevTaxTotals DevTaxAccrued() override;
  int64_t DevTaxPaidSat() override;
  int64_t DevTaxPaidThrough() override;
  std::optional<DevTaxAccrual> DevTaxAccrualAfter(int64_t id) override;
  std::optional<DevTaxPayment> DevTaxPaymentById(int64_t id) override;
  std::optional<DevTaxPayment> DevTaxPaymentByHash(const std::string& payment_hash) override;
  std::optional<DevTaxPayment> DevTaxPaymentInFlight() override;
  std::optional<DevTaxPayment> LastDevTaxPayment() override;
  std::vector<DevTaxAccrual> DevTaxAccrualsBetween(int64_t start, int64_t end) override;
  std::vector<DevTaxPayment> DevTaxPaymentsBetween(int64_t start, int64_t end) override;

  Db& db() { return *m_db; }

 private:
  template <class Row>
  base::Expected<void, std::string> PutRow(const Row& row);
  template <class Row, class... Args>
  std::vector<Row> Select(const std::string& sql, const Args&... args);
  template <class Row, class... Args>
  std::optional<Row> SelectOne(const std::string& sql, const Args&... args);
  // The first column of the first row of `sql` (0 if none or on a read error, which is logged).
  template <class... Args>
  int64_t ScalarInt(const char* table, const std::string& sql, const Args&... args);

  std::unique_ptr<Db> m_db;
  int m_version;
  std::array<int64_t, kTableCount> m_last_ids;  // by Table
  bool m_write_failed = false;        // a Put failed inside the open transaction
};

}  // namespace coordinator::store
