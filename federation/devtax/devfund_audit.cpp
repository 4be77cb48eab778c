#include "federation/devtax/devfund_audit.h"

#include <cstdio>

#include "federation/devtax/statement.h"

namespace federation {

using nlohmann::json;

CoordinatorAudit AuditCoordinator(const std::string& alias, const json& entry, const json& signed_statements,
                                  const ReceivedLookup& received) {
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
    for (const auto& p : st.value("payments", json::array())) {
      if (p.value("state", std::string()) != "succeeded") continue;
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
          {"ok", a.ok()},
          {"problems", a.problems}};
}

std::string AuditTable(const std::vector<CoordinatorAudit>& audits) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-16s %6s %8s %12s %10s %10s %10s %10s %7s %s\n", "coordinator", "badge", "signed",
                "proceeds", "owed", "paid", "received", "missing", "failed", "verdict");
  out += line;
  for (const auto& a : audits) {
    std::snprintf(line, sizeof line, "%-16s %5lld%% %7.2f%% %12lld %10lld %10lld %10s %10lld %7lld %s\n",
                  a.alias.substr(0, 16).c_str(), static_cast<long long>(a.badge_percent),
                  a.signed_share_ppm < 0 ? -1.0 : a.signed_share_ppm / 10000.0, static_cast<long long>(a.proceeds_sat),
                  static_cast<long long>(a.owed_sat), static_cast<long long>(a.paid_sat),
                  a.received_sat < 0 ? "-" : std::to_string(a.received_sat).c_str(),
                  static_cast<long long>(a.missing_sat), static_cast<long long>(a.failed_payments),
                  a.ok() ? "ok" : "CLAIM DOES NOT HOLD");
    out += line;
  }
  for (const auto& a : audits) {
    for (const auto& p : a.problems) out += a.alias + ": " + p + "\n";
  }
  return out;
}

}  // namespace federation
