#include "federation/watchdog/event_book.h"

#include <cmath>
#include <ctime>
#include <map>

#include <nlohmann/json.hpp>

#include "federation/watchdog/consistency.h"

namespace federation {

namespace cn = coordinator::nostr;
using Json = nlohmann::json;

namespace {

std::optional<double> Decimal(const std::string& s) {
  if (s.empty() || s.size() > 40) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<int64_t> Integer(const std::string& s) {
  auto v = Decimal(s);
  if (!v || *v != std::floor(*v) || std::fabs(*v) > 9.0e15) return std::nullopt;
  return static_cast<int64_t>(*v);
}

// Unix seconds → "2024-05-01T12:00:00Z" (RoboSats serializes datetimes in ISO 8601, UTC).
std::string IsoTime(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The client's PublicOrder from one event; nullopt where eventToPublicOrder gives null.
std::optional<BookOrder> OrderOf(const cn::Event& e, int64_t id, std::string_view alias, int64_t now_s,
                                 const std::function<std::optional<int>(const std::string&)>& currency_id) {
  if (cn::TagValue(e, "s") != "pending") return std::nullopt;
  BookOrder b;
  b.id = id;
  Json o = {{"id", id},
            {"created_at", IsoTime(e.created_at)},
            {"expires_at", nullptr},
            {"type", 1},
            {"currency", nullptr},
            {"amount", nullptr},
            {"has_range", false},
            {"min_amount", nullptr},
            {"max_amount", nullptr},
            {"payment_method", ""},
            {"is_explicit", false},
            {"premium", ""},
            {"satoshis", nullptr},
            {"maker", nullptr},
            {"escrow_duration", 0},
            {"bond_size", ""},
            {"latitude", nullptr},
            {"longitude", nullptr},
            {"maker_nick", nullptr},
            {"maker_hash_id", nullptr},
            {"satoshis_now", nullptr},
            {"price", nullptr}};
  b.type = 1;
  for (const auto& t : e.tags) {
    if (t.size() < 2) continue;
    const std::string& name = t[0];
    if (name == "k") {
      b.type = t[1] == "sell" ? 1 : 0;
      o["type"] = b.type;
    } else if (name == "expiration") {
      auto at = Integer(t[1]);
      if (!at) return std::nullopt;
      if (*at <= now_s) return std::nullopt;  // NIP-40: gone
      b.expires_at = *at;
      o["expires_at"] = IsoTime(*at);
      if (t.size() > 2) {
        if (auto d = Integer(t[2])) o["escrow_duration"] = *d;
      }
    } else if (name == "fa") {
      if (t.size() > 2 && !t[2].empty()) {
        b.has_range = true;
        b.min_amount = Decimal(t[1]);
        b.max_amount = Decimal(t[2]);
        o["has_range"] = true;
        o["min_amount"] = t[1];
        o["max_amount"] = t[2];
      } else {
        b.amount = Decimal(t[1]);
        o["amount"] = t[1];
      }
    } else if (name == "bond") {
      o["bond_size"] = t[1];
    } else if (name == "name") {
      o["maker_nick"] = t[1];
      if (t.size() > 2) o["maker_hash_id"] = t[2];
    } else if (name == "premium") {
      b.premium = Decimal(t[1]).value_or(0);
      o["premium"] = t[1];
    } else if (name == "pm") {
      std::string joined;
      for (size_t i = 1; i < t.size(); ++i) joined += (i > 1 ? " " : "") + t[i];
      b.payment_method = joined;
      o["payment_method"] = joined;
    } else if (name == "g") {
      if (auto ll = DecodeGeohash(t[1])) {
        o["latitude"] = ll->first;
        o["longitude"] = ll->second;
      }
    } else if (name == "f") {
      auto c = currency_id(t[1]);
      if (c) {
        b.currency = *c;
        o["currency"] = *c;
      }
    } else if (name == "source") {
      if (!t[1].empty()) o["link"] = t[1];
    }
  }
  if (b.currency == 0) return std::nullopt;  // the client drops an order without a known currency
  if (o["maker_hash_id"].is_null()) o["maker_hash_id"] = std::to_string(id) + std::string(alias);
  o["nostr_event_id"] = e.id;
  o["coordinatorShortAlias"] = std::string(alias);
  b.json_open = o.dump(-1, ' ', false, Json::error_handler_t::replace);
  b.json_open.pop_back();  // the closing '}'
  return b;
}

}  // namespace

std::optional<std::pair<double, double>> DecodeGeohash(std::string_view hash) {
  static constexpr std::string_view kBase32 = "0123456789bcdefghjkmnpqrstuvwxyz";
  if (hash.empty() || hash.size() > 24) return std::nullopt;
  double lat[2] = {-90.0, 90.0}, lon[2] = {-180.0, 180.0};
  bool even = true;  // bits alternate, starting with longitude
  for (char c : hash) {
    const size_t v = kBase32.find(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (v == std::string_view::npos) return std::nullopt;
    for (int bit = 4; bit >= 0; --bit) {
      double* range = even ? lon : lat;
      const double mid = (range[0] + range[1]) / 2;
      if ((v >> bit) & 1) range[0] = mid;
      else range[1] = mid;
      even = !even;
    }
  }
  return std::make_pair((lat[0] + lat[1]) / 2, (lon[0] + lon[1]) / 2);
}

std::vector<BookOrder> BookFromEvents(const std::vector<cn::Event>& events, std::string_view short_alias,
                                      int64_t now_s,
                                      const std::function<std::optional<int>(const std::string&)>& currency_id) {
  std::map<int64_t, const cn::Event*> latest;  // the newest event of each order
  for (const auto& e : events) {
    if (e.kind != 38383) continue;
    auto id = OrderIdOfEvent(e);
    if (!id) continue;
    auto& slot = latest[*id];
    if (!slot || e.created_at > slot->created_at || (e.created_at == slot->created_at && e.id < slot->id)) slot = &e;
  }
  std::vector<BookOrder> out;
  for (const auto& [id, e] : latest) {
    if (auto o = OrderOf(*e, id, short_alias, now_s, currency_id)) out.push_back(std::move(*o));
  }
  return out;
}

}  // namespace federation
