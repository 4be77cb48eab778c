#include "federation/devtax/statements_service.h"

#include <algorithm>

#include "config/base/encoding.h"
#include "federation/devtax/statement.h"

namespace federation {

base::Expected<std::unique_ptr<DevFundStatements>, std::string> DevFundStatements::Open(
    const std::string& db_path, const escrow::crypto::Signer& key, Options options) {
  auto store = coordinator::Store::Open(db_path);
  if (!store.ok()) return base::Err(store.error());
  return std::make_unique<DevFundStatements>(std::move(store.value()), key, options);
}

base::Expected<nlohmann::json, std::string> DevFundStatements::Range(int64_t start, int64_t end, int64_t now) {
  if (start > end) return base::Err(std::string("start is after end"));
  const int64_t period = m_options.period_s;
  int64_t first = DevTaxPeriodStart(start, period);
  const int64_t last = DevTaxPeriodStart(std::max(start, end - 1), period);
  const int64_t max = m_options.max_periods;
  if ((last - first) / period + 1 > max) first = last - (max - 1) * period;
  const auto x = m_key.XOnlyPublicKey();
  const std::string pubkey = base::HexEncode(base::Bytes(x.begin(), x.end()));
  nlohmann::json out = nlohmann::json::array();
  std::lock_guard lock(m_mu);
  for (int64_t p = first; p <= last; p += period) {
    auto signed_statement =
        SignDevTaxStatement(BuildDevTaxStatement(*m_store, p, p + period, pubkey, m_options.share_ppm), m_key);
    signed_statement["complete"] = p + period <= now;
    out.push_back(std::move(signed_statement));
  }
  return out;
}

}  // namespace federation
