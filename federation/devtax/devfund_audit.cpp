#include "federation/devtax/devfund_audit.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>

#include "federation/devtax/statement.h"

namespace federation {

using nlohmann::json;

CoordinatorAudit AuditCoordinator(const std::string& alias, const json& entry, const json& signed_statements,
                                  const ReceivedLookup& received, int64_t now, int64_t late_after_s) {
  CoordinatorAudit a;
  a.alias = alias;
  a.pubkey = entry.value("nostrHexPubkey", std::string());
  if (entry.contains("badges") && entry["badges"].is_object() && entry["badges"].contains("donatesToDevFund") &&
      entry["badges"]["donatesToDevFund"].is_number()) {
    a.badge_percent = entry["badges"]["donatesToDevFund"].get<int64_t>();
  }
  if (a.pubkey.empty()) a.problems.push_back("the federation entry has no nostrHexPubkey");
  if (!signed_statements.is_array()) {
    a.problems.push_back("the statements are not a JSON array");
    return a;
  }
  a.received_sat = received ? 0 : -1;
  std::map<int64_t, std::pair<int64_t, int64_t>> accruals;  // id → (created_at, accrued_msat)
  std::vector<std::array<int64_t, 3>> succeeded;            // (first, last accrual id, finished_at)
  for (const auto& s : signed_statements) {
    ++a.statements;
    const json& st = s.contains("statement") ? s["statement"] : json::object();
    const std::string period = std::to_string(st.value("period_start", int64_t{0}));
    for (const auto& p : VerifyDevTaxStatement(s, a.pubkey)) a.problems.push_back("period " + period + ": " + p);
    a.signed_share_ppm = st.value("share_ppm", int64_t{-1});
    a.proceeds_sat += st.value("proceeds_sat", int64_t{0});
    a.accrued_msat += st.value("accrued_msat", int64_t{0});
    a.owed_sat = st.value("owed_sat", int64_t{0});
    a.failed_payments += st.value("failed_payments", int64_t{0});
    for (const auto& ac : st.value("accruals", json::array())) {
      accruals[ac.value("id", int64_t{0})] = {ac.value("created_at", int64_t{0}), ac.value("accrued_msat", int64_t{0})};
    }
    for (const auto& p : st.value("payments", json::array())) {
      if (p.value("state", std::string()) != "succeeded") continue;
      succeeded.push_back({p.value("first_accrual_id", int64_t{0}), p.value("last_accrual_id", int64_t{0}),
                           p.value("finished_at", int64_t{0})});
      const int64_t amount = p.value("amount_sat", int64_t{0});
      a.paid_sat += amount;
      if (!received) continue;
      const std::string hash = p.value("payment_hash", std::string());
      auto got = received(hash);
      if (!got) {
        a.missing_sat += amount;
        a.problems.push_back("period " + period + ": payment " + std::to_string(p.value("id", int64_t{0})) + " of " +
                             std::to_string(amount) + " sat (hash " + hash.substr(0, 16) +
                             "…) never reached the dev fund");
        continue;
      }
      a.received_sat += std::min(*got, amount);
      if (*got < amount) {
        a.missing_sat += amount - *got;
        a.problems.push_back("period " + period + ": payment " + std::to_string(p.value("id", int64_t{0})) +
                             " claims " + std::to_string(amount) + " sat, " + std::to_string(*got) + " arrived");
      }
    }
  }
  if (now > 0) {
    int64_t paid_through = 0;
    for (const auto& [first, last, finished_at] : succeeded) {
      paid_through = std::max(paid_through, last);
      auto it = accruals.lower_bound(first);
      if (it != accruals.end() && it->first <= last && finished_at - it->second.first > late_after_s) ++a.late_payments;
    }
    int64_t late_msat = 0;
    for (auto it = accruals.upper_bound(paid_through); it != accruals.end(); ++it) {
      if (now - it->second.first > late_after_s) late_msat += it->second.second;
    }
    a.late_sat = late_msat / 1000;
  }
  // RoboSats' client shows the badge; the signed share is what is paid.
  if (a.badge_percent >= 0 && a.signed_share_ppm >= 0 && a.badge_percent * 10000 > a.signed_share_ppm) {
    a.problems.push_back("badge donatesToDevFund " + std::to_string(a.badge_percent) + " % is higher than the signed share " +
                         std::to_string(a.signed_share_ppm / 10000.0).substr(0, 6) + " %");
  }
  return a;
}

json AuditToJson(const CoordinatorAudit& a) {
  return {{"alias", a.alias},
          {"pubkey", a.pubkey},
          {"badge_percent", a.badge_percent},
          {"signed_share_ppm", a.signed_share_ppm},
          {"statements", a.statements},
          {"proceeds_sat", a.proceeds_sat},
          {"accrued_msat", a.accrued_msat},
          {"owed_sat", a.owed_sat},
          {"paid_sat", a.paid_sat},
          {"received_sat", a.received_sat},
          {"missing_sat", a.missing_sat},
          {"failed_payments", a.failed_payments},
          {"late_sat", a.late_sat},
          {"late_payments", a.late_payments},
          {"ok", a.ok()},
          {"problems", a.problems}};
}

std::string AuditTable(const std::vector<CoordinatorAudit>& audits) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-16s %6s %8s %12s %10s %10s %10s %10s %8s %7s %s\n", "coordinator", "badge",
                "signed", "proceeds", "owed", "paid", "received", "missing", "late", "failed", "verdict");
  out += line;
  for (const auto& a : audits) {
    std::snprintf(line, sizeof line, "%-16s %5lld%% %7.2f%% %12lld %10lld %10lld %10s %10lld %8lld %7lld %s\n",
                  a.alias.substr(0, 16).c_str(), static_cast<long long>(a.badge_percent),
                  a.signed_share_ppm < 0 ? -1.0 : a.signed_share_ppm / 10000.0, static_cast<long long>(a.proceeds_sat),
                  static_cast<long long>(a.owed_sat), static_cast<long long>(a.paid_sat),
                  a.received_sat < 0 ? "-" : std::to_string(a.received_sat).c_str(),
                  static_cast<long long>(a.missing_sat), static_cast<long long>(a.late_sat),
                  static_cast<long long>(a.failed_payments),
                  a.ok() ? "ok" : "CLAIM DOES NOT HOLD");
    out += line;
  }
  for (const auto& a : audits) {
    for (const auto& p : a.problems) out += a.alias + ": " + p + "\n";
  }
  return out;
}

}  // namespace federation
