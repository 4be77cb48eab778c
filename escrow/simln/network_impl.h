// NetworkImpl: the Network behind Network::Open. Internal to escrow/simln.
//
// One mutex guards the whole state. Every operation runs as: lock → apply what the clock and
// the height imply → mutate records, noting which ones changed and the stream updates they
// cause → write the changed records in one SQLite transaction → queue the updates on the
// notifier → unlock. If the write fails the in-memory state is reloaded from the store and
// nothing is published, so memory, disk and streams never disagree.
//
// The member functions are split by idea: network.cpp (open, graph views, time, commit),
// invoices.cpp (the invoice state machine), payments.cpp (routing, HTLCs, payment states),
// node_view.cpp (the LightningNode adapter).
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "escrow/crypto/secp256k1.h"
#include "escrow/simln/network.h"
#include "escrow/simln/notifier.h"
#include "escrow/simln/router.h"
#include "escrow/simln/state.h"
#include "escrow/simln/store.h"

namespace escrow::simln {

// LND's holdexpirydelta: an accepted hold invoice is canceled this many blocks before its
// HTLC's expiry, so that the node never has to go to chain for it.
constexpr int64_t kHoldExpiryDelta = 12;
// simln's default min_final_cltv_expiry (LND 0.17 uses 80) and keysend's final CLTV delta.
constexpr uint32_t kDefaultCltvExpiry = 40;
// LND REST: "expiry: Payment request expiry time in seconds. Default is 86400 (24 hours)."
constexpr int64_t kDefaultInvoiceExpiry = 86400;

class NetworkImpl final : public Network {
 public:
  static base::Expected<std::unique_ptr<Network>, std::string> Create(const std::string& db_path,
                                                                      const NetworkSpec& spec,
                                                                      const base::Clock& clock);
  ~NetworkImpl() override;

  // Network.
  std::unique_ptr<LightningNode> Node(const std::string& name) override;
  std::vector<std::string> NodeNames() const override;
  std::optional<NodeView> GetNode(const std::string& name) const override;
  std::vector<ChannelView> Channels() const override;
  std::vector<Invoice> ListInvoices(const std::string& name) const override;
  std::vector<Payment> ListPayments(const std::string& name) const override;
  uint32_t BlockHeight() const override;
  void MineBlocks(uint32_t n) override;
  void SetNodeFailure(const std::string& node, FailureSetting f) override;
  void SetChannelFailure(uint64_t chan_id, FailureSetting f) override;
  void Tick() override;
  int64_t TotalMsat() const override;

  // The LightningNode calls of node `node` (node_view.cpp forwards here).
  LnResult<NodeInfo> GetInfo(const std::string& node);
  LnResult<AddInvoiceResult> AddHoldInvoice(const std::string& node, const HoldInvoiceRequest& req);
  LnResult<AddInvoiceResult> AddInvoice(const std::string& node, const InvoiceRequest& req);
  LnStatus SettleInvoice(const std::string& node, const Hash32& preimage);
  LnStatus CancelInvoice(const std::string& node, const Hash32& payment_hash);
  LnResult<Invoice> LookupInvoice(const std::string& node, const Hash32& payment_hash);
  std::unique_ptr<Subscription> SubscribeInvoice(const std::string& node, const Hash32& payment_hash,
                                                 StreamHandlers<Invoice> handlers);
  LnResult<PayReq> DecodePayReq(const std::string& node, const std::string& payment_request);
  std::unique_ptr<Subscription> SendPayment(const std::string& node, const SendPaymentRequest& req,
                                            StreamHandlers<Payment> handlers);
  std::unique_ptr<Subscription> TrackPayment(const std::string& node, const Hash32& payment_hash,
                                             StreamHandlers<Payment> handlers);
  LnResult<ChannelBalance> GetChannelBalance(const std::string& node);
  LnResult<RouteFeeEstimate> EstimateRouteFee(const std::string& node, const RouteFeeRequest& req);

 private:
  // A mutation in progress: the records to write and the stream updates to publish after.
  struct Txn {
    bool meta = false;
    std::set<std::string> nodes;
    std::set<uint64_t> channels;
    std::set<RecordKey> invoices;
    std::set<RecordKey> payments;
    std::vector<std::pair<std::string, std::variant<Invoice, Payment>>> updates;
  };

  // What a SendPaymentRequest resolves to once validated.
  struct PaymentPlan {
    Hash32 payment_hash{};
    int64_t amt_msat = 0;
    std::string payment_request;
    std::string dest_pubkey;  // hex
    std::optional<Hash32> payment_addr;
    uint32_t final_cltv_delta = kDefaultCltvExpiry;
    bool keysend = false;
    CustomRecords records;
    int64_t fee_limit_msat = 0;
    int64_t timeout_seconds = 60;
    int32_t cltv_limit = 0;  // max total time lock in blocks above the current height; 0: none
  };

  enum class Delivery { kSettled, kAccepted, kRejected };

  NetworkImpl(const base::Clock& clock, std::unique_ptr<Store> store)
      : m_clock(clock), m_store(std::move(store)) {}
  base::Expected<void, std::string> Init(const NetworkSpec& spec);
  base::Expected<void, std::string> AdoptState(NetworkState state);

  // Everything below REQUIRES m_mu held.
  int64_t NowSeconds() const { return m_clock.NowSeconds(); }
  uint32_t HeightLocked() const;
  LnStatus CheckNodeUp(const std::string& node) const;
  ChannelBalance BalanceLocked(const std::string& node) const;

  void TouchNode(Txn& txn, const std::string& name) { txn.nodes.insert(name); }
  void TouchChannel(Txn& txn, uint64_t chan_id) { txn.channels.insert(chan_id); }
  void TouchInvoice(Txn& txn, const InvoiceRec& rec);  // also queues the invoice's new state
  void TouchPayment(Txn& txn, const PaymentRec& rec);  // also queues the payment's new state
  // Writes `txn` in one transaction, then publishes its updates. On a write failure: rolls
  // back, reloads the state from the store, publishes nothing and returns kInternal.
  LnStatus Commit(Txn& txn);

  // Clock/height consequences (expired invoices, hold auto-cancel, payment timeouts). Skips
  // the scan while nothing can be due, unless `force`.
  void ApplyTime(Txn& txn, bool force);
  void NoteDeadlineTime(int64_t unix_seconds) {
    m_next_deadline_time = std::min(m_next_deadline_time, unix_seconds);
  }
  void NoteDeadlineHeight(int64_t height) {
    m_next_deadline_height = std::min(m_next_deadline_height, height);
  }

  // invoices.cpp
  LnResult<AddInvoiceResult> AddInvoiceLocked(const std::string& node, InvoiceRec rec, Txn& txn);
  void SettleInvoiceLocked(InvoiceRec& rec, const Hash32& preimage, Txn& txn);
  void CancelInvoiceLocked(InvoiceRec& rec, Txn& txn);

  // payments.cpp
  LnResult<PaymentPlan> PlanPayment(const SendPaymentRequest& req) const;
  void ExecutePayment(const std::string& node, const PaymentPlan& plan, Txn& txn);
  std::optional<PlannedRoute> FindRoute(const std::string& source, const std::string& dest,
                                        const PaymentPlan& plan, FailureReason* reason) const;
  Delivery DeliverHtlc(PaymentRec& pay, const PaymentPlan& plan, uint64_t htlc_index, Hash32* preimage,
                       Txn& txn);
  void LockHop(HopRec& hop, Txn& txn);
  void SucceedPayment(PaymentRec& rec, const Hash32& preimage, Txn& txn);
  void FailPayment(PaymentRec& rec, FailureReason reason, Txn& txn);

  mutable std::mutex m_mu;
  const base::Clock& m_clock;
  std::unique_ptr<Store> m_store;
  NetworkState m_state;
  std::string m_prefix;                             // BOLT 11 network prefix
  std::map<std::string, crypto::Signer> m_signers;  // node name → identity key
  std::map<std::string, std::string> m_pubkeys;     // node name → hex pubkey
  std::map<std::string, std::string> m_by_pubkey;   // hex pubkey → node name
  int64_t m_next_deadline_time = 0;                 // nothing time-driven is due before these
  int64_t m_next_deadline_height = 0;
  // Last: destroyed first, so queued callbacks are delivered while the state still exists.
  Notifier m_notifier;
};

// node_view.cpp: the in-process LightningNode of `name`. REQUIRES: it dies before `network`.
std::unique_ptr<LightningNode> MakeNodeView(NetworkImpl* network, std::string name);

}  // namespace escrow::simln
