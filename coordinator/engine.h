// coordinator::Engine: the single writer. Every state change — commands from the API, node
// events from escrow/, timers — runs on the engine's one thread, in arrival order. A change
// and its money intents are committed in one Store transaction; only then are the intents
// handed to escrow/ and the command answered. After each commit an immutable Snapshot
// (book, info) is published for readers that must never wait for the writer.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/base/clock.h"
#include "config/base/status.h"
#include "coordinator/commands.h"
#include "coordinator/dev_tax.h"
#include "coordinator/invoice_checks.h"
#include "coordinator/model.h"
#include "coordinator/nostr/order_event.h"
#include "coordinator/params.h"
#include "coordinator/store/store.h"
#include "escrow/crypto/secp256k1.h"
#include "escrow/hold_desk.h"
#include "escrow/payout_desk.h"

namespace coordinator {

// Fiat per BTC for a currency id (currencies.json), or nullopt if unknown. Thread-safe.
class RateSource {
 public:
  virtual ~RateSource() = default;
  virtual std::optional<double> Rate(int currency) const = 0;
};

// What the engine publishes after each commit. Immutable once published.
struct Snapshot {
  // GET /api/book/ bodies, pre-serialized, keyed by (currency, type) with currency 0 = all
  // and type 2 = all. A missing key means "no orders" (404 body below).
  std::map<std::pair<int, int>, std::shared_ptr<const std::string>> book;
  std::shared_ptr<const std::string> info;    // GET /api/info/ body
  std::shared_ptr<const std::string> limits;  // GET /api/limits/ body
  int public_orders = 0;
  uint64_t version = 0;
  // The nostr pubkeys (hex) of the makers and takers of live orders (not in a terminal status):
  // whom /relay/ accepts NIP-59 gift wraps (kind 1059) for. Never null once published.
  std::shared_ptr<const std::set<std::string>> live_robot_nostr_keys;
};

struct NodeFacts {
  std::string alias;
  std::string pubkey;
  std::string network;       // "mainnet", "testnet", "regtest", …
  std::string lnd_version;   // shown in /api/info
  uint32_t block_height = 0; // at start; the engine asks the node later
};

struct CoordinatorFacts {
  std::string alias = "coordinatord";
  std::string notice_message;
  std::string notice_severity = "none";
  std::string version = "0.8.6";  // RoboSats API version we speak
  std::string commit_hash;
  std::string market_price_apis;  // the price providers, as /api/info/ names them
};

// /api/info/'s market statistics (RoboSats api/views.py InfoView), from the ticks and robots.
struct MarketStats {
  int64_t active_robots_today = 0;       // robots active since 00:00 UTC today
  double last_day_nonkyc_btc_premium = 0; // volume-weighted median premium, last 24 h (else all time)
  double last_day_volume = 0;             // BTC contracted in the last 24 h (fiat currencies)
  double lifetime_volume = 0;             // BTC contracted ever
};
// RoboSats api/utils.py weighted_median: numpy-style interpolated weighted median. Empty → 0.
double WeightedMedian(std::vector<std::pair<double, double>> value_weight);
// Computes the statistics as of `now`.
MarketStats ComputeMarketStats(Store& store, int64_t now);

using Reply = std::function<void(base::Result<nlohmann::json>)>;

class Engine {
 public:
  class Tx;
  struct Deps {
    Store* store = nullptr;
    escrow::HoldDesk* holds = nullptr;
    escrow::PayoutDesk* payouts = nullptr;
    const base::Clock* clock = nullptr;
    const RateSource* rates = nullptr;
    // The node's block height (for HTLC expiry margins). Called on the engine thread; must be
    // cheap (cached by the caller).
    std::function<uint32_t()> block_height;
    // Whether the Lightning node answers now (cached by the caller, e.g. escrow::NodeMonitor;
    // called on the engine thread). Empty: always. While it does not, deadlines are paused and
    // the stretch is an outage (engine_outage.cpp).
    std::function<bool()> node_reachable;
    OutageParams outage;
    TradeParams params;
    NodeFacts node;
    CoordinatorFacts facts;
    std::function<std::string(int)> currency_code;  // id → "USD"; "" if unknown
    // Test-only crash point, e.g. "commit:settle" (SIGKILL right after the transaction that
    // decided a settle committed, before the node is called) or "node:pay" (after the node
    // answered, before the answer is recorded). Kinds: add_hold, settle, cancel, pay.
    // The dev tax's payment (kind pay_dev_tax) has every step: "decide:" (inside the transaction
    // that creates it, before its commit), "commit:", "fetched:" (a Lightning address's invoice
    // arrived, not yet recorded), "recorded:" (its hash recorded, not yet sent), "sent:" (the node
    // reported on the payment sent, before the outcome is known) and "node:".
    // coordinatord reads it from COORDINATORD_CRASH_AT. Empty: never.
    std::string crash_point;
    // The coordinator's nostr key (its federation entry's nostrHexPubkey): signs review tokens.
    // nullptr: reviews are refused.
    const escrow::crypto::Signer* nostr_key = nullptr;
    // The dev tax: accrued on every proceeds ledger row, streamed by keysend (engine_devtax.cpp).
    DevTaxParams dev_tax;
    // Fetches the invoices of payments to dev_tax.lightning_address (off the engine thread). Must
    // outlive the engine's use of it: coordinatord stops it after the engine. nullptr: such
    // payments fail (and are retried with backoff), as an unreachable payee does.
    DevTaxInvoiceSource* dev_tax_invoices = nullptr;
    // Kind-38383 order events (nostr/order_event.h), signed with nostr_key and stored in the
    // transition that changed the order's status, for every order that is or was public (none
    // without a nostr_key). The facts fill their d, source, y and network tags.
    nostr::OrderEventFacts nostr_facts;
    // Run on the engine thread after the commit of a transition that stored a nostr event; must
    // not block (the relay and the publisher queue it).
    std::function<void(const NostrEventRecord&)> on_nostr_event;
    // Run on the engine thread after the commit of a chat message, with the order and RoboSats'
    // message JSON {index, time, message, nick}; must not block (the chat sockets queue it).
    std::function<void(int64_t order_id, const nlohmann::json& message)> on_chat_message;
    // Run on the engine thread after the commit of a transaction that wrote orders (a status or
    // any other field), with their ids; must not block. In-process clients wait on it instead of
    // polling (bench_trades_per_sec).
    std::function<void(const std::vector<int64_t>& order_ids)> on_orders_written;
  };

  explicit Engine(Deps deps);
  ~Engine();  // Stop()s

  // Recovers (re-drives open intents, re-watches unresolved holds), then runs the thread.
  void Start();
  // Stops the thread; commands still queued are answered with kUnavailable.
  void Stop();

  // Thread-safe. `reply` runs on the engine thread once the command's transition committed
  // (or failed). Never blocks. When `max_queued` items already wait, the command is refused at
  // once with kUnavailable (the API answers 503): a flood queues nothing unbounded.
  void Submit(Auth auth, Command command, Reply reply);
  // The operator's commands (the admin API authenticated `actor`); same contract as Submit.
  void SubmitAdmin(AdminActor actor, AdminCommand command, Reply reply);
  // Items waiting for the engine thread (commands, node events, timers).
  size_t QueueDepth() const;

  // Re-checks timers against the clock now (tests with a ManualClock call this after moving
  // it; the engine also does it by itself every `tick_interval`).
  void Tick();
  // Runs a reconciliation sweep: looks every unresolved hold invoice up on the node.
  void Reconcile();
  // Blocks until every event queued before the call has been processed (tests).
  void Drain();

  std::shared_ptr<const Snapshot> snapshot() const { return std::atomic_load(&m_snapshot); }

  std::chrono::milliseconds tick_interval{1000};
  std::chrono::seconds reconcile_interval{60};
  // How long a failed node call (or an unrecorded answer) waits before its intent is re-driven.
  std::chrono::milliseconds intent_retry_interval{5000};
  size_t max_queued = 10000;

 private:
  struct CommandItem { Auth auth; Command command; Reply reply; };
  struct AdminItem { AdminActor actor; AdminCommand command; Reply reply; };
  struct HoldUpdate { int64_t hold_id; escrow::Invoice invoice; };
  struct IntentResult { int64_t intent_id; std::function<void(Tx&)> apply_tx; };
  struct TickItem {};
  struct ReconcileItem {};
  struct DrainItem { std::shared_ptr<std::promise<void>> done; };
  using Item = std::variant<CommandItem, AdminItem, HoldUpdate, IntentResult, TickItem, ReconcileItem, DrainItem>;

  void Post(Item item);
  // Runs `body` as one Store transaction (rolled back if it throws StoreFailure or sets
  // tx.abort); after the commit, runs the follow-ups: after_commit work, new intents, and a
  // snapshot if an order changed. `out` (optional) receives the committed Tx.
  bool Transact(const std::function<void(Tx&)>& body, Tx** out);
  void Run();
  void Handle(CommandItem& c);
  void Handle(AdminItem& a);
  // Replies now, or once `tx`'s deferred intent has run (make/take bond invoices, rewards).
  void ReplyAfter(Tx* done, bool committed, base::Result<nlohmann::json> result, Reply reply);
  void Handle(HoldUpdate& u);
  void Handle(IntentResult& r);
  void OnTimers();
  // The timer queue: each live order's next deadline (its status' expiry, a pending take's
  // expiry, a payout retry). Rebuilt for the orders a commit touched; OnTimers pops what is due.
  int64_t NextDeadline(const Order& o);
  void Schedule(int64_t order_id);
  // One info line per status change of an order (order id, from, to, reason), for operators.
  void NoteTransition(const Order& o);
  // Signs and stores the kind-38383 event of an order whose status changed, if it is or was
  // public (engine_nostr.cpp).
  void PublishOrderEvent(Tx& tx, const Order& o);
  void RunDueTimers(int64_t now);
  void ResolveHtlcsNearExpiry();
  // Outage-aware deadlines (engine_outage.cpp). At start: the gap since the last heartbeat (and
  // a node outage a crash left open) ends as an outage. Every tick: the heartbeat, and the node's
  // reachability (an outage opens when it goes away, ends when it is back).
  void NoteDowntimeAtStart();
  void WatchLiveness();
  // Closes `outage` at `end` and extends every live deadline it concerns, in one transaction.
  void EndOutage(Outage outage, int64_t end);
  void ExtendForOutage(Tx& tx, Order& o, const Outage& outage, int64_t stretch, Outage& counts);
  // The latest time the order's deadline may have for every HTLC it holds to be resolved before
  // its expiry height − margin (INT64_MAX: none held).
  int64_t HtlcSafeUntil(Tx& tx, const Order& o);
  // The status' deadline passed after an extension cut short at the HTLC margin: the trade ends
  // without penalising anyone (bonds and escrow back; in the fiat exchange, a dispute in custody).
  bool ExpireWithoutFault(Tx& tx, Order& o);
  void WarnOverduePayouts();  // payouts_in_flight.h: a warn line once per overdue attempt
  void Recover();
  void Publish();

  // Commands (engine_orders.cpp).
  base::Result<nlohmann::json> Dispatch(Tx& tx, Robot* robot, Command& command);
  base::Result<nlohmann::json> DoMake(Tx& tx, Robot& robot, const MakeCmd& c);
  base::Result<nlohmann::json> DoTake(Tx& tx, Robot& robot, const TakeCmd& c);
  void AnswerWhenBondExists(Tx& tx, const Robot& robot, int64_t order_id);
  base::Result<nlohmann::json> DoPause(Tx& tx, Robot& robot, const PauseCmd& c);
  base::Result<nlohmann::json> DoCancel(Tx& tx, Robot& robot, const CancelCmd& c);
  base::Result<nlohmann::json> DoUpdateInvoice(Tx& tx, Robot& robot, const UpdateInvoiceCmd& c);
  base::Result<nlohmann::json> DoConfirm(Tx& tx, Robot& robot, const ConfirmCmd& c);
  base::Result<nlohmann::json> DoUndoConfirm(Tx& tx, Robot& robot, const UndoConfirmCmd& c);
  base::Result<nlohmann::json> DoDispute(Tx& tx, Robot& robot, const DisputeCmd& c);
  base::Result<nlohmann::json> DoRate(Tx& tx, Robot& robot, const RatePlatformCmd& c);
  // Disputes, chat, rewards, reviews, notifications (engine_disputes.cpp): the dispatcher's
  // side; the rules live in disputes/, chat/, rewards/, notifications/.
  base::Result<nlohmann::json> DoStatement(Tx& tx, Robot& robot, const StatementCmd& c);
  base::Result<nlohmann::json> DoChatGet(Tx& tx, Robot& robot, const ChatGetCmd& c);
  base::Result<nlohmann::json> DoChatPost(Tx& tx, Robot& robot, const ChatPostCmd& c);
  base::Result<nlohmann::json> DoReward(Tx& tx, Robot& robot, const RewardCmd& c);
  base::Result<nlohmann::json> DoReview(Tx& tx, Robot& robot, const ReviewCmd& c);
  base::Result<nlohmann::json> DoNotifications(Tx& tx, Robot& robot, const NotificationsCmd& c);
  base::Result<nlohmann::json> DispatchAdmin(Tx& tx, const AdminActor& actor, AdminCommand& command);
  void OnRewardResult(Tx& tx, int64_t intent_id, const escrow::LnResult<escrow::PayOutcome>& r);
  void PurgeChats();
  InvoiceRules InvoiceRulesNow() const;
  // The engine as the rules modules see it, bound to one transaction (engine_ops.cpp).
  class Ops;

  // Money (engine_money.cpp).
  HoldInvoice NewHold(Tx& tx, const Order& o, int64_t robot_id, HoldRole role, int64_t amount_sat,
                      int64_t take_id, int64_t open_seconds);
  void Resolve(Tx& tx, HoldInvoice& h, bool settle);  // queues a settle or cancel intent
  void QueueIntent(Tx& tx, IntentKind kind, int64_t order_id, int64_t target_id);
  void Execute(const Intent& intent, bool redrive);
  void CrashPoint(const char* stage, IntentKind kind) const;
  void OnHoldAccepted(Tx& tx, HoldInvoice& h, Order& o);
  void OnHoldSettled(Tx& tx, HoldInvoice& h, Order& o);
  void FinishOrder(Tx& tx, Order& o, OrderStatus terminal);
  // Ends a pending take as `end`: its bond goes back, its robot may take again (after the
  // penalty if `penalise`). Returns the robot as written.
  Robot EndTake(Tx& tx, Take& t, TakeState end, bool penalise);
  // Frees the order's maker and taker for new orders.
  void ReleaseRobots(Tx& tx, const Order& o);
  void AddLedger(Tx& tx, const Order& o, int64_t robot_id, LedgerKind kind, int64_t amount_sat, std::string memo);
  void AddLedger(Tx& tx, int64_t order_id, int64_t robot_id, LedgerKind kind, int64_t amount_sat, std::string memo);
  // The robots' sides of an order: is `robot_id` the buyer?
  bool IsBuyer(const Order& o, int64_t robot_id) const;
  // Starts a payout attempt (status 13), or — the invoice expired — fails it (status 15).
  void StartPayout(Tx& tx, Order& o, Payout& p);
  void FailPayoutAttempt(Tx& tx, Order& o, Payout& p, std::string reason);
  void OnPayoutResult(Tx& tx, int64_t intent_id, const escrow::LnResult<escrow::PayOutcome>& r);
  void Forfeit(Tx& tx, Order& o, HoldInvoice& bond, int64_t wronged_robot_id);
  void OnHoldLost(Tx& tx, const HoldInvoice& h, Order& o);

  // Dev tax (engine_devtax.cpp). Accrues the share of a kProceeds row, in its transaction.
  void AccrueDevTax(Tx& tx, const LedgerEntry& proceeds);
  // Starts a payment of what is payable when due (threshold, interval, backoff after a failure).
  void MaybePayDevTax();
  void ExecuteDevTax(const Intent& intent);
  // The invoice of a payment to a Lightning address arrived (or not): checked and recorded with
  // its payment hash before anything is paid, then the intent pays it.
  void OnDevTaxInvoice(Tx& tx, int64_t intent_id, const base::Expected<std::string, std::string>& invoice);
  void OnDevTaxResult(Tx& tx, int64_t intent_id, const escrow::LnResult<escrow::PayOutcome>& r);
  void Expire(Tx& tx, Order& o);

  // Views (order_view.cpp).
  // What RoboSats answers to GET /api/order/ and after every order action: the gates (1043 for a
  // cancelled order, 1044 for an outsider of a non-public one), then the view.
  base::Result<nlohmann::json> AnswerOrder(Tx& tx, const Order& o, const Robot& viewer);
  nlohmann::json OrderView(Tx& tx, const Order& o, const Robot& viewer);
  // The answer to a cancel that ended the order (RoboSats' shape, not the order view).
  static nlohmann::json CancelledAnswer(const Order& o);
  void AddTradeSummary(const Order& o, bool viewer_is_buyer, const std::optional<Payout>& po,
                       const std::optional<HoldInvoice>& maker_bond, const std::optional<HoldInvoice>& taker_bond,
                       const std::optional<HoldInvoice>& escrow, nlohmann::json& j);
  nlohmann::json RobotView(Tx& tx, const Robot& r);

  Deps m_d;
  mutable std::mutex m_mu;
  std::condition_variable m_cv;
  std::deque<Item> m_queue;
  bool m_stopping = false;
  std::thread m_thread;
  std::shared_ptr<const Snapshot> m_snapshot;
  uint64_t m_snapshot_version = 0;
  // Engine-thread state.
  std::set<int64_t> m_running_intents;            // being carried out by escrow/ now
  std::map<int64_t, int64_t> m_intent_retry_at;   // intent id → steady ms of next re-drive
  std::map<int64_t, std::vector<std::function<void()>>> m_waiting;  // intent id → deferred replies
  std::unique_ptr<Tx> m_last_tx;
  std::chrono::steady_clock::time_point m_last_reconcile{};
  std::multimap<int64_t, int64_t> m_timers;        // deadline (Unix s) → order id
  std::map<int64_t, int64_t> m_timer_of;           // order id → its deadline in m_timers
  uint32_t m_last_height_checked = 0;
  int64_t m_last_chat_purge = 0;  // clock seconds
  std::map<int64_t, OrderStatus> m_logged_status;  // live orders' last logged status
  std::set<int64_t> m_overdue_payouts_logged;      // Pay intents logged past their budget
  MarketStats m_stats;
  int64_t m_stats_at = -1;  // clock seconds of m_stats; -1: never computed
  bool m_stats_dirty = true;
  // Robot id → nostr pubkey of the robots in live orders (Publish's gift-wrap recipients; the
  // key only changes from "" in DoReview, which drops the entry).
  std::map<int64_t, std::string> m_live_robot_keys;
  int64_t m_dev_tax_next_check = 0;  // clock seconds; 0: at the next tick
  int64_t m_last_beat = 0;             // clock seconds of the last heartbeat written
  std::optional<Outage> m_node_outage;  // the node is unreachable since started_at
};

}  // namespace coordinator
