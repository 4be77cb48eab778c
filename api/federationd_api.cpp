#include "api/federationd_api.h"

#include <charconv>
#include <random>

#include "api/federationd_watchdog.h"

namespace api {

namespace {

using http::Method;
using http::Request;
using http::Responder;

constexpr std::string_view kHtml = "text/html; charset=utf-8";

// The lottery seed of the request: `seed` if given, else a fresh random one.
std::optional<uint64_t> Seed(const Request& r) {
  auto raw = r.QueryParam("seed");
  if (!raw || raw->empty()) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return rng() >> 11;  // 53 bits: exact in JavaScript's numbers, so the page keeps it intact
  }
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || end != raw->data() + raw->size()) return std::nullopt;
  return v;
}

void BadRequest(Responder& out, const std::string& message) { out.Send(400, nlohmann::json{{"bad_request", message}}); }

}  // namespace

base::Status RegisterFederationdApi(http::HttpServer& server, const federation::FederationView& view,
                                    const ConsistencyWatch* watch) {
  const federation::FederationView* v = &view;
  auto add = [&](std::string_view path, http::Handler handler) { return server.Add(Method::kGet, path, std::move(handler)); };
  // The consistency watchdog's findings (api/federationd_watchdog.h).
  base::Status wst = add("/api/watchdog/", [watch](Request, Responder out) {
    if (!watch) return (void)out.Send(404, nlohmann::json{{"not_found", "the watchdog is disabled"}});
    out.Send(200, watch->Json());
  });
  if (!wst.ok()) return wst;
  base::Status st = add("/", [v](Request r, Responder out) {
    auto filter = federation::FilterFromQuery(r.query);
    auto seed = Seed(r);
    if (!filter.ok()) return (void)out.Send(400, "Bad filter: " + filter.error() + "\n", "text/plain; charset=utf-8");
    if (!seed) return (void)out.Send(400, std::string("Bad seed\n"), "text/plain; charset=utf-8");
    out.Send(200, v->PageHtml(*filter, *seed), kHtml);
  });
  if (!st.ok()) return st;
  st = add("/api/book/", [v](Request r, Responder out) {
    auto filter = federation::FilterFromQuery(r.query);
    if (!filter.ok()) return BadRequest(out, filter.error());
    auto seed = Seed(r);
    if (!seed) return BadRequest(out, "seed: not an unsigned integer");
    out.Send(200, v->BookJson(*filter, *seed));
  });
  if (!st.ok()) return st;
  st = add("/api/info/", [v](Request, Responder out) { out.Send(200, v->StatsJson()); });
  if (!st.ok()) return st;
  st = add("/api/coordinators/", [v](Request r, Responder out) {
    auto seed = Seed(r);
    if (!seed) return BadRequest(out, "seed: not an unsigned integer");
    out.Send(200, v->CoordinatorsJson(*seed));
  });
  if (!st.ok()) return st;
  return add("/api/coordinator/", [v](Request r, Responder out) {
    auto alias = r.QueryParam("short_alias");
    if (!alias || alias->empty()) return BadRequest(out, "short_alias: required");
    auto detail = v->CoordinatorDetailJson(*alias);
    if (!detail) return (void)out.Send(404, nlohmann::json{{"not_found", "no coordinator " + *alias}});
    out.Send(200, *detail);
  });
}

}  // namespace api
