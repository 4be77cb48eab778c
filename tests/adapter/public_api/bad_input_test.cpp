// Bad input over real HTTP, endpoint by endpoint: every row is a request a client may get
// wrong. Each must be answered with a 4xx (never a 500), in RoboSats' error shapes
// ({"error_code": N, "bad_request"|"bad_invoice"|…: "…"}, {"not_found": …} for an empty book,
// Django REST framework's {"detail": …} for routing), with RoboSats' code where it defines
// one, without echoing a secret — and must leave every table of the store exactly as it was.
//
// The stack is the coordinator as coordinatord wires it (tests/support/public_api_stack.h), on
// a ManualClock 13 h ahead of real time (robots' keys are made now; RoboSats wants them ≥ 12 h
// old). The clock does not move, so no timer changes the store while a row runs. The fixture:
// bad_input_fixture.h; the order endpoints' rows: bad_input_orders_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <thread>

#include "tests/adapter/public_api/bad_input_fixture.h"
#include "tests/adapter/public_api/store_dump.h"

namespace apistack {
namespace {

using namespace std::chrono_literals;

// ---- The control: the comparison sees a change, and the setup is what the rows assume. ----

TEST_F(BadInput, ControlValidRequestsSucceedAndAChangeIsSeen) {
  ApiClient client(s_stack->port());
  // The rows below rely on these states.
  auto a = client.Get(Order(s_order_a), R("alice").token_header());
  EXPECT_EQ(a.json.value("status", -1), 1) << a.body;
  auto b = client.Get(Order(s_order_b), R("bob").token_header());
  EXPECT_EQ(b.json.value("status", -1), 9) << b.body;
  auto f = client.Get(Order(s_order_a), R("frank").token_header());
  EXPECT_EQ(f.json.value("status", -1), 3) << f.body;
  auto book = client.Get("/api/book/");
  EXPECT_EQ(book.status, 200);
  EXPECT_EQ(book.json.size(), 1u) << "only A: P has a password";
  EXPECT_EQ(client.Get("/api/info/").status, 200);
  EXPECT_EQ(client.Get("/api/limits/").status, 200);
  EXPECT_EQ(client.Get("/api/price/").status, 200);
  EXPECT_EQ(client.Get("/api/ticks/?start=01-01-2020").status, 200);
  EXPECT_EQ(client.Get("/api/historical/").status, 200);

  // A valid write changes the store, and the dump shows it (else every row would pass).
  auto before = DumpStore(s_stack->db_path());
  auto toggled = client.Post("/api/stealth/", R("carol").token_header(), Json{{"wantsStealth", false}});
  EXPECT_EQ(toggled.status, 200) << toggled.body;
  s_stack->engine().Drain();
  auto after = DumpStore(s_stack->db_path());
  EXPECT_FALSE(FirstDifference(before, after).empty());
  // And back, so that the other tests start from the same state.
  EXPECT_EQ(client.Post("/api/stealth/", R("carol").token_header(), Json{{"wantsStealth", true}}).status, 200);
  s_stack->engine().Drain();
  EXPECT_EQ(DumpStore(s_stack->db_path()), before);
}

// ---- Robot authentication, on every authenticated endpoint. ----

TEST_F(BadInput, AuthorizationHeaders) {
  ApiRobot fresh("fresh", "alice");     // never seen by the coordinator
  ApiRobot other("other", "alice");     // for mismatched key blocks
  const std::string b91 = fresh.token_header().substr(6);
  const std::string nostr(64, 'a');
  const std::string pub = fresh.key().public_armored(), sec = fresh.key().secret_armored();

  struct AuthCase {
    std::string name;
    std::optional<std::string> header;  // nullopt: no header at all
    int status;
    int code;
    std::function<void()> before, after;
  };
  base::TimePoint shifted = s_clock->Now();
  std::vector<AuthCase> cases = {
      {"no header", std::nullopt, 403, 7003, {}, {}},
      {"empty header", std::string(), 403, 7003, {}, {}},
      {"not a Token header", "Bearer " + b91, 400, 7000, {}, {}},
      {"lower-case scheme", "token " + b91, 400, 7000, {}, {}},
      {"token too short (38)", "Token " + b91.substr(0, 38), 400, 7000, {}, {}},
      {"token too long", "Token " + b91 + "AA", 400, 7000, {}, {}},
      {"token not base91", "Token " + std::string(39, '-'), 400, 7000, {}, {}},
      {"token with a quote", "Token '" + b91.substr(1), 400, 7000, {}, {}},
      {"token with a space", "Token " + b91.substr(0, 20) + " " + b91.substr(21), 400, 7000, {}, {}},
      {"unknown robot without keys", fresh.token_header(), 400, 7001, {}, {}},
      {"keys: only Public", fresh.token_header() + " | Public abc", 400, 7001, {}, {}},
      {"keys: no Nostr", fresh.token_header() + " | Public abc | Private def", 400, 7001, {}, {}},
      {"keys: empty Public", fresh.token_header() + " | Public  | Private def | Nostr " + nostr, 400, 7001, {}, {}},
      {"keys: wrong order", fresh.token_header() + " | Private def | Public abc | Nostr " + nostr, 400, 7001, {}, {}},
      {"keys: five parts", fresh.first_header() + " | Extra x", 400, 7002, {}, {}},
      {"keys: nostr not hex", fresh.HeaderWithKeys(pub, sec, std::string(64, 'z')), 400, 7002, {}, {}},
      {"keys: nostr too short", fresh.HeaderWithKeys(pub, sec, std::string(63, 'a')), 400, 7002, {}, {}},
      {"keys: garbage", fresh.HeaderWithKeys("garbage", "more garbage", nostr), 400, 7002, {}, {}},
      {"keys: public block of garbage",
       fresh.HeaderWithKeys("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n",
                            sec, nostr),
       400, 7002, {}, {}},
      {"keys: private key of another key", fresh.HeaderWithKeys(pub, other.key().secret_armored(), nostr), 400, 7002,
       {}, {}},
      {"keys: secret key as the public key", fresh.HeaderWithKeys(sec, sec, nostr), 400, 7002, {}, {}},
      {"keys: public key as the private key", fresh.HeaderWithKeys(pub, pub, nostr), 400, 7002, {}, {}},
      {"keys: an active robot's public key",
       fresh.HeaderWithKeys(R("alice").key().public_armored(), R("alice").key().secret_armored(), nostr), 400, 7002,
       {}, {}},
      {"keys: made less than 12 h ago", fresh.first_header(), 400, 1056,
       [] { s_clock->Set(std::chrono::system_clock::now()); }, [shifted] { s_clock->Set(shifted); }},
      {"keys: a public key over 32 KiB", fresh.HeaderWithKeys(std::string(40000, 'A'), sec, nostr), 400, 7002, {},
       {}},
      {"keys: a header over the request limit", fresh.HeaderWithKeys(std::string(70000, 'A'), sec, nostr), 413, 1049,
       {}, {}},
  };
  struct Endpoint {
    std::string method, target;
    std::optional<Json> body;
  };
  const std::vector<Endpoint> endpoints = {
      {"GET", "/api/robot/", std::nullopt},
      {"POST", "/api/make/", OrderBody(1, "100")},
      {"GET", Order(s_order_a), std::nullopt},
      {"POST", Order(s_order_a), Json{{"action", "take"}}},
      {"POST", "/api/stealth/", Json{{"wantsStealth", true}}},
  };
  for (const auto& endpoint : endpoints) {
    for (const auto& c : cases) {
      Row row;
      row.name = "auth: " + c.name;
      row.method = endpoint.method;
      row.target = endpoint.target;
      if (c.header) row.Auth(*c.header);
      if (endpoint.body) row.Body(*endpoint.body);
      row.Want(c.status, c.code);
      row.before = c.before;
      row.after = c.after;
      Check(row);
    }
  }
  // Nothing above created the fresh robot: without keys it is still unknown.
  ApiClient client(s_stack->port());
  EXPECT_EQ(client.Get("/api/robot/", fresh.token_header()).json.value("error_code", 0), 7001);
}

// ---- Public reads. ----

TEST_F(BadInput, PublicReads) {
  std::vector<Row> rows = {
      Get("book: currency not a number", "/api/book/?currency=abc"),
      Get("book: negative currency", "/api/book/?currency=-1"),
      Get("book: fractional currency", "/api/book/?currency=1.5"),
      Get("book: huge currency", "/api/book/?currency=99999999999999999999"),
      Get("book: type 3", "/api/book/?type=3"),
      Get("book: negative type", "/api/book/?type=-1"),
      Get("book: empty type", "/api/book/?type="),
      Get("book: currency without orders", "/api/book/?currency=2").NotFound(),
      Get("book: currency unknown", "/api/book/?currency=4242").NotFound(),
      Get("ticks: ISO date", "/api/ticks/?start=2024-01-01").Want(400, 1050),
      Get("ticks: day 32", "/api/ticks/?start=32-01-2024").Want(400, 1050),
      Get("ticks: month 13", "/api/ticks/?end=01-13-2024").Want(400, 1050),
      Get("ticks: trailing junk", "/api/ticks/?start=01-01-2024x").Want(400, 1050),
      Get("ticks: empty start", "/api/ticks/?start=").Want(400, 1050),
      Get("ticks: words", "/api/ticks/?end=yesterday").Want(400, 1050),
      Get("ticks: negative year", "/api/ticks/?start=01-01--2024").Want(400, 1050),
      Post("info: POST", "/api/info/", Json::object()).Detail(405),
      Post("book: POST", "/api/book/", Json::object()).Detail(405),
      Post("limits: POST", "/api/limits/", Json::object()).Detail(405),
      Post("price: POST", "/api/price/", Json::object()).Detail(405),
      Post("ticks: POST", "/api/ticks/", Json::object()).Detail(405),
      Post("historical: POST", "/api/historical/", Json::object()).Detail(405),
      Get("make: GET", "/api/make/").Detail(405),
      Get("stealth: GET", "/api/stealth/").Detail(405),
      Get("unknown path", "/api/nothing-here/").Detail(404),
  };
  Row del = Get("order: DELETE", Order(s_order_a)).As("alice").Detail(405);
  del.method = "DELETE";
  rows.push_back(del);
  Row put = Post("robot: PUT (not served)", "/api/robot/", Json{{"webhook_url", "x"}}).As("carol").Detail(405);
  put.method = "PUT";
  rows.push_back(put);
  for (const auto& row : rows) Check(row);
}

// ---- Every route: bodies that are not what the route parses. ----

TEST_F(BadInput, MalformedBodiesOnEveryRoute) {
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", "/api/info/"},       {"GET", "/api/book/"},        {"GET", "/api/limits/"},
      {"GET", "/api/price/"},      {"GET", "/api/ticks/"},       {"GET", "/api/historical/"},
      {"GET", "/api/robot/"},      {"GET", Order(s_order_a)},    {"POST", "/api/make/"},
      {"POST", Order(s_order_a)}, {"POST", "/api/stealth/"},
  };
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 40; ++i) deep += "}";
  struct BodyCase {
    std::string name, body, type;
    int status;
  };
  const std::vector<BodyCase> bodies = {
      {"malformed JSON", "{\"type\": 1, ", "application/json", 400},
      {"JSON with a trailing comma", "{\"type\": 1,}", "application/json", 400},
      {"JSON array", "[1, 2]", "application/json", 400},
      {"JSON string", "\"take\"", "application/json", 400},
      {"JSON null", "null", "application/json", 400},
      {"JSON nested 40 deep", deep, "application/json", 400},
      {"invalid UTF-8 in JSON", "{\"description\": \"\xff\xfe\"}", "application/json", 400},
      // Found by fuzz_public_api: nlohmann throws out_of_range, not parse_error, for these.
      {"JSON number beyond a double", "{\"amount\": 1e400}", "application/json", 400},
      {"unsupported media type", "type=1", "text/plain", 400},
      {"multipart", "--x\r\n\r\n--x--", "multipart/form-data; boundary=x", 400},
      {"huge body", "{\"description\": \"" + std::string(70 * 1024, 'x') + "\"}", "application/json", 413},
  };
  for (const auto& [method, target] : routes) {
    for (const auto& b : bodies) {
      Row row;
      row.name = b.name;
      row.method = method;
      row.target = target;
      row.As("carol").RawBody(b.body, b.type).Want(b.status, 1049);
      Check(row);
    }
  }
}

// ---- A new robot's first request. ----

// RoboSats creates the robot from a first request's keys before the view runs, so a refused
// first command still leaves the robot (and only the robot) behind; the engine does the same
// (Engine::Handle). A request refused by the API layer itself (a malformed field) never reaches
// the engine: nothing at all is written.
TEST_F(BadInput, FirstRequestOfANewRobot) {
  ApiRobot newcomer("newcomer", "alice");
  ApiClient client(s_stack->port(), /*keep_alive=*/false);
  auto post_make = [&](const Json& body) {
    HttpCall call;
    call.method = "POST";
    call.target = "/api/make/";
    call.headers = {"Authorization: " + newcomer.first_header(), "Content-Type: application/json"};
    call.body = body.dump();
    HttpReply reply = client.Send(call);
    s_stack->engine().Drain();
    return reply;
  };
  Json malformed = OrderBody(1, "100");
  malformed["type"] = "sell";
  auto before = DumpStore(s_stack->db_path());
  HttpReply refused_by_api = post_make(malformed);
  EXPECT_EQ(refused_by_api.status, 400);
  EXPECT_EQ(refused_by_api.json.value("error_code", 0), 1049);
  EXPECT_EQ(FirstDifference(before, DumpStore(s_stack->db_path())), "");

  Json unknown_currency = OrderBody(1, "100");
  unknown_currency["currency"] = 4242;
  HttpReply refused_by_engine = post_make(unknown_currency);
  EXPECT_EQ(refused_by_engine.status, 400);
  EXPECT_EQ(refused_by_engine.json.value("error_code", 0), 1049);
  auto after = DumpStore(s_stack->db_path());
  std::vector<std::string> added;
  for (const auto& line : after) {
    if (std::find(before.begin(), before.end(), line) == before.end()) added.push_back(line);
  }
  ASSERT_EQ(added.size(), 1u) << FirstDifference(before, after);
  EXPECT_EQ(added[0].rfind("robots|", 0), 0u) << added[0];
  EXPECT_EQ(after.size(), before.size() + 1);
  // The robot is known now: its token alone is enough.
  EXPECT_EQ(client.Get("/api/robot/", newcomer.token_header()).status, 200);
}

// ---- POST /api/stealth/ and GET /api/robot/. ----

TEST_F(BadInput, StealthAndRobot) {
  std::vector<Row> rows = {
      Post("stealth: missing", "/api/stealth/", Json::object()).As("carol").Want(400, 1049),
      Post("stealth: words", "/api/stealth/", Json{{"wantsStealth", "maybe"}}).As("carol").Want(400, 1049),
      Post("stealth: 2", "/api/stealth/", Json{{"wantsStealth", 2}}).As("carol").Want(400, 1049),
      Post("stealth: array", "/api/stealth/", Json{{"wantsStealth", Json::array({true})}}).As("carol").Want(400, 1049),
      Post("stealth: wrong name", "/api/stealth/", Json{{"wants_stealth", true}}).As("carol").Want(400, 1049),
      Post("stealth: no auth", "/api/stealth/", Json{{"wantsStealth", true}}).Want(403, 7003),
      Get("robot: no auth", "/api/robot/").Want(403, 7003),
  };
  for (const auto& row : rows) Check(row);
}

}  // namespace
}  // namespace apistack
