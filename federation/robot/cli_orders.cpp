// book, make, take, order, orders, confirm/undo-confirm/pause/dispute, cancel, rate, wait.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ostream>
#include <set>
#include <sstream>

#include "coordinator/prices/currencies.h"
#include "escrow/crypto/sha256.h"
#include "federation/robot/cli_commands.h"
#include "federation/robot/joint_book.h"
#include "federation/robot/trade_step.h"

namespace federation::robot::cli {
namespace {

// "1", "USD", "usd" → 1.
std::optional<int> CurrencyId(const std::string& text) {
  int id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec == std::errc() && p == text.data() + text.size()) {
    if (id == 0 || coordinator::CurrencyTable::Bundled().Code(id)) return id;
    return std::nullopt;
  }
  std::string upper = text;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  return coordinator::CurrencyTable::Bundled().Id(upper);
}

std::string CurrencyCode(const Json& id) {
  if (!id.is_number_integer()) return "?";
  auto code = coordinator::CurrencyTable::Bundled().Code(id.get<int>());
  return code ? std::string(*code) : std::to_string(id.get<int>());
}

// A decimal the user typed, as the JSON number the client sends (a string when the number
// would print with an exponent, which no RoboSats server reads as a decimal).
std::optional<Json> DecimalArg(const std::string& text, double min, double max) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v) || v < min || v > max) return std::nullopt;
  Json number = v;
  if (number.dump().find_first_of("eE") != std::string::npos) return Json(text);
  return number;
}

std::optional<int64_t> IntArg(const std::string& text, int64_t min, int64_t max) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < min || v > max) return std::nullopt;
  return v;
}

// Decimal strings as the coordinator sends them ("100.00000000"), without the trailing zeros.
std::string Num(const Json& j) {
  if (j.is_null()) return "-";
  std::string s = j.is_string() ? j.get<std::string>() : j.dump();
  if (s.find('.') != std::string::npos && s.find_first_of("eE") == std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

std::string Field(const Json& o, const char* name) {
  if (!o.is_object() || !o.contains(name)) return "-";
  const Json& v = o[name];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return Num(v);
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_null()) return "-";
  return v.dump();
}

std::string TypeName(const Json& o) {
  if (!o.contains("type") || !o["type"].is_number_integer()) return "?";
  return o["type"].get<int>() == 0 ? "BUY" : "SELL";
}

std::string AmountText(const Json& o) {
  const bool range = o.contains("has_range") && o["has_range"].is_boolean() && o["has_range"].get<bool>();
  std::string amount = range ? Num(o.value("min_amount", Json())) + "-" + Num(o.value("max_amount", Json()))
                             : Num(o.value("amount", Json()));
  return amount + " " + CurrencyCode(o.value("currency", Json()));
}

void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
}

// The ORDER argument (optional first positional) and what follows it.
std::string OrderArg(const Context& ctx, size_t max_positional) {
  const auto& pos = ctx.args().positional;
  return pos.size() >= max_positional && !pos.empty() ? pos[0] : std::string();
}

}  // namespace

Json StepJson(const NextStep& step) {
  Json j = {{"kind", std::string(StepKindName(step.kind))}, {"text", step.text}, {"status", step.status}};
  if (!step.invoice.empty()) j["invoice"] = step.invoice;
  if (step.sats != 0) j["sats"] = step.sats;
  return j;
}

void PrintOrder(Context& ctx, const OrderRef& ref, const Json& view) {
  if (ctx.json()) return;
  const int status = view.value("status", -1);
  std::string head = "Order " + std::to_string(ref.id) + " at " + ref.coordinator + ": " + TypeName(view) + " " +
                     AmountText(view) + " (" + Field(view, "payment_method") + ")";
  if (view.contains("premium")) head += ", premium " + Field(view, "premium") + " %";
  ctx.Say(head);
  std::string role;
  if (view.value("is_participant", false)) {
    role = std::string(view.value("is_maker", false) ? "maker" : "taker") + ", " +
           (view.value("is_buyer", false) ? "buyer" : "seller");
  }
  ctx.Say("  status " + std::to_string(status) + ": " + std::string(StatusName(status)) +
          (role.empty() ? "" : " (you are the " + role + ")"));
  if (view.contains("trade_satoshis")) ctx.Say("  trade     " + Field(view, "trade_satoshis") + " sats");
  if (view.value("asked_for_cancel", false)) ctx.Say("  you asked for a collaborative cancel");
  if (view.value("pending_cancel", false)) ctx.Say("  your peer asks for a collaborative cancel (robot cancel agrees)");
  const NextStep step = NextStepOf(view);
  ctx.Say("  next      " + step.text);
  if (!step.invoice.empty()) ctx.Say("  invoice   " + step.invoice);
}

int CmdBook(Context& ctx) {
  if (!ctx.args().positional.empty()) return ctx.Usage("`book` takes no argument");
  int currency = 0;
  if (auto c = ctx.args().Get("currency")) {
    auto id = CurrencyId(*c);
    if (!id) return ctx.Usage("unknown currency '" + *c + "'");
    currency = *id;
  }
  int type = 2;
  if (auto t = ctx.args().Get("type")) {
    if (*t == "buy") type = 0;
    else if (*t == "sell") type = 1;
    else if (*t == "any") type = 2;
    else return ctx.Usage("--type must be buy, sell or any");
  }
  JointBook book;
  if (auto federationd = ctx.args().Get("federationd")) {
    auto fetched = FetchFederationdBook(*federationd, currency, type, ctx.http());
    if (!fetched) return ctx.Fail(fetched.error());
    book = std::move(fetched.value());
  } else {
    auto selected = ctx.SelectedCoordinators(true);
    if (!selected) return ctx.Usage(selected.error());
    std::vector<CoordinatorRef> refs;
    for (const auto& c : *selected) refs.push_back({c.key, "", c.url, true});
    book = FetchJointBook(refs, currency, type, ctx.http());
  }
  Json orders = Json::array();
  std::vector<std::vector<std::string>> rows = {
      {"ORDER", "TYPE", "AMOUNT", "PREMIUM", "PRICE", "SATS", "PAYMENT", "MAKER"}};
  for (const auto& e : book.orders) {
    Json o = e.order;
    o["coordinator"] = e.coordinator;
    orders.push_back(o);
    rows.push_back({e.coordinator + "/" + Field(e.order, "id"), TypeName(e.order), AmountText(e.order),
                    Field(e.order, "premium") + "%", Field(e.order, "price"), Field(e.order, "satoshis_now"),
                    Field(e.order, "payment_method"), Field(e.order, "maker_nick")});
  }
  Json sources = Json::array();
  bool any_failed = false;
  for (const auto& s : book.sources) {
    Json j = {{"coordinator", s.coordinator}, {"url", s.url}, {"ok", s.ok}, {"orders", s.orders}};
    if (!s.ok) {
      j["error"] = s.error;
      any_failed = true;
      ctx.err() << "robot: " << s.coordinator << ": " << s.error << "\n";
    }
    sources.push_back(j);
  }
  if (!ctx.json()) {
    if (book.orders.empty()) {
      ctx.Say("No orders.");
    } else {
      PrintTable(ctx.out(), rows);
    }
  }
  ctx.Done(Json{{"orders", orders}, {"coordinators", sources}});
  // Some coordinators answered: the book is shown; all failing is a failure.
  const bool none_ok = !book.sources.empty() &&
                       std::none_of(book.sources.begin(), book.sources.end(), [](const BookSource& s) { return s.ok; });
  return any_failed && none_ok ? kExitFailed : kExitOk;
}

int CmdMake(Context& ctx) {
  if (!ctx.args().positional.empty()) return ctx.Usage("`make` takes options only (robot make --help)");
  const Args& a = ctx.args();
  auto coordinator = ctx.OneCoordinator();
  if (!coordinator) return ctx.Usage(coordinator.error());
  // Order.model.ts make: the body, with MakerForm's values (handleCreateOrder).
  Json body;
  auto type = a.Get("type");
  if (!type || (*type != "buy" && *type != "sell")) return ctx.Usage("--type buy or --type sell is required");
  body["type"] = *type == "buy" ? 0 : 1;
  auto currency_text = a.Get("currency");
  if (!currency_text) return ctx.Usage("--currency is required (a code such as USD, or its id)");
  auto currency = CurrencyId(*currency_text);
  if (!currency || *currency == 0) return ctx.Usage("unknown currency '" + *currency_text + "'");
  body["currency"] = *currency;
  auto amount = a.Get("amount");
  auto min_amount = a.Get("min-amount");
  auto max_amount = a.Get("max-amount");
  const bool has_range = min_amount || max_amount;
  if (has_range == static_cast<bool>(amount)) return ctx.Usage("give --amount, or --min-amount and --max-amount");
  if (has_range && !(min_amount && max_amount)) return ctx.Usage("a range needs --min-amount and --max-amount");
  body["has_range"] = has_range;
  if (has_range) {
    auto lo = DecimalArg(*min_amount, 0, 1e12);
    auto hi = DecimalArg(*max_amount, 0, 1e12);
    if (!lo || !hi) return ctx.Usage("--min-amount and --max-amount must be positive numbers");
    body["amount"] = nullptr;
    body["min_amount"] = *lo;
    body["max_amount"] = *hi;
  } else {
    auto v = DecimalArg(*amount, 0, 1e12);
    if (!v) return ctx.Usage("--amount must be a positive number");
    body["amount"] = *v;
    body["min_amount"] = nullptr;
    body["max_amount"] = nullptr;
  }
  body["payment_method"] = a.Get("payment-method").value_or("not specified");
  auto satoshis = a.Get("satoshis");
  if (satoshis && a.Get("premium")) return ctx.Usage("give --premium or --satoshis, not both");
  body["is_explicit"] = static_cast<bool>(satoshis);
  if (satoshis) {
    auto sats = IntArg(*satoshis, 1, 21'000'000'00000000LL);
    if (!sats) return ctx.Usage("--satoshis must be a positive integer");
    body["premium"] = nullptr;
    body["satoshis"] = *sats;
  } else {
    auto premium = DecimalArg(a.Get("premium").value_or("0"), -100, 999);
    if (!premium) return ctx.Usage("--premium must be a number between -100 and 999");
    body["premium"] = *premium;
    body["satoshis"] = nullptr;
  }
  auto public_duration = IntArg(a.Get("public-duration").value_or("86340"), 1, 10'000'000);
  auto escrow_duration = IntArg(a.Get("escrow-duration").value_or("10800"), 1, 10'000'000);
  auto bond_size = DecimalArg(a.Get("bond-size").value_or("3"), 0, 100);
  if (!public_duration || !escrow_duration) return ctx.Usage("durations are positive numbers of seconds");
  if (!bond_size) return ctx.Usage("--bond-size must be a percentage");
  body["public_duration"] = *public_duration;
  body["escrow_duration"] = *escrow_duration;
  body["bond_size"] = *bond_size;
  auto latitude = a.Get("latitude");
  auto longitude = a.Get("longitude");
  if (static_cast<bool>(latitude) != static_cast<bool>(longitude)) {
    return ctx.Usage("give both --latitude and --longitude");
  }
  body["latitude"] = nullptr;
  body["longitude"] = nullptr;
  if (latitude) {
    auto lat = DecimalArg(*latitude, -90, 90);
    auto lon = DecimalArg(*longitude, -180, 180);
    if (!lat || !lon) return ctx.Usage("--latitude is -90…90 and --longitude -180…180");
    body["latitude"] = *lat;
    body["longitude"] = *lon;
  }
  // MakerForm: `password: maker.password ? sha256(maker.password) : null`.
  auto password = a.Get("password");
  body["password"] = password ? Json(escrow::crypto::ToHex(escrow::crypto::Sha256(*password))) : Json(nullptr);
  auto description = a.Get("description");
  body["description"] = description ? Json(*description) : Json(nullptr);

  auto reply = ctx.Call(*coordinator, "POST", "/api/make/", &body, true);
  if (!reply) return ctx.Fail(reply.error());
  if (!reply->ok()) return ctx.Refused("make", *reply);
  const int64_t id = reply->json.value("id", int64_t{0});
  if (id <= 0) return ctx.Fail("make: the coordinator's answer has no order id");
  OrderRef ref{coordinator->key, coordinator->url, id};
  ctx.state().AddOrder(ref);
  if (auto saved = ctx.SaveState(); !saved) return ctx.Fail(saved.error());
  PrintOrder(ctx, ref, reply->json);
  if (a.Get("wallet")) return PayDue(ctx, ref);
  return ctx.Done(Json{{"coordinator", ref.coordinator}, {"order", reply->json}, {"next", StepJson(NextStepOf(reply->json))}});
}

int CmdTake(Context& ctx) {
  const auto& pos = ctx.args().positional;
  if (pos.size() != 1) return ctx.Usage("usage: robot take ORDER (ALIAS/ID, or ID with --coordinator/--url)");
  auto ref = ctx.ResolveOrder(pos[0]);
  if (!ref) return ctx.Usage(ref.error());
  // Order.model.ts take: { action: 'take', password, amount }.
  Json body = {{"action", "take"}};
  if (auto amount = ctx.args().Get("amount")) {
    auto v = DecimalArg(*amount, 0, 1e12);
    if (!v) return ctx.Usage("--amount must be a positive number");
    body["amount"] = *v;
  }
  // TakeButton.tsx: `if (password) currentOrder.password = sha256(password)`.
  if (auto password = ctx.args().Get("password")) {
    body["password"] = escrow::crypto::ToHex(escrow::crypto::Sha256(*password));
  }
  auto reply = ctx.OrderAction(*ref, body);
  if (!reply) return ctx.Fail(reply.error());
  if (!reply->ok()) return ctx.Refused("take " + Describe(*ref), *reply);
  ctx.state().AddOrder(*ref);
  if (auto saved = ctx.SaveState(); !saved) return ctx.Fail(saved.error());
  PrintOrder(ctx, *ref, reply->json);
  if (ctx.args().Get("wallet")) return PayDue(ctx, *ref);
  return ctx.Done(Json{{"coordinator", ref->coordinator}, {"order", reply->json}, {"next", StepJson(NextStepOf(reply->json))}});
}

int CmdOrder(Context& ctx) {
  if (ctx.args().positional.size() > 1) return ctx.Usage("usage: robot order [ORDER]");
  auto ref = ctx.ResolveOrder(OrderArg(ctx, 1));
  if (!ref) return ctx.Usage(ref.error());
  auto reply = ctx.GetOrder(*ref);
  if (!reply) return ctx.Fail(reply.error());
  if (!reply->ok()) return ctx.Refused(Describe(*ref), *reply);
  PrintOrder(ctx, *ref, reply->json);
  return ctx.Done(Json{{"coordinator", ref->coordinator}, {"order", reply->json}, {"next", StepJson(NextStepOf(reply->json))}});
}

int CmdOrders(Context& ctx) {
  if (!ctx.args().positional.empty()) return ctx.Usage("`orders` takes no argument");
  Json list = Json::array();
  for (const auto& o : ctx.state().orders) {
    const bool current = ctx.state().current && ctx.state().current->id == o.id &&
                         ctx.state().current->coordinator == o.coordinator;
    list.push_back({{"coordinator", o.coordinator}, {"url", o.url}, {"id", o.id}, {"current", current}});
    ctx.Say(std::string(current ? "* " : "  ") + o.coordinator + "/" + std::to_string(o.id) + "  (" + o.url + ")");
  }
  if (ctx.state().orders.empty()) ctx.Say("No orders yet.");
  return ctx.Done(Json{{"orders", list}});
}

int CmdSimpleAction(Context& ctx, const char* action) {
  if (ctx.args().positional.size() > 1) return ctx.Usage("usage: robot " + ctx.args().command + " [ORDER]");
  auto ref = ctx.ResolveOrder(OrderArg(ctx, 1));
  if (!ref) return ctx.Usage(ref.error());
  auto reply = ctx.OrderAction(*ref, Json{{"action", action}});
  if (!reply) return ctx.Fail(reply.error());
  if (!reply->ok()) return ctx.Refused(std::string(action) + " " + Describe(*ref), *reply);
  PrintOrder(ctx, *ref, reply->json);
  return ctx.Done(Json{{"coordinator", ref->coordinator}, {"order", reply->json}, {"next", StepJson(NextStepOf(reply->json))}});
}

int CmdCancel(Context& ctx) {
  if (ctx.args().positional.size() > 1) return ctx.Usage("usage: robot cancel [ORDER]");
  auto ref = ctx.ResolveOrder(OrderArg(ctx, 1));
  if (!ref) return ctx.Usage(ref.error());
  auto view = ctx.GetOrder(*ref);
  if (!view) return ctx.Fail(view.error());
  if (view->error_code() == 1043) {
    ctx.Say(Describe(*ref) + " is already cancelled.");
    return ctx.Done(Json{{"coordinator", ref->coordinator}, {"id", ref->id}, {"cancelled", true}});
  }
  if (!view->ok()) return ctx.Refused(Describe(*ref), *view);
  // TradeBox cancel: { action: 'cancel', cancel_status: order.status } — the coordinator
  // refuses (1020) if the order moved since we looked.
  Json body = {{"action", "cancel"}, {"cancel_status", view->json.value("status", 0)}};
  auto reply = ctx.OrderAction(*ref, body);
  if (!reply) return ctx.Fail(reply.error());
  if (!reply->ok()) return ctx.Refused("cancel " + Describe(*ref), *reply);
  const int status = reply->json.value("status", -1);
  const bool cancelled = status == 4 || status == 12;
  if (cancelled) {
    ctx.Say(Describe(*ref) + ": " + std::string(StatusName(status)) + ".");
  } else {
    PrintOrder(ctx, *ref, reply->json);
  }
  return ctx.Done(Json{{"coordinator", ref->coordinator}, {"id", ref->id}, {"cancelled", cancelled}, {"order", reply->json}});
}

int CmdRate(Context& ctx) {
  const auto& pos = ctx.args().positional;
  if (pos.empty() || pos.size() > 2) return ctx.Usage("usage: robot rate [ORDER] RATING");
  auto rating = IntArg(pos.back(), 1, 5);
  if (!rating) return ctx.Usage("the rating is 1 to 5");
  auto ref = ctx.ResolveOrder(pos.size() == 2 ? pos[0] : "");
  if (!ref) return ctx.Usage(ref.error());
  auto reply = ctx.OrderAction(*ref, Json{{"action", "rate_platform"}, {"rating", *rating}});
  if (!reply) return ctx.Fail(reply.error());
  if (!reply->ok()) return ctx.Refused("rate " + Describe(*ref), *reply);
  ctx.Say("Rated " + ref->coordinator + " " + std::to_string(*rating) + "/5.");
  return ctx.Done(Json{{"coordinator", ref->coordinator}, {"id", ref->id}, {"rating", *rating}});
}

int CmdWait(Context& ctx) {
  if (ctx.args().positional.size() > 1) return ctx.Usage("usage: robot wait [ORDER] --status N[,N…]");
  auto list = ctx.args().Get("status");
  if (!list) return ctx.Usage("--status N[,N…] is required");
  std::set<int> wanted;
  std::stringstream ss(*list);
  for (std::string item; std::getline(ss, item, ',');) {
    auto v = IntArg(item, 0, 18);
    if (!v) return ctx.Usage("--status takes statuses 0–18, separated by commas");
    wanted.insert(static_cast<int>(*v));
  }
  auto ref = ctx.ResolveOrder(OrderArg(ctx, 1));
  if (!ref) return ctx.Usage(ref.error());
  auto view = ctx.WaitOrder(
      *ref, [&](const Json& v) { return wanted.count(v.value("status", -1)) > 0; }, "status " + *list);
  if (!view) return ctx.Fail(view.error());
  PrintOrder(ctx, *ref, *view);
  return ctx.Done(Json{{"coordinator", ref->coordinator}, {"order", *view}, {"next", StepJson(NextStepOf(*view))}});
}

}  // namespace federation::robot::cli
