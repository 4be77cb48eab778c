// The coordinator's domain: robots, orders and their 19 statuses, pre-takes, hold invoices
// (bonds and escrow), payouts and money intents. Plain data; the rules live in transitions.h,
// persistence in store/. Amounts are satoshis, times Unix seconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace coordinator {

// RoboSats API: OrderDetail.status (StatusEnum).
enum class OrderStatus : int {
  kWaitingMakerBond = 0,          // "Waiting for maker bond"
  kPublic = 1,                    // "Public"
  kPaused = 2,                    // "Paused"
  kWaitingTakerBond = 3,          // "Waiting for taker bond" (seen by a pre-taker)
  kCancelled = 4,                 // "Cancelled"
  kExpired = 5,                   // "Expired"
  kWaitingCollateralAndInvoice = 6,  // "Waiting for trade collateral and buyer invoice"
  kWaitingCollateral = 7,         // "Waiting only for seller trade collateral"
  kWaitingInvoice = 8,            // "Waiting only for buyer invoice"
  kSendingFiat = 9,               // "Sending fiat - In chatroom"
  kFiatSent = 10,                 // "Fiat sent - In chatroom"
  kInDispute = 11,                // "In dispute"
  kCollaborativelyCancelled = 12, // "Collaboratively cancelled"
  kSendingSats = 13,              // "Sending satoshis to buyer"
  kSuccess = 14,                  // "Successful trade"
  kRoutingFailed = 15,            // "Failed lightning network routing"
  kWaitingDisputeResolution = 16, // "Wait for dispute resolution"
  kMakerLostDispute = 17,         // "Maker lost dispute"
  kTakerLostDispute = 18,         // "Taker lost dispute"
};
const char* StatusMessage(OrderStatus s);  // RoboSats' status text, as above
bool IsTerminal(OrderStatus s);            // 4, 5, 12, 14, 17, 18

enum class OrderType : int { kBuy = 0, kSell = 1 };

// RoboSats API: ExpiryReasonEnum.
enum class ExpiryReason : int {
  kNotTaken = 0,
  kMakerBondNotLocked = 1,
  kEscrowNotLocked = 2,
  kInvoiceNotSubmitted = 3,
  kNeitherEscrowNorInvoice = 4,
};
const char* ExpiryMessage(ExpiryReason r);

// RoboSats' timestamps (Django REST framework's DateTimeField): "2024-01-02T03:04:05.000000Z".
std::string IsoTime(int64_t unix_seconds);

struct Robot {
  int64_t id = 0;
  // The lookup key: hex SHA256 of the hex SHA256 of the token (RoboSats' hash_id). A one-way
  // hash of the credential, so the store holds nothing that authenticates a robot.
  std::string hash_id;             // public
  std::string nickname;            // public
  std::string public_key;          // armored PGP
  std::string encrypted_private_key;
  std::string nostr_pubkey;        // hex, may be empty
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
  int64_t earned_rewards_sat = 0;  // credited from forfeited bonds of counterparties
  int64_t penalty_until = 0;       // may not take orders before this
  int64_t active_order_id = 0;     // 0: none
  bool wants_stealth = true;
};

enum class HoldRole : int { kMakerBond = 0, kTakerBond = 1, kEscrow = 2 };

// Our record of a hold invoice. kPending: the row exists (with its preimage) but the node
// has not confirmed the invoice yet (an AddHold intent is open).
enum class HoldState : int { kPending = 0, kOpen = 1, kAccepted = 2, kSettled = 3, kCanceled = 4 };

struct HoldInvoice {
  int64_t id = 0;
  int64_t order_id = 0;
  int64_t robot_id = 0;
  int64_t take_id = 0;            // taker bonds: the pre-take it belongs to
  HoldRole role = HoldRole::kMakerBond;
  int64_t amount_sat = 0;
  std::string payment_hash;       // hex
  std::string preimage;           // hex; secret until settled
  std::string payment_request;    // empty while kPending
  HoldState state = HoldState::kPending;
  int64_t created_at = 0;
  int64_t invoice_expires_at = 0; // OPEN invoice expiry (Unix seconds)
  uint32_t cltv_expiry = 0;       // blocks, requested min_final_cltv_expiry
  int32_t htlc_expiry_height = 0; // once accepted: the HTLC's expiry height (0 unknown)
  // A forfeited bond: the robot credited with the rewards share once the settle completes
  // (0: nobody, e.g. both parties failed, or the bond is taken into dispute custody).
  int64_t reward_robot_id = 0;
  bool custody = false;           // settled into dispute custody rather than forfeited
};

enum class TakeState : int { kPending = 0, kWon = 1, kLost = 2, kExpired = 3, kCancelled = 4 };

// A robot's attempt to take an order. Several may be pending at once; the first whose
// taker bond locks wins, the others are canceled and their bonds returned.
struct Take {
  int64_t id = 0;
  int64_t order_id = 0;
  int64_t robot_id = 0;
  std::string amount;             // fiat amount chosen (range orders), decimal string
  int64_t trade_satoshis = 0;     // sats at take time
  int64_t bond_id = 0;
  int64_t expires_at = 0;
  TakeState state = TakeState::kPending;
};

enum class PayoutState : int {
  kPending = 0,    // invoice accepted, not yet sent (or waiting for next retry)
  kInFlight = 1,   // a Pay intent is open
  kSucceeded = 2,
  kFailed = 3,     // attempts exhausted: a new invoice is needed (order status 15)
  kReplaced = 4,   // superseded by a newer invoice before being sent
};

struct Payout {
  int64_t id = 0;
  int64_t order_id = 0;
  int64_t robot_id = 0;
  std::string payment_request;
  std::string payment_hash;       // hex
  int64_t amount_sat = 0;         // the invoice's amount
  int64_t routing_budget_ppm = 0;
  int64_t routing_budget_sat = 0;
  PayoutState state = PayoutState::kPending;
  int attempts = 0;
  int64_t next_attempt_at = 0;
  int64_t fee_sat = 0;            // routing fee actually paid
  std::string preimage;           // hex, proof of payment once succeeded
  std::string failure_reason;     // LND's failure_reason name of the last attempt
  int64_t invoice_expires_at = 0;
  int64_t created_at = 0;
};

struct Order {
  int64_t id = 0;
  OrderStatus status = OrderStatus::kWaitingMakerBond;
  OrderType type = OrderType::kBuy;
  int currency = 0;
  bool has_range = false;
  std::string amount;             // decimal strings as submitted (normalised)
  std::string min_amount;
  std::string max_amount;
  std::string payment_method = "not specified";
  bool is_explicit = false;
  std::string premium = "0";      // decimal string, percent
  int64_t satoshis = 0;           // explicit orders
  int64_t public_duration = 86400;
  int64_t escrow_duration = 10800;
  std::string bond_size = "3";    // decimal string, percent
  std::optional<std::string> latitude;
  std::optional<std::string> longitude;
  std::string password_hash;      // hex SHA256 of the password, empty: public
  std::string description;
  int64_t maker_id = 0;
  int64_t taker_id = 0;           // set when a taker bond locks
  int64_t created_at = 0;
  int64_t expires_at = 0;         // when the current status times out
  int64_t last_satoshis = 0;      // repriced at bond creation
  int64_t trade_satoshis = 0;     // fixed when the taker bond locks
  std::string taken_amount;       // fiat amount of the contract
  double contract_price = 0;      // fiat per BTC when the contract formed
  int64_t contract_at = 0;        // when the taker bond locked (0: not yet)
  int64_t finished_at = 0;        // when the order reached a terminal status (0: not yet)
  int64_t maker_bond_id = 0;
  int64_t taker_bond_id = 0;
  int64_t escrow_id = 0;
  int64_t payout_id = 0;          // current payout (latest invoice)
  bool is_fiat_sent = false;
  bool fiat_sent_ever = false;    // the buyer marked the fiat sent at some point (even if undone)
  bool maker_asked_cancel = false;
  bool taker_asked_cancel = false;
  bool is_disputed = false;
  std::optional<ExpiryReason> expiry_reason;
  int platform_rating = 0;        // 0: not rated
  // Outage-aware deadlines (engine_outage.cpp): seconds the current and earlier deadlines were
  // moved for stretches the traders could not act in, and whether an extension was cut short at
  // a held HTLC's margin (then the deadline ends the trade without penalising anyone).
  int64_t outage_extended_s = 0;
  bool outage_capped = false;
};

enum class IntentKind : int {
  kAddHold = 0, kSettleHold = 1, kCancelHold = 2, kPay = 3, kPayReward = 4,
  kPayDevTax = 5,  // target: DevTaxPayment.id (order: none)
};
enum class IntentState : int { kOpen = 0, kDone = 1 };

// A money side effect, written in the same transaction as the state change that decided it,
// carried out by escrow/ afterwards, and marked done when the node confirms.
struct Intent {
  int64_t id = 0;
  IntentKind kind = IntentKind::kAddHold;
  int64_t order_id = 0;
  int64_t target_id = 0;          // HoldInvoice.id, Payout.id or RewardWithdrawal.id
  IntentState state = IntentState::kOpen;
  int attempts = 0;
  int64_t created_at = 0;
  int64_t done_at = 0;
};

// Money accounting, one row per movement (msat precision is not needed: sats).
enum class LedgerKind : int {
  kBondSettled = 0,      // in: a forfeited bond (or a bond taken into dispute custody)
  kEscrowSettled = 1,    // in
  kPayoutSent = 2,       // out: amount received by the buyer
  kRoutingFee = 3,       // out: fee paid to route the payout
  kRewardCredited = 4,   // out: credited to a robot (liability until withdrawn)
  kProceeds = 5,         // the coordinator's profit (fees, forfeited share, unspent budget)
  kDisputeCustody = 6,   // held for a dispute's resolution
  kCustodyReleased = 7,  // a dispute's resolution gave custody out (as rewards, proceeds, payout)
  kRewardWithdrawn = 8,  // out of the rewards liability: paid to the robot's invoice (order: none)
  kRewardRoutingFee = 9, // routing fee of a reward withdrawal (order: none)
  kDevTaxPaid = 10,      // out of proceeds: a dev-tax payment the dev fund received (order: none)
  kDevTaxRoutingFee = 11,// routing fee of a dev-tax payment, paid by the coordinator (order: none)
};

// A dispute (statuses 11, 16 and its outcome). One per order.
enum class DisputeCause : int {
  kRobot = 0,       // a participant opened it (action "dispute", 9/10)
  kExpiry = 1,      // the fiat exchange timed out (9/10)
  kEscrowLost = 2,  // the node gave back an escrow the trade relied on
};
enum class DisputeOutcome : int {
  kOpen = 0,
  kMakerWins = 1,         // status 18 "Taker lost dispute"
  kTakerWins = 2,         // status 17 "Maker lost dispute"
  kReturnEverything = 3,  // status 12
  kSuccessfulTrade = 4,   // status 13 → 14: the buyer is paid
  kMakerSilent = 5,       // automatic at expiry: the maker never wrote in the chat (17)
  kTakerSilent = 6,       // automatic at expiry: the taker never wrote in the chat (18)
};
const char* DisputeOutcomeName(DisputeOutcome o);  // "maker_wins", …, "open"
std::optional<DisputeOutcome> DisputeOutcomeFromName(std::string_view name);

struct Dispute {
  int64_t id = 0;
  int64_t order_id = 0;
  DisputeCause cause = DisputeCause::kRobot;
  int64_t opened_by = 0;          // robot id; 0: the coordinator (expiry, lost escrow)
  int64_t opened_at = 0;
  int64_t deadline_at = 0;        // by when the coordinator promises to resolve it
  std::string maker_statement;    // as submitted (may embed the chat log the client attached)
  std::string taker_statement;
  int64_t maker_statement_at = 0;
  int64_t taker_statement_at = 0;
  DisputeOutcome outcome = DisputeOutcome::kOpen;
  int64_t resolved_at = 0;
  std::string resolved_by;        // "auto", or the admin token's name
  std::string note;               // the resolver's note
};

// One chat message: the client's PGP ciphertext, never read by the coordinator.
struct ChatMessage {
  int64_t id = 0;
  int64_t order_id = 0;
  int64_t index = 0;              // 1, 2, … within the order
  int64_t robot_id = 0;           // the sender
  int64_t created_at = 0;
  std::string message;
};

// A robot's withdrawal of its whole earned rewards (POST /api/reward/).
struct RewardWithdrawal {
  int64_t id = 0;
  int64_t robot_id = 0;
  std::string payment_request;
  std::string payment_hash;       // hex; unique across payouts and withdrawals
  int64_t debited_sat = 0;        // the balance taken from earned_rewards
  int64_t amount_sat = 0;         // the invoice's amount
  int64_t routing_budget_ppm = 0;
  int64_t routing_budget_sat = 0; // debited − amount
  PayoutState state = PayoutState::kPending;
  int64_t fee_sat = 0;
  std::string preimage;
  std::string failure_reason;
  int64_t invoice_expires_at = 0;
  int64_t created_at = 0;
  int64_t finished_at = 0;
};

// RoboSats api/models/notification.py: what /api/notifications/ lists for a robot.
struct Notification {
  int64_t id = 0;
  int64_t robot_id = 0;
  int64_t order_id = 0;
  int status = 0;                 // the order's status when it was made
  std::string title;
  std::string description;
  int64_t created_at = 0;
};

// The dev tax (coordinator/dev_tax.h has the arithmetic). One accrual per proceeds ledger row,
// written in the same transaction; millisats, rounded down per row.
struct DevTaxAccrual {
  int64_t id = 0;
  int64_t ledger_id = 0;          // the kProceeds row
  int64_t order_id = 0;           // 0: none (a reward withdrawal's unspent budget)
  int64_t proceeds_sat = 0;
  int64_t share_ppm = 0;          // dev_tax.share in millionths, at the time of the event
  int64_t accrued_msat = 0;       // floor(proceeds_sat × share_ppm / 1000)
  int64_t created_at = 0;
};

// One payment (a keysend, or an invoice fetched from a Lightning address) of what had accrued
// through `last_accrual_id`. At most one is kInFlight at a
// time; a kFailed one pays nothing and its range goes into the next payment.
struct DevTaxPayment {
  int64_t id = 0;
  int64_t first_accrual_id = 0;   // the range paid: accruals first..last (ids)
  int64_t last_accrual_id = 0;
  int64_t accrued_msat_through = 0;  // Σ accrued_msat of every accrual with id <= last
  int64_t amount_sat = 0;         // floor(accrued_msat_through / 1000) − Σ earlier succeeded
  std::string payee;              // the dev fund node's pubkey (hex), or its Lightning address (user@domain)
  std::string payment_hash;       // hex; "" until a Lightning address's invoice is fetched
  std::string payment_request;    // the invoice fetched from the Lightning address (BOLT11); "" for keysend
  std::string preimage;           // hex; ours (keysend) or the payee's (invoice, once paid); public once paid
  PayoutState state = PayoutState::kInFlight;  // kInFlight, kSucceeded or kFailed
  int attempt = 1;                // 1 + the consecutive failures before it (retry backoff)
  int64_t fee_limit_sat = 0;
  int64_t fee_sat = 0;
  std::string failure_reason;
  int64_t created_at = 0;
  int64_t finished_at = 0;
};

// A nostr event the coordinator signed (coordinator/nostr), as the relay serves it and the
// publisher sends it. One row per address: an addressable event (kind, pubkey, d) replaces the
// previous one in place, as NIP-01 says relays keep only the latest.
struct NostrEventRecord {
  int64_t id = 0;
  std::string event_id;           // 64 hex
  int kind = 0;
  std::string pubkey;             // 64 hex
  std::string d_tag;              // "" for a kind without one
  int64_t order_id = 0;           // the order it describes; 0: none (the info event)
  int64_t created_at = 0;
  std::string json;               // the signed event, wire form
};

// A stretch the traders could not act in: the coordinator was down (a gap between its
// heartbeats, found at start) or its Lightning node was unreachable. Live deadlines that fall
// inside or after it are extended by it when it ends (engine_outage.cpp).
enum class OutageReason : int { kCoordinatorDown = 0, kNodeUnreachable = 1 };
struct Outage {
  int64_t id = 0;
  OutageReason reason = OutageReason::kCoordinatorDown;
  int64_t started_at = 0;
  int64_t ended_at = 0;            // 0: still going on (the node is unreachable now)
  int64_t deadlines_extended = 0;  // deadlines moved when it ended
  int64_t deadlines_capped = 0;    // of those, cut short at a held HTLC's margin
};

// The coordinator's liveness: one row (id 1), the last time the engine beat.
struct Heartbeat {
  int64_t id = 1;
  int64_t beat_at = 0;
};

struct LedgerEntry {
  int64_t id = 0;
  int64_t order_id = 0;
  int64_t robot_id = 0;
  LedgerKind kind = LedgerKind::kProceeds;
  int64_t amount_sat = 0;
  int64_t created_at = 0;
  std::string memo;
};

}  // namespace coordinator

namespace coordinator {

// RoboSats API: Tick — one per contract (when the taker bond locks).
struct MarketTick {
  int64_t id = 0;
  int64_t timestamp = 0;
  int currency = 0;
  std::string volume;   // BTC, decimal string (8 decimals)
  std::string price;    // fiat per BTC, 2 decimals
  std::string premium;  // percent, 2 decimals
  std::string fee;      // total fee fraction of the trade, decimal string
};

}  // namespace coordinator
