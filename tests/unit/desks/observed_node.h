// Test doubles for the desks. ForwardingNode passes every call to a real node, so a test
// overrides only what it bends. ObservedNode also watches the streams the desk opens: when one
// is cancelled, and whether anything (node or desk) still holds the handlers the desk gave it.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "escrow/lightning_node.h"

namespace desktest {

class ForwardingNode : public escrow::LightningNode {
 public:
  explicit ForwardingNode(escrow::LightningNode& inner) : m_inner(inner) {}
  escrow::LnResult<escrow::NodeInfo> GetInfo() override { return m_inner.GetInfo(); }
  escrow::LnResult<escrow::AddInvoiceResult> AddHoldInvoice(const escrow::HoldInvoiceRequest& r) override {
    return m_inner.AddHoldInvoice(r);
  }
  escrow::LnResult<escrow::AddInvoiceResult> AddInvoice(const escrow::InvoiceRequest& r) override {
    return m_inner.AddInvoice(r);
  }
  escrow::LnStatus SettleInvoice(const escrow::Hash32& p) override { return m_inner.SettleInvoice(p); }
  escrow::LnStatus CancelInvoice(const escrow::Hash32& h) override { return m_inner.CancelInvoice(h); }
  escrow::LnResult<escrow::Invoice> LookupInvoice(const escrow::Hash32& h) override {
    return m_inner.LookupInvoice(h);
  }
  std::unique_ptr<escrow::Subscription> SubscribeInvoice(
      const escrow::Hash32& h, escrow::StreamHandlers<escrow::Invoice> hs) override {
    return m_inner.SubscribeInvoice(h, std::move(hs));
  }
  escrow::LnResult<escrow::PayReq> DecodePayReq(const std::string& p) override {
    return m_inner.DecodePayReq(p);
  }
  std::unique_ptr<escrow::Subscription> SendPayment(const escrow::SendPaymentRequest& r,
                                                    escrow::StreamHandlers<escrow::Payment> hs) override {
    return m_inner.SendPayment(r, std::move(hs));
  }
  std::unique_ptr<escrow::Subscription> TrackPayment(const escrow::Hash32& h,
                                                     escrow::StreamHandlers<escrow::Payment> hs) override {
    return m_inner.TrackPayment(h, std::move(hs));
  }
  escrow::LnResult<escrow::ChannelBalance> GetChannelBalance() override {
    return m_inner.GetChannelBalance();
  }
  escrow::LnResult<escrow::RouteFeeEstimate> EstimateRouteFee(const escrow::RouteFeeRequest& req) override {
    return m_inner.EstimateRouteFee(req);
  }

 protected:
  escrow::LightningNode& m_inner;
};

class ObservedNode : public ForwardingNode {
 public:
  using ForwardingNode::ForwardingNode;

  // Called (on the cancelling thread, before the stream is actually cancelled) whenever a
  // stream opened here is cancelled or destroyed.
  void OnCancel(std::function<void()> hook) { m_state->on_cancel = std::move(hook); }

  // True while the handlers of some stream opened here are still held by anyone.
  bool AnyHandlersAlive() const {
    std::lock_guard lock(m_state->mu);
    for (const auto& token : m_state->tokens) {
      if (!token.expired()) return true;
    }
    return false;
  }

  std::unique_ptr<escrow::Subscription> SubscribeInvoice(
      const escrow::Hash32& h, escrow::StreamHandlers<escrow::Invoice> hs) override {
    return Watched(m_inner.SubscribeInvoice(h, Tagged(std::move(hs))));
  }
  std::unique_ptr<escrow::Subscription> SendPayment(const escrow::SendPaymentRequest& r,
                                                    escrow::StreamHandlers<escrow::Payment> hs) override {
    return Watched(m_inner.SendPayment(r, Tagged(std::move(hs))));
  }
  std::unique_ptr<escrow::Subscription> TrackPayment(const escrow::Hash32& h,
                                                     escrow::StreamHandlers<escrow::Payment> hs) override {
    return Watched(m_inner.TrackPayment(h, Tagged(std::move(hs))));
  }

 private:
  // Shared with the subscriptions, which may outlive the node (they should not, but a test
  // that fails must not crash for it).
  struct State {
    std::mutex mu;
    std::vector<std::weak_ptr<int>> tokens;
    std::function<void()> on_cancel;  // set before any stream is opened
  };

  class WatchedSubscription final : public escrow::Subscription {
   public:
    WatchedSubscription(std::unique_ptr<escrow::Subscription> inner, std::shared_ptr<State> state)
        : m_inner(std::move(inner)), m_state(std::move(state)) {}
    ~WatchedSubscription() override {
      if (m_state->on_cancel) m_state->on_cancel();
    }
    void Cancel() override {
      if (m_state->on_cancel) m_state->on_cancel();
      m_inner->Cancel();
    }

   private:
    std::unique_ptr<escrow::Subscription> m_inner;
    std::shared_ptr<State> m_state;
  };

  // The returned handlers carry a token: it dies with the last copy of them.
  template <class T>
  escrow::StreamHandlers<T> Tagged(escrow::StreamHandlers<T> hs) {
    auto token = std::make_shared<int>(0);
    {
      std::lock_guard lock(m_state->mu);
      m_state->tokens.push_back(token);
    }
    escrow::StreamHandlers<T> out;
    if (hs.on_update) out.on_update = [token, f = std::move(hs.on_update)](const T& v) { f(v); };
    if (hs.on_error) out.on_error = [token, f = std::move(hs.on_error)](const escrow::LnError& e) { f(e); };
    if (hs.on_done) out.on_done = [token, f = std::move(hs.on_done)] { f(); };
    return out;
  }

  std::unique_ptr<escrow::Subscription> Watched(std::unique_ptr<escrow::Subscription> inner) {
    return std::make_unique<WatchedSubscription>(std::move(inner), m_state);
  }

  std::shared_ptr<State> m_state = std::make_shared<State>();
};

}  // namespace desktest
