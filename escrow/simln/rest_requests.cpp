#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>

#include "escrow/simln/rest_json.h"

// Request bodies and parameters, parsed as LND's grpc-gateway does (protojson with
// DiscardUnknown): see rest_json.h.

namespace escrow::simln::rest {
namespace {

using nlohmann::json;
using Problem = std::optional<RpcError>;
// --- request field readers (protojson semantics) ---

RpcError Invalid(std::string message) { return {GrpcCode::kInvalidArgument, std::move(message)}; }

RpcError BadValue(std::string_view type, std::string_view name, const json& v) {
  return Invalid("proto: invalid value for " + std::string(type) + " field " + std::string(name) + ": " +
                 v.dump());
}

base::Expected<json, RpcError> ParseObject(std::string_view body) {
  // grpc-gateway: an empty body decodes to the empty message (io.EOF is not an error).
  bool blank = true;
  for (char c : body) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') blank = false;
  }
  if (blank) return json::object();
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) return base::Err(Invalid("proto: syntax error: invalid JSON"));
  if (!parsed.is_object()) return base::Err(Invalid("proto: syntax error: unexpected token, want object"));
  return parsed;
}

const json* Field(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

// int64/uint64/int32/uint32: a JSON number or a decimal string.
template <class T>
Problem ReadInt(const json& obj, const char* name, T& out, const char* type) {
  const json* v = Field(obj, name);
  if (v == nullptr) return std::nullopt;
  if (v->is_number_integer() || v->is_number_unsigned()) {
    if (v->is_number_unsigned()) {
      uint64_t u = v->get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<T>::max())) return BadValue(type, name, *v);
      out = static_cast<T>(u);
      return std::nullopt;
    }
    int64_t i = v->get<int64_t>();
    if (i < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
        (i > 0 && static_cast<uint64_t>(i) > static_cast<uint64_t>(std::numeric_limits<T>::max()))) {
      return BadValue(type, name, *v);
    }
    out = static_cast<T>(i);
    return std::nullopt;
  }
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (std::floor(d) != d || d < static_cast<double>(std::numeric_limits<T>::min()) ||
        d > static_cast<double>(std::numeric_limits<T>::max())) {
      return BadValue(type, name, *v);
    }
    out = static_cast<T>(d);
    return std::nullopt;
  }
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    T parsed{};
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return BadValue(type, name, *v);
    out = parsed;
    return std::nullopt;
  }
  return BadValue(type, name, *v);
}

Problem ReadBool(const json& obj, const char* name, bool& out) {
  const json* v = Field(obj, name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) return BadValue("bool", name, *v);
  out = v->get<bool>();
  return std::nullopt;
}

Problem ReadString(const json& obj, const char* name, std::string& out) {
  const json* v = Field(obj, name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) return BadValue("string", name, *v);
  out = v->get<std::string>();
  return std::nullopt;
}

Problem ReadBytes(const json& obj, const char* name, base::Bytes& out) {
  const json* v = Field(obj, name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) return BadValue("bytes", name, *v);
  auto decoded = base::Base64Decode(v->get_ref<const std::string&>());
  if (!decoded) return BadValue("bytes", name, *v);
  out = std::move(*decoded);
  return std::nullopt;
}

// LND (lntypes.MakeHash / MakePreimage): "invalid hash length of N, want 32".
base::Expected<Hash32, RpcError> ToHash(const base::Bytes& bytes, const char* what) {
  auto h = crypto::Hash32FromBytes(bytes);
  if (!h) {
    return base::Err(RpcError{GrpcCode::kUnknown, std::string("invalid ") + what + " length of " +
                                                      std::to_string(bytes.size()) + ", want 32"});
  }
  return *h;
}

// LND (lnrpc.UnmarshallAmt): "sat and msat arguments are mutually exclusive".
base::Expected<int64_t, RpcError> SatOrMsat(int64_t sat, int64_t msat) {
  if (sat != 0 && msat != 0) {
    return base::Err(RpcError{GrpcCode::kUnknown, "sat and msat arguments are mutually exclusive"});
  }
  if (sat < 0 || msat < 0) return base::Err(RpcError{GrpcCode::kUnknown, "amount cannot be negative"});
  if (sat > std::numeric_limits<int64_t>::max() / 1000) {
    return base::Err(RpcError{GrpcCode::kUnknown, "amount too large"});
  }
  return sat != 0 ? sat * 1000 : msat;
}

// LND (invoicesrpc.AddInvoice): "DefaultInvoiceExpiry is the default invoice expiry for new
// MPP invoices" = 24 hours; negative expiries are rejected.
constexpr int64_t kDefaultInvoiceExpiry = 86400;
constexpr int64_t kMaxInvoiceExpiry = 365L * 24 * 3600;

base::Expected<int64_t, RpcError> Expiry(int64_t expiry) {
  if (expiry < 0) return base::Err(RpcError{GrpcCode::kUnknown, "expiry cannot be negative"});
  if (expiry > kMaxInvoiceExpiry) {
    return base::Err(RpcError{GrpcCode::kUnknown, "expiry of " + std::to_string(expiry) +
                                                      " seconds greater than max invoice expiry of " +
                                                      std::to_string(kMaxInvoiceExpiry) + " seconds"});
  }
  return expiry == 0 ? kDefaultInvoiceExpiry : expiry;
}

#define TRY(expr)                                   \
  do {                                              \
    if (Problem p_ = (expr)) return base::Err(*p_); \
  } while (0)

}  // namespace

base::Expected<HoldInvoiceRequest, RpcError> ParseAddHoldInvoice(std::string_view body) {
  // invoicesrpc.AddHoldInvoiceRequest {memo, hash, value, value_msat, description_hash,
  // expiry, fallback_addr, cltv_expiry, route_hints, private}
  auto obj = ParseObject(body);
  if (!obj) return base::Err(obj.error());
  HoldInvoiceRequest req;
  base::Bytes hash, description_hash;
  int64_t value = 0, value_msat = 0, expiry = 0;
  uint64_t cltv_expiry = 0;
  TRY(ReadString(*obj, "memo", req.memo));
  TRY(ReadBytes(*obj, "hash", hash));
  TRY(ReadInt(*obj, "value", value, "int64"));
  TRY(ReadInt(*obj, "value_msat", value_msat, "int64"));
  TRY(ReadBytes(*obj, "description_hash", description_hash));
  TRY(ReadInt(*obj, "expiry", expiry, "int64"));
  TRY(ReadInt(*obj, "cltv_expiry", cltv_expiry, "uint64"));
  TRY(ReadBool(*obj, "private", req.private_route_hints));
  auto h = ToHash(hash, "hash");
  if (!h) return base::Err(h.error());
  req.payment_hash = *h;
  auto amount = SatOrMsat(value, value_msat);
  if (!amount) return base::Err(amount.error());
  req.value_msat = *amount;
  if (!description_hash.empty()) {
    auto dh = crypto::Hash32FromBytes(description_hash);
    if (!dh)
      return base::Err(
          RpcError{GrpcCode::kUnknown,
                   "description hash is " + std::to_string(description_hash.size()) + " bytes, must be 32"});
    req.description_hash = *dh;
  }
  auto e = Expiry(expiry);
  if (!e) return base::Err(e.error());
  req.expiry_seconds = *e;
  req.cltv_expiry = cltv_expiry;
  return req;
}

base::Expected<InvoiceRequest, RpcError> ParseAddInvoice(std::string_view body) {
  // lnrpc.Invoice as the request of POST /v1/invoices.
  auto obj = ParseObject(body);
  if (!obj) return base::Err(obj.error());
  InvoiceRequest req;
  base::Bytes preimage, description_hash;
  int64_t value = 0, value_msat = 0, expiry = 0;
  uint64_t cltv_expiry = 0;
  TRY(ReadString(*obj, "memo", req.memo));
  TRY(ReadBytes(*obj, "r_preimage", preimage));
  TRY(ReadBytes(*obj, "description_hash", description_hash));
  if (!description_hash.empty()) {
    auto dh = crypto::Hash32FromBytes(description_hash);
    if (!dh)
      return base::Err(
          RpcError{GrpcCode::kUnknown,
                   "description hash is " + std::to_string(description_hash.size()) + " bytes, must be 32"});
    req.description_hash = *dh;
  }
  TRY(ReadInt(*obj, "value", value, "int64"));
  TRY(ReadInt(*obj, "value_msat", value_msat, "int64"));
  TRY(ReadInt(*obj, "expiry", expiry, "int64"));
  TRY(ReadInt(*obj, "cltv_expiry", cltv_expiry, "uint64"));
  if (!preimage.empty()) {
    auto p = ToHash(preimage, "preimage");
    if (!p) return base::Err(p.error());
    req.preimage = *p;
  }
  auto amount = SatOrMsat(value, value_msat);
  if (!amount) return base::Err(amount.error());
  req.value_msat = *amount;
  auto e = Expiry(expiry);
  if (!e) return base::Err(e.error());
  req.expiry_seconds = *e;
  req.cltv_expiry = cltv_expiry;
  return req;
}

base::Expected<Hash32, RpcError> ParseSettleInvoice(std::string_view body) {
  auto obj = ParseObject(body);
  if (!obj) return base::Err(obj.error());
  base::Bytes preimage;
  TRY(ReadBytes(*obj, "preimage", preimage));
  return ToHash(preimage, "preimage");
}

base::Expected<Hash32, RpcError> ParseCancelInvoice(std::string_view body) {
  auto obj = ParseObject(body);
  if (!obj) return base::Err(obj.error());
  base::Bytes hash;
  TRY(ReadBytes(*obj, "payment_hash", hash));
  return ToHash(hash, "hash");
}

base::Expected<RouteFeeRequest, RpcError> ParseRouteFee(std::string_view body) {
  auto obj = ParseObject(body);
  if (!obj) return base::Err(obj.error());
  RouteFeeRequest req;
  base::Bytes dest;
  int64_t amt_sat = 0;
  TRY(ReadBytes(*obj, "dest", dest));
  TRY(ReadInt(*obj, "amt_sat", amt_sat, "int64"));
  TRY(ReadString(*obj, "payment_request", req.payment_request));
  TRY(ReadInt(*obj, "timeout", req.timeout_seconds, "uint32"));
  if (req.payment_request.empty()) {
    if (dest.empty()) return base::Err(RpcError{GrpcCode::kUnknown, "dest or payment_request must be specified"});
    return base::Err(RpcError{GrpcCode::kUnimplemented, "simln estimates route fees of payment requests only"});
  }
  return req;
}

base::Expected<SendPaymentCall, RpcError> ParseSendPayment(std::string_view body) {
  // routerrpc.SendPaymentRequest.
  auto obj = ParseObject(body);
  if (!obj) return base::Err(obj.error());
  SendPaymentCall call;
  SendPaymentRequest& req = call.request;
  base::Bytes dest, payment_hash;
  int64_t amt = 0, amt_msat = 0, fee_limit_sat = 0, fee_limit_msat = 0;
  int32_t timeout_seconds = 0;
  TRY(ReadString(*obj, "payment_request", req.payment_request));
  TRY(ReadBytes(*obj, "dest", dest));
  TRY(ReadInt(*obj, "amt", amt, "int64"));
  TRY(ReadInt(*obj, "amt_msat", amt_msat, "int64"));
  TRY(ReadBytes(*obj, "payment_hash", payment_hash));
  TRY(ReadInt(*obj, "fee_limit_sat", fee_limit_sat, "int64"));
  TRY(ReadInt(*obj, "fee_limit_msat", fee_limit_msat, "int64"));
  TRY(ReadInt(*obj, "timeout_seconds", timeout_seconds, "int32"));
  TRY(ReadInt(*obj, "cltv_limit", req.cltv_limit, "int32"));
  TRY(ReadBool(*obj, "no_inflight_updates", call.no_inflight_updates));
  TRY(ReadBool(*obj, "allow_self_payment", req.allow_self_payment));
  if (const json* records = Field(*obj, "dest_custom_records")) {
    if (!records->is_object()) return base::Err(BadValue("map", "dest_custom_records", *records));
    for (const auto& [key, value] : records->items()) {
      uint64_t type = 0;
      auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), type);
      if (key.empty() || ec != std::errc() || ptr != key.data() + key.size()) {
        return base::Err(BadValue("uint64", "dest_custom_records key", json(key)));
      }
      if (!value.is_string()) return base::Err(BadValue("bytes", "dest_custom_records value", value));
      auto bytes = base::Base64Decode(value.get_ref<const std::string&>());
      if (!bytes) return base::Err(BadValue("bytes", "dest_custom_records value", value));
      req.dest_custom_records.emplace(type, std::move(*bytes));
    }
  }
  if (!dest.empty()) {
    // LND: "dest must be 33 bytes" … the identity key, compressed.
    if (dest.size() != 33) {
      return base::Err(RpcError{GrpcCode::kUnknown,
                                "invalid vertex length of " + std::to_string(dest.size()) + ", want 33"});
    }
    req.dest = base::HexEncode(dest);
  }
  if (!payment_hash.empty()) {
    auto h = ToHash(payment_hash, "hash");
    if (!h) return base::Err(h.error());
    req.payment_hash = *h;
  }
  auto amount = SatOrMsat(amt, amt_msat);
  if (!amount) return base::Err(amount.error());
  req.amt_msat = *amount;
  auto fee = SatOrMsat(fee_limit_sat, fee_limit_msat);
  if (!fee) return base::Err(fee.error());
  req.fee_limit_msat = *fee;
  // routerrpc: "If the field is not set or is explicitly set to zero, the default value of 60
  // seconds will be applied."
  if (timeout_seconds < 0) return base::Err(RpcError{GrpcCode::kUnknown, "timeout_seconds must be positive"});
  req.timeout_seconds = timeout_seconds == 0 ? 60 : timeout_seconds;
  if (req.payment_request.empty() && (!req.dest || !req.payment_hash || req.amt_msat == 0)) {
    // LND's extractIntentFromSendRequest when there is no payment request.
    if (!req.dest) return base::Err(RpcError{GrpcCode::kUnknown, "destination must be specified"});
    if (req.amt_msat == 0) return base::Err(RpcError{GrpcCode::kUnknown, "amount must be specified"});
    return base::Err(RpcError{GrpcCode::kUnknown, "payment hash must be specified"});
  }
  return call;
}

base::Expected<Hash32, RpcError> ParseHashParam(std::string_view text) {
  auto bytes = base::Base64Decode(text);
  if (!bytes) {
    return base::Err(Invalid("type mismatch, parameter: hash, error: illegal base64 data"));
  }
  return ToHash(*bytes, "hash");
}

base::Expected<Hash32, RpcError> ParseHexHashParam(std::string_view text) {
  // LND (rpcserver.go, LookupInvoice): `rHash, err = hex.DecodeString(req.RHashStr)`, the error
  // returned as is (gRPC Unknown); then "payment hash must be exactly 32 bytes, is instead %v".
  // Go's hex.DecodeString reports the first invalid byte of each pair, or of a trailing odd
  // byte, as `encoding/hex: invalid byte: %#U`, else an odd length as ErrLength.
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  auto invalid = [](unsigned char b) {
    // %#U of rune(b): "U+0067 'g'" when the rune is printable (Go's strconv.IsPrint), else "U+0007".
    char code[8];
    std::snprintf(code, sizeof(code), "U+%04X", static_cast<unsigned>(b));
    std::string text = std::string("encoding/hex: invalid byte: ") + code;
    bool printable = (b >= 0x20 && b <= 0x7e) || (b >= 0xa1 && b != 0xad);
    if (printable) {
      text += " '";
      if (b < 0x80) {
        text += static_cast<char>(b);
      } else {  // the rune U+00A1…U+00FF in UTF-8
        text += static_cast<char>(0xc0 | (b >> 6));
        text += static_cast<char>(0x80 | (b & 0x3f));
      }
      text += "'";
    }
    return RpcError{GrpcCode::kUnknown, text};
  };
  base::Bytes bytes;
  size_t i = 1;
  for (; i < text.size(); i += 2) {
    int hi = nibble(text[i - 1]);
    int lo = nibble(text[i]);
    if (hi < 0) return base::Err(invalid(static_cast<unsigned char>(text[i - 1])));
    if (lo < 0) return base::Err(invalid(static_cast<unsigned char>(text[i])));
    bytes.push_back(static_cast<uint8_t>((hi << 4) | lo));
  }
  if (text.size() % 2 == 1) {
    if (nibble(text[i - 1]) < 0) return base::Err(invalid(static_cast<unsigned char>(text[i - 1])));
    return base::Err(RpcError{GrpcCode::kUnknown, "encoding/hex: odd length hex string"});
  }
  if (bytes.size() != 32) {
    return base::Err(RpcError{GrpcCode::kUnknown, "payment hash must be exactly 32 bytes, is instead " +
                                                      std::to_string(bytes.size())});
  }
  Hash32 hash;
  std::copy(bytes.begin(), bytes.end(), hash.begin());
  return hash;
}

}  // namespace escrow::simln::rest
