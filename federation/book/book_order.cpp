#include "federation/book/book_order.h"

#include <charconv>
#include <cstdlib>

#include <nlohmann/json.hpp>

namespace federation {

namespace {

using Json = nlohmann::json;

// RoboSats serializes decimals as strings ("100.00"); accept numbers too.
std::optional<double> Number(const Json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.get_ref<const std::string&>();
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return d;
}

std::optional<double> Field(const Json& o, const char* name) {
  auto it = o.find(name);
  return it == o.end() ? std::nullopt : Number(*it);
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::optional<int64_t> ParseIsoTime(std::string_view s) {
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
      s[16] != ':') {
    return std::nullopt;
  }
  int part[6];
  const size_t at[6] = {0, 5, 8, 11, 14, 17};
  const size_t len[6] = {4, 2, 2, 2, 2, 2};
  for (int i = 0; i < 6; ++i) {
    auto [p, ec] = std::from_chars(s.data() + at[i], s.data() + at[i] + len[i], part[i]);
    if (ec != std::errc() || p != s.data() + at[i] + len[i]) return std::nullopt;
  }
  if (part[1] < 1 || part[1] > 12 || part[2] < 1 || part[2] > 31) return std::nullopt;
  int64_t t = DaysFromCivil(part[0], static_cast<unsigned>(part[1]), static_cast<unsigned>(part[2])) * 86'400 +
              part[3] * 3600 + part[4] * 60 + part[5];
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  }
  if (i == s.size() || s.substr(i) == "Z") return t;
  if (s.size() - i == 6 && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int hh = 0, mm = 0;
    std::from_chars(s.data() + i + 1, s.data() + i + 3, hh);
    std::from_chars(s.data() + i + 4, s.data() + i + 6, mm);
    int64_t offset = hh * 3600 + mm * 60;
    return s[i] == '+' ? t - offset : t + offset;
  }
  return std::nullopt;
}

base::Expected<std::vector<BookOrder>, std::string> ParseBook(long http_status, std::string_view body,
                                                              std::string_view short_alias) {
  Json doc = Json::parse(body, nullptr, false);
  if (http_status == 404 && doc.is_object() && doc.contains("not_found")) return std::vector<BookOrder>{};
  if (http_status != 200) return base::Err("/api/book/ answered HTTP " + std::to_string(http_status));
  if (!doc.is_array()) return base::Err(std::string("/api/book/ did not answer a JSON array"));
  std::vector<BookOrder> orders;
  orders.reserve(doc.size());
  const std::string alias(short_alias);
  for (auto& o : doc) {
    if (!o.is_object()) continue;
    auto id = o.find("id");
    if (id == o.end() || !id->is_number_integer()) continue;
    BookOrder b;
    b.id = id->get<int64_t>();
    if (auto t = o.find("type"); t != o.end() && t->is_number_integer()) b.type = t->get<int>();
    if (auto c = o.find("currency"); c != o.end() && c->is_number_integer()) b.currency = c->get<int>();
    if (auto r = o.find("has_range"); r != o.end() && r->is_boolean()) b.has_range = r->get<bool>();
    b.amount = Field(o, "amount");
    b.min_amount = Field(o, "min_amount");
    b.max_amount = Field(o, "max_amount");
    if (auto p = o.find("payment_method"); p != o.end() && p->is_string()) b.payment_method = p->get<std::string>();
    b.premium = Field(o, "premium").value_or(0);
    if (auto e = o.find("expires_at"); e != o.end() && e->is_string()) b.expires_at = ParseIsoTime(e->get<std::string>());
    o["coordinatorShortAlias"] = alias;
    b.json_open = o.dump(-1, ' ', false, Json::error_handler_t::replace);
    b.json_open.pop_back();  // the closing '}'
    orders.push_back(std::move(b));
  }
  return orders;
}

}  // namespace federation
