#include "escrow/simln/payreq.h"

#include <utility>

namespace escrow::simln {
namespace {

constexpr std::pair<const char*, const char*> kPrefixes[] = {
    // BOLT #11: "prefix: ln + BIP-0173 currency prefix (e.g. lnbc for Bitcoin mainnet, lntb for
    // Bitcoin testnet, lntbs for Bitcoin signet, and lnbcrt for Bitcoin regtest)".
    {"mainnet", "bc"}, {"testnet", "tb"}, {"regtest", "bcrt"}, {"signet", "tbs"}, {"simnet", "sb"},
};

// BOLT #9 feature bits as LND 0.17 sets them in invoices.
constexpr int kVarOnionOptinRequired = 8;
constexpr int kPaymentSecretRequired = 14;
constexpr int kBasicMppOptional = 17;

}  // namespace

std::optional<std::string> Bolt11PrefixForNetwork(std::string_view network) {
  for (const auto& [name, prefix] : kPrefixes) {
    if (network == name) return std::string(prefix);
  }
  return std::nullopt;
}

std::string EncodePayReq(const PayReqFields& f, const crypto::Signer& signer) {
  bolt11::Invoice inv;
  inv.network_prefix = f.network_prefix;
  if (f.amount_msat > 0) inv.amount_msat = static_cast<uint64_t>(f.amount_msat);
  inv.timestamp = static_cast<uint64_t>(f.timestamp);
  inv.payment_hash = f.payment_hash;
  // BOLT #11: "A writer ... MUST include exactly one `s` field" (payment_secret).
  inv.payment_secret = f.payment_secret;
  // BOLT #11: "MUST include either exactly one `d` or exactly one `h` field."
  if (f.description_hash) {
    inv.description_hash = f.description_hash;
  } else {
    inv.description = f.memo;
  }
  inv.expiry_seconds = static_cast<uint64_t>(f.expiry_seconds);
  inv.min_final_cltv_expiry = f.min_final_cltv_expiry;
  inv.SetFeature(kVarOnionOptinRequired);
  inv.SetFeature(kPaymentSecretRequired);
  inv.SetFeature(kBasicMppOptional);
  return bolt11::Encode(inv, signer);
}

PayReq ToPayReq(const bolt11::Invoice& inv) {
  PayReq p;
  p.destination = crypto::ToHex(inv.payee_pubkey);
  if (inv.payment_hash) p.payment_hash = *inv.payment_hash;
  p.num_msat = inv.amount_msat ? static_cast<int64_t>(*inv.amount_msat) : 0;
  p.timestamp = static_cast<int64_t>(inv.timestamp);
  p.expiry = static_cast<int64_t>(inv.expiry_seconds);
  p.description = inv.description.value_or("");
  if (inv.description_hash) p.description_hash = crypto::ToHex(*inv.description_hash);
  p.cltv_expiry = static_cast<int64_t>(inv.min_final_cltv_expiry);
  for (const bolt11::RouteHint& hint : inv.route_hints) {
    std::vector<PayReq::Hop> hops;
    for (const bolt11::RouteHop& h : hint) {
      hops.push_back(PayReq::Hop{crypto::ToHex(h.pubkey), h.short_channel_id, h.fee_base_msat,
                                 h.fee_proportional_millionths, h.cltv_expiry_delta});
    }
    p.route_hints.push_back(std::move(hops));
  }
  if (inv.payment_secret) p.payment_addr = *inv.payment_secret;
  for (int bit = 0; bit < static_cast<int>(inv.features.size()) * 5; ++bit) {
    if (inv.HasFeature(bit)) p.features.push_back(static_cast<uint32_t>(bit));
  }
  // fallback_addr: simln has no chain, so no address is ever rendered; LND leaves it empty
  // too when the invoice carries none.
  return p;
}

}  // namespace escrow::simln
