#include "coordinator/invoice_checks.h"

#include "config/base/log.h"
#include "coordinator/errors.h"
#include "coordinator/identity/pgp.h"
#include "escrow/bolt11.h"
#include "escrow/crypto/sha256.h"

namespace coordinator {

std::string Bolt11PrefixFor(const std::string& network) {
  if (network == "mainnet") return "bc";
  if (network == "testnet") return "tb";
  if (network == "signet") return "tbs";
  if (network == "regtest") return "bcrt";
  if (network == "simnet") return "sb";
  return network;
}

base::Result<CheckedInvoice> CheckSignedInvoice(Store& store, const Robot& robot, const std::string& signed_invoice,
                                                int64_t expected_sats, int64_t budget_sats, const InvoiceRules& rules,
                                                int64_t now) {
  if (signed_invoice.empty()) return Refuse(err::kEmptyInvoice);
  // Verified as of an hour from now: a client whose clock runs ahead of ours makes signatures
  // "in the future", which must not be refused.
  constexpr int64_t kClockSkewSeconds = 3600;
  auto text = identity::VerifyCleartextSigned(signed_invoice, robot.public_key, now + kClockSkewSeconds);
  if (!text.ok()) return Refuse(err::kBadSignature);
  std::string payreq = *text;
  while (!payreq.empty() && (payreq.back() == '\n' || payreq.back() == '\r' || payreq.back() == ' ')) payreq.pop_back();
  auto inv = escrow::bolt11::Decode(payreq);
  if (!inv.ok()) return Refuse(err::kBadInvoice, "Does not look like a valid lightning invoice: " + inv.error());
  if (inv->network_prefix != Bolt11PrefixFor(rules.network)) {
    return Refuse(err::kBadInvoice, "The invoice is for another network");
  }
  if (!inv->amount_msat || *inv->amount_msat != static_cast<uint64_t>(expected_sats) * 1000) {
    return Refuse(err::kBadInvoice, "The invoice provided has the wrong amount: it must be exactly " +
                                        std::to_string(expected_sats) + " Sats");
  }
  if (inv->IsExpired(static_cast<uint64_t>(now))) return Refuse(err::kBadInvoice, "The invoice provided has already expired");
  const int64_t expires_at = static_cast<int64_t>(inv->timestamp + inv->expiry_seconds);
  if (rules.valid_until > 0 && expires_at < rules.valid_until) {
    const int64_t needed = rules.valid_until - static_cast<int64_t>(inv->timestamp);
    return Refuse(err::kBadInvoice, "The invoice provided expires too soon: it would expire before the fiat exchange "
                                    "window and the payout attempts are over. Generate an invoice with an expiry of at "
                                    "least " + std::to_string((needed + 3599) / 3600) + " hours (" +
                                        std::to_string(needed) + " seconds)");
  }
  if (!inv->payment_hash) return Refuse(err::kBadInvoice, "The invoice has no payment hash");
  // An invoice of our own node would be "paid" by moving nothing: the sats would stay with the
  // coordinator while its books say they left.
  if (!rules.node_pubkey.empty() && escrow::crypto::ToHex(inv->payee_pubkey) == rules.node_pubkey) {
    return Refuse(err::kBadInvoice, "The invoice is payable to this coordinator's own node");
  }
  if (rules.cltv_limit_blocks > 0 && inv->min_final_cltv_expiry >= static_cast<uint64_t>(rules.cltv_limit_blocks)) {
    return Refuse(err::kBadInvoice, "The invoice asks for a final CLTV of " + std::to_string(inv->min_final_cltv_expiry) +
                                        " blocks; this coordinator routes payouts locked for at most " +
                                        std::to_string(rules.cltv_limit_blocks) + " blocks");
  }
  // Route hints: the fees to cross a hint must fit in the routing budget.
  for (const auto& hint : inv->route_hints) {
    int64_t fee_msat = 0;
    for (const auto& hop : hint) {
      fee_msat += hop.fee_base_msat + static_cast<int64_t>(hop.fee_proportional_millionths) * expected_sats / 1000;
    }
    if (fee_msat > budget_sats * 1000) {
      return Refuse(err::kBadInvoice, "The invoice's route hints need more fees than the routing budget allows");
    }
  }
  CheckedInvoice out;
  out.payment_hash = escrow::crypto::ToHex(*inv->payment_hash);
  // An invoice is paid once, for one purpose: a hash seen before (a payout or a reward
  // withdrawal, here or elsewhere) is refused.
  if (store.PayoutByHash(out.payment_hash) || store.RewardWithdrawalByHash(out.payment_hash)) {
    return Refuse(err::kNewInvoice);
  }
  // Payout preflight: the node's probe of this very invoice (route_probe.h).
  if (rules.probe && rules.probe->payment_request == payreq) {
    RouteLimits limits;
    limits.invoice_sats = expected_sats;
    limits.budget_sats = budget_sats;
    limits.budget_base_sats = rules.budget_base_sats > 0 ? rules.budget_base_sats : expected_sats + budget_sats;
    limits.max_budget_ppm = rules.max_budget_ppm;
    limits.max_time_lock = rules.max_route_time_lock;
    ProbeDecision decision = DecideRouteProbe(*rules.probe, limits);
    switch (decision.verdict) {
      case ProbeVerdict::kRoutable: break;
      case ProbeVerdict::kRefused:
        base::Log(base::LogLevel::kInfo, "preflight", "payout invoice refused by its route probe",
                  {{"payment_hash", out.payment_hash}, {"reason", decision.refusal.message}});
        return base::Err(decision.refusal);
      case ProbeVerdict::kUndecided:
        base::Log(base::LogLevel::kWarn, "preflight", "route probe undecided: invoice accepted without it",
                  {{"payment_hash", out.payment_hash}, {"why", decision.note}});
        break;
    }
  }
  out.payment_request = std::move(payreq);
  out.expires_at = expires_at;
  return out;
}

}  // namespace coordinator
