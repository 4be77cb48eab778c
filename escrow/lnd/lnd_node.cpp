#include "escrow/lnd/lnd_node.h"

#include <utility>

#include "escrow/bolt11.h"
#include "escrow/lnd/errors.h"
#include "escrow/lnd/http_client.h"
#include "escrow/lnd/streams.h"
#include "escrow/lnd/wire.h"

namespace escrow::lnd {
namespace {

class LndNode final : public LightningNode {
 public:
  LndNode(std::shared_ptr<const HttpClient> http, Backoff backoff) : m_http(std::move(http)), m_backoff(backoff) {}

  LnResult<NodeInfo> GetInfo() override {
    auto body = Unary(HttpMethod::kGet, wire::kGetInfoPath, "");
    if (!body) return base::Err(body.error());
    return wire::ParseGetInfo(*body);
  }

  LnResult<AddInvoiceResult> AddHoldInvoice(const HoldInvoiceRequest& req) override {
    auto body = Unary(HttpMethod::kPost, wire::kAddHoldInvoicePath, wire::AddHoldInvoiceBody(req));
    if (!body) return base::Err(body.error());
    return wire::ParseAddHoldInvoiceResp(*body, req.payment_hash);
  }

  LnResult<AddInvoiceResult> AddInvoice(const InvoiceRequest& req) override {
    auto body = Unary(HttpMethod::kPost, wire::kAddInvoicePath, wire::AddInvoiceBody(req));
    if (!body) return base::Err(body.error());
    auto result = wire::ParseAddInvoiceResponse(*body);
    if (result && req.preimage && result->payment_hash != crypto::Sha256(req.preimage->data(), req.preimage->size())) {
      return base::Err(LnError{LnErrorCode::kProtocol, "AddInvoiceResponse: r_hash does not match the preimage"});
    }
    return result;
  }

  LnStatus SettleInvoice(const Hash32& preimage) override {
    auto body = Unary(HttpMethod::kPost, wire::kSettleInvoicePath, wire::SettleInvoiceBody(preimage));
    if (body) return {};
    // LND REST: "SettleInvoice settles an accepted invoice. If the invoice is already settled,
    // this call will succeed." LND finds the invoice by SHA256(preimage), so a settled one was
    // settled with this very preimage; versions that still answer "invoice already settled"
    // get the same idempotent success.
    if (body.error().code == LnErrorCode::kAlreadySettled) return {};
    return base::Err(body.error());
  }

  LnStatus CancelInvoice(const Hash32& payment_hash) override {
    auto body = Unary(HttpMethod::kPost, wire::kCancelInvoicePath, wire::CancelInvoiceBody(payment_hash));
    if (body) return {};
    // LND REST: "CancelInvoice cancels a currently open invoice. If the invoice is already
    // canceled, this call will succeed. If the invoice is already settled, it will fail."
    // Older versions answer "invoice already canceled": also success.
    if (body.error().code == LnErrorCode::kAlreadyCanceled) return {};
    return base::Err(body.error());
  }

  LnResult<Invoice> LookupInvoice(const Hash32& payment_hash) override {
    auto body = Unary(HttpMethod::kGet, wire::LookupInvoicePath(payment_hash), "");
    if (!body) return base::Err(body.error());
    auto invoice = wire::ParseInvoice(*body);
    if (invoice && invoice->r_hash != payment_hash) {
      return base::Err(LnError{LnErrorCode::kProtocol, "LookupInvoiceV2 answered another invoice"});
    }
    return invoice;
  }

  std::unique_ptr<Subscription> SubscribeInvoice(const Hash32& payment_hash,
                                                 StreamHandlers<Invoice> handlers) override {
    return StartInvoiceStream(m_http, payment_hash, std::move(handlers), m_backoff);
  }

  LnResult<PayReq> DecodePayReq(const std::string& payment_request) override {
    auto path = wire::DecodePayReqPath(payment_request);
    if (!path) return base::Err(path.error());
    auto body = Unary(HttpMethod::kGet, *path, "");
    if (!body) return base::Err(body.error());
    return wire::ParsePayReq(*body);
  }

  std::unique_ptr<Subscription> SendPayment(const SendPaymentRequest& req,
                                            StreamHandlers<Payment> handlers) override {
    auto body = wire::SendPaymentBody(req);
    if (!body) return StartFailedStream(body.error(), std::move(handlers));
    // The hash this payment pays, to follow it with TrackPaymentV2 if the connection drops.
    Hash32 payment_hash{};
    if (!req.payment_request.empty()) {
      auto invoice = bolt11::Decode(req.payment_request);
      if (!invoice || !invoice->payment_hash) {
        std::string reason = invoice ? "no payment hash" : invoice.error();
        return StartFailedStream(
            LnError{LnErrorCode::kInvalidArgument, "payment request does not decode: " + reason}, std::move(handlers));
      }
      payment_hash = *invoice->payment_hash;
    } else {
      payment_hash = *req.payment_hash;  // SendPaymentBody checked it is there
    }
    return StartSendPayment(m_http, std::move(*body), payment_hash, std::move(handlers), m_backoff);
  }

  std::unique_ptr<Subscription> TrackPayment(const Hash32& payment_hash, StreamHandlers<Payment> handlers) override {
    return StartTrackPayment(m_http, payment_hash, std::move(handlers), m_backoff);
  }

  LnResult<ChannelBalance> GetChannelBalance() override {
    auto body = Unary(HttpMethod::kGet, wire::kChannelBalancePath, "");
    if (!body) return base::Err(body.error());
    return wire::ParseChannelBalance(*body);
  }

  LnResult<RouteFeeEstimate> EstimateRouteFee(const RouteFeeRequest& req) override {
    auto request = wire::RouteFeeBody(req);
    if (!request) return base::Err(request.error());
    auto body = Unary(HttpMethod::kPost, wire::kEstimateRouteFeePath, *request);
    if (!body) return base::Err(body.error());
    return wire::ParseRouteFeeResponse(*body);
  }

 private:
  // The body of a 2xx answer, or LND's error mapped onto LnErrorCode.
  LnResult<std::string> Unary(HttpMethod method, std::string_view path, std::string_view body) const {
    auto response = m_http->Call(method, path, body);
    if (!response) return base::Err(response.error());
    if (response->status >= 200 && response->status < 300) return std::move(response->body);
    return base::Err(ErrorFromHttpAnswer(response->status, response->body));
  }

  std::shared_ptr<const HttpClient> m_http;
  Backoff m_backoff;
};

}  // namespace

base::Expected<std::unique_ptr<LightningNode>, LnError> CreateLndNode(const LndConfig& config) {
  if (config.reconnect_backoff_min.count() <= 0 || config.reconnect_backoff_max < config.reconnect_backoff_min) {
    return base::Err(LnError{LnErrorCode::kInvalidArgument, "reconnect backoff must satisfy 0 < min <= max"});
  }
  if (config.connect_timeout.count() <= 0 || config.request_timeout.count() <= 0) {
    return base::Err(LnError{LnErrorCode::kInvalidArgument, "timeouts must be positive"});
  }
  auto http = HttpClient::Create(config);
  if (!http) return base::Err(http.error());
  std::shared_ptr<const HttpClient> shared(std::move(*http));
  return std::unique_ptr<LightningNode>(
      std::make_unique<LndNode>(std::move(shared), Backoff{config.reconnect_backoff_min, config.reconnect_backoff_max}));
}

}  // namespace escrow::lnd
