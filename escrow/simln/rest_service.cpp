#include "escrow/simln/rest_service.h"

#include <openssl/crypto.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <variant>

#include "config/base/log.h"
#include "escrow/simln/rest_json.h"
#include "escrow/stream_queue.h"

namespace escrow::simln {
namespace {

using nlohmann::json;
using rest::Call;
using rest::GrpcCode;
using rest::RpcError;

constexpr char kComponent[] = "simln.rest";
constexpr char kJson[] = "application/json";

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void Reply(http::ResponseWriter& w, const json& body) { w.Respond(200, kJson, Dump(body)); }

void ReplyError(http::ResponseWriter& w, const RpcError& e) {
  w.Respond(rest::HttpStatusFromCode(e.code), kJson, Dump(rest::StatusJson(e)));
}

enum class Route {
  kNone,
  kWrongMethod,
  kGetInfo,
  kChannelBalance,
  kAddInvoice,
  kDecodePayReq,
  kAddHoldInvoice,
  kSettleInvoice,
  kCancelInvoice,
  kLookupInvoice,
  kLookupInvoiceByHex,
  kSubscribeInvoice,
  kSendPayment,
  kTrackPayment,
  kEstimateRouteFee,
};

struct Matched {
  Route route = Route::kNone;
  std::string param;  // the path parameter, percent-decoded
};

bool TakePrefix(std::string_view path, std::string_view prefix, std::string& rest) {
  if (path.substr(0, prefix.size()) != prefix || path.size() == prefix.size()) return false;
  std::string_view tail = path.substr(prefix.size());
  if (tail.find('/') != std::string_view::npos) return false;
  auto decoded = http::PercentDecode(tail, false);
  if (!decoded) return false;
  rest = *decoded;
  return true;
}

Matched Match(std::string_view method, std::string_view path) {
  struct Fixed {
    std::string_view path;
    std::string_view method;
    Route route;
  };
  static constexpr Fixed kFixed[] = {
      {"/v1/getinfo", "GET", Route::kGetInfo},
      {"/v1/balance/channels", "GET", Route::kChannelBalance},
      {"/v1/invoices", "POST", Route::kAddInvoice},
      {"/v2/invoices/hodl", "POST", Route::kAddHoldInvoice},
      {"/v2/invoices/settle", "POST", Route::kSettleInvoice},
      {"/v2/invoices/cancel", "POST", Route::kCancelInvoice},
      {"/v2/invoices/lookup", "GET", Route::kLookupInvoice},
      {"/v2/router/send", "POST", Route::kSendPayment},
      {"/v2/router/route/estimatefee", "POST", Route::kEstimateRouteFee},
  };
  for (const auto& f : kFixed) {
    if (path == f.path) return {method == f.method ? f.route : Route::kWrongMethod, {}};
  }
  struct Param {
    std::string_view prefix;
    std::string_view method;
    Route route;
  };
  static constexpr Param kParams[] = {
      {"/v1/payreq/", "GET", Route::kDecodePayReq},
      {"/v1/invoice/", "GET", Route::kLookupInvoiceByHex},
      {"/v2/invoices/subscribe/", "GET", Route::kSubscribeInvoice},
      {"/v2/router/track/", "GET", Route::kTrackPayment},
  };
  for (const auto& p : kParams) {
    std::string param;
    if (TakePrefix(path, p.prefix, param)) {
      return {method == p.method ? p.route : Route::kWrongMethod, std::move(param)};
    }
  }
  return {};
}

// Go's strconv.ParseBool, as grpc-gateway parses boolean query parameters.
std::optional<bool> ParseBool(std::string_view v) {
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") return false;
  return std::nullopt;
}

bool IsFinal(const Payment& p) {
  return p.status == PaymentStatus::kSucceeded || p.status == PaymentStatus::kFailed;
}

// Serves a LightningNode stream as grpc-gateway does: each message a chunk `{"result":…}\n`;
// an error before the first message answers with the error's HTTP status and
// `{"error":{…}}`, an error after it is the stream's last chunk.
template <class T>
void Stream(http::ResponseWriter& w, Call call,
            const std::function<std::unique_ptr<Subscription>(StreamHandlers<T>)>& start,
            const std::function<std::optional<json>(const T&)>& render) {
  StreamQueue<T> queue;
  std::unique_ptr<Subscription> sub = start(queue.Handlers());
  bool begun = false;
  bool answered = false;
  while (!w.Closed()) {
    auto event = queue.Next(std::chrono::milliseconds(100));
    if (!event) continue;
    if (const T* update = std::get_if<T>(&*event)) {
      std::optional<json> body = render(*update);
      if (!body) continue;
      if (!begun) {
        begun = true;
        if (!w.BeginStream(200, kJson)) break;
      }
      if (!w.WriteChunk(Dump({{"result", *body}}) + "\n")) break;
      continue;
    }
    if (const LnError* error = std::get_if<LnError>(&*event)) {
      RpcError e = rest::FromLnError(*error, call);
      json body = {{"error", rest::StatusJson(e)}};
      if (begun) {
        w.WriteChunk(Dump(body) + "\n");
      } else {
        answered = true;
        w.Respond(rest::HttpStatusFromCode(e.code), kJson, Dump(body));
      }
      break;
    }
    break;  // ended
  }
  if (sub) sub->Cancel();
  sub.reset();
  if (!begun && !answered && !w.Closed()) w.BeginStream(200, kJson);  // an empty stream
}

}  // namespace

struct NodeRestService::Impl {
  std::unique_ptr<LightningNode> node;
  Options options;

  void Handle(const http::Request& req, http::ResponseWriter& w);
  void Delay(http::ResponseWriter& w);
  bool Authorized(const http::Request& req, http::ResponseWriter& w, Route route);
  void Dispatch(const Matched& m, const http::Request& req, http::ResponseWriter& w);
};

NodeRestService::NodeRestService(std::unique_ptr<LightningNode> node, Options options)
    : m_impl(std::make_unique<Impl>(Impl{std::move(node), std::move(options)})) {}

NodeRestService::~NodeRestService() = default;

void NodeRestService::Handle(const http::Request& request, http::ResponseWriter& writer) {
  m_impl->Handle(request, writer);
}

void NodeRestService::Impl::Delay(http::ResponseWriter& w) {
  if (!options.failure) return;
  FailureSetting f = options.failure();
  if (f.mode != FailureMode::kSlowReplies || f.delay_ms <= 0) return;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(f.delay_ms);
  while (std::chrono::steady_clock::now() < until && !w.Closed()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool NodeRestService::Impl::Authorized(const http::Request& req, http::ResponseWriter& w, Route route) {
  // LND (macaroons/service.go): a call without exactly one macaroon fails with "expected 1
  // macaroon, got 0"; a macaroon that does not verify with "verification failed: signature
  // mismatch after caveat verification". Both are gRPC Unknown (code 2), which the REST
  // gateway answers with HTTP 500, e.g. (RTL issue #1516, LND 0.19):
  //   500 {"code":2,"message":"verification failed: signature mismatch after caveat
  //   verification","details":[]}
  auto header = req.Header("grpc-metadata-macaroon");
  if (!header || header->empty()) {
    ReplyError(w, {GrpcCode::kUnknown, "expected 1 macaroon, got 0"});
    return false;
  }
  auto presented = base::HexDecode(*header);
  auto is = [&](const base::Bytes& expected) {
    return presented && !expected.empty() && presented->size() == expected.size() &&
           CRYPTO_memcmp(presented->data(), expected.data(), expected.size()) == 0;
  };
  if (is(options.macaroon)) return true;
  if (is(options.invoices_readonly_macaroon)) {
    // invoices:read allows LookupInvoice and SubscribeSingleInvoice; LND refuses the rest with
    // "permission denied" (gRPC Unknown).
    if (route == Route::kLookupInvoice || route == Route::kLookupInvoiceByHex || route == Route::kSubscribeInvoice) {
      return true;
    }
    ReplyError(w, {GrpcCode::kUnknown, "verification failed: permission denied"});
    return false;
  }
  ReplyError(w, {GrpcCode::kUnknown, "verification failed: signature mismatch after caveat verification"});
  return false;
}

void NodeRestService::Impl::Handle(const http::Request& req, http::ResponseWriter& w) {
  Delay(w);
  Matched m = Match(req.method, req.path);
  base::Log(base::LogLevel::kDebug, kComponent, "request",
            {{"node", options.name}, {"method", req.method}, {"path", req.path}});
  switch (m.route) {
    case Route::kNone:
      // grpc-gateway: an unknown path is gRPC NotFound with http.StatusText(404).
      ReplyError(w, {GrpcCode::kNotFound, "Not Found"});
      return;
    case Route::kWrongMethod:
      // grpc-gateway v2: a known path with another method is Unimplemented "Method Not Allowed".
      ReplyError(w, {GrpcCode::kUnimplemented, "Method Not Allowed"});
      return;
    case Route::kGetInfo:
    case Route::kChannelBalance:
    case Route::kAddInvoice:
    case Route::kDecodePayReq:
    case Route::kAddHoldInvoice:
    case Route::kSettleInvoice:
    case Route::kCancelInvoice:
    case Route::kLookupInvoice:
    case Route::kLookupInvoiceByHex:
    case Route::kSubscribeInvoice:
    case Route::kSendPayment:
    case Route::kTrackPayment:
    case Route::kEstimateRouteFee: break;
  }
  if (!Authorized(req, w, m.route)) return;
  Dispatch(m, req, w);
}

void NodeRestService::Impl::Dispatch(const Matched& m, const http::Request& req, http::ResponseWriter& w) {
  switch (m.route) {
    case Route::kNone:
    case Route::kWrongMethod: return;
    case Route::kGetInfo: {
      auto info = node->GetInfo();
      if (!info) return ReplyError(w, rest::FromLnError(info.error(), Call::kGetInfo));
      return Reply(w, rest::GetInfoJson(*info, options.clock->NowSeconds()));
    }
    case Route::kChannelBalance: {
      auto balance = node->GetChannelBalance();
      if (!balance) return ReplyError(w, rest::FromLnError(balance.error(), Call::kChannelBalance));
      return Reply(w, rest::ChannelBalanceJson(*balance));
    }
    case Route::kAddInvoice: {
      auto parsed = rest::ParseAddInvoice(req.body);
      if (!parsed) return ReplyError(w, parsed.error());
      auto added = node->AddInvoice(*parsed);
      if (!added) return ReplyError(w, rest::FromLnError(added.error(), Call::kAddInvoice));
      return Reply(w, rest::AddInvoiceResponseJson(*added));
    }
    case Route::kAddHoldInvoice: {
      auto parsed = rest::ParseAddHoldInvoice(req.body);
      if (!parsed) return ReplyError(w, parsed.error());
      auto added = node->AddHoldInvoice(*parsed);
      if (!added) return ReplyError(w, rest::FromLnError(added.error(), Call::kAddInvoice));
      return Reply(w, rest::AddHoldInvoiceRespJson(*added));
    }
    case Route::kSettleInvoice: {
      auto preimage = rest::ParseSettleInvoice(req.body);
      if (!preimage) return ReplyError(w, preimage.error());
      auto settled = node->SettleInvoice(*preimage);
      if (!settled) return ReplyError(w, rest::FromLnError(settled.error(), Call::kSettle));
      return Reply(w, json::object());
    }
    case Route::kCancelInvoice: {
      auto hash = rest::ParseCancelInvoice(req.body);
      if (!hash) return ReplyError(w, hash.error());
      auto canceled = node->CancelInvoice(*hash);
      if (!canceled) return ReplyError(w, rest::FromLnError(canceled.error(), Call::kCancel));
      return Reply(w, json::object());
    }
    case Route::kLookupInvoice: {
      // LND REST: GET /v2/invoices/lookup?payment_hash=<base64url> (a `bytes` query parameter).
      auto param = http::QueryParam(req.query, "payment_hash");
      auto hash = rest::ParseHashParam(param ? *param : std::string());
      if (!hash) return ReplyError(w, hash.error());
      auto invoice = node->LookupInvoice(*hash);
      if (!invoice) return ReplyError(w, rest::FromLnError(invoice.error(), Call::kLookup));
      return Reply(w, rest::InvoiceJson(*invoice));
    }
    case Route::kLookupInvoiceByHex: {
      // LND REST: GET /v1/invoice/{r_hash_str} — lnrpc.Lightning.LookupInvoice, "Lookup an
      // existing invoice by its payment hash" (https://api.lightning.community/api/lnd/
      // lightning/lookup-invoice): r_hash_str is "the hex-encoded payment hash of the invoice
      // to be looked up"; the answer is an lnrpc.Invoice, the message /v2/invoices/lookup
      // answers. rpcserver.go maps invoices.ErrInvoiceNotFound to gRPC NotFound, so an unknown
      // hash is 404 {"code":5,"message":"unable to locate invoice","details":[]}.
      auto hash = rest::ParseHexHashParam(m.param);
      if (!hash) return ReplyError(w, hash.error());
      auto invoice = node->LookupInvoice(*hash);
      if (!invoice) return ReplyError(w, rest::FromLnError(invoice.error(), Call::kLookup));
      return Reply(w, rest::InvoiceJson(*invoice));
    }
    case Route::kDecodePayReq: {
      auto payreq = node->DecodePayReq(m.param);
      if (!payreq) return ReplyError(w, rest::FromLnError(payreq.error(), Call::kDecodePayReq));
      return Reply(w, rest::PayReqJson(*payreq));
    }
    case Route::kEstimateRouteFee: {
      auto parsed = rest::ParseRouteFee(req.body);
      if (!parsed) return ReplyError(w, parsed.error());
      auto estimate = node->EstimateRouteFee(*parsed);
      if (!estimate) return ReplyError(w, rest::FromLnError(estimate.error(), Call::kDecodePayReq));
      return Reply(w, rest::RouteFeeResponseJson(*estimate));
    }
    case Route::kSubscribeInvoice: {
      auto hash = rest::ParseHashParam(m.param);
      if (!hash) return ReplyError(w, hash.error());
      Hash32 h = *hash;
      Stream<Invoice>(
          w, Call::kSubscribeInvoice,
          [&](StreamHandlers<Invoice> handlers) { return node->SubscribeInvoice(h, std::move(handlers)); },
          [](const Invoice& inv) -> std::optional<json> { return rest::InvoiceJson(inv); });
      return;
    }
    case Route::kSendPayment: {
      auto call = rest::ParseSendPayment(req.body);
      if (!call) return ReplyError(w, call.error());
      bool final_only = call->no_inflight_updates;
      SendPaymentRequest payment = call->request;
      Stream<Payment>(
          w, Call::kSendPayment,
          [&](StreamHandlers<Payment> handlers) { return node->SendPayment(payment, std::move(handlers)); },
          [final_only](const Payment& p) -> std::optional<json> {
            if (final_only && !IsFinal(p)) return std::nullopt;
            return rest::PaymentJson(p);
          });
      return;
    }
    case Route::kTrackPayment: {
      auto hash = rest::ParseHashParam(m.param);
      if (!hash) return ReplyError(w, hash.error());
      bool final_only = false;
      if (auto v = http::QueryParam(req.query, "no_inflight_updates")) {
        auto b = ParseBool(*v);
        if (!b) {
          return ReplyError(w, {GrpcCode::kInvalidArgument,
                                "type mismatch, parameter: no_inflight_updates, error: strconv.ParseBool: "
                                "parsing \"" +
                                    *v + "\": invalid syntax"});
        }
        final_only = *b;
      }
      Hash32 h = *hash;
      Stream<Payment>(
          w, Call::kTrackPayment,
          [&](StreamHandlers<Payment> handlers) { return node->TrackPayment(h, std::move(handlers)); },
          [final_only](const Payment& p) -> std::optional<json> {
            if (final_only && !IsFinal(p)) return std::nullopt;
            return rest::PaymentJson(p);
          });
      return;
    }
  }
}

}  // namespace escrow::simln
