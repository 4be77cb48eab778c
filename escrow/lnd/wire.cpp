#include "escrow/lnd/wire.h"

#include <algorithm>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "escrow/lnd/json_reader.h"

namespace escrow::lnd::wire {
namespace {

using nlohmann::json;

LnError Protocol(std::string reason) { return LnError{LnErrorCode::kProtocol, std::move(reason)}; }
LnError Invalid(std::string reason) {
  return LnError{LnErrorCode::kInvalidArgument, std::move(reason)};
}

// Parses without exceptions; nullopt for anything that is not JSON.
std::optional<json> ParseJson(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// Invalid UTF-8 in a memo must not throw: replace it (U+FFFD) instead.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

base::Bytes ToBytes(const Hash32& h) { return base::Bytes(h.begin(), h.end()); }
std::string Base64(const Hash32& h) { return base::Base64Encode(ToBytes(h)); }
std::string Base64Url(const Hash32& h) { return base::Base64UrlEncode(ToBytes(h)); }

// sat → msat for the deprecated sat-denominated fallbacks; nullopt on overflow.
std::optional<int64_t> SatToMsat(int64_t sat) {
  if (sat > std::numeric_limits<int64_t>::max() / 1000 || sat < std::numeric_limits<int64_t>::min() / 1000) {
    return std::nullopt;
  }
  return sat * 1000;
}

bool Has(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && !it->is_null();
}

// Reads an msat amount, falling back to a sat field when the msat one is absent (LND ≤ 0.9
// only had the sat fields). The msat field wins when both are present.
int64_t MsatWithSatFallback(JsonReader& r, const json& obj, const char* msat_key, const char* sat_key) {
  if (Has(obj, msat_key) || !Has(obj, sat_key)) return r.Int64(msat_key);
  auto msat = SatToMsat(r.Int64(sat_key));
  if (!msat) r.Fail(std::string("field '") + sat_key + "': out of range in msat");
  return msat.value_or(0);
}

bool IsHexPubKey(std::string_view s) {
  if (s.size() != 66) return false;
  return base::HexDecode(s).has_value();
}

// map<uint64, bytes> custom_records: keys are decimal strings, values base64.
CustomRecords ReadCustomRecords(JsonReader& r, const json* obj) {
  CustomRecords out;
  if (obj == nullptr) return out;
  for (const auto& [key, value] : obj->items()) {
    auto type = DecimalToUint64(key);
    if (!type) {
      r.Fail("custom_records: key is not a uint64");
      return {};
    }
    if (!value.is_string()) {
      r.Fail("custom_records: value is not a base64 string");
      return {};
    }
    auto bytes = base::Base64Decode(value.get_ref<const std::string&>());
    if (!bytes) {
      r.Fail("custom_records: bad base64");
      return {};
    }
    out.emplace(*type, std::move(*bytes));
  }
  return out;
}

std::optional<InvoiceHtlc> ReadHtlc(const json& obj, const std::string& what, std::string* error) {
  JsonReader r(obj, what);
  InvoiceHtlc h;
  h.chan_id = r.Uint64("chan_id");
  h.htlc_index = r.Uint64("htlc_index");
  // LND REST: InvoiceHTLC.amt_msat is a uint64.
  const uint64_t amt = r.Uint64("amt_msat");
  if (amt > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) r.Fail("field 'amt_msat': out of range");
  h.amt_msat = static_cast<int64_t>(amt);
  h.accept_height = r.Int32("accept_height");
  h.accept_time = r.Int64("accept_time");
  h.resolve_time = r.Int64("resolve_time");
  h.expiry_height = r.Int32("expiry_height");
  h.state = r.Enum<HtlcState>("state", HtlcStateFromName, 2, HtlcState::kAccepted);
  h.custom_records = ReadCustomRecords(r, r.Object("custom_records"));
  if (!r.ok()) {
    *error = r.error();
    return std::nullopt;
  }
  return h;
}

LnResult<Invoice> ReadInvoice(const json& obj) {
  JsonReader r(obj, "Invoice");
  Invoice inv;
  inv.memo = r.String("memo");
  // LND REST: r_preimage is empty for a hold invoice until it is settled.
  inv.r_preimage = r.Hash("r_preimage");
  inv.r_hash = r.Hash("r_hash", /*required=*/true).value_or(Hash32{});
  inv.value_msat = MsatWithSatFallback(r, obj, "value_msat", "value");
  inv.creation_date = r.Int64("creation_date");
  inv.settle_date = r.Int64("settle_date");
  inv.payment_request = r.String("payment_request");
  inv.description_hash = r.Hash("description_hash");
  inv.expiry = r.Int64("expiry");
  inv.cltv_expiry = r.Uint64("cltv_expiry");
  inv.is_private = r.Bool("private");
  inv.add_index = r.Uint64("add_index");
  inv.settle_index = r.Uint64("settle_index");
  inv.amt_paid_msat = r.Int64("amt_paid_msat");
  // LND REST: Invoice.InvoiceState: OPEN, SETTLED, CANCELED, ACCEPTED.
  inv.state = r.Enum<InvoiceState>("state", InvoiceStateFromName, 3, InvoiceState::kOpen, /*required=*/true);
  if (const json* htlcs = r.Array("htlcs")) {
    for (size_t i = 0; i < htlcs->size() && r.ok(); ++i) {
      std::string error;
      auto h = ReadHtlc((*htlcs)[i], "Invoice.htlcs[" + std::to_string(i) + "]", &error);
      if (!h) return base::Err(Protocol(error));
      inv.htlcs.push_back(std::move(*h));
    }
  }
  inv.is_keysend = r.Bool("is_keysend");
  inv.payment_addr = r.Hash("payment_addr").value_or(Hash32{});
  if (!r.ok()) return base::Err(Protocol(r.error()));
  return inv;
}

LnResult<Payment> ReadPayment(const json& obj) {
  JsonReader r(obj, "Payment");
  Payment p;
  // LND REST: lnrpc.Payment.payment_hash and payment_preimage are hex strings, not bytes.
  p.payment_hash = r.HexHash("payment_hash", /*required=*/true).value_or(Hash32{});
  p.value_msat = MsatWithSatFallback(r, obj, "value_msat", "value_sat");
  p.fee_msat = MsatWithSatFallback(r, obj, "fee_msat", "fee_sat");
  auto preimage = r.HexHash("payment_preimage");
  // An unsettled payment reports 64 zeros as its preimage.
  if (preimage && std::any_of(preimage->begin(), preimage->end(), [](uint8_t b) { return b != 0; })) {
    p.payment_preimage = preimage;
  }
  p.payment_request = r.String("payment_request");
  p.status = r.Enum<PaymentStatus>("status", PaymentStatusFromName, 4, PaymentStatus::kUnknown,
                                   /*required=*/true);
  p.failure_reason =
      r.Enum<FailureReason>("failure_reason", FailureReasonFromName, 6, FailureReason::kNone);
  p.creation_time_ns = r.Int64("creation_time_ns");
  p.payment_index = r.Uint64("payment_index");
  if (!r.ok()) return base::Err(Protocol(r.error()));
  return p;
}

template <class T, class Reader>
LnResult<StreamItem<T>> ParseStreamLine(std::string_view line, const char* what, Reader read) {
  auto j = ParseJson(line);
  if (!j || !j->is_object()) return base::Err(Protocol(std::string(what) + " stream: line is not a JSON object"));
  auto result = j->find("result");
  if (result != j->end() && !result->is_null()) {
    auto item = read(*result);
    if (!item) return base::Err(item.error());
    return StreamItem<T>(std::move(*item));
  }
  auto error = j->find("error");
  if (error != j->end() && !error->is_null()) {
    auto status = ParseRpcStatus(line);
    if (!status) return base::Err(status.error());
    return StreamItem<T>(std::move(*status));
  }
  return base::Err(Protocol(std::string(what) + " stream: line has neither 'result' nor 'error'"));
}

}  // namespace

// ---- Paths ----------------------------------------------------------------------------------

// LND REST: "bytes fields in URL paths and query strings must be base64url encoded"
// (grpc-gateway decodes them with base64.StdEncoding, then base64.URLEncoding: both padded).
std::string LookupInvoicePath(const Hash32& payment_hash) {
  return "/v2/invoices/lookup?payment_hash=" + Base64Url(payment_hash);
}

std::string SubscribeInvoicePath(const Hash32& r_hash) { return "/v2/invoices/subscribe/" + Base64Url(r_hash); }

std::string TrackPaymentPath(const Hash32& payment_hash) { return "/v2/router/track/" + Base64Url(payment_hash); }

LnResult<std::string> DecodePayReqPath(std::string_view payment_request) {
  // BOLT #11: a payment request is bech32: human-readable part, '1', data; letters and digits.
  if (payment_request.empty() || payment_request.size() > 8192 ||
      !std::all_of(payment_request.begin(), payment_request.end(),
                   [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); })) {
    return base::Err(Invalid("payment request is not a bech32 string"));
  }
  return "/v1/payreq/" + std::string(payment_request);
}

// ---- Request bodies -------------------------------------------------------------------------

// LND REST: invoicesrpc.AddHoldInvoiceRequest {memo, hash (bytes), value_msat (int64),
// description_hash (bytes), expiry (int64), fallback_addr, cltv_expiry (uint64), route_hints,
// private}.
std::string AddHoldInvoiceBody(const HoldInvoiceRequest& req) {
  json j = json::object();
  j["memo"] = req.memo;
  j["hash"] = Base64(req.payment_hash);
  j["value_msat"] = std::to_string(req.value_msat);
  if (req.description_hash) j["description_hash"] = Base64(*req.description_hash);
  j["expiry"] = std::to_string(req.expiry_seconds);
  j["cltv_expiry"] = std::to_string(req.cltv_expiry);
  j["private"] = req.private_route_hints;
  return Dump(j);
}

// LND REST: lnrpc.Invoice as the body of POST /v1/invoices {memo, r_preimage (bytes),
// value_msat (int64), description_hash (bytes), expiry (int64), cltv_expiry (uint64), …}.
std::string AddInvoiceBody(const InvoiceRequest& req) {
  json j = json::object();
  j["memo"] = req.memo;
  if (req.preimage) j["r_preimage"] = Base64(*req.preimage);
  if (req.description_hash) j["description_hash"] = Base64(*req.description_hash);
  j["value_msat"] = std::to_string(req.value_msat);
  j["expiry"] = std::to_string(req.expiry_seconds);
  if (req.cltv_expiry != 0) j["cltv_expiry"] = std::to_string(req.cltv_expiry);
  return Dump(j);
}

// LND REST: invoicesrpc.SettleInvoiceMsg {preimage (bytes)}.
std::string SettleInvoiceBody(const Hash32& preimage) { return Dump(json{{"preimage", Base64(preimage)}}); }

// LND REST: invoicesrpc.CancelInvoiceMsg {payment_hash (bytes)}.
std::string CancelInvoiceBody(const Hash32& payment_hash) {
  return Dump(json{{"payment_hash", Base64(payment_hash)}});
}

// LND REST: routerrpc.SendPaymentRequest {dest (bytes), amt_msat (int64), payment_hash (bytes),
// payment_request, timeout_seconds (int32), fee_limit_msat (int64), dest_custom_records
// (map<uint64, bytes>), allow_self_payment, …}. "If no payment request is specified, the
// following fields are required: dest, amt and payment_hash."
LnResult<std::string> SendPaymentBody(const SendPaymentRequest& req) {
  json j = json::object();
  if (!req.payment_request.empty()) {
    j["payment_request"] = req.payment_request;
    if (req.amt_msat < 0) return base::Err(Invalid("amt_msat is negative"));
    // "The amount in the payment request may be zero. In that case it is required to set the
    // amt field as well."
    if (req.amt_msat > 0) j["amt_msat"] = std::to_string(req.amt_msat);
  } else {
    if (!req.dest || !IsHexPubKey(*req.dest)) {
      return base::Err(Invalid("keysend needs dest as a 33-byte hex pubkey"));
    }
    if (req.amt_msat <= 0) return base::Err(Invalid("keysend needs amt_msat > 0"));
    if (!req.payment_hash) return base::Err(Invalid("keysend needs a payment_hash"));
    j["dest"] = base::Base64Encode(*base::HexDecode(*req.dest));
    j["amt_msat"] = std::to_string(req.amt_msat);
    j["payment_hash"] = Base64(*req.payment_hash);
  }
  if (!req.dest_custom_records.empty()) {
    json records = json::object();
    for (const auto& [type, value] : req.dest_custom_records) {
      records[std::to_string(type)] = base::Base64Encode(value);
    }
    j["dest_custom_records"] = std::move(records);
  }
  if (req.fee_limit_msat < 0) return base::Err(Invalid("fee_limit_msat is negative"));
  // "If this field is left to the default value of 0, only zero-fee routes will be considered."
  j["fee_limit_msat"] = std::to_string(req.fee_limit_msat);
  j["timeout_seconds"] = req.timeout_seconds;  // int32: a JSON number
  if (req.cltv_limit < 0) return base::Err(Invalid("cltv_limit is negative"));
  if (req.cltv_limit > 0) j["cltv_limit"] = req.cltv_limit;  // int32: a JSON number
  if (req.allow_self_payment) j["allow_self_payment"] = true;
  return Dump(j);
}

// ---- Responses ------------------------------------------------------------------------------

// LND REST: lnrpc.GetInfoResponse {version, identity_pubkey, alias, num_active_channels,
// block_height (uint32), block_hash, synced_to_chain, chains [{chain, network}], …}.
LnResult<NodeInfo> ParseGetInfo(std::string_view body) {
  auto j = ParseJson(body);
  if (!j) return base::Err(Protocol("GetInfoResponse: not valid JSON"));
  JsonReader r(*j, "GetInfoResponse");
  NodeInfo info;
  info.identity_pubkey = r.String("identity_pubkey", /*required=*/true);
  if (r.ok() && !IsHexPubKey(info.identity_pubkey)) r.Fail("field 'identity_pubkey': not a 33-byte hex key");
  info.alias = r.String("alias");
  info.block_height = r.Uint32("block_height", /*required=*/true);
  info.block_hash = r.String("block_hash");
  info.synced_to_chain = r.Bool("synced_to_chain");
  info.num_active_channels = r.Uint32("num_active_channels");
  info.version = r.String("version");
  if (const json* chains = r.Array("chains"); chains != nullptr && !chains->empty()) {
    JsonReader chain((*chains)[0], "GetInfoResponse.chains[0]");
    info.network = chain.String("network");
    if (!chain.ok()) return base::Err(Protocol(chain.error()));
  }
  if (!r.ok()) return base::Err(Protocol(r.error()));
  return info;
}

// LND REST: invoicesrpc.AddHoldInvoiceResp {payment_request, add_index (uint64),
// payment_addr (bytes)}. LND before 0.16 only returned payment_request.
LnResult<AddInvoiceResult> ParseAddHoldInvoiceResp(std::string_view body, const Hash32& payment_hash) {
  auto j = ParseJson(body);
  if (!j) return base::Err(Protocol("AddHoldInvoiceResp: not valid JSON"));
  JsonReader r(*j, "AddHoldInvoiceResp");
  AddInvoiceResult out;
  out.payment_hash = payment_hash;
  out.payment_request = r.String("payment_request", /*required=*/true);
  out.add_index = r.Uint64("add_index");
  out.payment_addr = r.Hash("payment_addr").value_or(Hash32{});
  if (!r.ok()) return base::Err(Protocol(r.error()));
  return out;
}

// LND REST: lnrpc.AddInvoiceResponse {r_hash (bytes), payment_request, add_index (uint64),
// payment_addr (bytes)}.
LnResult<AddInvoiceResult> ParseAddInvoiceResponse(std::string_view body) {
  auto j = ParseJson(body);
  if (!j) return base::Err(Protocol("AddInvoiceResponse: not valid JSON"));
  JsonReader r(*j, "AddInvoiceResponse");
  AddInvoiceResult out;
  out.payment_hash = r.Hash("r_hash", /*required=*/true).value_or(Hash32{});
  out.payment_request = r.String("payment_request", /*required=*/true);
  out.add_index = r.Uint64("add_index");
  out.payment_addr = r.Hash("payment_addr").value_or(Hash32{});
  if (!r.ok()) return base::Err(Protocol(r.error()));
  return out;
}

LnResult<Invoice> ParseInvoice(std::string_view body) {
  auto j = ParseJson(body);
  if (!j) return base::Err(Protocol("Invoice: not valid JSON"));
  return ReadInvoice(*j);
}

// LND REST: lnrpc.PayReq {destination, payment_hash (hex string), num_satoshis, timestamp,
// expiry, description, description_hash (hex string), fallback_addr, cltv_expiry (int64),
// route_hints [{hop_hints [{node_id, chan_id (uint64), fee_base_msat, fee_proportional_millionths,
// cltv_expiry_delta}]}], payment_addr (bytes), num_msat, features (map<uint32, Feature>)}.
LnResult<PayReq> ParsePayReq(std::string_view body) {
  auto j = ParseJson(body);
  if (!j) return base::Err(Protocol("PayReq: not valid JSON"));
  JsonReader r(*j, "PayReq");
  PayReq p;
  p.destination = r.String("destination", /*required=*/true);
  if (r.ok() && !IsHexPubKey(p.destination)) r.Fail("field 'destination': not a 33-byte hex key");
  p.payment_hash = r.HexHash("payment_hash", /*required=*/true).value_or(Hash32{});
  p.num_msat = MsatWithSatFallback(r, *j, "num_msat", "num_satoshis");
  p.timestamp = r.Int64("timestamp");
  p.expiry = r.Int64("expiry");
  p.description = r.String("description");
  p.description_hash = r.String("description_hash");
  if (r.ok() && !p.description_hash.empty() && !crypto::Hash32FromHex(p.description_hash)) {
    r.Fail("field 'description_hash': not 64 hex digits");
  }
  p.fallback_addr = r.String("fallback_addr");
  p.cltv_expiry = r.Int64("cltv_expiry");
  if (const json* hints = r.Array("route_hints")) {
    for (size_t i = 0; i < hints->size() && r.ok(); ++i) {
      JsonReader hint((*hints)[i], "PayReq.route_hints[" + std::to_string(i) + "]");
      std::vector<PayReq::Hop> route;
      if (const json* hops = hint.Array("hop_hints")) {
        for (size_t k = 0; k < hops->size() && hint.ok(); ++k) {
          JsonReader hop((*hops)[k], "PayReq.route_hints[" + std::to_string(i) + "].hop_hints[" + std::to_string(k) + "]");
          PayReq::Hop h;
          h.node_id = hop.String("node_id", /*required=*/true);
          if (hop.ok() && !IsHexPubKey(h.node_id)) hop.Fail("field 'node_id': not a 33-byte hex key");
          h.chan_id = hop.Uint64("chan_id");
          h.fee_base_msat = hop.Uint32("fee_base_msat");
          h.fee_proportional_millionths = hop.Uint32("fee_proportional_millionths");
          h.cltv_expiry_delta = hop.Uint32("cltv_expiry_delta");
          if (!hop.ok()) return base::Err(Protocol(hop.error()));
          route.push_back(std::move(h));
        }
      }
      if (!hint.ok()) return base::Err(Protocol(hint.error()));
      p.route_hints.push_back(std::move(route));
    }
  }
  p.payment_addr = r.Hash("payment_addr").value_or(Hash32{});
  if (const json* features = r.Object("features")) {
    for (const auto& [key, feature] : features->items()) {
      auto bit = DecimalToUint64(key);
      if (!bit || *bit > std::numeric_limits<uint32_t>::max()) {
        r.Fail("field 'features': key is not a uint32 bit number");
        break;
      }
      if (!feature.is_object()) {
        r.Fail("field 'features': value is not a Feature object");
        break;
      }
      p.features.push_back(static_cast<uint32_t>(*bit));
    }
    std::sort(p.features.begin(), p.features.end());  // JSON keys sort as strings ("14" < "9")
  }
  if (!r.ok()) return base::Err(Protocol(r.error()));
  return p;
}

LnResult<Payment> ParsePayment(std::string_view body) {
  auto j = ParseJson(body);
  if (!j) return base::Err(Protocol("Payment: not valid JSON"));
  return ReadPayment(*j);
}

// LND REST: lnrpc.ChannelBalanceResponse {local_balance, remote_balance,
// unsettled_local_balance, unsettled_remote_balance, pending_open_local_balance, … each an
// lnrpc.Amount {sat (uint64), msat (uint64)}; balance and pending_open_balance (deprecated)}.
// LND REST: routerrpc.RouteFeeRequest {dest (bytes), amt_sat (int64), payment_request (string),
// timeout (uint32: "a timeout for the probe payment", seconds)}. Only the probing form.
LnResult<std::string> RouteFeeBody(const RouteFeeRequest& req) {
  if (req.payment_request.empty()) return base::Err(Invalid("estimatefee needs a payment request"));
  json j{{"payment_request", req.payment_request}};
  if (req.timeout_seconds > 0) j["timeout"] = req.timeout_seconds;
  return Dump(j);
}

// LND REST: routerrpc.RouteFeeResponse {routing_fee_msat (int64), time_lock_delay (int64),
// failure_reason (lnrpc.PaymentFailureReason)}.
LnResult<RouteFeeEstimate> ParseRouteFeeResponse(std::string_view body) {
  auto j = ParseJson(body);
  if (!j || !j->is_object()) return base::Err(Protocol("RouteFeeResponse: not a JSON object"));
  JsonReader r(*j, "RouteFeeResponse");
  RouteFeeEstimate e;
  e.routing_fee_msat = r.Int64("routing_fee_msat");
  e.time_lock_delay = r.Int64("time_lock_delay");
  e.failure_reason = r.Enum<FailureReason>("failure_reason", FailureReasonFromName, 6, FailureReason::kNone);
  if (r.ok() && (e.routing_fee_msat < 0 || e.time_lock_delay < 0)) r.Fail("negative fee or time lock");
  if (!r.ok()) return base::Err(Protocol(r.error()));
  return e;
}

LnResult<ChannelBalance> ParseChannelBalance(std::string_view body) {
  auto j = ParseJson(body);
  if (!j) return base::Err(Protocol("ChannelBalanceResponse: not valid JSON"));
  JsonReader r(*j, "ChannelBalanceResponse");
  auto amount = [&](const char* key) -> int64_t {
    const json* obj = r.Object(key);
    if (obj == nullptr) return 0;
    JsonReader a(*obj, std::string("ChannelBalanceResponse.") + key);
    uint64_t msat = 0;
    if (Has(*obj, "msat") || !Has(*obj, "sat")) {
      msat = a.Uint64("msat");
    } else {
      const uint64_t sat = a.Uint64("sat");
      if (sat > std::numeric_limits<uint64_t>::max() / 1000) a.Fail("field 'sat': out of range in msat");
      msat = sat * 1000;
    }
    if (msat > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) a.Fail("field 'msat': out of range");
    if (!a.ok()) r.Fail(a.error());
    return a.ok() ? static_cast<int64_t>(msat) : 0;
  };
  ChannelBalance b;
  b.local_msat = amount("local_balance");
  b.remote_msat = amount("remote_balance");
  b.pending_open_local_msat = amount("pending_open_local_balance");
  b.unsettled_local_msat = amount("unsettled_local_balance");
  b.unsettled_remote_msat = amount("unsettled_remote_balance");
  if (!r.ok()) return base::Err(Protocol(r.error()));
  return b;
}

LnResult<RpcStatus> ParseRpcStatus(std::string_view body) {
  auto j = ParseJson(body);
  if (!j || !j->is_object()) return base::Err(Protocol("error body: not a JSON object"));
  const json* obj = &*j;
  // A stream's error line wraps the status: {"error": {"code", "message", "details"}}.
  if (auto e = obj->find("error"); e != obj->end() && e->is_object()) obj = &*e;
  JsonReader r(*obj, "Status");
  RpcStatus st;
  // grpc-gateway v1 stream errors used "grpc_code"; everything else uses "code".
  st.code = Has(*obj, "code") ? r.Int32("code") : r.Int32("grpc_code");
  st.message = r.String("message");
  if (st.message.empty() && Has(*obj, "error")) st.message = r.String("error");  // older gateways
  if (!r.ok()) return base::Err(Protocol(r.error()));
  if (st.message.empty() && st.code == 0) return base::Err(Protocol("Status: neither 'code' nor 'message'"));
  return st;
}

LnResult<StreamItem<Invoice>> ParseInvoiceStreamLine(std::string_view line) {
  return ParseStreamLine<Invoice>(line, "Invoice", ReadInvoice);
}

LnResult<StreamItem<Payment>> ParsePaymentStreamLine(std::string_view line) {
  return ParseStreamLine<Payment>(line, "Payment", ReadPayment);
}

}  // namespace escrow::lnd::wire
