#include "coordinator/nostr/order_event.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <openssl/evp.h>

#include "config/base/encoding.h"

namespace coordinator::nostr {
namespace {

std::string Md5Hex(std::string_view s) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(s.data(), s.size(), out, &len, EVP_md5(), nullptr) != 1) std::abort();
  return base::HexEncode(out, len);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Python's str.split(" "): every single space separates, empty pieces kept.
Tag SplitOnSpaces(const std::string& s) {
  Tag out;
  size_t start = 0;
  for (;;) {
    size_t sp = s.find(' ', start);
    out.push_back(s.substr(start, sp == std::string::npos ? std::string::npos : sp - start));
    if (sp == std::string::npos) break;
    start = sp + 1;
  }
  return out;
}

}  // namespace

std::string OrderDTag(const std::string& alias, int64_t order_id) {
  std::string h = Md5Hex(alias + std::to_string(order_id));
  // uuid.UUID(hex) prints 8-4-4-4-12 lowercase.
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

std::optional<std::string> StatusTag(OrderStatus s) {
  switch (s) {
    case OrderStatus::kWaitingMakerBond: return std::nullopt;
    case OrderStatus::kPublic: return "pending";
    case OrderStatus::kPaused:
    case OrderStatus::kCancelled:
    case OrderStatus::kCollaborativelyCancelled: return "canceled";
    case OrderStatus::kExpired: return "expired";
    case OrderStatus::kWaitingTakerBond:
    case OrderStatus::kWaitingCollateralAndInvoice:
    case OrderStatus::kWaitingCollateral:
    case OrderStatus::kWaitingInvoice:
    case OrderStatus::kSendingFiat:
    case OrderStatus::kFiatSent:
    case OrderStatus::kInDispute:
    case OrderStatus::kSendingSats:
    case OrderStatus::kRoutingFailed:
    case OrderStatus::kWaitingDisputeResolution: return "in-progress";
    case OrderStatus::kSuccess:
    case OrderStatus::kMakerLostDispute:
    case OrderStatus::kTakerLostDispute: return "success";
  }
  return std::nullopt;
}

std::string Geohash(double latitude, double longitude, int precision) {
  static constexpr char kBase32[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  double lat[2] = {-90.0, 90.0};
  double lon[2] = {-180.0, 180.0};
  std::string out;
  bool even = true;  // longitude first
  int bit = 0, ch = 0;
  while (static_cast<int>(out.size()) < precision) {
    double* range = even ? lon : lat;
    double value = even ? longitude : latitude;
    double mid = (range[0] + range[1]) / 2;
    ch <<= 1;
    if (value > mid) {
      ch |= 1;
      range[0] = mid;
    } else {
      range[1] = mid;
    }
    even = !even;
    if (++bit == 5) {
      out += kBase32[ch];
      bit = 0;
      ch = 0;
    }
  }
  return out;
}

Tags OrderTags(const Order& o, const Robot& maker, const std::string& currency_code, const OrderEventFacts& facts,
               int64_t created_at) {
  const std::string status = StatusTag(o.status).value_or("pending");
  int64_t expiration = o.expires_at;
  if (status != "pending") expiration = std::max(expiration, created_at + kClosedEventLifetimeS);
  const std::string alias_lower = Lower(facts.alias);

  Tags tags;
  tags.push_back({"d", OrderDTag(facts.alias, o.id)});
  tags.push_back({"name", maker.nickname, maker.hash_id});
  tags.push_back({"k", o.type == OrderType::kSell ? "sell" : "buy"});
  tags.push_back({"f", currency_code});
  tags.push_back({"s", status});
  tags.push_back({"amt", "0"});
  if (o.has_range) tags.push_back({"fa", o.min_amount, o.max_amount});
  else tags.push_back({"fa", o.amount});
  Tag pm = SplitOnSpaces(o.payment_method);
  pm.insert(pm.begin(), "pm");
  tags.push_back(std::move(pm));
  tags.push_back({"premium", o.premium});
  tags.push_back({"source", "http://" + facts.host_name + "/order/" + alias_lower + "/" + std::to_string(o.id)});
  tags.push_back({"expiration", std::to_string(expiration), std::to_string(o.escrow_duration)});
  tags.push_back({"y", "robosats", alias_lower});
  tags.push_back({"network", facts.network});
  tags.push_back({"layer", "lightning"});
  tags.push_back({"bond", o.bond_size});
  tags.push_back({"z", "order"});
  // RoboSats: `if order.latitude and order.longitude` (both non-zero).
  if (o.latitude && o.longitude) {
    double lat = std::strtod(o.latitude->c_str(), nullptr);
    double lon = std::strtod(o.longitude->c_str(), nullptr);
    if (lat != 0 && lon != 0) tags.push_back({"g", Geohash(lat, lon)});
  }
  return tags;
}

std::optional<Event> OrderEvent(const Order& o, const Robot& maker, const std::string& currency_code,
                                const OrderEventFacts& facts, int64_t created_at) {
  if (!o.password_hash.empty() || !StatusTag(o.status)) return std::nullopt;
  Event e;
  e.kind = kOrderEventKind;
  e.created_at = created_at;
  e.tags = OrderTags(o, maker, currency_code, facts, created_at);
  e.content = o.description;
  return e;
}

}  // namespace coordinator::nostr
