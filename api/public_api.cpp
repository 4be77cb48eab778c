#include "api/public_api.h"

#include <cmath>
#include <ctime>
#include <memory>

#include "api/fields.h"
#include "api/http/gzip.h"
#include "api/payout_preflight.h"
#include "api/public_commands.h"
#include "coordinator/errors.h"
#include "coordinator/identity/auth_header.h"
#include "coordinator/identity/robot_identity.h"
#include "coordinator/money.h"

namespace api {
namespace {

using coordinator::Command;
using http::Method;
using http::Request;
using http::Responder;
using Json = nlohmann::json;

struct Api {
  explicit Api(PublicApiDeps deps) : d(std::move(deps)), robot_limit(d.robot_rate), anonymous_limit(d.anonymous_rate) {}
  PublicApiDeps d;
  RateLimiter robot_limit;
  RateLimiter anonymous_limit;
  // The book's gzip bodies: compressed once per snapshot body, for the first client asking.
  http::GzipOnce book_gzip;

  // Django REST framework's throttled answer (RoboSats is a DRF application).
  bool Throttled(RateLimiter& limiter, const std::string& key, Responder& out) {
    const int64_t wait = limiter.Take(key);
    if (wait == 0) return false;
    out.Send(429, Json{{"detail", "Request was throttled. Expected available in " + std::to_string(wait) +
                                      (wait == 1 ? " second." : " seconds.")}});
    return true;
  }

  void SendStatus(Responder& out, const base::Status& st) {
    Json body;
    body["error_code"] = st.code;
    body[coordinator::ErrorField(st.code)] = st.message;
    out.Send(HttpStatusFor(st.code), body);
  }

  void BadField(Responder& out, const Fields& f) {
    SendStatus(out, coordinator::Error(coordinator::err::kNotUnderstood, f.error()));
  }

  // Parses the Authorization header. nullopt (and an answer sent) on a malformed header.
  std::optional<coordinator::Auth> Authenticate(const Request& r, Responder& out, bool required) {
    coordinator::Auth auth;
    const std::string* header = r.headers.Find("Authorization");
    if (!header || header->empty()) {
      if (!required) return auth;
      SendStatus(out, coordinator::Error(coordinator::err::kNoCredentials));
      return std::nullopt;
    }
    auto parsed = coordinator::identity::ParseAuthorizationHeader(*header);
    if (!parsed.ok()) {
      SendStatus(out, parsed.error());
      return std::nullopt;
    }
    auto id = coordinator::identity::DeriveRobotIdentity(parsed->token_sha256);
    auth.hash_id = id.hash_id;
    if (parsed->keys) {
      coordinator::Auth::NewRobot keys;
      keys.nickname = id.nickname;
      keys.public_key = parsed->keys->public_key;
      keys.encrypted_private_key = parsed->keys->encrypted_private_key;
      keys.nostr_pubkey = parsed->keys->nostr_pubkey;
      auth.keys = std::move(keys);
    }
    return auth;
  }

  // Payout preflight: the invoice's payment request is probed before the command reaches the
  // engine, which decides from the probe (coordinator/route_probe.h). Without a preflight, or
  // for text that is not a signed message (the engine refuses it), `then` runs at once.
  template <class Then>
  void Probed(const std::string& signed_invoice, Then then) {
    std::optional<std::string> payreq;
    if (d.probe_invoice) payreq = SignedMessageText(signed_invoice);
    if (!payreq || payreq->empty()) return then(std::optional<coordinator::RouteProbe>());
    d.probe_invoice(std::move(*payreq), [then = std::move(then)](coordinator::RouteProbe probe) mutable {
      then(std::optional<coordinator::RouteProbe>(std::move(probe)));
    });
  }

  void Submit(coordinator::Auth auth, Command cmd, Responder out) {
    if (auto* update = std::get_if<coordinator::UpdateInvoiceCmd>(&cmd); update && d.probe_invoice && !update->probe) {
      const std::string signed_invoice = update->signed_invoice;
      return Probed(signed_invoice, [this, auth = std::move(auth), cmd = std::move(cmd),
                                     out = std::move(out)](std::optional<coordinator::RouteProbe> probe) mutable {
        std::get<coordinator::UpdateInvoiceCmd>(cmd).probe = std::move(probe);
        SubmitNow(std::move(auth), std::move(cmd), std::move(out));
      });
    }
    SubmitNow(std::move(auth), std::move(cmd), std::move(out));
  }

  void SubmitNow(coordinator::Auth auth, Command cmd, Responder out) {
    // RoboSats answers a made order with 201 Created, everything else with 200.
    const int ok_status = std::holds_alternative<coordinator::MakeCmd>(cmd) ? 201 : 200;
    d.engine->Submit(std::move(auth), std::move(cmd), [this, out, ok_status](base::Result<Json> res) mutable {
      if (res.ok()) {
        out.Send(ok_status, res.value());
      } else {
        SendStatus(out, res.error());
      }
    });
  }

  // Authenticated command built by `build` (which may refuse a field and return nullopt).
  template <class Build>
  void Robot(const Request& r, Responder out, Build build) {
    auto auth = Authenticate(r, out, true);
    if (!auth) return;
    if (Throttled(robot_limit, auth->hash_id, out)) return;
    Fields f(r);
    std::optional<Command> cmd = build(f);
    if (!f.ok() || !cmd) return BadField(out, f);
    Submit(std::move(*auth), std::move(*cmd), std::move(out));
  }

  std::optional<int64_t> OrderId(const Request& r, Responder& out) {
    auto raw = r.QueryParam("order_id");
    if (!raw) {
      SendStatus(out, coordinator::Error(coordinator::err::kMissingOrderId));
      return std::nullopt;
    }
    Fields f(r);
    auto id = f.QueryInt("order_id", 1, std::numeric_limits<int64_t>::max());
    if (!id) {
      SendStatus(out, coordinator::Error(coordinator::err::kInvalidOrderId));
      return std::nullopt;
    }
    return id;
  }

  void Book(const Request& r, Responder out) {
    Fields f(r);
    int64_t currency = f.QueryInt("currency", 0, 100000).value_or(0);
    int64_t type = f.QueryInt("type", 0, 2).value_or(2);
    if (!f.ok()) return BadField(out, f);
    auto snap = d.engine->snapshot();
    auto it = snap->book.find({static_cast<int>(currency), static_cast<int>(type)});
    if (it == snap->book.end()) {
      // RoboSats answers an empty book with 404.
      out.Send(404, Json{{"not_found", "No orders found, be the first to make one"}});
      return;
    }
    const std::string* accept = r.headers.Find("Accept-Encoding");
    if (accept && http::AcceptsGzip(*accept)) {
      out.Send(200, it->second, book_gzip.For(it->second));
    } else {
      out.Send(200, it->second);
    }
  }

  void Limits(Responder out) {
    Json all = Json::object();
    for (const auto& [id, code] : d.currencies->ById()) {
      auto rate = d.rates->Rate(id);
      if (!rate) continue;
      Json e;
      e["code"] = code;
      e["price"] = *rate;
      e["min_amount"] = static_cast<double>(d.params.min_order_sat) / 1e8 * *rate;
      e["max_amount"] = static_cast<double>(d.params.max_order_sat) / 1e8 * *rate;
      all[std::to_string(id)] = e;
    }
    out.Send(200, all);
  }

  void Price(Responder out) {
    Json all = Json::object();
    const std::string ts = coordinator::IsoTime(d.now());
    for (const auto& [id, code] : d.currencies->ById()) {
      auto rate = d.rates->Rate(id);
      if (!rate) continue;
      all[code] = {{"price", *rate}, {"volume", 0}, {"premium", 0}, {"timestamp", ts}};
    }
    out.Send(200, all);
  }

  // RoboSats /api/ticks/: start and end as DD-MM-YYYY (1050 otherwise).
  std::optional<int64_t> Date(const Request& r, std::string_view name, int64_t fallback, Responder& out) {
    auto raw = r.QueryParam(name);
    if (!raw) return fallback;
    std::tm tm{};
    const char* end = strptime(raw->c_str(), "%d-%m-%Y", &tm);
    if (end == nullptr || *end != '\0') {
      SendStatus(out, coordinator::Error(coordinator::err::kBadDate));
      return std::nullopt;
    }
    return static_cast<int64_t>(timegm(&tm));
  }

  void Ticks(const Request& r, Responder out) {
    if (Throttled(anonymous_limit, r.remote_ip, out)) return;
    auto start = Date(r, "start", 0, out);
    if (!start) return;
    auto end = Date(r, "end", d.now(), out);
    if (!end) return;
    if (!d.history) return SendStatus(out, base::Status::Error(base::Status::kUnavailable, "Market history is unavailable"));
    auto ticks = d.history->Ticks(*start, *end + 86400);
    if (!ticks.ok()) return SendStatus(out, ticks.error());
    out.Send(200, ticks.value());
  }

  // Ours: GET /api/devfund/?start=&end= (Unix seconds; default: the last day): the signed
  // dev-tax statements of the periods overlapping [start, end) (federation/devtax/statement.h).
  void DevFund(const Request& r, Responder out) {
    if (Throttled(anonymous_limit, r.remote_ip, out)) return;
    if (!d.devfund) {
      return SendStatus(out, base::Status::Error(base::Status::kUnavailable, "Dev fund statements are unavailable"));
    }
    Fields f(r);
    const int64_t now = d.now();
    auto start = f.QueryInt("start", 0, std::numeric_limits<int64_t>::max() / 2);
    auto end = f.QueryInt("end", 0, std::numeric_limits<int64_t>::max() / 2);
    if (!f.ok()) return SendStatus(out, base::Status::Error(base::Status::kInvalid, f.error()));
    auto statements = d.devfund->Range(start.value_or(now - 86400), end.value_or(now + 1), now);
    if (!statements.ok()) return SendStatus(out, base::Status::Error(base::Status::kInvalid, statements.error()));
    out.Send(200, statements.value());
  }

  // RoboSats chat/views.py ChatView: order_id missing → 6000; an invalid POST body → 6003.
  // The peer holds a /ws/chat/ socket of the order open now.
  bool PeerLive(int64_t order_id, const std::string& hash_id) const {
    return d.chat_peer_live && d.chat_peer_live(order_id, hash_id);
  }

  void ChatGet(const Request& r, Responder out) {
    auto auth = Authenticate(r, out, true);
    if (!auth) return;
    if (Throttled(robot_limit, auth->hash_id, out)) return;
    Fields f(r);
    if (!r.QueryParam("order_id")) return SendStatus(out, coordinator::Error(coordinator::err::kChatNoOrder));
    auto order_id = f.QueryInt("order_id", 0, std::numeric_limits<int64_t>::max());
    auto offset = f.QueryInt("offset", 0, std::numeric_limits<int64_t>::max());
    if (!f.ok() || !order_id) return SendStatus(out, coordinator::Error(coordinator::err::kChatInvalid, f.error()));
    const bool live = PeerLive(*order_id, auth->hash_id);
    Submit(std::move(*auth), coordinator::ChatGetCmd{*order_id, offset.value_or(0), live}, std::move(out));
  }

  void ChatPost(const Request& r, Responder out) {
    auto auth = Authenticate(r, out, true);
    if (!auth) return;
    if (Throttled(robot_limit, auth->hash_id, out)) return;
    Fields f(r);
    auto message = f.Text("PGP_message", 1 << 20);
    auto order_id = f.Int("order_id", 0, std::numeric_limits<int64_t>::max());
    auto offset = f.Int("offset", 0, std::numeric_limits<int64_t>::max());
    if (!f.ok() || !message || !order_id) {
      return SendStatus(out, coordinator::Error(coordinator::err::kChatInvalid,
                                                f.ok() ? "PGP_message and order_id are required" : f.error()));
    }
    const bool live = PeerLive(*order_id, auth->hash_id);
    Submit(std::move(*auth), coordinator::ChatPostCmd{*order_id, *message, offset, live}, std::move(out));
  }

  // RoboSats api/views.py RewardView: errors carry "successful_withdrawal": false.
  void Reward(const Request& r, Responder out) {
    auto auth = Authenticate(r, out, true);
    if (!auth) return;
    if (Throttled(robot_limit, auth->hash_id, out)) return;
    Fields f(r);
    auto invoice = f.Text("invoice", 15000);
    auto ppm = f.Int("routing_budget_ppm", 0, 100001);
    if (!f.ok()) return BadField(out, f);
    const std::string signed_invoice = invoice.value_or("");
    Probed(signed_invoice, [this, auth = std::move(*auth), signed_invoice, ppm,
                            out](std::optional<coordinator::RouteProbe> probe) mutable {
      d.engine->Submit(std::move(auth), coordinator::RewardCmd{signed_invoice, ppm, std::move(probe)},
                       [this, out](base::Result<Json> res) mutable {
                         if (res.ok()) return (void)out.Send(200, res.value());
                         Json body;
                         body["error_code"] = res.error().code;
                         body[coordinator::ErrorField(res.error().code)] = res.error().message;
                         body["successful_withdrawal"] = false;
                         out.Send(HttpStatusFor(res.error().code), body);
                       });
    });
  }

  // RoboSats api/views.py NotificationsView: ?created_at=<ISO date-time> (optional).
  void Notifications(const Request& r, Responder out) {
    int64_t since = 0;
    if (auto raw = r.QueryParam("created_at"); raw && !raw->empty()) {
      std::tm tm{};
      const char* end = strptime(raw->c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
      if (end == nullptr) return SendStatus(out, coordinator::Error(coordinator::err::kBadDate));
      since = static_cast<int64_t>(timegm(&tm));
    }
    Robot(r, std::move(out), [since](Fields&) -> std::optional<Command> { return coordinator::NotificationsCmd{since}; });
  }

  void Historical(const Request& r, Responder out) {
    if (Throttled(anonymous_limit, r.remote_ip, out)) return;
    if (!d.history) return SendStatus(out, base::Status::Error(base::Status::kUnavailable, "Market history is unavailable"));
    out.Send(200, d.history->Historical());
  }

  void OrderAction(const Request& r, Responder out) {
    auto id = OrderId(r, out);
    if (!id) return;
    Robot(r, std::move(out), [&](Fields& f) { return OrderActionCommand(*id, f); });
  }
};

}  // namespace

int HttpStatusFor(int code) {
  if (code == coordinator::err::kInvalidOrderId) return 404;
  if (code == coordinator::err::kOrderNotAvailable || code == coordinator::err::kNotParticipant) return 403;
  if (code == coordinator::err::kNoCredentials) return 403;
  if (code == base::Status::kUnavailable) return 503;
  if (code == base::Status::kInternal) return 500;
  return 400;
}

base::Status RegisterPublicApi(http::HttpServer& server, PublicApiDeps deps) {
  auto api = std::make_shared<Api>(std::move(deps));
  struct Route {
    Method method;
    const char* path;
    http::Handler handler;
  };
  std::vector<Route> routes = {
      {Method::kGet, "/api/info/", [api](Request, Responder out) { out.Send(200, api->d.engine->snapshot()->info); }},
      {Method::kGet, "/api/book/", [api](Request r, Responder out) { api->Book(r, std::move(out)); }},
      {Method::kGet, "/api/limits/", [api](Request, Responder out) { api->Limits(std::move(out)); }},
      {Method::kGet, "/api/price/", [api](Request, Responder out) { api->Price(std::move(out)); }},
      {Method::kGet, "/api/ticks/", [api](Request r, Responder out) { api->Ticks(r, std::move(out)); }},
      {Method::kGet, "/api/historical/", [api](Request r, Responder out) { api->Historical(r, std::move(out)); }},
      {Method::kGet, "/api/devfund/", [api](Request r, Responder out) { api->DevFund(r, std::move(out)); }},
      {Method::kGet, "/api/robot/",
       [api](Request r, Responder out) {
         api->Robot(r, std::move(out), [](Fields&) -> std::optional<Command> { return coordinator::GetRobotCmd{}; });
       }},
      {Method::kPost, "/api/make/",
       [api](Request r, Responder out) {
         api->Robot(r, std::move(out), [](Fields& f) { return MakeCommand(f); });
       }},
      {Method::kGet, "/api/order/",
       [api](Request r, Responder out) {
         auto id = api->OrderId(r, out);
         if (!id) return;
         api->Robot(r, std::move(out), [&](Fields&) -> std::optional<Command> { return coordinator::GetOrderCmd{*id}; });
       }},
      {Method::kPost, "/api/order/", [api](Request r, Responder out) { api->OrderAction(r, std::move(out)); }},
      {Method::kGet, "/api/chat/", [api](Request r, Responder out) { api->ChatGet(r, std::move(out)); }},
      {Method::kPost, "/api/chat/", [api](Request r, Responder out) { api->ChatPost(r, std::move(out)); }},
      {Method::kPost, "/api/reward/", [api](Request r, Responder out) { api->Reward(r, std::move(out)); }},
      {Method::kPost, "/api/review/",
       [api](Request r, Responder out) {
         api->Robot(r, std::move(out), [](Fields& f) { return ReviewCommand(f); });
       }},
      {Method::kGet, "/api/notifications/",
       [api](Request r, Responder out) { api->Notifications(r, std::move(out)); }},
      {Method::kPost, "/api/stealth/",
       [api](Request r, Responder out) {
         api->Robot(r, std::move(out), [](Fields& f) { return StealthCommand(f); });
       }},
  };
  for (auto& route : routes) {
    auto st = server.Add(route.method, route.path, std::move(route.handler));
    if (!st.ok()) return st;
  }
  return base::Status::Ok();
}

}  // namespace api
