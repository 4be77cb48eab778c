// Fault injection for engine tests (LevelDB's fault_injection_test style): a Store and a
// LightningNode that forward every call to the real one, except where a test asks them to
// fail. Thread-safe where the real ones are called from several threads (the node).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "coordinator/store/store.h"
#include "escrow/lightning_node.h"
#include "escrow/workers.h"

namespace enginetest {

class FaultyStore final : public coordinator::Store {
 public:
  explicit FaultyStore(std::unique_ptr<coordinator::Store> real) : m_real(std::move(real)) {}

  // The next transaction that marks an intent done for which `pred` holds is rolled back at
  // Commit (as if SQLite had refused it), once.
  void FailCommitMarkingIntentDone(std::function<bool(const coordinator::Intent&)> pred) {
    std::lock_guard lock(m_mu);
    m_fail_pred = std::move(pred);
  }
  int failed_commits() const {
    std::lock_guard lock(m_mu);
    return m_failed_commits;
  }

  int SchemaVersion() const override { return m_real->SchemaVersion(); }
  int64_t NewId(coordinator::Table t) override { return m_real->NewId(t); }
  base::Expected<void, std::string> Begin() override {
    m_doomed = false;
    return m_real->Begin();
  }
  base::Expected<void, std::string> Commit() override {
    if (m_doomed) {
      m_doomed = false;
      std::lock_guard lock(m_mu);
      ++m_failed_commits;
      m_real->Rollback();
      return base::Err(std::string("injected: commit refused"));
    }
    return m_real->Commit();
  }
  void Rollback() override { m_real->Rollback(); }

  base::Expected<void, std::string> Put(const coordinator::Robot& r) override { return m_real->Put(r); }
  base::Expected<void, std::string> Put(const coordinator::Order& o) override { return m_real->Put(o); }
  base::Expected<void, std::string> Put(const coordinator::HoldInvoice& h) override { return m_real->Put(h); }
  base::Expected<void, std::string> Put(const coordinator::Take& t) override { return m_real->Put(t); }
  base::Expected<void, std::string> Put(const coordinator::Payout& p) override { return m_real->Put(p); }
  base::Expected<void, std::string> Put(const coordinator::Intent& i) override {
    {
      std::lock_guard lock(m_mu);
      if (m_fail_pred && i.state == coordinator::IntentState::kDone && m_fail_pred(i)) {
        m_fail_pred = nullptr;
        m_doomed = true;
      }
    }
    return m_real->Put(i);
  }
  base::Expected<void, std::string> Put(const coordinator::LedgerEntry& e) override { return m_real->Put(e); }
  base::Expected<void, std::string> Put(const coordinator::MarketTick& t) override { return m_real->Put(t); }
  base::Expected<void, std::string> Put(const coordinator::Dispute& d) override { return m_real->Put(d); }
  base::Expected<void, std::string> Put(const coordinator::ChatMessage& m) override { return m_real->Put(m); }
  base::Expected<void, std::string> Put(const coordinator::RewardWithdrawal& w) override { return m_real->Put(w); }
  base::Expected<void, std::string> Put(const coordinator::Notification& n) override { return m_real->Put(n); }
  base::Expected<void, std::string> Put(const coordinator::NostrEventRecord& e) override { return m_real->Put(e); }
  std::optional<coordinator::NostrEventRecord> NostrEventAt(int kind, const std::string& pubkey,
                                                            const std::string& d_tag) override {
    return m_real->NostrEventAt(kind, pubkey, d_tag);
  }
  std::vector<coordinator::NostrEventRecord> NostrEvents() override { return m_real->NostrEvents(); }
  std::vector<coordinator::NostrEventRecord> NostrEventsNewestFirst(int64_t since, int64_t until,
                                                                    size_t limit) override {
    return m_real->NostrEventsNewestFirst(since, until, limit);
  }
  base::Expected<void, std::string> Put(const coordinator::Outage& o) override { return m_real->Put(o); }
  base::Expected<void, std::string> Put(const coordinator::Heartbeat& h) override { return m_real->Put(h); }
  std::optional<coordinator::Heartbeat> LastHeartbeat() override { return m_real->LastHeartbeat(); }
  std::optional<coordinator::Outage> OpenOutage(coordinator::OutageReason r) override { return m_real->OpenOutage(r); }
  std::vector<coordinator::Outage> RecentOutages(size_t limit) override { return m_real->RecentOutages(limit); }

  std::optional<coordinator::Robot> RobotById(int64_t id) override { return m_real->RobotById(id); }
  std::optional<coordinator::Robot> RobotByHashId(const std::string& h) override { return m_real->RobotByHashId(h); }
  std::optional<int64_t> LastOrderIdOf(int64_t robot_id) override { return m_real->LastOrderIdOf(robot_id); }
  std::optional<coordinator::Robot> RobotByPublicKey(const std::string& k) override {
    return m_real->RobotByPublicKey(k);
  }
  std::optional<coordinator::Order> OrderById(int64_t id) override { return m_real->OrderById(id); }
  std::vector<coordinator::Order> LiveOrders() override { return m_real->LiveOrders(); }
  std::optional<coordinator::HoldInvoice> HoldById(int64_t id) override { return m_real->HoldById(id); }
  std::optional<coordinator::HoldInvoice> HoldByHash(const std::string& h) override { return m_real->HoldByHash(h); }
  std::vector<coordinator::HoldInvoice> HoldsOfOrder(int64_t id) override { return m_real->HoldsOfOrder(id); }
  std::vector<coordinator::HoldInvoice> UnresolvedHolds() override { return m_real->UnresolvedHolds(); }
  std::optional<coordinator::Take> TakeById(int64_t id) override { return m_real->TakeById(id); }
  std::vector<coordinator::Take> TakesOfOrder(int64_t id) override { return m_real->TakesOfOrder(id); }
  std::optional<coordinator::Payout> PayoutById(int64_t id) override { return m_real->PayoutById(id); }
  std::vector<coordinator::Payout> PayoutsOfOrder(int64_t id) override { return m_real->PayoutsOfOrder(id); }
  std::optional<coordinator::Payout> PayoutByHash(const std::string& h) override { return m_real->PayoutByHash(h); }
  std::optional<coordinator::Intent> IntentById(int64_t id) override { return m_real->IntentById(id); }
  std::vector<coordinator::Intent> OpenIntents() override { return m_real->OpenIntents(); }
  std::vector<coordinator::LedgerEntry> LedgerOfOrder(int64_t id) override { return m_real->LedgerOfOrder(id); }
  std::vector<coordinator::LedgerEntry> Ledger() override { return m_real->Ledger(); }
  std::vector<coordinator::MarketTick> Ticks(int64_t s, int64_t e, size_t l) override { return m_real->Ticks(s, e, l); }
  std::vector<coordinator::MarketTick> LatestTicks(size_t l) override { return m_real->LatestTicks(l); }
  int64_t CountRobots() override { return m_real->CountRobots(); }
  int64_t CountRobotsSeenSince(int64_t since) override { return m_real->CountRobotsSeenSince(since); }
  std::vector<coordinator::Order> OrdersByStatus(coordinator::OrderStatus s, size_t l) override {
    return m_real->OrdersByStatus(s, l);
  }
  std::vector<coordinator::Order> OrdersOfRobot(int64_t r, size_t l) override { return m_real->OrdersOfRobot(r, l); }
  std::optional<coordinator::Dispute> DisputeOfOrder(int64_t id) override { return m_real->DisputeOfOrder(id); }
  std::vector<coordinator::Dispute> OpenDisputes() override { return m_real->OpenDisputes(); }
  std::vector<coordinator::Dispute> RecentDisputes(size_t l) override { return m_real->RecentDisputes(l); }
  std::vector<coordinator::ChatMessage> ChatOfOrder(int64_t id, int64_t after) override {
    return m_real->ChatOfOrder(id, after);
  }
  int64_t ChatLastIndex(int64_t id) override { return m_real->ChatLastIndex(id); }
  int64_t CountChatBy(int64_t id, int64_t robot) override { return m_real->CountChatBy(id, robot); }
  base::Expected<int64_t, std::string> PurgeChatsOfOrdersFinishedBefore(int64_t t) override {
    return m_real->PurgeChatsOfOrdersFinishedBefore(t);
  }
  std::optional<coordinator::RewardWithdrawal> RewardWithdrawalById(int64_t id) override {
    return m_real->RewardWithdrawalById(id);
  }
  std::optional<coordinator::RewardWithdrawal> RewardWithdrawalByHash(const std::string& h) override {
    return m_real->RewardWithdrawalByHash(h);
  }
  std::optional<coordinator::RewardWithdrawal> PendingRewardWithdrawalOf(int64_t r) override {
    return m_real->PendingRewardWithdrawalOf(r);
  }
  std::vector<coordinator::RewardWithdrawal> RewardWithdrawals() override { return m_real->RewardWithdrawals(); }
  int64_t RewardsOutstanding() override { return m_real->RewardsOutstanding(); }
  std::vector<coordinator::Notification> NotificationsOf(int64_t r, int64_t since, size_t l) override {
    return m_real->NotificationsOf(r, since, l);
  }
  std::vector<coordinator::LedgerEntry> LedgerBetween(int64_t s, int64_t e) override {
    return m_real->LedgerBetween(s, e);
  }
  base::Expected<void, std::string> Put(const coordinator::DevTaxAccrual& a) override { return m_real->Put(a); }
  base::Expected<void, std::string> Put(const coordinator::DevTaxPayment& p) override { return m_real->Put(p); }
  DevTaxTotals DevTaxAccruedThrough(int64_t last) override { return m_real->DevTaxAccruedThrough(last); }
  DevTaxTotals DevTaxAccrued() override { return m_real->DevTaxAccrued(); }
  int64_t DevTaxPaidSat() override { return m_real->DevTaxPaidSat(); }
  int64_t DevTaxPaidThrough() override { return m_real->DevTaxPaidThrough(); }
  std::optional<coordinator::DevTaxAccrual> DevTaxAccrualAfter(int64_t id) override {
    return m_real->DevTaxAccrualAfter(id);
  }
  std::optional<coordinator::DevTaxPayment> DevTaxPaymentById(int64_t id) override {
    return m_real->DevTaxPaymentById(id);
  }
  std::optional<coordinator::DevTaxPayment> DevTaxPaymentByHash(const std::string& payment_hash) override {
    return m_real->DevTaxPaymentByHash(payment_hash);
  }
  std::optional<coordinator::DevTaxPayment> DevTaxPaymentInFlight() override { return m_real->DevTaxPaymentInFlight(); }
  std::optional<coordinator::DevTaxPayment> LastDevTaxPayment() override { return m_real->LastDevTaxPayment(); }
  std::vector<coordinator::DevTaxAccrual> DevTaxAccrualsBetween(int64_t s, int64_t e) override {
    return m_real->DevTaxAccrualsBetween(s, e);
  }
  std::vector<coordinator::DevTaxPayment> DevTaxPaymentsBetween(int64_t s, int64_t e) override {
    return m_real->DevTaxPaymentsBetween(s, e);
  }

 private:
  std::unique_ptr<coordinator::Store> m_real;
  mutable std::mutex m_mu;
  std::function<bool(const coordinator::Intent&)> m_fail_pred;  // guarded by m_mu
  int m_failed_commits = 0;                                       // guarded by m_mu
  bool m_doomed = false;  // the engine thread's alone
};

// The node: a test can make SendPayment refuse synchronously (as LND's router does for an
// expired invoice, unknown required features or no route) before any HTLC leaves.
class FaultyNode final : public escrow::LightningNode {
 public:
  explicit FaultyNode(std::unique_ptr<escrow::LightningNode> real) : m_real(std::move(real)) {}

  // The next `count` SendPayment calls are refused with `error` (delivered as the stream's
  // on_error, from another thread, as a real backend does).
  void RefuseSends(escrow::LnError error, int count = 1) {
    std::lock_guard lock(m_mu);
    m_refusal = std::move(error);
    m_refusals_left = count;
  }
  int sends() const {
    std::lock_guard lock(m_mu);
    return m_sends;
  }

  escrow::LnResult<escrow::NodeInfo> GetInfo() override { return m_real->GetInfo(); }
  escrow::LnResult<escrow::AddInvoiceResult> AddHoldInvoice(const escrow::HoldInvoiceRequest& r) override {
    return m_real->AddHoldInvoice(r);
  }
  escrow::LnResult<escrow::AddInvoiceResult> AddInvoice(const escrow::InvoiceRequest& r) override {
    return m_real->AddInvoice(r);
  }
  escrow::LnStatus SettleInvoice(const escrow::Hash32& p) override { return m_real->SettleInvoice(p); }
  escrow::LnStatus CancelInvoice(const escrow::Hash32& h) override { return m_real->CancelInvoice(h); }
  escrow::LnResult<escrow::Invoice> LookupInvoice(const escrow::Hash32& h) override { return m_real->LookupInvoice(h); }
  std::unique_ptr<escrow::Subscription> SubscribeInvoice(const escrow::Hash32& h,
                                                         escrow::StreamHandlers<escrow::Invoice> s) override {
    return m_real->SubscribeInvoice(h, std::move(s));
  }
  escrow::LnResult<escrow::PayReq> DecodePayReq(const std::string& p) override { return m_real->DecodePayReq(p); }
  std::unique_ptr<escrow::Subscription> SendPayment(const escrow::SendPaymentRequest& req,
                                                    escrow::StreamHandlers<escrow::Payment> h) override {
    std::optional<escrow::LnError> refuse;
    {
      std::lock_guard lock(m_mu);
      ++m_sends;
      if (m_refusals_left > 0) {
        --m_refusals_left;
        refuse = m_refusal;
      }
    }
    if (!refuse) return m_real->SendPayment(req, std::move(h));
    // Delivered from another thread; never after Cancel() returned (the Subscription contract).
    struct Gate {
      std::mutex mu;
      bool cancelled = false;
    };
    auto gate = std::make_shared<Gate>();
    m_workers.Post([gate, h = std::move(h), e = *refuse] {
      std::lock_guard lock(gate->mu);
      if (gate->cancelled) return;
      if (h.on_error) h.on_error(e);
      if (h.on_done) h.on_done();
    });
    struct Refused final : escrow::Subscription {
      explicit Refused(std::shared_ptr<Gate> g) : gate(std::move(g)) {}
      ~Refused() override { Cancel(); }
      void Cancel() override {
        std::lock_guard lock(gate->mu);
        gate->cancelled = true;
      }
      std::shared_ptr<Gate> gate;
    };
    return std::make_unique<Refused>(gate);
  }
  std::unique_ptr<escrow::Subscription> TrackPayment(const escrow::Hash32& h,
                                                     escrow::StreamHandlers<escrow::Payment> s) override {
    return m_real->TrackPayment(h, std::move(s));
  }
  escrow::LnResult<escrow::ChannelBalance> GetChannelBalance() override { return m_real->GetChannelBalance(); }
  escrow::LnResult<escrow::RouteFeeEstimate> EstimateRouteFee(const escrow::RouteFeeRequest& req) override {
    return m_real->EstimateRouteFee(req);
  }

 private:
  std::unique_ptr<escrow::LightningNode> m_real;
  mutable std::mutex m_mu;
  escrow::LnError m_refusal;
  int m_refusals_left = 0;
  int m_sends = 0;
  escrow::Workers m_workers{1};
};

}  // namespace enginetest
