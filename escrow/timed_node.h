// TimedNode: a LightningNode that forwards every call to another one and reports how long each
// unary call took and whether it succeeded (metrics: api/metrics.h). Streams (subscribe, send,
// track) are forwarded untimed: their length is the payment's, not the node's latency.
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "escrow/lightning_node.h"

namespace escrow {

class TimedNode final : public LightningNode {
 public:
  // `call` names: "getinfo", "add_hold_invoice", "add_invoice", "settle_invoice",
  // "cancel_invoice", "lookup_invoice", "decode_payreq", "channel_balance", "estimate_route_fee". `observe` runs on
  // the caller's thread after each call; it must be thread-safe and must not block.
  using Observer = std::function<void(std::string_view call, bool ok, std::chrono::nanoseconds elapsed)>;
  // REQUIRES: `inner` outlives this object.
  TimedNode(LightningNode& inner, Observer observe) : m_inner(inner), m_observe(std::move(observe)) {}

  LnResult<NodeInfo> GetInfo() override { return Time("getinfo", [&] { return m_inner.GetInfo(); }); }
  LnResult<AddInvoiceResult> AddHoldInvoice(const HoldInvoiceRequest& req) override {
    return Time("add_hold_invoice", [&] { return m_inner.AddHoldInvoice(req); });
  }
  LnResult<AddInvoiceResult> AddInvoice(const InvoiceRequest& req) override {
    return Time("add_invoice", [&] { return m_inner.AddInvoice(req); });
  }
  LnStatus SettleInvoice(const Hash32& preimage) override {
    return Time("settle_invoice", [&] { return m_inner.SettleInvoice(preimage); });
  }
  LnStatus CancelInvoice(const Hash32& payment_hash) override {
    return Time("cancel_invoice", [&] { return m_inner.CancelInvoice(payment_hash); });
  }
  LnResult<Invoice> LookupInvoice(const Hash32& payment_hash) override {
    return Time("lookup_invoice", [&] { return m_inner.LookupInvoice(payment_hash); });
  }
  std::unique_ptr<Subscription> SubscribeInvoice(const Hash32& payment_hash, StreamHandlers<Invoice> handlers) override {
    return m_inner.SubscribeInvoice(payment_hash, std::move(handlers));
  }
  LnResult<PayReq> DecodePayReq(const std::string& payment_request) override {
    return Time("decode_payreq", [&] { return m_inner.DecodePayReq(payment_request); });
  }
  std::unique_ptr<Subscription> SendPayment(const SendPaymentRequest& req, StreamHandlers<Payment> handlers) override {
    return m_inner.SendPayment(req, std::move(handlers));
  }
  std::unique_ptr<Subscription> TrackPayment(const Hash32& payment_hash, StreamHandlers<Payment> handlers) override {
    return m_inner.TrackPayment(payment_hash, std::move(handlers));
  }
  LnResult<ChannelBalance> GetChannelBalance() override {
    return Time("channel_balance", [&] { return m_inner.GetChannelBalance(); });
  }
  LnResult<RouteFeeEstimate> EstimateRouteFee(const RouteFeeRequest& req) override {
    return Time("estimate_route_fee", [&] { return m_inner.EstimateRouteFee(req); });
  }

 private:
  template <class F>
  auto Time(std::string_view call, F&& f) -> decltype(f()) {
    const auto start = std::chrono::steady_clock::now();
    auto result = f();
    if (m_observe) m_observe(call, result.ok(), std::chrono::steady_clock::now() - start);
    return result;
  }

  LightningNode& m_inner;
  Observer m_observe;
};

}  // namespace escrow
