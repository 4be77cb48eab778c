#include "federation/web/page.h"

#include <cmath>
#include <map>

#include "coordinator/prices/currencies.h"
#include "federation/web/html.h"

namespace federation {

namespace {

using html::Escape;
using Json = nlohmann::json;

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

double Num(const Json& j, const char* key, double fallback = NAN) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    try {
      return std::stod(it->get<std::string>());
    } catch (...) {
    }
  }
  return fallback;
}

std::string CurrencyCode(int id) {
  auto code = coordinator::CurrencyTable::Bundled().Code(id);
  return code ? std::string(*code) : "#" + std::to_string(id);
}

// The coordinator chip shown in each order row and on each card.
std::string Chip(const Json& c) {
  return "<span class=\"chip\" style=\"--chip:" + Escape(Str(c, "color")) + "\">" + Escape(Str(c, "shortAlias")) +
         "</span>";
}

std::string Badges(const Json& c) {
  const Json& b = c["badges"];
  std::string out = "<span class=\"badges\">";
  if (b.value("isFounder", false)) out += "<span class=\"badge founder\" title=\"Founding coordinator\">Founder</span>";
  const int dev = b.value("donatesToDevFund", 0);
  out += "<span class=\"badge devfund" + std::string(dev > 0 ? "" : " none") +
         "\" title=\"Share of profit donated to the RoboSats development fund\">Dev fund " + std::to_string(dev) +
         " %</span>";
  if (b.value("hasGoodOpSec", false)) out += "<span class=\"badge opsec\" title=\"Good operational security\">OpSec</span>";
  if (b.value("hasLargeLimits", false)) out += "<span class=\"badge limits\" title=\"Large trade limits\">Large limits</span>";
  out += "</span>";
  return out;
}

// "online", or "offline · data 5 min old" (the age of what is shown).
std::string StatusText(const Json& c) {
  const std::string status = Str(c, "status");
  const int64_t age = c.value("data_age_s", int64_t{-1});
  if (status == "online") return "online";
  if (age < 0) return status + " · no data yet";
  return status + " · data " + html::Age(age) + " old";
}

void RenderHead(const PageData& p, std::string& out) {
  out += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"referrer\" content=\"no-referrer\">\n"
         "<title>Federation order book</title>\n";
  // Without JavaScript the page reloads itself (same filters: the URL carries them).
  out += "<noscript><meta http-equiv=\"refresh\" content=\"" + std::to_string(p.refresh_s) + "\"></noscript>\n";
  out += "<style>\n";
  out += PageCss();
  out += "</style>\n</head>\n";
}

void RenderStats(const PageData& p, std::string& out) {
  const Json& s = p.stats;
  out += "<section id=\"stats\" aria-label=\"Federation totals\"><dl>";
  auto item = [&](const std::string& label, const std::string& value) {
    out += "<div><dt>" + Escape(label) + "</dt><dd>" + Escape(value) + "</dd></div>";
  };
  item("Coordinators online", std::to_string(s.value("onlineCoordinators", 0)) + " of " +
                                  std::to_string(s.value("totalCoordinators", 0)));
  item("Buy orders", std::to_string(s.value("num_public_buy_orders", 0)));
  item("Sell orders", std::to_string(s.value("num_public_sell_orders", 0)));
  item("Liquidity", html::Number(Num(s, "book_liquidity", 0), 0) + " sat");
  item("24 h volume", html::Number(Num(s, "last_day_volume", 0), 8) + " BTC");
  item("24 h premium", html::Number(Num(s, "last_day_nonkyc_btc_premium", 0), 2) + " %");
  out += "</dl></section>\n";
}

void RenderFilters(const PageData& p, std::string& out) {
  const BookFilter& f = p.filter;
  out += "<section id=\"filters\"><form id=\"filter-form\" method=\"get\" action=\"/\">";
  out += "<label>Currency <select name=\"currency\" id=\"f-currency\"><option value=\"0\">Any</option>";
  for (const auto& [id, code] : coordinator::CurrencyTable::Bundled().ById()) {
    out += "<option value=\"" + std::to_string(id) + "\"" + (f.currency == id ? " selected" : "") + ">" +
           Escape(code) + "</option>";
  }
  out += "</select></label>";
  out += "<label>Orders <select name=\"type\" id=\"f-type\">";
  for (auto [value, label] : {std::pair{2, "Buy and sell"}, {0, "Buy (maker buys BTC)"}, {1, "Sell (maker sells BTC)"}}) {
    out += "<option value=\"" + std::to_string(value) + "\"" + (f.type == value ? " selected" : "") + ">" + label +
           "</option>";
  }
  out += "</select></label>";
  out += "<label>Payment method <input type=\"text\" name=\"payment_method\" id=\"f-payment\" value=\"" +
         Escape(f.payment_method) + "\" placeholder=\"any\"></label>";
  out += "<label>Amount <input type=\"text\" inputmode=\"decimal\" name=\"amount\" id=\"f-amount\" value=\"" +
         (f.amount ? Escape(html::Number(*f.amount, 8)) : std::string()) + "\" placeholder=\"any\"></label>";
  out += "<label>Coordinator <select name=\"coordinator\" id=\"f-coordinator\"><option value=\"\">Any</option>";
  for (const auto& c : p.coordinators) {
    const std::string alias = Str(c, "shortAlias");
    out += "<option value=\"" + Escape(alias) + "\"" + (f.coordinator == alias ? " selected" : "") + ">" +
           Escape(Str(c, "longAlias")) + "</option>";
  }
  out += "</select></label>";
  out += "<input type=\"hidden\" name=\"seed\" value=\"" + std::to_string(p.seed) + "\">";
  out += "<button type=\"submit\">Filter</button></form></section>\n";
}

void RenderBook(const PageData& p, std::string& out) {
  std::map<std::string, const Json*> by_alias;
  for (const auto& c : p.coordinators) by_alias[Str(c, "shortAlias")] = &c;
  out += "<section id=\"book\" aria-live=\"polite\"><h2>Orders <span id=\"order-count\">" +
         std::to_string(p.orders.size()) + "</span></h2>\n";
  if (p.orders.empty()) {
    out += "<p class=\"empty\">No public order matches these filters.</p>";
  } else {
    out += "<div class=\"table-wrap\"><table id=\"book-table\"><thead><tr><th>Coordinator</th><th>Side</th>"
           "<th class=\"num\">Amount</th><th>Currency</th><th>Payment methods</th><th class=\"num\">Premium</th>"
           "<th class=\"num\">Price</th><th>Maker</th></tr></thead><tbody>\n";
    size_t n = 0;
    for (const auto& m : p.orders) {
      if (++n > kPageMaxOrders) break;
      const BookOrder& o = *m.order;
      auto it = by_alias.find(m.slot->short_alias);
      if (it == by_alias.end()) continue;
      const Json& c = *it->second;
      const bool offline = Str(c, "status") == "offline";
      Json order = Json::parse(o.json_open + "}", nullptr, false);
      if (order.is_discarded()) continue;
      std::string amount = o.has_range ? html::Number(o.min_amount.value_or(NAN), 2) + " – " +
                                             html::Number(o.max_amount.value_or(NAN), 2)
                                       : html::Number(o.amount.value_or(NAN), 2);
      out += "<tr class=\"order" + std::string(offline ? " stale" : "") + "\" data-coordinator=\"" +
             Escape(m.slot->short_alias) + "\" data-currency=\"" + std::to_string(o.currency) + "\">";
      out += "<td>" + Chip(c);
      if (offline) out += " <span class=\"stale-note\">" + Escape(StatusText(c)) + "</span>";
      out += "</td>";
      out += std::string("<td class=\"side ") + (o.type == 0 ? "buy\">Buy" : "sell\">Sell") + "</td>";
      out += "<td class=\"num\">" + Escape(amount) + "</td>";
      out += "<td>" + Escape(CurrencyCode(o.currency)) + "</td>";
      out += "<td>" + Escape(o.payment_method) + "</td>";
      out += "<td class=\"num\">" + Escape(html::Number(o.premium, 2)) + " %</td>";
      out += "<td class=\"num\">" + Escape(html::Number(Num(order, "price"), 2)) + "</td>";
      out += "<td>" + Escape(Str(order, "maker_nick")) + "</td></tr>\n";
    }
    out += "</tbody></table></div>";
    if (p.orders.size() > kPageMaxOrders) {
      out += "<p class=\"more\">Showing the first " + std::to_string(kPageMaxOrders) +
             " orders; narrow the filters, or read them all at <a href=\"/api/book/\">/api/book/</a>.</p>";
    }
  }
  out += "</section>\n";
}

void RenderCoordinator(const PageData& p, const Json& c, std::string& out) {
  const std::string alias = Str(c, "shortAlias");
  const std::string status = Str(c, "status");
  const Json& info = c["info"];
  out += "<li class=\"coordinator status-" + Escape(status) + "\" id=\"coord-" + Escape(alias) +
         "\" data-short-alias=\"" + Escape(alias) + "\" data-status=\"" + Escape(status) + "\">";
  out += "<details id=\"details-" + Escape(alias) + "\"><summary>";
  out += "<span class=\"dot\" aria-hidden=\"true\"></span>" + Chip(c) + " <b>" + Escape(Str(c, "longAlias")) + "</b> ";
  out += "<span class=\"status\">" + Escape(StatusText(c)) + "</span> " + Badges(c);
  out += "</summary><div class=\"detail\">";
  if (!Str(c, "motto").empty()) out += "<p class=\"motto\">" + Escape(Str(c, "motto")) + "</p>";
  if (!Str(c, "description").empty()) out += "<p>" + Escape(Str(c, "description")) + "</p>";
  out += "<dl class=\"params\">";
  auto row = [&](const std::string& k, const std::string& v) {
    out += "<dt>" + Escape(k) + "</dt><dd>" + Escape(v) + "</dd>";
  };
  const bool has_info = !info.empty();
  if (has_info) {
    row("Maker fee", html::Percent(Num(info, "maker_fee", 0)));
    row("Taker fee", html::Percent(Num(info, "taker_fee", 0)));
    row("Bond", html::Number(Num(info, "bond_size", 0), 2) + " %");
    row("Order size", html::Number(Num(info, "min_order_size", 0), 0) + " – " +
                          html::Number(Num(info, "max_order_size", 0), 0) + " sat");
  } else {
    row("Parameters", "not fetched yet");
  }
  row("Size limit (client)", html::Number(Num(c, "size_limit", 0), 0) + " sat");
  row("Dev-tax share", std::to_string(c["badges"].value("donatesToDevFund", 0)) + " % of profit");
  row("Established", Str(c, "established"));
  row("Status", StatusText(c));
  if (c.value("latency_ms", int64_t{-1}) >= 0) row("Latency", std::to_string(c.value("latency_ms", 0)) + " ms");
  row("Last seen", Str(c, "last_seen").empty() ? "never" : Str(c, "last_seen"));
  if (!Str(c, "last_error").empty()) row("Last error", Str(c, "last_error"));
  row("Public orders", std::to_string(c.value("num_orders", 0)));
  out += "</dl>";
  const Json& policies = c["policies"];
  if (policies.is_array() && !policies.empty()) {
    out += "<h4>Policies</h4><dl class=\"policies\">";
    for (const auto& pol : policies) row(Str(pol, "title"), Str(pol, "text"));
    out += "</dl>";
  }
  const Json& contact = c["contact"];
  if (contact.is_object() && !contact.empty()) {
    out += "<h4>Contact</h4><dl class=\"contact\">";
    for (auto it = contact.begin(); it != contact.end(); ++it) row(it.key(), it->is_string() ? it->get<std::string>() : "");
    out += "</dl>";
  }
  out += "</div></details></li>\n";
  (void)p;
}

}  // namespace

std::string RenderPage(const PageData& p) {
  std::string out;
  out.reserve(64 * 1024 + p.orders.size() * 600);
  RenderHead(p, out);
  out += "<body data-seed=\"" + std::to_string(p.seed) + "\" data-refresh=\"" + std::to_string(p.refresh_s) + "\">\n";
  out += "<header><h1>Federation order book</h1><p class=\"sub\">The public orders of every coordinator of the "
         "federation" +
         std::string(p.testnet ? " (testnet)" : "") +
         ", fetched over Tor. Coordinators are listed in the order of RoboSats' lottery, weighted by their "
         "dev-fund donation.</p></header>\n<main>\n";
  RenderStats(p, out);
  RenderFilters(p, out);
  RenderBook(p, out);
  out += "<section id=\"coordinators\"><h2>Coordinators</h2><ul>\n";
  for (const auto& c : p.coordinators) RenderCoordinator(p, c, out);
  out += "</ul></section>\n</main>\n<footer><p>JSON: <a href=\"/api/book/\">/api/book/</a> · "
         "<a href=\"/api/info/\">/api/info/</a> · <a href=\"/api/coordinators/\">/api/coordinators/</a></p>"
         "</footer>\n<script>\n";
  out += PageJs();
  out += "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace federation
