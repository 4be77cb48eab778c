#include "escrow/simln/rest_json.h"

#include <optional>

// Responses and errors in LND's REST JSON: see rest_json.h.

#include "escrow/bolt11.h"

namespace escrow::simln::rest {
namespace {

using nlohmann::json;

std::string Str(int64_t v) { return std::to_string(v); }
std::string Str(uint64_t v) { return std::to_string(v); }
std::string B64(const Hash32& h) { return base::Base64Encode(crypto::ToBytes(h)); }
std::string B64(const std::optional<Hash32>& h) { return h ? B64(*h) : std::string(); }

// LND's feature names (lnwire.Features), by bit pair.
const char* FeatureName(uint32_t bit) {
  switch (bit / 2) {
    case 0: return "data-loss-protect";
    case 1: return "initial-routing-sync";
    case 2: return "upfront-shutdown-script";
    case 3: return "gossip-queries";
    case 4: return "tlv-onion";
    case 5: return "ext-gossip-queries";
    case 6: return "static-remote-key";
    case 7: return "payment-addr";
    case 8: return "multi-path-payments";
    case 9: return "wumbo-channels";
    case 10: return "anchors";
    case 11: return "anchors-zero-fee-htlc-tx";
    case 12: return "route-blinding";
    case 13: return "shutdown-any-segwit";
    case 15: return "amp";
    case 23: return "scid-alias";
    case 25: return "zero-conf";
    default: return nullptr;
  }
}

// LND REST: "features": map<uint32, lnrpc.Feature> {"name","is_required","is_known"}; even
// bits are required, odd bits optional.
json FeaturesJson(const std::vector<uint32_t>& bits) {
  json out = json::object();
  for (uint32_t bit : bits) {
    const char* name = FeatureName(bit);
    out[std::to_string(bit)] = {
        {"name", name ? name : "unknown"}, {"is_required", bit % 2 == 0}, {"is_known", name != nullptr}};
  }
  return out;
}

std::vector<uint32_t> FeatureBits(const bolt11::Invoice& inv) {
  std::vector<uint32_t> bits;
  int total = static_cast<int>(inv.features.size()) * 5;
  for (int bit = 0; bit < total; ++bit) {
    if (inv.HasFeature(bit)) bits.push_back(static_cast<uint32_t>(bit));
  }
  return bits;
}

json HopHintJson(const std::string& node_id, uint64_t chan_id, uint32_t fee_base, uint32_t fee_ppm,
                 uint32_t cltv_delta) {
  // lnrpc.HopHint: chan_id is uint64 (string); the fee and CLTV fields are uint32 (numbers).
  return {{"node_id", node_id},
          {"chan_id", Str(chan_id)},
          {"fee_base_msat", fee_base},
          {"fee_proportional_millionths", fee_ppm},
          {"cltv_expiry_delta", cltv_delta}};
}

json CustomRecordsJson(const CustomRecords& records) {
  json out = json::object();
  for (const auto& [k, v] : records) out[std::to_string(k)] = base::Base64Encode(v);
  return out;
}

json AmountJson(int64_t msat) {  // lnrpc.Amount {sat, msat}: uint64 → strings
  return {{"sat", Str(msat / 1000)}, {"msat", Str(msat)}};
}

}  // namespace

int HttpStatusFromCode(GrpcCode code) {
  switch (code) {
    case GrpcCode::kOk: return 200;
    case GrpcCode::kCanceled: return 499;
    case GrpcCode::kUnknown: return 500;
    case GrpcCode::kInvalidArgument: return 400;
    case GrpcCode::kDeadlineExceeded: return 504;
    case GrpcCode::kNotFound: return 404;
    case GrpcCode::kAlreadyExists: return 409;
    case GrpcCode::kPermissionDenied: return 403;
    case GrpcCode::kResourceExhausted: return 429;
    case GrpcCode::kFailedPrecondition: return 400;
    case GrpcCode::kAborted: return 409;
    case GrpcCode::kOutOfRange: return 400;
    case GrpcCode::kUnimplemented: return 501;
    case GrpcCode::kInternal: return 500;
    case GrpcCode::kUnavailable: return 503;
    case GrpcCode::kDataLoss: return 500;
    case GrpcCode::kUnauthenticated: return 401;
  }
  return 500;
}

json StatusJson(const RpcError& error) {
  return {{"code", static_cast<int>(error.code)}, {"message", error.message}, {"details", json::array()}};
}

RpcError FromLnError(const LnError& error, Call call) {
  // LND's messages: invoices.ErrInvoiceNotFound "unable to locate invoice",
  // ErrInvoiceAlreadySettled "invoice already settled", ErrInvoiceAlreadyCanceled "invoice
  // already canceled", ErrInvoiceStillOpen "invoice still open", ErrDuplicateInvoice "invoice
  // with payment hash already exists"; channeldb.ErrAlreadyPaid "invoice is already paid",
  // ErrPaymentInFlight "payment is in transition", ErrPaymentNotInitiated "payment isn't
  // initiated". Lookups answer NotFound; routerrpc answers AlreadyExists/NotFound for the
  // payment errors; the rest are plain errors (Unknown).
  switch (error.code) {
    case LnErrorCode::kNotFound:
      switch (call) {
        case Call::kTrackPayment:
        case Call::kSendPayment: return {GrpcCode::kNotFound, "payment isn't initiated"};
        case Call::kLookup: return {GrpcCode::kNotFound, "unable to locate invoice"};
        case Call::kAddInvoice:
        case Call::kSettle:
        case Call::kCancel:
        case Call::kSubscribeInvoice:
        case Call::kDecodePayReq:
        case Call::kGetInfo:
        case Call::kChannelBalance: return {GrpcCode::kUnknown, "unable to locate invoice"};
      }
      return {GrpcCode::kUnknown, "unable to locate invoice"};
    case LnErrorCode::kAlreadyExists: return {GrpcCode::kUnknown, "invoice with payment hash already exists"};
    case LnErrorCode::kAlreadySettled: return {GrpcCode::kUnknown, "invoice already settled"};
    case LnErrorCode::kAlreadyCanceled: return {GrpcCode::kUnknown, "invoice already canceled"};
    case LnErrorCode::kNotAccepted: return {GrpcCode::kUnknown, "invoice still open"};
    case LnErrorCode::kAlreadyPaying: {
      bool succeeded = error.message.find("already paid") != std::string::npos ||
                       error.message.find("succeeded") != std::string::npos;
      return {GrpcCode::kAlreadyExists, succeeded ? "invoice is already paid" : "payment is in transition"};
    }
    case LnErrorCode::kInvalidArgument: return {GrpcCode::kInvalidArgument, error.message};
    case LnErrorCode::kTimeout:
      return {GrpcCode::kDeadlineExceeded,
              error.message.empty() ? "context deadline exceeded" : error.message};
    case LnErrorCode::kNoRoute:
    case LnErrorCode::kInsufficientBalance:
    case LnErrorCode::kUnreachable:
    case LnErrorCode::kTlsMismatch:
    case LnErrorCode::kUnauthorized:
    case LnErrorCode::kProtocol: return {GrpcCode::kUnknown, error.message};
    case LnErrorCode::kInternal: return {GrpcCode::kInternal, error.message};
  }
  return {GrpcCode::kUnknown, error.message};
}

json GetInfoJson(const NodeInfo& info, int64_t now_seconds) {
  return {
      {"version", info.version.empty() ? "0.18.0-beta simln" : info.version},
      {"commit_hash", ""},
      {"identity_pubkey", info.identity_pubkey},
      {"alias", info.alias},
      {"color", "#3399ff"},
      {"num_pending_channels", 0},
      {"num_active_channels", info.num_active_channels},
      {"num_inactive_channels", 0},
      {"num_peers", info.num_active_channels},
      {"block_height", info.block_height},
      {"block_hash", info.block_hash},
      {"best_header_timestamp", Str(now_seconds)},
      {"synced_to_chain", info.synced_to_chain},
      {"synced_to_graph", true},
      {"testnet", info.network == "testnet"},
      {"chains", json::array({{{"chain", "bitcoin"}, {"network", info.network}}})},
      {"uris", json::array()},
      {"features", json::object()},
      {"require_htlc_interceptor", false},
      {"store_final_htlc_resolutions", false},
  };
}

// LND REST: routerrpc.RouteFeeResponse {routing_fee_msat: int64, time_lock_delay: int64,
// failure_reason: lnrpc.PaymentFailureReason (field 5)}.
json RouteFeeResponseJson(const RouteFeeEstimate& e) {
  return {
      {"routing_fee_msat", Str(e.routing_fee_msat)},
      {"time_lock_delay", Str(e.time_lock_delay)},
      {"failure_reason", FailureReasonName(e.failure_reason)},
  };
}

json ChannelBalanceJson(const ChannelBalance& b) {
  return {
      {"balance", Str(b.local_msat / 1000)},  // deprecated: local sats
      {"pending_open_balance", Str(b.pending_open_local_msat / 1000)},
      {"local_balance", AmountJson(b.local_msat)},
      {"remote_balance", AmountJson(b.remote_msat)},
      {"unsettled_local_balance", AmountJson(b.unsettled_local_msat)},
      {"unsettled_remote_balance", AmountJson(b.unsettled_remote_msat)},
      {"pending_open_local_balance", AmountJson(b.pending_open_local_msat)},
      {"pending_open_remote_balance", AmountJson(0)},
      {"custom_channel_data", ""},
  };
}

json InvoiceJson(const Invoice& inv) {
  json route_hints = json::array();
  std::vector<uint32_t> feature_bits;
  if (auto decoded = bolt11::Decode(inv.payment_request)) {
    for (const auto& hint : decoded->route_hints) {
      json hops = json::array();
      for (const auto& hop : hint) {
        hops.push_back(HopHintJson(crypto::ToHex(hop.pubkey), hop.short_channel_id, hop.fee_base_msat,
                                   hop.fee_proportional_millionths, hop.cltv_expiry_delta));
      }
      route_hints.push_back({{"hop_hints", hops}});
    }
    feature_bits = FeatureBits(*decoded);
  }
  json htlcs = json::array();
  for (const auto& h : inv.htlcs) {
    htlcs.push_back({
        {"chan_id", Str(h.chan_id)},
        {"htlc_index", Str(h.htlc_index)},
        {"amt_msat", Str(static_cast<uint64_t>(h.amt_msat))},
        {"accept_height", h.accept_height},
        {"accept_time", Str(h.accept_time)},
        {"resolve_time", Str(h.resolve_time)},
        {"expiry_height", h.expiry_height},
        {"state", HtlcStateName(h.state)},
        {"custom_records", CustomRecordsJson(h.custom_records)},
        {"mpp_total_amt_msat", Str(static_cast<uint64_t>(h.amt_msat))},
        {"amp", nullptr},
        {"wire_custom_records", json::object()},
    });
  }
  int64_t paid_msat = inv.amt_paid_msat;
  return {
      {"memo", inv.memo},
      {"r_preimage", B64(inv.r_preimage)},
      {"r_hash", B64(inv.r_hash)},
      {"value", Str(inv.value_msat / 1000)},
      {"value_msat", Str(inv.value_msat)},
      {"settled", inv.state == InvoiceState::kSettled},
      {"creation_date", Str(inv.creation_date)},
      {"settle_date", Str(inv.settle_date)},
      {"payment_request", inv.payment_request},
      {"description_hash", B64(inv.description_hash)},
      {"expiry", Str(inv.expiry)},
      {"fallback_addr", ""},
      {"cltv_expiry", Str(inv.cltv_expiry)},
      {"route_hints", route_hints},
      {"private", inv.is_private},
      {"add_index", Str(inv.add_index)},
      {"settle_index", Str(inv.settle_index)},
      {"amt_paid", Str(paid_msat)},  // LND quirk: the deprecated amt_paid is in msat
      {"amt_paid_sat", Str(paid_msat / 1000)},
      {"amt_paid_msat", Str(paid_msat)},
      {"state", InvoiceStateName(inv.state)},
      {"htlcs", htlcs},
      {"features", FeaturesJson(feature_bits)},
      {"is_keysend", inv.is_keysend},
      {"payment_addr", B64(inv.payment_addr)},
      {"is_amp", false},
      {"amp_invoice_state", json::object()},
      {"is_blinded", false},
      {"blinded_path_config", nullptr},
  };
}

json AddInvoiceResponseJson(const AddInvoiceResult& r) {
  return {{"r_hash", B64(r.payment_hash)},
          {"payment_request", r.payment_request},
          {"add_index", Str(r.add_index)},
          {"payment_addr", B64(r.payment_addr)}};
}

json AddHoldInvoiceRespJson(const AddInvoiceResult& r) {
  return {{"payment_request", r.payment_request},
          {"add_index", Str(r.add_index)},
          {"payment_addr", B64(r.payment_addr)}};
}

json PayReqJson(const PayReq& p) {
  json route_hints = json::array();
  for (const auto& hint : p.route_hints) {
    json hops = json::array();
    for (const auto& hop : hint) {
      hops.push_back(HopHintJson(hop.node_id, hop.chan_id, hop.fee_base_msat, hop.fee_proportional_millionths,
                                 hop.cltv_expiry_delta));
    }
    route_hints.push_back({{"hop_hints", hops}});
  }
  return {
      {"destination", p.destination},
      {"payment_hash", crypto::ToHex(p.payment_hash)},  // lnrpc.PayReq: string, hex
      {"num_satoshis", Str(p.num_msat / 1000)},
      {"timestamp", Str(p.timestamp)},
      {"expiry", Str(p.expiry)},
      {"description", p.description},
      {"description_hash", p.description_hash},
      {"fallback_addr", p.fallback_addr},
      {"cltv_expiry", Str(p.cltv_expiry)},
      {"route_hints", route_hints},
      {"payment_addr", B64(p.payment_addr)},
      {"num_msat", Str(p.num_msat)},
      {"features", FeaturesJson(p.features)},
      {"blinded_paths", json::array()},
  };
}

json PaymentJson(const Payment& p) {
  // lnrpc.Payment: payment_hash and payment_preimage are hex strings (not bytes); LND writes
  // the all-zero preimage until the payment has succeeded.
  static const Hash32 kZero{};
  return {
      {"payment_hash", crypto::ToHex(p.payment_hash)},
      {"value", Str(p.value_msat / 1000)},
      {"creation_date", Str(p.creation_time_ns / 1000000000)},
      {"fee", Str(p.fee_msat / 1000)},
      {"payment_preimage", crypto::ToHex(p.payment_preimage ? *p.payment_preimage : kZero)},
      {"value_sat", Str(p.value_msat / 1000)},
      {"value_msat", Str(p.value_msat)},
      {"payment_request", p.payment_request},
      {"status", PaymentStatusName(p.status)},
      {"fee_sat", Str(p.fee_msat / 1000)},
      {"fee_msat", Str(p.fee_msat)},
      {"creation_time_ns", Str(p.creation_time_ns)},
      {"htlcs", json::array()},
      {"payment_index", Str(p.payment_index)},
      {"failure_reason", FailureReasonName(p.failure_reason)},
      {"first_hop_custom_records", json::object()},
  };
}

}  // namespace escrow::simln::rest
