// The dev tax's arithmetic. The rounding rule, chosen so that every sum is exact and anyone can
// recompute it from a statement:
//
//   - each proceeds event of `p` sats accrues floor(p × share_ppm / 1000) millisats
//     (share_ppm = round(dev_tax.share × 1e6)); the sub-millisat remainder is the coordinator's;
//   - payments are whole sats: after a payment covering accruals 1..n, the dev fund has been
//     paid exactly floor(Σ_{i<=n} accrued_msat_i / 1000) sats in total. Each payment is that
//     figure minus what earlier (succeeded) payments paid; the sub-sat remainder carries over.
//
// So over any range of accruals, paid = floor(cumulative accrued / 1000) at its end minus the
// same at its start: nothing is lost to rounding but the final < 1 sat still accruing.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>

#include "config/base/expected.h"

namespace coordinator {

// dev_tax.share (0..1) in millionths.
inline int64_t DevTaxShareToPpm(double share) { return static_cast<int64_t>(std::llround(share * 1e6)); }

// Millisats accrued by a proceeds event of `proceeds_sat` (>= 0).
inline int64_t DevTaxAccruedMsat(int64_t proceeds_sat, int64_t share_ppm) {
  return static_cast<int64_t>(static_cast<__int128>(proceeds_sat) * share_ppm / 1000);
}

// Sats payable now: what the cumulative accrual entitles the dev fund to, minus what it has had.
inline int64_t DevTaxPayableSat(int64_t cumulative_accrued_msat, int64_t paid_sat) {
  return cumulative_accrued_msat / 1000 - paid_sat;
}

// A payment's fee limit: amount × ppm / 1e6, at least `min_sat`.
inline int64_t DevTaxFeeLimitSat(int64_t amount_sat, int64_t ppm, int64_t min_sat) {
  int64_t v = static_cast<int64_t>(static_cast<__int128>(amount_sat) * ppm / 1000000);
  return v < min_sat ? min_sat : v;
}

// Seconds to wait after the `failures`-th consecutive failed payment (>= 1).
inline int64_t DevTaxRetryDelay(int failures, int64_t base_s, int64_t max_s) {
  int64_t d = base_s;
  for (int i = 1; i < failures && d < max_s; ++i) d *= 2;
  return d < max_s ? d : max_s;
}

// The keysend message record (34349334): names the coordinator and the range paid.
// Format: "dev tax from <name>: accruals <first>..<last>, payment <id>".
std::string DevTaxMessage(const std::string& coordinator_name, int64_t payment_id, int64_t first_accrual_id,
                          int64_t last_accrual_id);

// Is the dev fund's payee a Lightning address (user@domain), not a node pubkey?
inline bool DevTaxPayeeIsLightningAddress(const std::string& payee) {
  return payee.find('@') != std::string::npos;
}

// Where the invoice of a payment to a Lightning address comes from (LUD-16 / LNURL-pay over the
// SOCKS5h proxy: federation/devtax/lnurl_pay.h). The engine owns the interface; coordinatord
// wires the HTTP client in, so that the engine thread never waits on the network.
class DevTaxInvoiceSource {
 public:
  virtual ~DevTaxInvoiceSource() = default;
  // Asks the payee for an invoice of exactly `amount_msat`. Must not block: `done` runs exactly
  // once, on another thread, with the BOLT11 invoice (every LNURL-pay check passed: bounds,
  // amount, description hash) or a one-line reason naming what was refused.
  virtual void FetchInvoice(int64_t amount_msat,
                            std::function<void(base::Expected<std::string, std::string>)> done) = 0;
};

}  // namespace coordinator
