#include "federation/devtax/statement.h"

#include <limits>

#include "config/base/encoding.h"
#include "coordinator/dev_tax.h"
#include "escrow/crypto/sha256.h"

namespace federation {
namespace {

using nlohmann::json;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

const char* StateName(coordinator::PayoutState s) {
  switch (s) {
    case coordinator::PayoutState::kSucceeded: return "succeeded";
    case coordinator::PayoutState::kFailed: return "failed";
    case coordinator::PayoutState::kInFlight: return "in_flight";
    case coordinator::PayoutState::kPending: return "pending";
    case coordinator::PayoutState::kReplaced: return "replaced";
  }
  return "?";
}

// A field of the expected type, or a problem noted.
int64_t Int(const json& j, const char* key, std::vector<std::string>& problems) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) {
    problems.push_back(std::string("field '") + key + "' missing or not an integer");
    return 0;
  }
  return it->get<int64_t>();
}
std::string Str(const json& j, const char* key, std::vector<std::string>& problems) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) {
    problems.push_back(std::string("field '") + key + "' missing or not a string");
    return "";
  }
  return it->get<std::string>();
}

}  // namespace

int64_t DevTaxPeriodStart(int64_t t, int64_t period_s) {
  int64_t q = t / period_s;
  if (t % period_s < 0) --q;
  return q * period_s;
}

json BuildDevTaxStatement(coordinator::Store& store, int64_t start, int64_t end, const std::string& coordinator_pubkey_hex,
                          int64_t share_ppm) {
  json s = json::object();
  s["version"] = 1;
  s["coordinator"] = coordinator_pubkey_hex;
  s["period_start"] = start;
  s["period_end"] = end;
  s["share_ppm"] = share_ppm;
  json accruals = json::array();
  int64_t proceeds = 0, accrued = 0;
  for (const auto& a : store.DevTaxAccrualsBetween(start, end)) {
    accruals.push_back({{"id", a.id}, {"ledger_id", a.ledger_id}, {"order_id", a.order_id},
                        {"proceeds_sat", a.proceeds_sat}, {"share_ppm", a.share_ppm},
                        {"accrued_msat", a.accrued_msat}, {"created_at", a.created_at}});
    proceeds += a.proceeds_sat;
    accrued += a.accrued_msat;
  }
  s["accruals"] = std::move(accruals);
  s["proceeds_sat"] = proceeds;
  s["accrued_msat"] = accrued;
  json payments = json::array();
  int64_t paid = 0, failed = 0;
  for (const auto& p : store.DevTaxPaymentsBetween(start, end)) {
    const bool ok = p.state == coordinator::PayoutState::kSucceeded;
    payments.push_back({{"id", p.id}, {"first_accrual_id", p.first_accrual_id},
                        {"last_accrual_id", p.last_accrual_id}, {"accrued_msat_through", p.accrued_msat_through},
                        {"amount_sat", p.amount_sat}, {"payee", p.payee}, {"payment_hash", p.payment_hash},
                        // The preimage is the proof of payment; an unpaid one stays secret (it may
                        // still be in flight).
                        {"preimage", ok ? p.preimage : std::string()}, {"state", StateName(p.state)},
                        {"attempt", p.attempt}, {"fee_sat", p.fee_sat}, {"failure_reason", p.failure_reason},
                        {"created_at", p.created_at}, {"finished_at", p.finished_at}});
    if (ok) paid += p.amount_sat;
    if (p.state == coordinator::PayoutState::kFailed) ++failed;
  }
  s["payments"] = std::move(payments);
  s["paid_sat"] = paid;
  s["failed_payments"] = failed;
  int64_t cumulative_accrued = 0, cumulative_paid = 0;
  for (const auto& a : store.DevTaxAccrualsBetween(kMin, end)) cumulative_accrued += a.accrued_msat;
  for (const auto& p : store.DevTaxPaymentsBetween(kMin, end)) {
    if (p.state == coordinator::PayoutState::kSucceeded) cumulative_paid += p.amount_sat;
  }
  s["cumulative_accrued_msat"] = cumulative_accrued;
  s["cumulative_paid_sat"] = cumulative_paid;
  s["owed_sat"] = coordinator::DevTaxPayableSat(cumulative_accrued, cumulative_paid);
  return s;
}

std::string CanonicalJson(const json& statement) { return statement.dump(); }

json SignDevTaxStatement(const json& statement, const escrow::crypto::Signer& key) {
  const std::string bytes = CanonicalJson(statement);
  auto sig = key.SignSchnorrMessage(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  const auto x = key.XOnlyPublicKey();
  return {{"statement", statement}, {"pubkey", base::HexEncode(base::Bytes(x.begin(), x.end()))},
          {"sig", escrow::crypto::ToHex(sig)}};
}

std::vector<std::string> VerifyDevTaxStatement(const json& signed_statement, const std::string& expected_pubkey_hex) {
  std::vector<std::string> problems;
  if (!signed_statement.is_object() || !signed_statement.contains("statement") ||
      !signed_statement["statement"].is_object()) {
    return {"not a signed statement"};
  }
  const json& s = signed_statement["statement"];
  // The signature, against the key of the federation entry (not the one the document names).
  {
    auto pub = base::HexDecode(expected_pubkey_hex);
    auto sig = base::HexDecode(signed_statement.value("sig", std::string()));
    const std::string bytes = CanonicalJson(s);
    escrow::crypto::XOnlyPubKey x{};
    escrow::crypto::SchnorrSig sg{};
    bool ok = pub && sig && pub->size() == x.size() && sig->size() == sg.size();
    if (ok) {
      std::copy(pub->begin(), pub->end(), x.begin());
      std::copy(sig->begin(), sig->end(), sg.begin());
      ok = escrow::crypto::VerifySchnorrMessage(
          x, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), sg);
    }
    if (!ok) problems.push_back("bad signature (not by " + expected_pubkey_hex + ")");
  }
  if (s.value("coordinator", std::string()) != expected_pubkey_hex) problems.push_back("statement names another coordinator");
  const int64_t share = Int(s, "share_ppm", problems);
  int64_t proceeds = 0, accrued = 0;
  if (!s.contains("accruals") || !s["accruals"].is_array()) problems.push_back("field 'accruals' missing");
  for (const auto& a : s.value("accruals", json::array())) {
    const int64_t p = Int(a, "proceeds_sat", problems);
    const int64_t ppm = Int(a, "share_ppm", problems);
    const int64_t m = Int(a, "accrued_msat", problems);
    const std::string id = std::to_string(a.value("id", int64_t{0}));
    if (m != coordinator::DevTaxAccruedMsat(p, ppm)) {
      problems.push_back("accrual " + id + ": " + std::to_string(m) + " msat != floor(" + std::to_string(p) + " × " +
                         std::to_string(ppm) + " / 1000)");
    }
    if (ppm != share) problems.push_back("accrual " + id + ": share " + std::to_string(ppm) + " ppm, not the signed " + std::to_string(share));
    proceeds += p;
    accrued += m;
  }
  if (proceeds != Int(s, "proceeds_sat", problems)) problems.push_back("proceeds_sat is not the sum of the accruals");
  if (accrued != Int(s, "accrued_msat", problems)) problems.push_back("accrued_msat is not the sum of the accruals");
  int64_t paid = 0;
  for (const auto& p : s.value("payments", json::array())) {
    const std::string id = std::to_string(p.value("id", int64_t{0}));
    if (Str(p, "state", problems) != "succeeded") continue;
    const int64_t amount = Int(p, "amount_sat", problems);
    auto pre = escrow::crypto::Hash32FromHex(Str(p, "preimage", problems));
    auto hash = escrow::crypto::Hash32FromHex(Str(p, "payment_hash", problems));
    if (!pre || !hash || escrow::crypto::Sha256(pre->data(), pre->size()) != *hash) {
      problems.push_back("payment " + id + ": the preimage does not hash to the payment hash");
    }
    if (amount <= 0) problems.push_back("payment " + id + ": amount not positive");
    if (Int(p, "accrued_msat_through", problems) / 1000 < amount) {
      problems.push_back("payment " + id + ": pays more than had accrued");
    }
    paid += amount;
  }
  if (paid != Int(s, "paid_sat", problems)) problems.push_back("paid_sat is not the sum of the succeeded payments");
  const int64_t ca = Int(s, "cumulative_accrued_msat", problems);
  const int64_t cp = Int(s, "cumulative_paid_sat", problems);
  if (Int(s, "owed_sat", problems) != coordinator::DevTaxPayableSat(ca, cp)) problems.push_back("owed_sat is not floor(cumulative_accrued_msat / 1000) − cumulative_paid_sat");
  if (ca < accrued || cp < paid) problems.push_back("cumulative totals below the period's");
  return problems;
}

}  // namespace federation
