// Paying the dev fund's Lightning address: LUD-16 (user@domain → the LNURL-pay endpoint
// https://domain/.well-known/lnurlp/user) and LUD-06 (payRequest: bounds, metadata, callback →
// a BOLT11 invoice whose description hash is sha256(metadata)). Every request goes through the
// SOCKS5h proxy, is http(s) only, never follows a redirect, and never reaches a loopback,
// private, link-local or otherwise non-public address (the name is resolved once, checked, and
// the connection pinned to the checked address, so DNS cannot change the answer in between).
// .onion hosts are left to Tor (no local resolution; http allowed there, as LUD-17 allows).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "config/base/expected.h"
#include "coordinator/dev_tax.h"

namespace federation {

struct LnurlPayOptions {
  // "" = direct connections; else "socks5h://host:port" (names of the payee resolve in Tor).
  std::string proxy;
  std::chrono::milliseconds timeout{30'000};
  // TEST ONLY (config dev_tax.lightning_address_test_insecure): http:// and loopback/private
  // addresses are accepted, so that a test's LNURL server on 127.0.0.1 can be used.
  bool test_insecure = false;
};

// "user@domain[:port]" → the LUD-16 URL, or why the address is not one.
base::Expected<std::string, std::string> LightningAddressUrl(const std::string& address, bool test_insecure);

// Is this numeric address one the coordinator may connect to on a payee's say-so? (not
// loopback, private, link-local, CGNAT, multicast, unspecified, documentation, ULA…)
bool IsPublicAddress(const std::string& ip);

// Blocking: asks `address` for an invoice of `amount_msat`, with every LNURL-pay check. Returns
// the BOLT11 invoice, or one line saying what was refused (and the URL).
base::Expected<std::string, std::string> FetchLnurlInvoice(const std::string& address, int64_t amount_msat,
                                                           const LnurlPayOptions& options);

// The engine's DevTaxInvoiceSource: FetchLnurlInvoice on a thread of its own, one request at a
// time (the engine has at most one dev-tax payment in flight).
class LnurlInvoiceSource final : public coordinator::DevTaxInvoiceSource {
 public:
  LnurlInvoiceSource(std::string address, LnurlPayOptions options);
  // Stop()s.
  ~LnurlInvoiceSource() override;
  void FetchInvoice(int64_t amount_msat,
                    std::function<void(base::Expected<std::string, std::string>)> done) override;
  // Waits for the request running now (bounded by the timeout); requests not started are
  // dropped without their `done` (the engine re-drives its open intent after a restart).
  void Stop();

 private:
  void Run();
  std::string m_address;
  LnurlPayOptions m_options;
  std::mutex m_mu;
  std::condition_variable m_cv;
  std::deque<std::pair<int64_t, std::function<void(base::Expected<std::string, std::string>)>>> m_queue;
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace federation
