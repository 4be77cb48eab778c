// The developers' side of the dev tax (`devfund`): given a coordinator's federation entry, its
// signed statements (GET /api/devfund/) and — optionally — what the dev fund's node received,
// says whether the coordinator's claims hold.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace federation {

struct CoordinatorAudit {
  std::string alias;
  std::string pubkey;           // the entry's nostrHexPubkey
  int64_t badge_percent = -1;   // badges.donatesToDevFund (-1: absent)
  int64_t signed_share_ppm = -1;  // of the latest statement (-1: none)
  int statements = 0;
  int64_t proceeds_sat = 0;
  int64_t accrued_msat = 0;
  int64_t owed_sat = 0;         // unpaid at the end of the latest statement
  int64_t paid_sat = 0;         // claimed paid (succeeded payments)
  int64_t received_sat = 0;     // found on the dev fund's node (-1: not checked)
  int64_t missing_sat = 0;      // claimed but not received
  int64_t failed_payments = 0;  // attempts that failed (the payee unreachable)
  // Late: sats of accruals older than `late_after_s` (at `now`) that no succeeded payment covers
  // yet, and succeeded payments made more than `late_after_s` after the oldest accrual they cover.
  // Reported, not a failed claim: a payee may be unreachable (see failed_payments).
  int64_t late_sat = 0;
  int64_t late_payments = 0;
  std::vector<std::string> problems;  // one line per claim that does not hold
  bool ok() const { return problems.empty(); }
};

// `received(payment_hash_hex)`: the sats the dev fund's node received for that hash (nullopt:
// never received). Empty function: the node is not checked.
using ReceivedLookup = std::function<std::optional<int64_t>(const std::string&)>;

// `entry`: one federation.json entry; `signed_statements`: the array GET /api/devfund/ answered.
// `now` (Unix s; 0: no late figures) and `late_after_s`: see CoordinatorAudit::late_sat.
CoordinatorAudit AuditCoordinator(const std::string& alias, const nlohmann::json& entry,
                                  const nlohmann::json& signed_statements, const ReceivedLookup& received,
                                  int64_t now = 0, int64_t late_after_s = 86400);

nlohmann::json AuditToJson(const CoordinatorAudit& a);
// A fixed-width table, one row per coordinator, then each problem.
std::string AuditTable(const std::vector<CoordinatorAudit>& audits);

}  // namespace federation
