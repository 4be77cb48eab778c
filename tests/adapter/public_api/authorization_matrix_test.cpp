// The authorization matrix: every authenticated endpoint and order action × another robot's
// token, no token, and malformed or unknown tokens. Each request is refused (4xx, RoboSats'
// shapes), reveals nothing of the robots whose order or room it aims at, and changes nothing
// (every table of the store dumped before and after: BadInput::Check). The admin API's roles
// are in admin_role_matrix_test.cpp (its bad input in bad_input_disputes_test.cpp, AdminRoutes).
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "tests/adapter/public_api/bad_input_fixture.h"

namespace apistack {
namespace {

struct Target {
  std::string name;
  std::string method;
  std::string path;
  Json body;  // null: no body
};

// What an outsider must never see of order B's robots (bob buys from dave, status 9).
std::vector<std::string> Hidden(ApiClient& client, const std::vector<ApiRobot*>& owners, const std::string& invoice) {
  std::vector<std::string> hidden;
  for (ApiRobot* r : owners) {
    auto me = client.Get("/api/robot/", r->token_header());
    for (const char* field : {"hash_id", "nickname", "nostr_pubkey"}) {
      std::string v = me.json.value(field, "");
      if (!v.empty()) hidden.push_back(v);
    }
    // A line from the middle of its public key's armor (the header line is common to all).
    std::string key = me.json.value("public_key", "");
    if (key.size() > 120) hidden.push_back(key.substr(80, 40));
  }
  hidden.push_back(invoice.substr(invoice.find("lnbc"), 60));
  return hidden;
}

TEST_F(BadInput, AuthorizationMatrixRefusesEveryOutsiderAndRevealsNothing) {
  ApiClient client(s_stack->port(), /*keep_alive=*/false);
  const std::vector<std::string> hidden = Hidden(client, {&R("bob"), &R("dave")}, s_bob_invoice);
  ASSERT_GE(hidden.size(), 7u);
  const std::string b = std::to_string(s_order_b);
  const std::string order_b = Order(s_order_b);

  // Order B's endpoints: another robot (carol, no order of her own), or no robot at all.
  std::vector<Target> order_targets = {
      {"view", "GET", order_b, nullptr},
      {"chat read", "GET", "/api/chat/?order_id=" + b + "&offset=0", nullptr},
      {"chat write", "POST", "/api/chat/", Json{{"PGP_message", "-----BEGIN PGP MESSAGE-----\\nx"}, {"order_id", s_order_b}}},
  };
  // RoboSats' actions (api/views.py OrderView.take_update_confirm_dispute_cancel).
  for (const char* action : {"take", "update_invoice", "update_address", "submit_statement", "dispute", "cancel",
                             "confirm", "undo_confirm", "pause", "rate_user", "rate_platform"}) {
    Json body{{"action", action}};
    if (std::string(action) == "update_invoice") body["invoice"] = s_bob_invoice;
    if (std::string(action) == "update_address") body["address"] = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";
    if (std::string(action) == "submit_statement") body["statement"] = std::string(200, 's');
    if (std::string(action) == "rate_user" || std::string(action) == "rate_platform") body["rating"] = 5;
    order_targets.push_back({std::string("action ") + action, "POST", order_b, body});
  }
  // A robot's own endpoints: only without a valid token (with one, they are the robot's own).
  std::vector<Target> own_targets = {
      {"robot", "GET", "/api/robot/", nullptr},
      {"notifications", "GET", "/api/notifications/", nullptr},
      {"make", "POST", "/api/make/", Json{{"type", 0}, {"currency", 1}, {"amount", "100"}, {"payment_method", "Strike"}}},
      {"reward", "POST", "/api/reward/", Json{{"invoice", s_bob_invoice}}},
      {"review", "POST", "/api/review/", Json{{"pubkey", std::string(64, 'a')}}},
      {"stealth", "POST", "/api/stealth/", Json{{"wantsStealth", false}}},
  };

  // Tokens that name no robot or are not tokens: none, empty, bare words, the wrong scheme,
  // a well-formed digest of an unknown token without the keys a first request must carry.
  const std::vector<std::pair<std::string, std::optional<std::string>>> strangers = {
      {"no token", std::nullopt},
      {"empty header", std::string()},
      {"Token alone", std::string("Token")},
      {"Token and spaces", std::string("Token    ")},
      {"bearer scheme", "Bearer " + R("bob").token_header().substr(6)},
      {"base91 of nothing known", "Token " + std::string(R("bob").token_header().substr(6).size(), 'A')},
      {"control characters", std::string("Token \x01\x02\x03")},
  };

  int rows = 0;
  auto check = [&](const Target& t, const std::string& who_name, const std::string& robot,
                   const std::optional<std::string>& auth) {
    Row row = t.method == "GET" ? Get(t.name + " as " + who_name, t.path)
                                : Post(t.name + " as " + who_name, t.path, t.body.is_null() ? Json::object() : t.body);
    if (!robot.empty()) row.As(robot);
    if (auth) row.Auth(*auth);
    row.Refused(hidden);
    Check(row);
    ++rows;
  };
  for (const auto& t : order_targets) {
    check(t, "another robot", "carol", std::nullopt);
    for (const auto& [name, auth] : strangers) {
      if (!auth) {
        check(t, name, "", std::nullopt);
      } else {
        check(t, name, "", auth);
      }
    }
  }
  for (const auto& t : own_targets) {
    for (const auto& [name, auth] : strangers) check(t, name, "", auth);
  }
  EXPECT_EQ(rows, static_cast<int>(order_targets.size() * (1 + strangers.size()) +
                                   own_targets.size() * strangers.size()));
  std::cout << "[ authorization matrix ] " << rows << " requests refused, store unchanged\n";
}

}  // namespace
}  // namespace apistack
