// The commands the API layer hands to the engine, already parsed into typed fields (shape
// checked: types, lengths, decimal formats). The engine checks everything that depends on
// state, prices or the rules. Amount fields stay decimal strings as RoboSats sends them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "coordinator/model.h"

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
};
struct ConfirmCmd { int64_t order_id = 0; };
struct UndoConfirmCmd { int64_t order_id = 0; };
struct DisputeCmd { int64_t order_id = 0; };
struct RatePlatformCmd { int64_t order_id = 0; int rating = 0; };
// (Anonymous market reads — /api/ticks/, /api/historical/ — never reach the engine: see
// market_history.h.)
using Command = std::variant<GetRobotCmd, SetStealthCmd, MakeCmd, GetOrderCmd, TakeCmd, PauseCmd, CancelCmd,
                             UpdateInvoiceCmd, ConfirmCmd, UndoConfirmCmd, DisputeCmd, RatePlatformCmd>;

}  // namespace coordinator
