#include "federation/robot/wallet.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "escrow/lnd/lnd_node.h"
#include "escrow/stream_queue.h"

namespace federation::robot {

base::Expected<WalletEndpoint, std::string> FindWallet(const std::string& nodes_json, const std::string& name) {
  std::ifstream in(nodes_json);
  if (!in) return base::Err("cannot read the wallets file " + nodes_json + " (simln's nodes.json; see --wallets)");
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!doc.is_array()) return base::Err(nodes_json + ": not a JSON array of nodes");
  std::string names;
  for (const auto& node : doc) {
    if (!node.is_object() || !node.contains("name") || !node["name"].is_string()) continue;
    const std::string n = node["name"].get<std::string>();
    names += (names.empty() ? "" : ", ") + n;
    if (n != name) continue;
    WalletEndpoint e;
    e.name = n;
    for (auto [field, out] : {std::pair{"rest_url", &e.rest_url}, std::pair{"macaroon_path", &e.macaroon_path},
                              std::pair{"tls_cert_path", &e.tls_cert_path}}) {
      if (!node.contains(field) || !node[field].is_string() || node[field].get<std::string>().empty()) {
        return base::Err(nodes_json + ": node " + name + " has no " + field);
      }
      *out = node[field].get<std::string>();
    }
    return e;
  }
  return base::Err("no wallet '" + name + "' in " + nodes_json + " (there: " + names + ")");
}

base::Expected<std::unique_ptr<Wallet>, std::string> Wallet::Open(const WalletEndpoint& endpoint) {
  escrow::lnd::LndConfig config;
  config.rest_url = endpoint.rest_url;
  config.tls_cert_path = endpoint.tls_cert_path;
  config.macaroon_path = endpoint.macaroon_path;
  auto node = escrow::lnd::CreateLndNode(config);
  if (!node) return base::Err("wallet " + endpoint.name + ": " + node.error().message);
  return std::unique_ptr<Wallet>(new Wallet(endpoint.name, std::move(node.value())));
}

Wallet::Wallet(std::string name, std::unique_ptr<escrow::LightningNode> node)
    : m_name(std::move(name)), m_node(std::move(node)) {}

Wallet::~Wallet() = default;

base::Expected<PaymentOutcome, std::string> Wallet::Pay(const std::string& payreq, int64_t fee_limit_sat,
                                                        std::chrono::milliseconds wait) {
  escrow::SendPaymentRequest req;
  req.payment_request = payreq;
  req.fee_limit_msat = fee_limit_sat * 1000;
  req.timeout_seconds = 60;
  escrow::StreamQueue<escrow::Payment> queue;
  auto stream = m_node->SendPayment(req, queue.Handlers());
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    auto event = queue.Next(left);
    if (!event) break;
    if (auto* p = std::get_if<escrow::Payment>(&*event)) {
      switch (p->status) {
        case escrow::PaymentStatus::kSucceeded:
          return PaymentOutcome{"SUCCEEDED", p->fee_msat / 1000};
        case escrow::PaymentStatus::kInFlight:
          return PaymentOutcome{"IN_FLIGHT", 0};
        case escrow::PaymentStatus::kFailed:
          return base::Err("wallet " + m_name + ": the payment failed (" +
                           escrow::FailureReasonName(p->failure_reason) + ")");
        case escrow::PaymentStatus::kUnknown:
        case escrow::PaymentStatus::kInitiated:
          continue;
      }
      continue;
    }
    if (auto* e = std::get_if<escrow::LnError>(&*event)) {
      return base::Err("wallet " + m_name + ": " + escrow::LnErrorCodeName(e->code) + ": " + e->message);
    }
    return base::Err("wallet " + m_name + ": the payment stream ended without an update");
  }
  return base::Err("wallet " + m_name + ": no payment update within " +
                   std::to_string(std::chrono::duration_cast<std::chrono::seconds>(wait).count()) + " s");
}

base::Expected<std::string, std::string> Wallet::CreateInvoice(int64_t sats, const std::string& memo) {
  escrow::InvoiceRequest req;
  req.value_msat = sats * 1000;
  req.memo = memo;
  req.expiry_seconds = 3600;
  auto added = m_node->AddInvoice(req);
  if (!added) return base::Err("wallet " + m_name + ": " + added.error().message);
  return added->payment_request;
}

base::Expected<int64_t, std::string> Wallet::LocalSats() {
  auto balance = m_node->GetChannelBalance();
  if (!balance) return base::Err("wallet " + m_name + ": " + balance.error().message);
  return balance->local_msat / 1000;
}

}  // namespace federation::robot
