#include "api/admin_api.h"

#include <sys/stat.h>

#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <algorithm>
#include <memory>

#include "api/fields.h"
#include "api/metrics.h"
#include "api/public_api.h"
#include "config/base/log.h"
#include "coordinator/errors.h"

namespace api {
namespace {

using http::Method;
using http::Request;
using http::Responder;
using Json = nlohmann::json;

// Compares without leaking where the first difference is.
bool SameToken(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

struct Admin {
  coordinator::Engine* engine = nullptr;
  federation::DevFundStatements* devfund = nullptr;
  nostr::Publisher* publisher = nullptr;
  std::vector<AdminToken> tokens;

  void Fail(Responder& out, int http, std::string message) {
    out.Send(http, Json{{"error_code", http}, {"bad_request", std::move(message)}});
  }

  // The caller, or nullopt (and a 401 sent).
  std::optional<coordinator::AdminActor> Authenticate(const Request& r, Responder& out) {
    const std::string* header = r.headers.Find("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (!header || header->compare(0, kBearer.size(), kBearer) != 0) {
      Fail(out, 401, "Authentication credentials were not provided (Authorization: Bearer <admin token>).");
      return std::nullopt;
    }
    const std::string given = header->substr(kBearer.size());
    for (const auto& t : tokens) {
      if (SameToken(given, t.token)) return coordinator::AdminActor{t.name, t.role};
    }
    Fail(out, 401, "Invalid admin token.");
    return std::nullopt;
  }

  void Submit(const coordinator::AdminActor& actor, coordinator::AdminCommand cmd, Responder out) {
    engine->SubmitAdmin(actor, std::move(cmd), [out](base::Result<Json> res) mutable {
      if (res.ok()) return (void)out.Send(200, res.value());
      const int code = res.error().code;
      int http = HttpStatusFor(code);
      if (code == coordinator::err::kInvalidOrderId) http = 404;
      out.Send(http, Json{{"error_code", code}, {"bad_request", res.error().message}});
    });
  }

  void Disputes(const Request& r, Responder out) {
    auto actor = Authenticate(r, out);
    if (!actor) return;
    Fields f(r);
    auto all = f.QueryInt("all", 0, 1);
    if (!f.ok()) return Fail(out, 400, f.error());
    Submit(*actor, coordinator::AdminDisputesCmd{all.value_or(0) == 1}, std::move(out));
  }

  void Dispute(const Request& r, Responder out) {
    auto actor = Authenticate(r, out);
    if (!actor) return;
    Fields f(r);
    auto id = f.QueryInt("order_id", 1, std::numeric_limits<int64_t>::max());
    if (!f.ok() || !id) return Fail(out, 400, f.ok() ? "order_id is required" : f.error());
    Submit(*actor, coordinator::AdminDisputeCmd{*id}, std::move(out));
  }

  void Resolve(const Request& r, Responder out) {
    auto actor = Authenticate(r, out);
    if (!actor) return;
    if (actor->role != coordinator::AdminRole::kResolver) {
      // (The engine refuses it too.)
      base::Log(base::LogLevel::kWarn, "admin", "resolve refused: not a resolver", {{"actor", actor->name}});
      return Fail(out, 403, "Only a resolver may resolve disputes; this token is a solver's.");
    }
    Fields f(r);
    auto id = f.Int("order_id", 1, std::numeric_limits<int64_t>::max());
    auto outcome_name = f.Text("outcome", 32);
    auto note = f.Text("note", 2000);
    if (!f.ok()) return Fail(out, 400, f.error());
    if (!id || !outcome_name) return Fail(out, 400, "order_id and outcome are required");
    auto outcome = coordinator::DisputeOutcomeFromName(*outcome_name);
    if (!outcome) {
      return Fail(out, 400, "outcome: \"" + *outcome_name +
                                "\" is not one of maker_wins, taker_wins, return_everything, successful_trade");
    }
    Submit(*actor, coordinator::AdminResolveCmd{*id, *outcome, note.value_or("")}, std::move(out));
  }

  void Orders(const Request& r, Responder out) {
    auto actor = Authenticate(r, out);
    if (!actor) return;
    Fields f(r);
    auto status = f.QueryInt("status", 0, 18);
    auto limit = f.QueryInt("limit", 1, 10000);
    if (!f.ok()) return Fail(out, 400, f.error());
    coordinator::AdminOrdersCmd cmd;
    if (status) cmd.status = static_cast<coordinator::OrderStatus>(*status);
    cmd.limit = static_cast<size_t>(limit.value_or(100));
    Submit(*actor, cmd, std::move(out));
  }

  // GET /admin/payouts/in-flight/[?overdue=true]: payouts sent and not yet ended, oldest first.
  void PayoutsInFlight(const Request& r, Responder out) {
    auto actor = Authenticate(r, out);
    if (!actor) return;
    coordinator::AdminPayoutsInFlightCmd cmd;
    if (auto v = r.QueryParam("overdue")) {
      if (*v != "true" && *v != "false") return Fail(out, 400, "overdue: expected true or false");
      cmd.overdue_only = *v == "true";
    }
    Submit(*actor, cmd, std::move(out));
  }

  void Accounting(const Request& r, Responder out) {
    auto actor = Authenticate(r, out);
    if (!actor) return;
    auto day = r.QueryParam("day");
    std::tm tm{};
    const char* end = day ? strptime(day->c_str(), "%Y-%m-%d", &tm) : nullptr;
    if (end == nullptr || *end != '\0') return Fail(out, 400, "day: expected YYYY-MM-DD");
    Submit(*actor, coordinator::AdminAccountingCmd{static_cast<int64_t>(timegm(&tm))}, std::move(out));
  }

  void DevTax(const Request& r, Responder out) {
    auto actor = Authenticate(r, out);
    if (!actor) return;
    if (!devfund) return Fail(out, 503, "dev-tax statements are unavailable");
    Fields f(r);
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    auto start = f.QueryInt("start", 0, std::numeric_limits<int64_t>::max() / 2);
    auto end = f.QueryInt("end", 0, std::numeric_limits<int64_t>::max() / 2);
    if (!f.ok()) return Fail(out, 400, f.error());
    auto statements = devfund->Range(start.value_or(now - 86400), end.value_or(now + 1), now);
    if (!statements.ok()) return Fail(out, 400, statements.error());
    out.Send(200, statements.value());
  }

  // GET /admin/nostr/relays/: the publisher's view of each outside relay (no secrets: the URL
  // without user info, the relay's own refusal texts).
  void NostrRelays(const Request& r, Responder out) {
    auto actor = Authenticate(r, out);
    if (!actor) return;
    Json list = Json::array();
    if (publisher) {
      for (const auto& s : publisher->Status()) {
        list.push_back({{"relay", RelayLabel(s.url)},
                        {"connected", s.connected},
                        {"events", s.events},
                        {"pending", std::max<int64_t>(0, s.events - s.acked)},
                        {"failing", s.failing},
                        {"published", s.published},
                        {"refused", s.refused},
                        {"last_ok_at", s.last_ok_at},
                        {"reconciliations", s.reconciliations},
                        {"healed", s.healed},
                        {"last_reconcile_at", s.last_reconcile_at},
                        {"last_error", s.last_error}});
      }
    }
    out.Send(200, list);
  }
};

// The routes: RegisterAdminApi registers these and AdminRoutes() lists them.
struct Route {
  Method method;
  const char* path;
  void (Admin::*handler)(const Request&, Responder);
};
const Route kRoutes[] = {
    {Method::kGet, "/admin/disputes/", &Admin::Disputes},
    {Method::kGet, "/admin/dispute/", &Admin::Dispute},
    {Method::kPost, "/admin/dispute/resolve/", &Admin::Resolve},
    {Method::kGet, "/admin/orders/", &Admin::Orders},
    {Method::kGet, "/admin/payouts/in-flight/", &Admin::PayoutsInFlight},
    {Method::kGet, "/admin/accounting/", &Admin::Accounting},
    {Method::kGet, "/admin/devtax/", &Admin::DevTax},
    {Method::kGet, "/admin/nostr/relays/", &Admin::NostrRelays},
};

}  // namespace

std::vector<AdminRoute> AdminRoutes() {
  std::vector<AdminRoute> out;
  for (const auto& r : kRoutes) out.push_back(AdminRoute{r.method, r.path});
  return out;
}

base::Expected<std::vector<AdminToken>, std::string> LoadAdminTokens(const std::vector<std::string>& solver_files,
                                                                     const std::vector<std::string>& resolver_files) {
  std::vector<AdminToken> out;
  auto load = [&](const std::string& file, coordinator::AdminRole role) -> base::Expected<void, std::string> {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return base::Err("admin token file " + file + ": " + std::strerror(errno));
    if ((st.st_mode & 077) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      return base::Err("admin token file " + file + " has mode " + mode +
                       "; it must not be accessible by group or others (chmod 600)");
    }
    std::ifstream in(file);
    std::string token;
    std::getline(in, token);
    while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (token.size() < 32) return base::Err("admin token file " + file + ": the token must be at least 32 characters");
    out.push_back(AdminToken{std::filesystem::path(file).stem().string(), token, role});
    return {};
  };
  for (const auto& f : solver_files) {
    if (auto r = load(f, coordinator::AdminRole::kSolver); !r) return base::Err(r.error());
  }
  for (const auto& f : resolver_files) {
    if (auto r = load(f, coordinator::AdminRole::kResolver); !r) return base::Err(r.error());
  }
  return out;
}

base::Status RegisterAdminApi(http::HttpServer& server, coordinator::Engine& engine, std::vector<AdminToken> tokens,
                              federation::DevFundStatements* devfund, nostr::Publisher* publisher) {
  auto admin = std::make_shared<Admin>();
  admin->engine = &engine;
  admin->devfund = devfund;
  admin->publisher = publisher;
  admin->tokens = std::move(tokens);
  for (const auto& route : kRoutes) {
    auto handler = route.handler;
    auto st = server.Add(route.method, route.path,
                         [admin, handler](Request r, Responder out) { ((*admin).*handler)(r, std::move(out)); });
    if (!st.ok()) return st;
  }
  return base::Status::Ok();
}

}  // namespace api
