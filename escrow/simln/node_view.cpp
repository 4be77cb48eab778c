// The in-process LightningNode of one simulated node: forwards every call to the network.
#include <utility>

#include "escrow/simln/network_impl.h"

namespace escrow::simln {
namespace {

class InProcessNode final : public LightningNode {
 public:
  InProcessNode(NetworkImpl* network, std::string name) : m_network(network), m_name(std::move(name)) {}

  LnResult<NodeInfo> GetInfo() override { return m_network->GetInfo(m_name); }
  LnResult<AddInvoiceResult> AddHoldInvoice(const HoldInvoiceRequest& req) override {
    return m_network->AddHoldInvoice(m_name, req);
  }
  LnResult<AddInvoiceResult> AddInvoice(const InvoiceRequest& req) override {
    return m_network->AddInvoice(m_name, req);
  }
  LnStatus SettleInvoice(const Hash32& preimage) override {
    return m_network->SettleInvoice(m_name, preimage);
  }
  LnStatus CancelInvoice(const Hash32& payment_hash) override {
    return m_network->CancelInvoice(m_name, payment_hash);
  }
  LnResult<Invoice> LookupInvoice(const Hash32& payment_hash) override {
    return m_network->LookupInvoice(m_name, payment_hash);
  }
  std::unique_ptr<Subscription> SubscribeInvoice(const Hash32& payment_hash,
                                                 StreamHandlers<Invoice> handlers) override {
    return m_network->SubscribeInvoice(m_name, payment_hash, std::move(handlers));
  }
  LnResult<PayReq> DecodePayReq(const std::string& payment_request) override {
    return m_network->DecodePayReq(m_name, payment_request);
  }
  std::unique_ptr<Subscription> SendPayment(const SendPaymentRequest& req,
                                            StreamHandlers<Payment> handlers) override {
    return m_network->SendPayment(m_name, req, std::move(handlers));
  }
  std::unique_ptr<Subscription> TrackPayment(const Hash32& payment_hash,
                                             StreamHandlers<Payment> handlers) override {
    return m_network->TrackPayment(m_name, payment_hash, std::move(handlers));
  }
  LnResult<ChannelBalance> GetChannelBalance() override { return m_network->GetChannelBalance(m_name); }
  LnResult<RouteFeeEstimate> EstimateRouteFee(const RouteFeeRequest& req) override {
    return m_network->EstimateRouteFee(m_name, req);
  }

 private:
  NetworkImpl* m_network;
  std::string m_name;
};

}  // namespace

std::unique_ptr<LightningNode> MakeNodeView(NetworkImpl* network, std::string name) {
  return std::make_unique<InProcessNode>(network, std::move(name));
}

}  // namespace escrow::simln
