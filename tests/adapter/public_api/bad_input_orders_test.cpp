// Bad input to the order endpoints: POST /api/make/, GET and POST /api/order/ with every
// action. The fixture and the promises each row checks: bad_input_fixture.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <thread>

#include "tests/adapter/public_api/bad_input_fixture.h"
#include "tests/adapter/public_api/store_dump.h"

namespace apistack {
namespace {

using namespace std::chrono_literals;

// ---- POST /api/make/. ----

TEST_F(BadInput, Make) {
  auto make = [](std::string name, const Json& patch, int code = 1049) {
    Json body = OrderBody(1, "100");
    for (const auto& [k, v] : patch.items()) {
      if (v.is_null()) {
        body.erase(k);
      } else {
        body[k] = v;
      }
    }
    return Post("make: " + std::move(name), "/api/make/", body).As("carol").Want(400, code);
  };
  const Json null;
  std::vector<Row> rows = {
      make("type missing", {{"type", null}}),
      make("currency missing", {{"currency", null}}),
      make("type as a word", {{"type", "sell"}}),
      make("type 2", {{"type", 2}}),
      make("type negative", {{"type", -1}}),
      make("type fractional", {{"type", 0.5}}),
      make("type boolean", {{"type", true}}),
      make("type array", {{"type", Json::array({1})}}),
      make("type object", {{"type", Json{{"v", 1}}}}),
      make("currency as a code", {{"currency", "USD"}}),
      make("currency 0", {{"currency", 0}}),
      make("currency negative", {{"currency", -1}}),
      make("currency unknown", {{"currency", 4242}}),
      make("currency without a price", {{"currency", 3}}),
      make("currency huge", {{"currency", 1e12}}),
      make("currency fractional", {{"currency", 1.5}}),
      make("amount missing", {{"amount", null}}, 1039),
      make("amount empty", {{"amount", ""}}),
      make("amount negative", {{"amount", "-100"}}),
      make("amount negative number", {{"amount", -100}}),
      make("amount zero", {{"amount", "0"}}),
      make("amount words", {{"amount", "a hundred"}}),
      make("amount exponent", {{"amount", "1e2"}}),
      make("amount two dots", {{"amount", "1.0.0"}}),
      make("amount 9 decimals", {{"amount", "100.123456789"}}),
      make("amount 11 integer digits", {{"amount", "12345678901"}}),
      make("amount huge number", {{"amount", 1e300}}),
      make("amount too big", {{"amount", "9999999999"}}, 1004),
      make("amount too small", {{"amount", "1"}}, 1005),
      make("amount fractional too small", {{"amount", "0.5"}}, 1005),
      make("amount with spaces", {{"amount", " 100 "}}),
      make("range: min/max missing", {{"has_range", true}}, 1038),
      make("range: max missing", {{"has_range", true}, {"min_amount", "30"}}, 1038),
      make("range: too narrow", {{"has_range", true}, {"min_amount", "100"}, {"max_amount", "120"}}, 1006),
      make("range: too wide", {{"has_range", true}, {"min_amount", "25"}, {"max_amount", "400"}}, 1009),
      make("range: max too big", {{"has_range", true}, {"min_amount", "300"}, {"max_amount", "600"}}, 1007),
      make("range: min too small", {{"has_range", true}, {"min_amount", "10"}, {"max_amount", "100"}}, 1008),
      make("range: negative min", {{"has_range", true}, {"min_amount", "-30"}, {"max_amount", "100"}}),
      make("range: explicit", {{"has_range", true}, {"min_amount", "30"}, {"max_amount", "100"}, {"is_explicit", true}}),
      make("has_range not a boolean", {{"has_range", "maybe"}}),
      make("is_explicit not a boolean", {{"is_explicit", "maybe"}}),
      make("is_explicit a number", {{"is_explicit", 2}}),
      make("explicit without satoshis", {{"is_explicit", true}}),
      make("satoshis negative", {{"is_explicit", true}, {"satoshis", -50000}}),
      make("satoshis fractional", {{"is_explicit", true}, {"satoshis", 50000.5}}),
      make("satoshis below 20000", {{"is_explicit", true}, {"satoshis", 19999}}),
      make("satoshis above 5000000", {{"is_explicit", true}, {"satoshis", 5000001}}),
      make("satoshis huge", {{"is_explicit", true}, {"satoshis", "99999999999999999999"}}),
      make("satoshis above the coordinator's max", {{"is_explicit", true}, {"satoshis", 600000}}, 1004),
      make("premium 1000", {{"premium", "1000"}}),
      make("premium 3 decimals", {{"premium", "1.234"}}),
      make("premium below -100", {{"premium", "-101"}}),
      make("premium words", {{"premium", "high"}}),
      make("premium number 1000", {{"premium", 1000}}),
      make("public_duration too short", {{"public_duration", 599}}),
      make("public_duration too long", {{"public_duration", 86401}}),
      make("public_duration negative", {{"public_duration", -1}}),
      make("public_duration as text", {{"public_duration", "1h"}}),
      make("escrow_duration too short", {{"escrow_duration", 1799}}),
      make("escrow_duration too long", {{"escrow_duration", 36001}}),
      make("escrow_duration fractional", {{"escrow_duration", 1800.5}}),
      make("bond_size below 2", {{"bond_size", "1.99"}}),
      make("bond_size above 15", {{"bond_size", "15.01"}}),
      make("bond_size negative", {{"bond_size", "-3"}}),
      make("bond_size 100", {{"bond_size", "100"}}),
      make("bond_size words", {{"bond_size", "big"}}),
      make("latitude above 90", {{"latitude", "95"}}),
      make("latitude below -90", {{"latitude", "-90.5"}}),
      make("longitude above 180", {{"longitude", "181"}}),
      make("longitude below -180", {{"longitude", "-180.000001"}}),
      make("latitude words", {{"latitude", "north"}}),
      make("payment_method too long", {{"payment_method", std::string(71, 'p')}}),
      make("description too long", {{"description", std::string(241, 'd')}}),
      make("password too long", {{"password", std::string(2001, 'w')}}),
      make("payment_method as an object", {{"payment_method", Json{{"a", 1}}}}),
      make("valid order, but the book is full", Json::object(), 1037),
      Post("make: already maker", "/api/make/", OrderBody(1, "100")).As("alice").Want(400, 1000),
      Post("make: already taker", "/api/make/", OrderBody(1, "100")).As("dave").Want(400, 1001),
      Post("make: already taking", "/api/make/", OrderBody(1, "100")).As("frank").Want(400, 1002),
      Post("make: no auth", "/api/make/", OrderBody(1, "100")).Want(403, 7003),
  };
  Row form = Post("make: form body with a word for type", "/api/make/", Json::object()).As("carol").Want(400, 1049);
  form.RawBody("type=sell&currency=1&amount=100", "application/x-www-form-urlencoded");
  rows.push_back(form);
  Row form_amount = form;
  form_amount.name = "make: form body with a negative amount";
  form_amount.RawBody("type=1&currency=1&amount=-100", "application/x-www-form-urlencoded");
  rows.push_back(form_amount);
  for (const auto& row : rows) Check(row);
}

// ---- GET and POST /api/order/. ----

TEST_F(BadInput, Order) {
  const int64_t a = s_order_a, b = s_order_b, p = s_order_p;
  auto act = [](std::string name, int64_t id, const std::string& who, Json body) {
    return Post(std::move(name), Order(id), body).As(who);
  };
  std::vector<Row> rows = {
      // Which order.
      Get("GET: order_id missing", "/api/order/").As("carol").Want(400, 1041),
      Get("GET: order_id words", "/api/order/?order_id=abc").As("carol").Want(404, 1042),
      Get("GET: order_id 0", "/api/order/?order_id=0").As("carol").Want(404, 1042),
      Get("GET: order_id negative", "/api/order/?order_id=-1").As("carol").Want(404, 1042),
      Get("GET: order_id fractional", "/api/order/?order_id=1.5").As("carol").Want(404, 1042),
      Get("GET: order_id huge", "/api/order/?order_id=99999999999999999999").As("carol").Want(404, 1042),
      Get("GET: order_id empty", "/api/order/?order_id=").As("carol").Want(404, 1042),
      Get("GET: unknown order", "/api/order/?order_id=424242").As("carol").Want(404, 1042),
      Get("GET: no auth", Order(a)).Want(403, 7003),
      Post("POST: order_id missing", "/api/order/", Json{{"action", "pause"}}).As("alice").Want(400, 1041),
      Post("POST: order_id in the body only", "/api/order/", Json{{"action", "pause"}, {"order_id", a}})
          .As("alice")
          .Want(400, 1041),
      Post("POST: order_id words", "/api/order/?order_id=x", Json{{"action", "pause"}}).As("alice").Want(404, 1042),
      act("POST: unknown order", 424242, "carol", Json{{"action", "take"}}).Want(404, 1042),
      act("POST: unknown order, cancel", 424242, "carol", Json{{"action", "cancel"}}).Want(404, 1042),
      // Which action.
      act("action missing", a, "alice", Json::object()).Want(400, 1049),
      act("action unknown", a, "alice", Json{{"action", "fly"}}).Want(400, 1049),
      act("action empty", a, "alice", Json{{"action", ""}}).Want(400, 1049),
      act("action a number", a, "alice", Json{{"action", 5}}).Want(400, 1049),
      act("action an array", a, "alice", Json{{"action", Json::array({"take"})}}).Want(400, 1049),
      act("action upper case", a, "carol", Json{{"action", "TAKE"}}).Want(400, 1049),
      act("action too long", a, "carol", Json{{"action", std::string(100, 't')}}).Want(400, 1049),
      act("action update_address (on-chain)", b, "bob", Json{{"action", "update_address"}}).Want(400, 1049),
      act("action submit_statement", b, "bob", Json{{"action", "submit_statement"}}).Want(400, 1014),
      act("no auth", a, "", Json{{"action", "take"}}).Want(403, 7003),
      // take
      act("take: own order", a, "alice", Json{{"action", "take"}}).Want(403, 1044),
      act("take: not public any more", b, "carol", Json{{"action", "take"}}).Want(400, 1046),
      act("take: maker of another order", a, "bob", Json{{"action", "take"}}).Want(400, 1000),
      act("take: taker of another order", a, "dave", Json{{"action", "take"}}).Want(400, 1001),
      act("take: already taking another", p, "frank", Json{{"action", "take"}}).Want(400, 1002),
      act("take: no password", p, "carol", Json{{"action", "take"}, {"amount", "50"}}).Want(400, 1045),
      act("take: wrong password", p, "carol", Json{{"action", "take"}, {"amount", "50"}, {"password", "guess"}})
          .Want(400, 1045),
      act("take: password too long", p, "carol", Json{{"action", "take"}, {"password", std::string(2001, 'x')}})
          .Want(400, 1049),
      act("take: range amount missing", p, "carol", Json{{"action", "take"}, {"password", "open sesame"}})
          .Want(400, 1011),
      act("take: range amount below", p, "carol",
          Json{{"action", "take"}, {"amount", "29.99"}, {"password", "open sesame"}})
          .Want(400, 1011),
      act("take: range amount above", p, "carol",
          Json{{"action", "take"}, {"amount", "100.01"}, {"password", "open sesame"}})
          .Want(400, 1011),
      act("take: amount negative", p, "carol", Json{{"action", "take"}, {"amount", "-50"}, {"password", "open sesame"}})
          .Want(400, 1049),
      act("take: amount words", p, "carol", Json{{"action", "take"}, {"amount", "fifty"}, {"password", "open sesame"}})
          .Want(400, 1049),
      act("take: amount 9 decimals", p, "carol",
          Json{{"action", "take"}, {"amount", "50.123456789"}, {"password", "open sesame"}})
          .Want(400, 1049),
      act("take: amount huge", p, "carol", Json{{"action", "take"}, {"amount", 1e300}, {"password", "open sesame"}})
          .Want(400, 1049),
      // pause
      act("pause: not the maker", a, "carol", Json{{"action", "pause"}}).Want(400, 1032),
      act("pause: the pre-taker", a, "frank", Json{{"action", "pause"}}).Want(400, 1032),
      act("pause: not public or paused", b, "bob", Json{{"action", "pause"}}).Want(400, 1033),
      // cancel
      act("cancel: not a participant", a, "carol", Json{{"action", "cancel"}}).Want(403, 1047),
      act("cancel: status moved", a, "alice", Json{{"action", "cancel"}, {"cancel_status", 0}}).Want(400, 1020),
      act("cancel: pre-taker, status moved", a, "frank", Json{{"action", "cancel"}, {"cancel_status", 1}})
          .Want(400, 1020),
      act("cancel: cancel_status 19", a, "alice", Json{{"action", "cancel"}, {"cancel_status", 19}}).Want(400, 1049),
      act("cancel: cancel_status negative", a, "alice", Json{{"action", "cancel"}, {"cancel_status", -1}})
          .Want(400, 1049),
      act("cancel: cancel_status words", a, "alice", Json{{"action", "cancel"}, {"cancel_status", "public"}})
          .Want(400, 1049),
      act("cancel: cancel_status fractional", a, "alice", Json{{"action", "cancel"}, {"cancel_status", 1.5}})
          .Want(400, 1049),
      // update_invoice
      act("invoice: not a participant", b, "carol", Json{{"action", "update_invoice"}, {"invoice", "x"}})
          .Want(403, 1047),
      act("invoice: the seller", b, "dave", Json{{"action", "update_invoice"}, {"invoice", "x"}}).Want(400, 1017),
      act("invoice: the maker of a sell order", a, "alice", Json{{"action", "update_invoice"}, {"invoice", "x"}})
          .Want(400, 1017),
      act("invoice: the pre-taker before the bond", a, "frank", Json{{"action", "update_invoice"}, {"invoice", "x"}})
          .Want(403, 1047),
      act("invoice: missing", b, "bob", Json{{"action", "update_invoice"}}).Want(400, 3000),
      act("invoice: empty", b, "bob", Json{{"action", "update_invoice"}, {"invoice", ""}}).Want(400, 3000),
      act("invoice: not signed", b, "bob", Json{{"action", "update_invoice"}, {"invoice", "lnbcrt1garbage"}})
          .Want(400, 1048),
      act("invoice: signed by another robot", b, "bob",
          Json{{"action", "update_invoice"}, {"invoice", R("carol").key().ClearSign("lnbcrt1garbage")}})
          .Want(400, 1048),
      act("invoice: signed garbage", b, "bob",
          Json{{"action", "update_invoice"}, {"invoice", R("bob").key().ClearSign("not an invoice")}})
          .Want(400, 3004),
      act("invoice: the same invoice again", b, "bob", Json{{"action", "update_invoice"}, {"invoice", s_bob_invoice}})
          .Want(400, 3002),
      act("invoice: too long", b, "bob", Json{{"action", "update_invoice"}, {"invoice", std::string(15001, 'l')}})
          .Want(400, 1049),
      act("invoice: routing budget negative", b, "bob",
          Json{{"action", "update_invoice"}, {"invoice", "x"}, {"routing_budget_ppm", -1}})
          .Want(400, 1049),
      act("invoice: routing budget above 100000", b, "bob",
          Json{{"action", "update_invoice"}, {"invoice", "x"}, {"routing_budget_ppm", 100001}})
          .Want(400, 3004),
      act("invoice: routing budget huge", b, "bob",
          Json{{"action", "update_invoice"}, {"invoice", "x"}, {"routing_budget_ppm", 1e15}})
          .Want(400, 1049),
      act("invoice: routing budget words", b, "bob",
          Json{{"action", "update_invoice"}, {"invoice", "x"}, {"routing_budget_ppm", "some"}})
          .Want(400, 1049),
      // confirm / undo_confirm
      act("confirm: not a participant", b, "carol", Json{{"action", "confirm"}}).Want(403, 1047),
      act("confirm: seller before the buyer", b, "dave", Json{{"action", "confirm"}}).Want(400, 1027),
      act("confirm: a public order", a, "alice", Json{{"action", "confirm"}}).Want(400, 1029),
      act("undo_confirm: not a participant", b, "carol", Json{{"action", "undo_confirm"}}).Want(403, 1047),
      act("undo_confirm: the seller", b, "dave", Json{{"action", "undo_confirm"}}).Want(400, 1030),
      act("undo_confirm: nothing confirmed", b, "bob", Json{{"action", "undo_confirm"}}).Want(400, 1031),
      // dispute
      act("dispute: not a participant", b, "carol", Json{{"action", "dispute"}}).Want(403, 1047),
      act("dispute: a public order", a, "alice", Json{{"action", "dispute"}}).Want(400, 1013),
      // rate_platform
      act("rate: not a participant", b, "carol", Json{{"action", "rate_platform"}, {"rating", 5}}).Want(403, 1047),
      act("rate: rating missing", b, "bob", Json{{"action", "rate_platform"}}).Want(400, 1049),
      act("rate: rating 0", b, "bob", Json{{"action", "rate_platform"}, {"rating", 0}}).Want(400, 1049),
      act("rate: rating 6", b, "bob", Json{{"action", "rate_platform"}, {"rating", 6}}).Want(400, 1049),
      act("rate: rating words", b, "bob", Json{{"action", "rate_platform"}, {"rating", "five"}}).Want(400, 1049),
      act("rate: before success", b, "bob", Json{{"action", "rate_platform"}, {"rating", 5}}).Want(400, 1049),
  };
  Row form = act("form body, unknown action", a, "alice", Json::object()).Want(400, 1049);
  form.RawBody("action=fly", "application/x-www-form-urlencoded");
  rows.push_back(form);
  for (const auto& row : rows) Check(row);
}

}  // namespace
}  // namespace apistack
