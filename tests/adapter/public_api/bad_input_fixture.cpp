#include "tests/adapter/public_api/bad_input_fixture.h"

#include <cstdio>
#include <thread>

#include "tests/adapter/public_api/store_dump.h"

namespace apistack {

using namespace std::chrono_literals;

Row Get(std::string name, std::string target) {
  Row r;
  r.name = std::move(name);
  r.target = std::move(target);
  return r;
}

Row Post(std::string name, std::string target, const Json& body) {
  Row r;
  r.name = std::move(name);
  r.method = "POST";
  r.target = std::move(target);
  r.body = body.dump();
  return r;
}

namespace {

// RoboSats api/errors.py new_error(): the message field by the code's range.
std::string ErrorFieldFor(int code) {
  if (code >= 2000 && code < 3000) return "bad_statement";
  if (code >= 3000 && code < 4000) return "bad_invoice";
  if (code >= 4000 && code < 5000) return "bad_address";
  if (code >= 5000 && code < 6000) return "bad_summary";
  return "bad_request";
}

}  // namespace

void BadInput::SetUpTestSuite() {
  s_clock = std::make_unique<base::ManualClock>(std::chrono::system_clock::now() + 13h);
  StackOptions options;
  options.clock = s_clock.get();
  // Two public orders fill the book (1037 is one of the rows).
  options.params.max_public_orders = 2;
  options.admin_tokens = {{"solver", std::string(40, 's'), coordinator::AdminRole::kSolver},
                          {"resolver", std::string(40, 'r'), coordinator::AdminRole::kResolver}};
  auto stack = PublicApiStack::Start(std::move(options));
  ASSERT_TRUE(stack.ok()) << stack.error();
  s_stack = std::move(stack.value());
  for (const auto& [name, wallet] : std::vector<std::pair<std::string, std::string>>{
           {"alice", "alice"}, {"bob", "bob"}, {"carol", "carol"}, {"dave", "dave"}, {"erin", "carol"},
           {"frank", "bob"}}) {
    s_robots.emplace(name, std::make_unique<ApiRobot>(name, wallet));
  }
  ApiClient client(s_stack->port());
  for (const auto& [name, robot] : s_robots) {
    auto registered = Register(client, *robot);
    ASSERT_TRUE(registered.ok()) << registered.error();
  }
  ApiRobot &alice = R("alice"), &bob = R("bob"), &dave = R("dave"), &erin = R("erin"), &frank = R("frank");

  // B: bob buys 100 USD from dave; the escrow is locked and bob's invoice is in (status 9).
  auto b = MakePublic(*s_stack, client, bob, OrderBody(0, "100"));
  ASSERT_TRUE(b.ok()) << b.error();
  s_order_b = *b;
  auto taken = TakeAndLock(*s_stack, client, dave, s_order_b);
  ASSERT_TRUE(taken.ok()) << taken.error();
  auto locked = LockEscrow(*s_stack, client, dave, s_order_b, 8);
  ASSERT_TRUE(locked.ok()) << locked.error();
  auto view = client.Get("/api/order/?order_id=" + std::to_string(s_order_b), bob.token_header());
  auto payreq = s_stack->WalletInvoice("bob", view.json.value("invoice_amount", int64_t{0}));
  ASSERT_TRUE(payreq.ok()) << payreq.error();
  s_bob_invoice = bob.key().ClearSign(*payreq);
  auto submitted = Action(client, bob, s_order_b, "update_invoice", Json{{"invoice", s_bob_invoice}});
  ASSERT_TRUE(submitted.ok()) << submitted.error();
  ASSERT_EQ(submitted->value("status", -1), 9) << submitted->dump();

  // A: alice sells 100 USD, public; frank took it without locking his bond (he sees 3).
  auto a = MakePublic(*s_stack, client, alice, OrderBody(1, "100"));
  ASSERT_TRUE(a.ok()) << a.error();
  s_order_a = *a;
  auto frank_takes = Action(client, frank, s_order_a, "take");
  ASSERT_TRUE(frank_takes.ok()) << frank_takes.error();
  ASSERT_EQ(frank_takes->value("status", -1), 3);

  // P: erin sells a range of 30–100 USD behind a password, public (the book is now full).
  Json range = OrderBody(1, "0");
  range.erase("amount");
  range["has_range"] = true;
  range["min_amount"] = "30";
  range["max_amount"] = "100";
  range["password"] = "open sesame";
  auto p = MakePublic(*s_stack, client, erin, range);
  ASSERT_TRUE(p.ok()) << p.error();
  s_order_p = *p;

  // Let every intent of the setup finish: the dump must be still before the rows run.
  WaitUntilStoreIsStill([] { s_stack->engine().Drain(); }, s_stack->db_path());
}

void BadInput::TearDownTestSuite() {
  std::printf("bad input: %d rows checked\n", s_rows);
  s_stack.reset();
  s_robots.clear();
  s_clock.reset();
}

void BadInput::SetUp() {
  if (!s_stack) {
    GTEST_SKIP() << "the stack did not start";
  }
}

void BadInput::Check(const Row& row) {
  SCOPED_TRACE("row: " + row.name + " (" + row.method + " " + row.target + ")");
  ++s_rows;
  HttpCall call;
  call.method = row.method;
  call.target = row.target;
  if (row.auth) {
    call.headers.push_back(row.auth->empty() ? "Authorization;" : "Authorization: " + *row.auth);
  } else if (!row.who.empty()) {
    call.headers.push_back("Authorization: " + R(row.who).token_header());
  }
  if (row.body) {
    call.body = row.body;
    call.headers.push_back("Content-Type: " + row.content_type);
  }
  auto before = DumpStore(s_stack->db_path());
  if (row.before) row.before();
  ApiClient client(row.admin ? s_stack->admin_port() : s_stack->port(), /*keep_alive=*/false);
  HttpReply reply = client.Send(call);
  if (row.after) row.after();
  s_stack->engine().Drain();
  auto after = DumpStore(s_stack->db_path());

  ASSERT_TRUE(reply.error.empty()) << reply.error;
  EXPECT_GE(reply.status, 400) << reply.body;
  EXPECT_LT(reply.status, 500) << reply.body;
  EXPECT_EQ(reply.headers["access-control-allow-origin"], "*");
  ASSERT_TRUE(reply.json.is_object()) << "not a JSON object: " << reply.body.substr(0, 300);
  const Json& j = reply.json;
  for (const auto& hidden : row.not_revealed) {
    EXPECT_EQ(reply.body.find(hidden), std::string::npos) << "revealed \"" << hidden << "\": " << reply.body;
  }
  if (row.any_refusal) {
    // RoboSats' refusals: {bad_request|…, error_code}, {detail} (DRF) or {not_found}.
    const bool coded = j.contains("error_code") && j["error_code"].is_number_integer();
    EXPECT_TRUE(coded || j.contains("detail") || j.contains("not_found")) << reply.body;
  }
  if (!row.any_refusal) {
    EXPECT_EQ(reply.status, row.status) << reply.body;
  }
  switch (row.any_refusal ? Shape::kDetail : row.shape) {
    case Shape::kError: {
      ASSERT_TRUE(j.contains("error_code") && j["error_code"].is_number_integer()) << reply.body;
      const int code = j["error_code"].get<int>();
      if (row.code != 0) {
        EXPECT_EQ(code, row.code) << reply.body;
      }
      const std::string field = ErrorFieldFor(code);
      EXPECT_TRUE(j.contains(field) && j[field].is_string() && !j[field].get<std::string>().empty())
          << "expected a non-empty \"" << field << "\": " << reply.body;
      // RoboSats' RewardView adds "successful_withdrawal": false to its errors.
      EXPECT_EQ(j.size(), j.contains("successful_withdrawal") ? 3u : 2u) << reply.body;
      break;
    }
    case Shape::kNotFound:
      EXPECT_TRUE(j.contains("not_found") && j["not_found"].is_string()) << reply.body;
      break;
    case Shape::kDetail:
      if (!row.any_refusal) {
        EXPECT_TRUE(j.contains("detail") && j["detail"].is_string()) << reply.body;
      }
      break;
  }
  // Secrets never come back: tokens, their hashes, private keys.
  for (const auto& [name, robot] : s_robots) {
    EXPECT_EQ(reply.body.find(robot->token()), std::string::npos) << name << "'s token in " << reply.body;
    EXPECT_EQ(reply.body.find(robot->token_header().substr(6)), std::string::npos)
        << name << "'s token hash in " << reply.body;
  }
  EXPECT_EQ(reply.body.find("PRIVATE KEY"), std::string::npos) << reply.body.substr(0, 300);

  const std::string diff = FirstDifference(before, after);
  EXPECT_TRUE(diff.empty()) << "the store changed: " << diff;
}

std::unique_ptr<base::ManualClock> BadInput::s_clock;
std::unique_ptr<PublicApiStack> BadInput::s_stack;
std::map<std::string, std::unique_ptr<ApiRobot>> BadInput::s_robots;
int64_t BadInput::s_order_a = 0, BadInput::s_order_b = 0, BadInput::s_order_p = 0;
std::string BadInput::s_bob_invoice;
int BadInput::s_rows = 0;

}  // namespace apistack
