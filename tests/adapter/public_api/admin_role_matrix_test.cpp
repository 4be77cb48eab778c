// The admin API's authorization matrix (issue "Proof under stress", item 3): every route the
// admin API registers (api::AdminRoutes(), the table RegisterAdminApi itself registers from, so
// a new route without a row here fails the test) × each role (solver, resolver), no token,
// malformed tokens and wrong tokens. An allowed request works (200, its JSON); a refused one gets
// its status (401 without a valid token, 403 for a solver resolving) and the admin error JSON
// {"error_code", "bad_request"}, reveals nothing of the disputed trade, and changes nothing:
// every table of the store is dumped before and after (store_dump.h) and compared. Reads by
// an allowed role change nothing either; the resolver's resolution is the one write, done last.
//
// The stack: the coordinator in-process (tests/support/public_api_stack.h) and the admin API on
// a listener of its own with both roles' tokens and the dev-tax statements (so /admin/devtax/
// answers, as in coordinatord). One trade is in dispute: mia sold 100 USD to tom, they chatted,
// tom opened a dispute after the fiat window's first hours and both wrote statements.
#include <gtest/gtest.h>

#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/admin_api.h"
#include "escrow/crypto/sha256.h"
#include "federation/devtax/statements_service.h"
#include "tests/adapter/public_api/store_dump.h"
#include "tests/support/public_api_stack.h"

namespace apistack {
namespace {

using namespace std::chrono_literals;

const std::string kSolver = "Bearer " + std::string(40, 's');
const std::string kResolver = "Bearer " + std::string(40, 'r');
// RoboSats wants statements of 100 characters at least (2001).
const std::string kMakerStatement =
    "mia: the fiat never arrived in my account, statement 7f3a. I checked every day since the trade and "
    "nothing came in.";
const std::string kTakerStatement =
    "tom: I sent the fiat through Strike, reference 55c1e9, the same afternoon; the receipt is attached to the "
    "chat.";
const std::string kChatCipher = "-----BEGIN PGP MESSAGE-----\\\\wV4Dsecretchat0a1b2c\\\\-----END PGP MESSAGE-----";

class AdminRoleMatrix : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_clock = std::make_unique<base::ManualClock>(std::chrono::system_clock::now() + 13h);
    StackOptions options;
    options.clock = s_clock.get();
    auto stack = PublicApiStack::Start(std::move(options));
    ASSERT_TRUE(stack.ok()) << stack.error();
    s_stack = std::move(stack.value());

    // The admin API as coordinatord serves it: both roles, the dev-tax statements.
    s_signer = escrow::crypto::Signer::FromSecret(escrow::crypto::Sha256(std::string("admin matrix nostr key")));
    ASSERT_TRUE(s_signer.has_value());
    auto devfund = federation::DevFundStatements::Open(s_stack->db_path(), *s_signer, {});
    ASSERT_TRUE(devfund.ok()) << devfund.error();
    s_devfund = std::move(devfund.value());
    s_admin = std::make_unique<api::http::HttpServer>();
    auto registered = api::RegisterAdminApi(*s_admin, s_stack->engine(),
                                            {{"solver", kSolver.substr(7), coordinator::AdminRole::kSolver},
                                             {"resolver", kResolver.substr(7), coordinator::AdminRole::kResolver}},
                                            s_devfund.get());
    ASSERT_TRUE(registered.ok()) << registered.message;
    auto started = s_admin->Start(api::http::ServerOptions{});
    ASSERT_TRUE(started.ok()) << started.message;

    s_maker = std::make_unique<ApiRobot>("mia", "alice");
    s_taker = std::make_unique<ApiRobot>("tom", "bob");
    ApiClient client(s_stack->port());
    for (ApiRobot* r : {s_maker.get(), s_taker.get()}) {
      auto reg = Register(client, *r);
      ASSERT_TRUE(reg.ok()) << reg.error();
    }
    auto id = MakePublic(*s_stack, client, *s_maker, OrderBody(1, "100"));
    ASSERT_TRUE(id.ok()) << id.error();
    s_order = *id;
    auto taken = TakeAndLock(*s_stack, client, *s_taker, s_order);
    ASSERT_TRUE(taken.ok()) << taken.error();
    auto locked = LockEscrow(*s_stack, client, *s_maker, s_order, 8);
    ASSERT_TRUE(locked.ok()) << locked.error();
    auto invoiced = SubmitInvoice(*s_stack, client, *s_taker, s_order);
    ASSERT_TRUE(invoiced.ok()) << invoiced.error();
    auto view = client.Get("/api/order/?order_id=" + std::to_string(s_order), s_taker->token_header());
    ASSERT_EQ(view.json.value("status", -1), 9) << view.body;
    for (ApiRobot* r : {s_maker.get(), s_taker.get()}) {
      auto sent = client.Post("/api/chat/", r->token_header(), Json{{"PGP_message", kChatCipher}, {"order_id", s_order}});
      ASSERT_EQ(sent.status, 200) << sent.body;
    }
    // RoboSats lets a dispute open from some hours into the fiat window (1054 before).
    StepResult disputed = base::Err(std::string("not tried"));
    for (int hours = 0; hours < 30; ++hours) {
      disputed = Action(client, *s_taker, s_order, "dispute");
      if (disputed.ok()) break;
      s_clock->Advance(1h);
      s_stack->engine().Drain();
    }
    ASSERT_TRUE(disputed.ok()) << disputed.error();
    ASSERT_TRUE(Action(client, *s_maker, s_order, "submit_statement", Json{{"statement", kMakerStatement}}).ok());
    ASSERT_TRUE(Action(client, *s_taker, s_order, "submit_statement", Json{{"statement", kTakerStatement}}).ok());

    // What an outsider must never see of the trade: the robots, the statements, the chat,
    // the buyer's invoice.
    for (ApiRobot* r : {s_maker.get(), s_taker.get()}) {
      auto me = client.Get("/api/robot/", r->token_header());
      for (const char* field : {"hash_id", "nickname", "nostr_pubkey"}) {
        const std::string v = me.json.value(field, "");
        if (!v.empty()) s_hidden.push_back(v);
      }
      const std::string key = me.json.value("public_key", "");
      if (key.size() > 120) s_hidden.push_back(key.substr(80, 40));
    }
    s_hidden.push_back(kMakerStatement);
    s_hidden.push_back(kTakerStatement);
    s_hidden.push_back("secretchat0a1b2c");
    // Let every intent of the setup finish: the dump must be still before the rows run.
    WaitUntilStoreIsStill([] { s_stack->engine().Drain(); }, s_stack->db_path());
  }

  static void TearDownTestSuite() {
    if (s_admin) s_admin->Stop();
    s_admin.reset();
    s_devfund.reset();
    s_stack.reset();
    s_maker.reset();
    s_taker.reset();
    s_clock.reset();
  }

  void SetUp() override {
    if (!s_stack || !s_admin || s_order == 0) GTEST_SKIP() << "the stack did not start";
  }

  // One request to the admin listener: the reply and whether the store changed.
  struct Outcome {
    HttpReply reply;
    std::string store_diff;  // "" : unchanged
  };
  static Outcome Send(const std::string& method, const std::string& target, const std::optional<std::string>& auth,
                      const std::optional<Json>& body) {
    HttpCall call;
    call.method = method;
    call.target = target;
    if (auth) call.headers.push_back(auth->empty() ? "Authorization;" : "Authorization: " + *auth);
    if (body) {
      call.body = body->dump();
      call.headers.push_back("Content-Type: application/json");
    }
    auto before = DumpStore(s_stack->db_path());
    ApiClient client(s_admin->Port(), /*keep_alive=*/false);
    Outcome out;
    out.reply = client.Send(call);
    s_stack->engine().Drain();
    out.store_diff = FirstDifference(before, DumpStore(s_stack->db_path()));
    return out;
  }

  // The promises of every refusal: the status, the admin error JSON, nothing of the trade or
  // of a token in it, the store unchanged.
  static void ExpectRefused(const Outcome& o, int status, const std::string& what) {
    SCOPED_TRACE(what);
    const HttpReply& r = o.reply;
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(r.status, status) << r.body;
    ASSERT_TRUE(r.json.is_object()) << r.body.substr(0, 300);
    EXPECT_TRUE(r.json.contains("error_code") && r.json["error_code"].is_number_integer()) << r.body;
    EXPECT_TRUE(r.json.contains("bad_request") && r.json["bad_request"].is_string() &&
                !r.json["bad_request"].get<std::string>().empty())
        << r.body;
    EXPECT_EQ(r.json.size(), 2u) << r.body;
    EXPECT_EQ(r.headers.count("access-control-allow-origin"), 1u);
    for (const auto& h : s_hidden) EXPECT_EQ(r.body.find(h), std::string::npos) << "revealed \"" << h << "\": " << r.body;
    for (const std::string& t : {kSolver.substr(7), kResolver.substr(7)}) {
      EXPECT_EQ(r.body.find(t), std::string::npos) << "an admin token in " << r.body;
    }
    EXPECT_TRUE(o.store_diff.empty()) << "the store changed: " << o.store_diff;
  }

  static std::unique_ptr<base::ManualClock> s_clock;
  static std::unique_ptr<PublicApiStack> s_stack;
  static std::optional<escrow::crypto::Signer> s_signer;
  static std::unique_ptr<federation::DevFundStatements> s_devfund;
  static std::unique_ptr<api::http::HttpServer> s_admin;
  static std::unique_ptr<ApiRobot> s_maker, s_taker;
  static int64_t s_order;
  static std::vector<std::string> s_hidden;
};

std::unique_ptr<base::ManualClock> AdminRoleMatrix::s_clock;
std::unique_ptr<PublicApiStack> AdminRoleMatrix::s_stack;
std::optional<escrow::crypto::Signer> AdminRoleMatrix::s_signer;
std::unique_ptr<federation::DevFundStatements> AdminRoleMatrix::s_devfund;
std::unique_ptr<api::http::HttpServer> AdminRoleMatrix::s_admin;
std::unique_ptr<ApiRobot> AdminRoleMatrix::s_maker, AdminRoleMatrix::s_taker;
int64_t AdminRoleMatrix::s_order = 0;
std::vector<std::string> AdminRoleMatrix::s_hidden;

enum class Role { kSolver, kResolver };

// One row per route: a valid request (the query or body an operator sends), the roles that may
// make it, and what its answer must hold when allowed. A write (`writes`) is made last, by
// the last role allowed.
struct RouteRow {
  std::string target;             // path and query
  std::optional<Json> body;       // POST body
  std::set<Role> allowed;
  bool writes = false;
  std::function<void(const Json&)> check_allowed;  // the 200 answer
};

std::string Key(api::http::Method m, const std::string& path) { return std::string(api::http::MethodName(m)) + " " + path; }

TEST_F(AdminRoleMatrix, EveryAdminRouteAndRoleAllowedOrRefusedAndRefusalsChangeNothing) {
  const std::string id = std::to_string(s_order);
  char today[16];
  const std::time_t now = std::chrono::system_clock::to_time_t(s_clock->Now());
  std::strftime(today, sizeof today, "%Y-%m-%d", std::gmtime(&now));
  const std::set<Role> both = {Role::kSolver, Role::kResolver};
  auto has_order = [](const Json& list) {
    bool found = false;
    for (const auto& e : list) found |= e.is_object() && e.value("id", int64_t{0}) == s_order;
    EXPECT_TRUE(found) << "order " << s_order << " not listed: " << list.dump().substr(0, 500);
  };

  std::map<std::string, RouteRow> rows = {
      {"GET /admin/disputes/",
       {"/admin/disputes/", std::nullopt, both, false,
        [&](const Json& j) {
          ASSERT_TRUE(j.is_array()) << j.dump();
          has_order(j);
        }}},
      {"GET /admin/dispute/",
       {"/admin/dispute/?order_id=" + id, std::nullopt, both, false,
        [&](const Json& j) {
          // The dispute with everything needed to decide it: both statements, the chat.
          const std::string text = j.dump();
          EXPECT_NE(text.find(kMakerStatement), std::string::npos) << text.substr(0, 500);
          EXPECT_NE(text.find(kTakerStatement), std::string::npos) << text.substr(0, 500);
          EXPECT_NE(text.find("secretchat0a1b2c"), std::string::npos) << text.substr(0, 500);
        }}},
      {"POST /admin/dispute/resolve/",
       {"/admin/dispute/resolve/", Json{{"order_id", s_order}, {"outcome", "maker_wins"}, {"note", "matrix"}},
        {Role::kResolver}, true,
        [&](const Json& j) { EXPECT_TRUE(j.is_object()) << j.dump(); }}},
      {"GET /admin/orders/",
       {"/admin/orders/", std::nullopt, both, false,
        [&](const Json& j) {
          ASSERT_TRUE(j.is_array()) << j.dump();
          has_order(j);
        }}},
      {"GET /admin/payouts/in-flight/",
       {"/admin/payouts/in-flight/", std::nullopt, both, false,
        [&](const Json& j) { EXPECT_TRUE(j.is_array() || j.is_object()) << j.dump(); }}},
      {"GET /admin/accounting/",
       {std::string("/admin/accounting/?day=") + today, std::nullopt, both, false,
        [&](const Json& j) { EXPECT_TRUE(j.is_object()) << j.dump(); }}},
      {"GET /admin/devtax/",
       {"/admin/devtax/", std::nullopt, both, false,
        [&](const Json& j) { EXPECT_TRUE(j.is_array() || j.is_object()) << j.dump(); }}},
      {"GET /admin/nostr/relays/",
       {"/admin/nostr/relays/", std::nullopt, both, false,
        [&](const Json& j) { EXPECT_TRUE(j.is_array()) << j.dump(); }}},  // no outside relay here: []
  };

  // The routes as the admin API registers them; every one needs a row, and every row a route.
  const auto routes = api::AdminRoutes();
  ASSERT_FALSE(routes.empty());
  std::set<std::string> registered;
  for (const auto& r : routes) {
    registered.insert(Key(r.method, r.path));
    EXPECT_TRUE(rows.count(Key(r.method, r.path)))
        << "no matrix row for the admin route " << Key(r.method, r.path) << ": add one to this test";
  }
  for (const auto& [key, row] : rows) EXPECT_TRUE(registered.count(key)) << "a row for no route: " << key;

  // Callers without a valid token. Malformed: not Bearer, empty, a robot's token, the token
  // with a byte more or less (no prefix match), control characters; wrong: well-formed unknown.
  // (Control characters in a header make the request malformed: the server answers 400 with
  // error 1049 before any handler runs — api/http/server.h.)
  struct Stranger {
    std::string name;
    std::optional<std::string> auth;
    int status = 401;
  };
  const std::vector<Stranger> strangers = {
      {"no token", std::nullopt},
      {"empty header", std::string()},
      {"Bearer alone", std::string("Bearer")},
      {"Bearer and a space", std::string("Bearer ")},
      {"lower-case scheme", "bearer " + kResolver.substr(7)},
      {"Token scheme", "Token " + kResolver.substr(7)},
      {"no scheme", kResolver.substr(7)},
      {"a robot's token", s_taker->token_header()},
      {"resolver token and a byte", kResolver + "r"},
      {"resolver token less a byte", kResolver.substr(0, kResolver.size() - 1)},
      {"resolver token, two spaces", "Bearer  " + kResolver.substr(7)},
      {"control characters", std::string("Bearer \x01\x02\x03"), 400},
      {"wrong token", "Bearer " + std::string(40, 'x')},
      {"wrong token, the solver's length + 1", "Bearer " + std::string(41, 's')},
  };
  const std::map<Role, std::pair<std::string, std::string>> roles = {{Role::kSolver, {"solver", kSolver}},
                                                                      {Role::kResolver, {"resolver", kResolver}}};

  int refused = 0, allowed = 0;
  // 1. Every refusal, writes included, before anything is allowed to change the store.
  for (const auto& route : routes) {
    const std::string key = Key(route.method, route.path);
    auto it = rows.find(key);
    if (it == rows.end()) continue;
    const RouteRow& row = it->second;
    const std::string method(api::http::MethodName(route.method));
    for (const auto& [name, auth, status] : strangers) {
      ExpectRefused(Send(method, row.target, auth, row.body), status, key + " with " + name);
      ++refused;
    }
    for (const auto& [role, who] : roles) {
      if (row.allowed.count(role)) continue;
      ExpectRefused(Send(method, row.target, who.second, row.body), 403, key + " as " + who.first);
      ++refused;
    }
    // The other method on the route (with a valid token): 405, nothing changes.
    const bool get = route.method == api::http::Method::kGet;
    auto wrong = Send(get ? "POST" : "GET", row.target, kResolver, get ? std::optional<Json>(Json::object()) : std::nullopt);
    EXPECT_EQ(wrong.reply.status, 405) << key << ": " << wrong.reply.body;
    EXPECT_TRUE(wrong.store_diff.empty()) << key << ": the store changed: " << wrong.store_diff;
  }
  // The dispute is still open after every refused resolution.
  {
    auto still = Send("GET", "/admin/disputes/", kSolver, std::nullopt);
    ASSERT_EQ(still.reply.status, 200) << still.reply.body;
    has_order(still.reply.json);
  }

  // 2. Every allowed read, by each role allowed: 200, its content, and the store unchanged.
  for (const auto& route : routes) {
    const std::string key = Key(route.method, route.path);
    auto it = rows.find(key);
    if (it == rows.end() || it->second.writes) continue;
    for (Role role : it->second.allowed) {
      SCOPED_TRACE(key + " as " + roles.at(role).first);
      auto o = Send(std::string(api::http::MethodName(route.method)), it->second.target, roles.at(role).second,
                    it->second.body);
      ASSERT_EQ(o.reply.status, 200) << o.reply.body.substr(0, 500);
      it->second.check_allowed(o.reply.json);
      EXPECT_TRUE(o.store_diff.empty()) << "a read changed the store: " << o.store_diff;
      ++allowed;
    }
  }

  // 3. The writes, by their allowed role: they work and change the store.
  for (const auto& route : routes) {
    const std::string key = Key(route.method, route.path);
    auto it = rows.find(key);
    if (it == rows.end() || !it->second.writes) continue;
    ASSERT_EQ(it->second.allowed.size(), 1u) << key << ": a write made once, by one role";
    const Role role = *it->second.allowed.begin();
    SCOPED_TRACE(key + " as " + roles.at(role).first);
    auto o = Send(std::string(api::http::MethodName(route.method)), it->second.target, roles.at(role).second,
                  it->second.body);
    ASSERT_EQ(o.reply.status, 200) << o.reply.body.substr(0, 500);
    it->second.check_allowed(o.reply.json);
    EXPECT_FALSE(o.store_diff.empty()) << key << " answered 200 and changed nothing";
    ++allowed;
  }
  // Resolved: no longer among the open disputes.
  auto open = Send("GET", "/admin/disputes/", kSolver, std::nullopt);
  ASSERT_EQ(open.reply.status, 200);
  for (const auto& e : open.reply.json) EXPECT_NE(e.value("id", int64_t{0}), s_order) << open.reply.body;

  std::cout << "[ admin role matrix ] " << routes.size() << " routes: " << refused << " requests refused (store unchanged), "
            << allowed << " allowed\n";
}

}  // namespace
}  // namespace apistack
