// The public RoboSats API's request parsing, every endpoint: a request as text
//
//   POST /api/order/?order_id=5
//   Authorization: Token …
//   Content-Type: application/json
//
//   {"action": "take", "amount": "12.5"}
//
// is turned into an api::http::Request as the HTTP session does (the query through
// ParseFormUrlEncoded, header values trimmed) and dispatched by the real api::http Dispatcher
// (route lookup, 404/405, CORS preflight, body parsing by Content-Type, the exception barrier)
// to the public routes. Their handlers do what api/public_api.cpp's do up to the engine: the
// Authorization header (ParseAuthorizationHeader, DeriveRobotIdentity), order_id, and the
// fields through api::Fields and the command builders of api/public_commands.h that the real
// handlers call; the built command is answered 200 where the real handler would submit it.
// Never a crash, never a 500 (an exception, or a responder dropped unanswered), and every
// answer is a JSON object.
#include <cstdint>
#include <ctime>
#include <limits>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "api/fields.h"
#include "api/http/dispatcher.h"
#include "api/http/exchange.h"
#include "api/http/parse.h"
#include "api/public_commands.h"
#include "coordinator/identity/auth_header.h"
#include "coordinator/identity/robot_identity.h"
#include "tests/fuzz/fuzz_support.h"

using api::http::Method;
using api::http::Request;
using api::http::Responder;
using Json = nlohmann::json;
namespace internal = api::http::internal;

namespace {

void Error(Responder& out, int status, int code, const std::string& message) { out.SendError(status, code, message); }

// public_api.cpp Authenticate.
bool Authenticate(const Request& r, Responder& out, bool required) {
  const std::string* header = r.headers.Find("Authorization");
  if (!header || header->empty()) {
    if (required) Error(out, 403, 7003, "no credentials");
    return !required;
  }
  auto parsed = coordinator::identity::ParseAuthorizationHeader(*header);
  if (!parsed.ok()) {
    Error(out, 400, parsed.error().code, parsed.error().message);
    return false;
  }
  auto id = coordinator::identity::DeriveRobotIdentity(parsed->token_sha256);
  FUZZ_CHECK(!id.hash_id.empty());
  return true;
}

// public_api.cpp OrderId.
std::optional<int64_t> OrderId(const Request& r, Responder& out) {
  if (!r.QueryParam("order_id")) {
    Error(out, 400, 1002, "missing order_id");
    return std::nullopt;
  }
  api::Fields f(r);
  auto id = f.QueryInt("order_id", 1, std::numeric_limits<int64_t>::max());
  if (!id) Error(out, 404, 1003, "invalid order_id");
  return id;
}

// Where the real handler submits to the engine.
void Submitted(Responder& out, const std::optional<coordinator::Command>& cmd, const api::Fields& f) {
  if (!f.ok() || !cmd) {
    FUZZ_CHECK(!f.ok() || !f.error().empty() || !cmd);
    return Error(out, 400, 1049, f.error());
  }
  out.Send(200, Json{{"command", cmd->index()}});
}

template <class Build>
void Robot(const Request& r, Responder out, Build build) {
  if (!Authenticate(r, out, true)) return;
  api::Fields f(r);
  auto cmd = build(f);
  Submitted(out, cmd, f);
}

// public_api.cpp Date / Notifications: strptime on the query values.
bool ParseDate(const Request& r, const char* name, const char* format, bool whole) {
  auto raw = r.QueryParam(name);
  if (!raw) return true;
  std::tm tm{};
  const char* end = strptime(raw->c_str(), format, &tm);
  if (end == nullptr || (whole && *end != '\0')) return false;
  (void)timegm(&tm);
  return true;
}

internal::RouteTable PublicRoutes() {
  internal::RouteTable t;
  auto add = [&t](Method m, const char* path, api::http::Handler h) { FUZZ_CHECK(t.Add(m, path, std::move(h)).ok()); };
  auto fixed = [](Request, Responder out) { out.Send(200, Json::object()); };
  add(Method::kGet, "/api/info/", fixed);
  add(Method::kGet, "/api/limits/", fixed);
  add(Method::kGet, "/api/price/", fixed);
  add(Method::kGet, "/api/historical/", fixed);
  add(Method::kGet, "/api/book/", [](Request r, Responder out) {
    api::Fields f(r);
    f.QueryInt("currency", 0, 100000);
    f.QueryInt("type", 0, 2);
    if (!f.ok()) return Error(out, 400, 1049, f.error());
    out.Send(200, Json::object());
  });
  add(Method::kGet, "/api/ticks/", [](Request r, Responder out) {
    if (!ParseDate(r, "start", "%d-%m-%Y", true) || !ParseDate(r, "end", "%d-%m-%Y", true)) {
      return Error(out, 400, 1050, "bad date");
    }
    out.Send(200, Json::object());
  });
  add(Method::kGet, "/api/devfund/", [](Request r, Responder out) {
    api::Fields f(r);
    f.QueryInt("start", 0, std::numeric_limits<int64_t>::max() / 2);
    f.QueryInt("end", 0, std::numeric_limits<int64_t>::max() / 2);
    if (!f.ok()) return Error(out, 400, 1, f.error());
    out.Send(200, Json::object());
  });
  add(Method::kGet, "/api/robot/", [](Request r, Responder out) {
    Robot(r, out, [](api::Fields&) -> std::optional<coordinator::Command> { return coordinator::GetRobotCmd{}; });
  });
  add(Method::kPost, "/api/make/",
      [](Request r, Responder out) { Robot(r, out, [](api::Fields& f) { return api::MakeCommand(f); }); });
  add(Method::kGet, "/api/order/", [](Request r, Responder out) {
    auto id = OrderId(r, out);
    if (!id) return;
    Robot(r, out, [&](api::Fields&) -> std::optional<coordinator::Command> { return coordinator::GetOrderCmd{*id}; });
  });
  add(Method::kPost, "/api/order/", [](Request r, Responder out) {
    auto id = OrderId(r, out);
    if (!id) return;
    Robot(r, out, [&](api::Fields& f) { return api::OrderActionCommand(*id, f); });
  });
  add(Method::kGet, "/api/chat/", [](Request r, Responder out) {
    if (!Authenticate(r, out, true)) return;
    api::Fields f(r);
    if (!r.QueryParam("order_id")) return Error(out, 400, 6000, "order_id");
    auto order_id = f.QueryInt("order_id", 0, std::numeric_limits<int64_t>::max());
    f.QueryInt("offset", 0, std::numeric_limits<int64_t>::max());
    if (!f.ok() || !order_id) return Error(out, 400, 6003, f.error());
    out.Send(200, Json::object());
  });
  add(Method::kPost, "/api/chat/", [](Request r, Responder out) {
    if (!Authenticate(r, out, true)) return;
    api::Fields f(r);
    auto message = f.Text("PGP_message", 1 << 20);
    auto order_id = f.Int("order_id", 0, std::numeric_limits<int64_t>::max());
    f.Int("offset", 0, std::numeric_limits<int64_t>::max());
    if (!f.ok() || !message || !order_id) return Error(out, 400, 6003, f.error());
    out.Send(200, Json::object());
  });
  add(Method::kPost, "/api/reward/", [](Request r, Responder out) {
    if (!Authenticate(r, out, true)) return;
    api::Fields f(r);
    f.Text("invoice", 15000);
    f.Int("routing_budget_ppm", 0, 100001);
    if (!f.ok()) return Error(out, 400, 1049, f.error());
    out.Send(200, Json::object());
  });
  add(Method::kPost, "/api/review/",
      [](Request r, Responder out) { Robot(r, out, [](api::Fields& f) { return api::ReviewCommand(f); }); });
  add(Method::kGet, "/api/notifications/", [](Request r, Responder out) {
    if (auto raw = r.QueryParam("created_at"); raw && !raw->empty()) {
      if (!ParseDate(r, "created_at", "%Y-%m-%dT%H:%M:%S", false)) return Error(out, 400, 1050, "bad date");
    }
    Robot(r, out, [](api::Fields&) -> std::optional<coordinator::Command> { return coordinator::NotificationsCmd{0}; });
  });
  add(Method::kPost, "/api/stealth/",
      [](Request r, Responder out) { Robot(r, out, [](api::Fields& f) { return api::StealthCommand(f); }); });
  return t;
}

// The connection's side of the exchange: every answer is checked here.
class CheckingSink final : public internal::ReplySink {
 public:
  void PostReply(uint64_t, internal::Reply reply) override {
    ++replies;
    FUZZ_CHECK(reply.status != 500);
    FUZZ_CHECK(reply.status >= 200 && reply.status < 600);
    if (reply.body && !reply.body->empty()) {
      auto j = Json::parse(*reply.body, nullptr, /*allow_exceptions=*/false);
      FUZZ_CHECK(j.is_object());
    }
  }
  int replies = 0;
};

std::optional<Method> ParseMethod(std::string_view s) {
  static const std::pair<std::string_view, Method> kMethods[] = {
      {"GET", Method::kGet},       {"POST", Method::kPost},   {"PUT", Method::kPut},
      {"PATCH", Method::kPatch},   {"DELETE", Method::kDelete}, {"HEAD", Method::kHead},
      {"OPTIONS", Method::kOptions}, {"TRACE", Method::kTrace}, {"CONNECT", Method::kConnect}};
  for (const auto& [name, m] : kMethods) {
    if (s == name) return m;
  }
  return std::nullopt;
}

std::string_view NextLine(std::string_view& text) {
  size_t nl = text.find('\n');
  std::string_view line = text.substr(0, nl);
  text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const internal::Dispatcher dispatcher(PublicRoutes(), internal::WebSocketRoutes());
  std::string_view text = fuzzsupport::AsText(data, size);

  // The request line and the headers, as the HTTP parser would have framed them.
  std::string_view request_line = NextLine(text);
  const size_t space = request_line.find(' ');
  if (space == std::string_view::npos) return 0;
  auto method = ParseMethod(request_line.substr(0, space));
  if (!method) return 0;
  const std::string_view target = request_line.substr(space + 1);
  Request request;
  request.method = *method;
  const size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) {
    for (auto& [name, value] : api::http::ParseFormUrlEncoded(target.substr(question + 1))) {
      request.query.emplace(std::move(name), std::move(value));
    }
  }
  for (std::string_view line = NextLine(text); !line.empty(); line = NextLine(text)) {
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return 0;  // Beast refuses it
    std::string value(line.substr(colon + 1));
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    request.headers.Add(line.substr(0, colon), std::move(value));
  }
  request.raw_body = std::string(text);
  request.remote_ip = "127.0.0.1";

  auto life = std::make_shared<internal::ServerLife>();
  auto sink = std::make_shared<CheckingSink>();
  {
    auto exchange = std::make_shared<internal::Exchange>(sink, 1, life, internal::Label(request.method, request.path));
    dispatcher.Dispatch(std::move(request), exchange);
  }
  FUZZ_CHECK(sink->replies == 1);
  return 0;
}
