// The commands the API layer hands to the engine, already parsed into typed fields (shape
// checked: types, lengths, decimal formats). The engine checks everything that depends on
// state, prices or the rules. Amount fields stay decimal strings as RoboSats sends them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "coordinator/model.h"
#include "coordinator/route_probe.h"

namespace coordinator {

// Who is asking. The API layer has parsed the Authorization header and, when keys came
// along, validated them (librnp) and derived hash_id and nickname.
struct Auth {
  // The robot's hash_id, derived by the API layer from the token's SHA256 (which is a bearer
  // credential and goes no further); empty: anonymous.
  std::string hash_id;
  struct NewRobot {
    std::string nickname;
    std::string public_key;
    std::string encrypted_private_key;
    std::string nostr_pubkey;
  };
  std::optional<NewRobot> keys;
};

struct GetRobotCmd {};
struct SetStealthCmd { bool wants_stealth = true; };
struct MakeCmd {
  OrderType type = OrderType::kBuy;
  int currency = 0;
  bool has_range = false;
  std::string amount, min_amount, max_amount;
  std::string payment_method = "not specified";
  bool is_explicit = false;
  std::string premium;            // decimal, may be empty (0)
  std::optional<int64_t> satoshis;
  std::optional<int64_t> public_duration;
  std::optional<int64_t> escrow_duration;
  std::string bond_size;          // decimal, may be empty (default)
  std::optional<std::string> latitude, longitude;
  std::optional<std::string> password;
  std::string description;
};
struct GetOrderCmd { int64_t order_id = 0; };
struct TakeCmd { int64_t order_id = 0; std::string amount; std::optional<std::string> password; };
struct PauseCmd { int64_t order_id = 0; };
struct CancelCmd { int64_t order_id = 0; std::optional<int> cancel_status; };
// RoboSats API: `invoice` is a BOLT 11 invoice as a PGP cleartext-signed message (SHA512)
// made with the robot's key; the engine verifies it against the robot's stored public key.
struct UpdateInvoiceCmd {
  int64_t order_id = 0;
  std::string signed_invoice;
  int64_t routing_budget_ppm = 0;
  // The payout preflight's probe of the invoice (api/payout_preflight.h), when one ran.
  std::optional<RouteProbe> probe{};
};
struct ConfirmCmd { int64_t order_id = 0; };
struct UndoConfirmCmd { int64_t order_id = 0; };
struct DisputeCmd { int64_t order_id = 0; };
// RoboSats API: action "submit_statement" (100–50 000 characters).
struct StatementCmd { int64_t order_id = 0; std::string statement; };
// RoboSats API: GET /api/chat/?order_id=&offset= and POST /api/chat/ {PGP_message, order_id,
// offset}. `live_peer`: the transport knows the peer holds a chat socket open.
struct ChatGetCmd { int64_t order_id = 0; int64_t offset = 0; bool live_peer = false; };
struct ChatPostCmd {
  int64_t order_id = 0;
  std::string message;            // the client's PGP ciphertext, stored as is
  std::optional<int64_t> offset;  // when set, the answer lists the messages after it
  bool live_peer = false;
};
// RoboSats API: POST /api/reward/ {invoice (PGP-signed), routing_budget_ppm (optional)}.
struct RewardCmd {
  std::string signed_invoice;
  std::optional<int64_t> routing_budget_ppm;
  std::optional<RouteProbe> probe{};  // as UpdateInvoiceCmd's
};
// RoboSats API: POST /api/review/ {pubkey}: a coordinator-signed token for a nostr rating.
struct ReviewCmd { std::string pubkey; };
// RoboSats API: GET /api/notifications/?created_at= (Unix seconds here; 0: all).
struct NotificationsCmd { int64_t since = 0; };
struct RatePlatformCmd { int64_t order_id = 0; int rating = 0; };
// (Anonymous market reads — /api/ticks/, /api/historical/ — never reach the engine: see
// market_history.h.)
using Command = std::variant<GetRobotCmd, SetStealthCmd, MakeCmd, GetOrderCmd, TakeCmd, PauseCmd, CancelCmd,
                             UpdateInvoiceCmd, ConfirmCmd, UndoConfirmCmd, DisputeCmd, RatePlatformCmd, StatementCmd,
                             ChatGetCmd, ChatPostCmd, RewardCmd, ReviewCmd, NotificationsCmd>;

// ---- The operator's commands (the admin API). ----

// Solvers read disputes; resolvers also resolve them (Mostro's solver roles).
enum class AdminRole : int { kSolver = 0, kResolver = 1 };
struct AdminActor {
  std::string name;  // the admin token's name, for the logs and the dispute record
  AdminRole role = AdminRole::kSolver;
};
struct AdminDisputesCmd { bool include_resolved = false; };
struct AdminDisputeCmd { int64_t order_id = 0; };
struct AdminResolveCmd { int64_t order_id = 0; DisputeOutcome outcome = DisputeOutcome::kOpen; std::string note; };
struct AdminOrdersCmd { std::optional<OrderStatus> status; size_t limit = 100; };
// The accounting of one UTC day [day_start, day_start + 86400).
struct AdminAccountingCmd { int64_t day_start = 0; };
// Payouts in flight (payouts_in_flight.h), oldest first; `overdue_only`: those past the budget.
struct AdminPayoutsInFlightCmd { bool overdue_only = false; };
using AdminCommand = std::variant<AdminDisputesCmd, AdminDisputeCmd, AdminResolveCmd, AdminOrdersCmd,
                                  AdminAccountingCmd, AdminPayoutsInFlightCmd>;

}  // namespace coordinator
