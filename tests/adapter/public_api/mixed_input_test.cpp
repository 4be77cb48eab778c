// Mixed input, reproducibly shuffled (fixed seed): requests assembled from every field the
// public API reads, with values of every JSON type, sign and size, against every endpoint, as
// every robot (or none). Some happen to be valid and change the store; that is allowed here.
// What is checked: never a 5xx, never a non-JSON body, always the CORS header, and every
// error in RoboSats' shape with a code. Runs on a stack of its own.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "tests/support/public_api_stack.h"

namespace apistack {
namespace {

using namespace std::chrono_literals;

TEST(MixedInput, NeverAServerErrorAlwaysRoboSatsShapes) {
  base::ManualClock clock(std::chrono::system_clock::now() + 13h);
  StackOptions options;
  options.clock = &clock;
  auto started = PublicApiStack::Start(std::move(options));
  ASSERT_TRUE(started.ok()) << started.error();
  PublicApiStack& stack = *started.value();
  ApiClient client(stack.port());

  std::vector<std::unique_ptr<ApiRobot>> robots;
  for (const char* name : {"alice", "bob", "carol", "dave"}) {
    robots.push_back(std::make_unique<ApiRobot>(name, name));
    ASSERT_TRUE(Register(client, *robots.back()).ok());
  }
  std::vector<int64_t> orders = {0, 1, 424242};
  for (int i = 0; i < 2; ++i) {
    auto id = MakePublic(stack, client, *robots[static_cast<size_t>(i)], OrderBody(i, "100"));
    ASSERT_TRUE(id.ok()) << id.error();
    orders.push_back(*id);
  }

  const std::vector<std::string> fields = {
      "type",    "currency",        "amount",          "has_range",   "min_amount", "max_amount",
      "payment_method", "is_explicit", "premium",      "satoshis",    "public_duration",
      "escrow_duration", "bond_size",  "latitude",     "longitude",   "password",   "description",
      "action",  "cancel_status",   "invoice",         "routing_budget_ppm", "rating", "wantsStealth",
      "order_id"};
  const std::vector<Json> values = {
      -1, 0, 1, 2, 3, 1.5, -0.0, -1e300, 1e300, 9223372036854775807LL, 18446744073709551615ULL,
      (-9223372036854775807LL - 1), "", "abc", "100", "-100", "1e5", "0.00000001", "99999999999", "30.5",
      true, false, nullptr, Json::array(), Json::object(), Json::array({1, "x"}), "take", "cancel", "confirm",
      "undo_confirm", "dispute", "pause", "rate_platform", "update_invoice", std::string("nul\0x", 5),
      std::string(300, 'z'), "  5", "5 ", "%00", "\xC3\xA9", "lnbcrt1", "-----BEGIN PGP SIGNED MESSAGE-----"};
  const std::vector<std::string> query_values = {"", "0", "1", "-1", "2", "abc", "1.5", "99999999999999999999",
                                                 "01-01-2024", "32-13-2024", "%00", "%ff", "+1"};
  std::mt19937 rng(20240601);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };

  int answered = 0, successes = 0;
  for (int i = 0; i < 400; ++i) {
    HttpCall call;
    const size_t route = pick(8);
    const int64_t order = orders[pick(orders.size())];
    Json body = Json::object();
    for (size_t k = 0, n = pick(6); k < n; ++k) body[fields[pick(fields.size())]] = values[pick(values.size())];
    switch (route) {
      case 0: {
        call.method = "POST";
        call.target = "/api/make/";
        const Json base = OrderBody(static_cast<int>(pick(2)), "100");
        for (const auto& [k, v] : base.items()) {
          if (!body.contains(k) && pick(3) != 0) body[k] = v;
        }
        break;
      }
      case 1:
      case 2:
        call.method = "POST";
        call.target = "/api/order/?order_id=" + std::to_string(order);
        if (!body.contains("action") && pick(2) == 0) body["action"] = values[26 + pick(8)];
        break;
      case 3:
        call.method = "POST";
        call.target = "/api/stealth/";
        break;
      case 4:
        call.target = "/api/order/?order_id=" + (pick(4) == 0 ? query_values[pick(query_values.size())]
                                                               : std::to_string(order));
        break;
      case 5:
        call.target = "/api/book/?currency=" + query_values[pick(query_values.size())] +
                      "&type=" + query_values[pick(query_values.size())];
        break;
      case 6:
        call.target = "/api/ticks/?start=" + query_values[pick(query_values.size())] +
                      "&end=" + query_values[pick(query_values.size())];
        break;
      case 7:
        call.target = "/api/robot/";
        break;
    }
    const size_t who = pick(robots.size() + 1);
    if (who < robots.size()) call.headers.push_back("Authorization: " + robots[who]->token_header());
    if (call.method == "POST") {
      if (pick(5) == 0) {
        // The same fields as a form.
        std::string form;
        for (const auto& [k, v] : body.items()) {
          form += (form.empty() ? "" : "&") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
        }
        call.body = form;
        call.headers.push_back("Content-Type: application/x-www-form-urlencoded");
      } else {
        call.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
        call.headers.push_back("Content-Type: application/json");
      }
    }
    SCOPED_TRACE("request " + std::to_string(i) + ": " + call.method + " " + call.target + " " +
                 call.body.value_or("").substr(0, 300));
    HttpReply reply = client.Send(call);
    ASSERT_TRUE(reply.error.empty()) << reply.error;
    ++answered;
    EXPECT_TRUE(reply.status == 200 || (reply.status >= 400 && reply.status < 500)) << reply.status << " " << reply.body;
    EXPECT_EQ(reply.headers["access-control-allow-origin"], "*");
    ASSERT_FALSE(reply.json.is_discarded()) << reply.body.substr(0, 300);
    if (reply.status == 200) {
      ++successes;
      continue;
    }
    ASSERT_TRUE(reply.json.is_object()) << reply.body;
    if (reply.json.contains("not_found") || reply.json.contains("detail")) continue;
    EXPECT_TRUE(reply.json.contains("error_code") && reply.json["error_code"].is_number_integer()) << reply.body;
  }
  std::printf("mixed input: %d requests, %d answered 200, %d refused\n", answered, successes, answered - successes);
  EXPECT_EQ(answered, 400);
  // The mix is not all refusals: some requests are valid (reads, stealth, takes).
  EXPECT_GT(successes, 0);
  stack.engine().Drain();
}

}  // namespace
}  // namespace apistack
