// The fixture of the bad-input table tests (bad_input_test.cpp, bad_input_orders_test.cpp): one
// stack for the whole suite (tests/support/public_api_stack.h) with robots and orders in known
// states, and Check(row), which sends one request and checks every promise of a refusal.
//
// The states the rows rely on (checked by BadInput.ControlValidRequestsSucceedAndAChangeIsSeen):
//   B (s_order_b): bob buys 100 USD from dave; escrow locked, bob's invoice in: status 9.
//   A (s_order_a): alice sells 100 USD, public (1); frank took it without locking his bond (3).
//   P (s_order_p): erin sells 30–100 USD behind the password "open sesame", public.
//   carol: registered, no order. The book is full (max_public_orders = 2: A and P).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "tests/support/public_api_stack.h"

namespace apistack {

enum class Shape { kError, kNotFound, kDetail };

struct Row {
  std::string name;
  std::string method = "GET";
  std::string target;
  std::string who;                  // a robot's token header, or "" for none
  std::optional<std::string> auth;  // an exact Authorization value instead ("" : sent empty)
  std::optional<std::string> body;
  std::string content_type = "application/json";
  int status = 400;  // expected HTTP status
  int code = 0;      // expected error_code (0: RoboSats defines none; any)
  Shape shape = Shape::kError;
  std::function<void()> before, after;  // run around the request (e.g. move the clock)
  bool admin = false;                     // sent to the operator's listener (the admin API)

  Row& As(std::string robot) { who = std::move(robot); return *this; }
  Row& Auth(std::string header) { auth = std::move(header); return *this; }
  Row& Body(const Json& j) { body = j.dump(); return *this; }
  Row& RawBody(std::string b, std::string type = "application/json") {
    body = std::move(b);
    content_type = std::move(type);
    return *this;
  }
  Row& Want(int http_status, int error_code = 0) {
    status = http_status;
    code = error_code;
    return *this;
  }
  Row& NotFound() { status = 404; shape = Shape::kNotFound; return *this; }
  Row& Detail(int http_status) { status = http_status; shape = Shape::kDetail; return *this; }
  Row& Admin() { admin = true; return *this; }
};

Row Get(std::string name, std::string target);
Row Post(std::string name, std::string target, const Json& body);

class BadInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  static ApiRobot& R(const std::string& name) { return *s_robots.at(name); }
  static std::string Order(int64_t id) { return "/api/order/?order_id=" + std::to_string(id); }

  // Sends one row's request and checks: a 4xx (never a 5xx), the CORS header, the row's status,
  // RoboSats' shape (and code, if the row names one), no secret in the body, and every table of
  // the store unchanged.
  void Check(const Row& row);

  static std::unique_ptr<base::ManualClock> s_clock;
  static std::unique_ptr<PublicApiStack> s_stack;
  static std::map<std::string, std::unique_ptr<ApiRobot>> s_robots;
  static int64_t s_order_a, s_order_b, s_order_p;
  static std::string s_bob_invoice;
  static int s_rows;
};

}  // namespace apistack
