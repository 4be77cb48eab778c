// escrow::LightningNode: everything the coordinator asks of a Lightning node. Two backends:
// escrow/lnd (LND's REST API, production) and escrow/simln (a simulated network, in-process
// or behind the simln daemon's LND-compatible REST API).
//
// Types mirror LND's lnrpc/invoicesrpc/routerrpc messages, restricted to the fields we use,
// with amounts in millisatoshis unless the name says otherwise.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/base/encoding.h"
#include "config/base/expected.h"
#include "escrow/crypto/sha256.h"

namespace escrow {

using crypto::Hash32;

// Typed errors. Every backend maps its failures onto these.
enum class LnErrorCode {
  kUnreachable,      // connection refused, DNS, TLS handshake never completed, node offline
  kTlsMismatch,      // the server's certificate is not the pinned one
  kUnauthorized,     // macaroon refused (LND: "verification failed: signature mismatch ...")
  kTimeout,          // the request or stream exceeded its deadline
  kNotFound,         // no invoice/payment with that hash
  kAlreadyExists,    // an invoice with that payment hash exists
  kAlreadySettled,   // cancel/settle of a settled invoice
  kAlreadyCanceled,  // settle of a canceled invoice
  kNotAccepted,      // settle of an invoice that has no accepted HTLCs (still OPEN)
  kInvalidArgument,  // the node rejected the request as malformed
  kNoRoute,          // synchronous route failure (streams report FailureReason instead)
  kInsufficientBalance,
  kAlreadyPaying,    // a payment for that hash is in flight or succeeded (LND: "already paid")
  kProtocol,         // the node answered something we cannot parse
  kInternal,         // the node reported an internal error
};

struct LnError {
  LnErrorCode code = LnErrorCode::kInternal;
  std::string message;  // never contains a macaroon or a preimage
};

const char* LnErrorCodeName(LnErrorCode code);

template <class T>
using LnResult = base::Expected<T, LnError>;
using LnStatus = base::Expected<void, LnError>;

// LND REST: lnrpc.Invoice.InvoiceState: OPEN = 0, SETTLED = 1, CANCELED = 2, ACCEPTED = 3.
enum class InvoiceState { kOpen = 0, kSettled = 1, kCanceled = 2, kAccepted = 3 };
const char* InvoiceStateName(InvoiceState s);  // "OPEN", …
std::optional<InvoiceState> InvoiceStateFromName(std::string_view name);

// LND REST: lnrpc.InvoiceHTLCState: ACCEPTED = 0, SETTLED = 1, CANCELED = 2.
enum class HtlcState { kAccepted = 0, kSettled = 1, kCanceled = 2 };
const char* HtlcStateName(HtlcState s);
std::optional<HtlcState> HtlcStateFromName(std::string_view name);

// LND REST: lnrpc.Payment.PaymentStatus: UNKNOWN = 0 (deprecated), IN_FLIGHT = 1,
// SUCCEEDED = 2, FAILED = 3, INITIATED = 4.
enum class PaymentStatus { kUnknown = 0, kInFlight = 1, kSucceeded = 2, kFailed = 3, kInitiated = 4 };
const char* PaymentStatusName(PaymentStatus s);
std::optional<PaymentStatus> PaymentStatusFromName(std::string_view name);

// LND REST: lnrpc.PaymentFailureReason.
enum class FailureReason {
  kNone = 0,                    // FAILURE_REASON_NONE
  kTimeout = 1,                 // FAILURE_REASON_TIMEOUT
  kNoRoute = 2,                 // FAILURE_REASON_NO_ROUTE
  kError = 3,                   // FAILURE_REASON_ERROR
  kIncorrectPaymentDetails = 4, // FAILURE_REASON_INCORRECT_PAYMENT_DETAILS
  kInsufficientBalance = 5,     // FAILURE_REASON_INSUFFICIENT_BALANCE
  kCanceled = 6,                // FAILURE_REASON_CANCELED
};
const char* FailureReasonName(FailureReason r);
std::optional<FailureReason> FailureReasonFromName(std::string_view name);

// Custom TLV records (keysend puts the preimage under 5482373484).
using CustomRecords = std::map<uint64_t, base::Bytes>;
constexpr uint64_t kKeysendPreimageRecord = 5482373484ULL;

struct NodeInfo {
  std::string identity_pubkey;  // hex, 33 bytes compressed
  std::string alias;
  uint32_t block_height = 0;
  std::string block_hash;       // hex
  bool synced_to_chain = false;
  uint32_t num_active_channels = 0;
  std::string version;
  std::string network;          // "mainnet", "testnet", "regtest", "signet", "simnet"
};

struct HoldInvoiceRequest {
  Hash32 payment_hash{};
  int64_t value_msat = 0;
  std::string memo;
  std::optional<Hash32> description_hash;  // when set, replaces memo in the payreq
  int64_t expiry_seconds = 3600;           // OPEN invoices expire after this
  uint64_t cltv_expiry = 0;                // min_final_cltv_expiry of the payreq
  bool private_route_hints = false;
};

// A regular invoice (the node picks the preimage unless one is given). Used by wallets.
struct InvoiceRequest {
  std::optional<Hash32> preimage;
  int64_t value_msat = 0;
  std::string memo;
  std::optional<Hash32> description_hash;  // when set, replaces memo in the payreq (LNURL-pay)
  int64_t expiry_seconds = 3600;
  uint64_t cltv_expiry = 0;   // 0: the node's default (LND: 80 since 0.17; simln: 40)
};

struct AddInvoiceResult {
  Hash32 payment_hash{};
  std::string payment_request;
  uint64_t add_index = 0;
  Hash32 payment_addr{};
};

struct InvoiceHtlc {
  uint64_t chan_id = 0;
  uint64_t htlc_index = 0;
  int64_t amt_msat = 0;
  int32_t accept_height = 0;
  int64_t accept_time = 0;   // Unix seconds
  int64_t resolve_time = 0;  // Unix seconds, 0 while unresolved
  int32_t expiry_height = 0;
  HtlcState state = HtlcState::kAccepted;
  CustomRecords custom_records;
};

struct Invoice {
  std::string memo;
  std::optional<Hash32> r_preimage;  // empty for an unsettled hold invoice
  Hash32 r_hash{};
  int64_t value_msat = 0;
  int64_t creation_date = 0;  // Unix seconds
  int64_t settle_date = 0;
  std::string payment_request;
  std::optional<Hash32> description_hash;
  int64_t expiry = 0;         // seconds
  uint64_t cltv_expiry = 0;
  bool is_private = false;
  uint64_t add_index = 0;
  uint64_t settle_index = 0;
  int64_t amt_paid_msat = 0;
  InvoiceState state = InvoiceState::kOpen;
  std::vector<InvoiceHtlc> htlcs;
  bool is_keysend = false;
  Hash32 payment_addr{};
};

struct PayReq {  // LND REST: lnrpc.PayReq (GET /v1/payreq/{pay_req})
  std::string destination;  // hex pubkey
  Hash32 payment_hash{};
  int64_t num_msat = 0;
  int64_t timestamp = 0;
  int64_t expiry = 0;
  std::string description;
  std::string description_hash;  // hex, empty if none
  std::string fallback_addr;
  int64_t cltv_expiry = 0;
  struct Hop {
    std::string node_id;  // hex
    uint64_t chan_id = 0;
    uint32_t fee_base_msat = 0;
    uint32_t fee_proportional_millionths = 0;
    uint32_t cltv_expiry_delta = 0;
  };
  std::vector<std::vector<Hop>> route_hints;
  Hash32 payment_addr{};
  std::vector<uint32_t> features;  // the feature bits that are set
};

struct SendPaymentRequest {
  // Either a payment request ...
  std::string payment_request;
  // ... or a keysend: destination + amount + payment_hash (= SHA256 of the preimage carried in
  // custom_records[kKeysendPreimageRecord]).
  std::optional<std::string> dest;  // hex pubkey
  int64_t amt_msat = 0;             // required for keysend and for zero-amount payreqs
  std::optional<Hash32> payment_hash;
  CustomRecords dest_custom_records;
  int64_t fee_limit_msat = 0;       // maximum routing fee
  int32_t timeout_seconds = 60;     // payment attempt budget (LND: timeout_seconds)
  // LND REST: routerrpc.SendPaymentRequest.cltv_limit — "An optional maximum total time lock
  // for the route. This should not exceed lnd's `--max-cltv-expiry` setting. If zero, then the
  // value of `--max-cltv-expiry` is enforced."
  int32_t cltv_limit = 0;
  bool allow_self_payment = false;
};

// Convenience for keysend: fills dest, amt, payment_hash and the preimage record.
SendPaymentRequest MakeKeysend(const std::string& dest_pubkey_hex, int64_t amt_msat,
                               const Hash32& preimage, CustomRecords extra_records = {});

struct Payment {  // LND REST: lnrpc.Payment
  Hash32 payment_hash{};
  int64_t value_msat = 0;
  int64_t fee_msat = 0;
  std::optional<Hash32> payment_preimage;  // set once SUCCEEDED
  std::string payment_request;
  PaymentStatus status = PaymentStatus::kUnknown;
  FailureReason failure_reason = FailureReason::kNone;
  int64_t creation_time_ns = 0;
  uint64_t payment_index = 0;
};

// LND REST: routerrpc.RouteFeeRequest (POST /v2/router/route/estimatefee), the probing form of
// LND 0.18: "payment_request: A payment request of the target node that the route fee request
// is intended for. Its parameters are input to probe payments that estimate routing fees. The
// timeout parameter is also used to set a timeout for the probe payment." LND sends a probe
// HTLC with a random hash; the destination failing it with incorrect_or_unknown_payment_details
// proves the route. No money moves.
struct RouteFeeRequest {
  std::string payment_request;
  uint32_t timeout_seconds = 60;  // LND: timeout (uint32, seconds); 0 → LND's default (60)
};

// LND REST: routerrpc.RouteFeeResponse {routing_fee_msat (int64), time_lock_delay (int64),
// failure_reason (lnrpc.PaymentFailureReason)}. A probe that failed is an answer, not an error:
// failure_reason says why (NO_ROUTE, INSUFFICIENT_BALANCE, TIMEOUT, …) and the other fields are
// zero. time_lock_delay: "An estimate of the worst case time delay that can occur", i.e. the
// route's total time lock above the current block height, the final CLTV delta included.
struct RouteFeeEstimate {
  int64_t routing_fee_msat = 0;
  int64_t time_lock_delay = 0;
  FailureReason failure_reason = FailureReason::kNone;
};

struct ChannelBalance {  // LND REST: lnrpc.ChannelBalanceResponse (local/remote, in msat)
  int64_t local_msat = 0;
  int64_t remote_msat = 0;
  int64_t pending_open_local_msat = 0;
  int64_t unsettled_local_msat = 0;   // locked in outgoing HTLCs
  int64_t unsettled_remote_msat = 0;  // locked in incoming HTLCs
};

// A live stream. Destroying it (or calling Cancel) stops delivery: once Cancel/the destructor
// returns, the callback is never called again. Thread-safe. Called from inside one of its
// callbacks, Cancel returns at once and that callback is the last one. A backend drops its
// copy of the handlers once the stream has ended or been cancelled (after a running callback
// returns), whether or not the Subscription object still exists.
class Subscription {
 public:
  virtual ~Subscription() = default;
  virtual void Cancel() = 0;
};

// Stream callbacks run on a thread owned by the backend, never on the caller's thread inside
// the subscribing call. Updates arrive in order. The stream ends after a terminal update
// (invoice SETTLED/CANCELED, payment SUCCEEDED/FAILED) or after an error, which is delivered
// as the last call; `done` is called exactly once when the stream has ended for any reason
// other than Cancel.
template <class T>
struct StreamHandlers {
  std::function<void(const T&)> on_update;
  std::function<void(const LnError&)> on_error;  // may be empty
  std::function<void()> on_done;                  // may be empty
};

class LightningNode {
 public:
  virtual ~LightningNode() = default;

  virtual LnResult<NodeInfo> GetInfo() = 0;

  // LND REST: POST /v2/invoices/hodl. kAlreadyExists if the hash is known.
  virtual LnResult<AddInvoiceResult> AddHoldInvoice(const HoldInvoiceRequest& req) = 0;
  // LND REST: POST /v1/invoices.
  virtual LnResult<AddInvoiceResult> AddInvoice(const InvoiceRequest& req) = 0;

  // LND REST: POST /v2/invoices/settle. Settling a settled invoice with the same preimage
  // succeeds (idempotent). kNotFound, kAlreadyCanceled, kNotAccepted otherwise.
  virtual LnStatus SettleInvoice(const Hash32& preimage) = 0;
  // LND REST: POST /v2/invoices/cancel. Canceling a canceled invoice succeeds (idempotent);
  // kAlreadySettled if settled; kNotFound if unknown.
  virtual LnStatus CancelInvoice(const Hash32& payment_hash) = 0;
  // LND REST: GET /v2/invoices/lookup?payment_hash=… (base64url). kNotFound if unknown.
  virtual LnResult<Invoice> LookupInvoice(const Hash32& payment_hash) = 0;
  // LND REST: GET /v2/invoices/subscribe/{r_hash}. The current state arrives first.
  virtual std::unique_ptr<Subscription> SubscribeInvoice(const Hash32& payment_hash,
                                                         StreamHandlers<Invoice> handlers) = 0;

  // LND REST: GET /v1/payreq/{pay_req}.
  virtual LnResult<PayReq> DecodePayReq(const std::string& payment_request) = 0;

  // LND REST: POST /v2/router/send. Streams IN_FLIGHT… then SUCCEEDED or FAILED.
  virtual std::unique_ptr<Subscription> SendPayment(const SendPaymentRequest& req,
                                                    StreamHandlers<Payment> handlers) = 0;
  // LND REST: GET /v2/router/track/{payment_hash}. kNotFound (as on_error) if never sent.
  virtual std::unique_ptr<Subscription> TrackPayment(const Hash32& payment_hash,
                                                     StreamHandlers<Payment> handlers) = 0;

  // LND REST: GET /v1/balance/channels.
  virtual LnResult<ChannelBalance> GetChannelBalance() = 0;

  // LND REST: POST /v2/router/route/estimatefee with a payment request (LND ≥ 0.18.4 probes
  // it). Errors: kInvalidArgument (a payment request that does not decode, is expired or for
  // another network), kUnreachable/kTimeout. A failed probe is a value (failure_reason set).
  virtual LnResult<RouteFeeEstimate> EstimateRouteFee(const RouteFeeRequest& req) = 0;
};

}  // namespace escrow
