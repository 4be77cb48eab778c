// The trader's Lightning wallet: an LND node reached over its REST API (escrow/lnd, TLS pinned
// to the node's certificate, its macaroon), found by name in a simln `nodes.json`:
//
//   [ {"name": "alice", "pubkey": "…", "rest_url": "https://127.0.0.1:PORT",
//      "macaroon_path": "…/admin.macaroon", "tls_cert_path": "…/tls.cert"}, … ]
//
// Paying a hold invoice (a bond, the escrow) leaves the payment IN_FLIGHT in the node until
// the coordinator settles or cancels it; the node keeps it after this process exits.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "config/base/expected.h"
#include "escrow/lightning_node.h"

namespace federation::robot {

struct WalletEndpoint {
  std::string name;
  std::string rest_url;
  std::string macaroon_path;
  std::string tls_cert_path;
};

// The node `name` of `nodes_json`. Errors: unreadable file, no such node (the message lists
// the names there), a node entry without rest_url/macaroon_path/tls_cert_path.
base::Expected<WalletEndpoint, std::string> FindWallet(const std::string& nodes_json, const std::string& name);

struct PaymentOutcome {
  std::string state;  // "IN_FLIGHT", "SUCCEEDED"
  int64_t fee_sat = 0;
};

class Wallet {
 public:
  static base::Expected<std::unique_ptr<Wallet>, std::string> Open(const WalletEndpoint& endpoint);
  ~Wallet();

  const std::string& name() const { return m_name; }

  // Sends a payment of `payreq` (LND REST: POST /v2/router/send) with a routing fee limit of
  // `fee_limit_sat` and waits up to `wait` for it to be IN_FLIGHT (a hold invoice: held by the
  // payee) or SUCCEEDED. Errors: FAILED (with LND's failure reason), a node error, no update
  // within `wait`.
  base::Expected<PaymentOutcome, std::string> Pay(const std::string& payreq, int64_t fee_limit_sat,
                                                  std::chrono::milliseconds wait);

  // A regular invoice of `sats` (LND REST: POST /v1/invoices).
  base::Expected<std::string, std::string> CreateInvoice(int64_t sats, const std::string& memo);

  // Spendable sats in the node's channels (LND REST: GET /v1/balance/channels).
  base::Expected<int64_t, std::string> LocalSats();

 private:
  Wallet(std::string name, std::unique_ptr<escrow::LightningNode> node);
  std::string m_name;
  std::unique_ptr<escrow::LightningNode> m_node;
};

}  // namespace federation::robot
