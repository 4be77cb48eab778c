// Bad input to the endpoints of disputes, chat, rewards, reviews and notifications, and to every
// admin route. Same promises as every row (bad_input_fixture.h): a 4xx in RoboSats' shape with
// its code, no secret echoed, the store unchanged.
#include <gtest/gtest.h>

#include "tests/adapter/public_api/bad_input_fixture.h"

namespace apistack {
namespace {

const std::string kCipher = "-----BEGIN PGP MESSAGE-----\\\\abc\\\\-----END PGP MESSAGE-----";

TEST_F(BadInput, ChatRewardsReviewsNotifications) {
  const std::string b = std::to_string(s_order_b), a = std::to_string(s_order_a);
  std::vector<Row> rows = {
      // GET /api/chat/ (RoboSats chat/views.py: 6000–6003).
      Get("chat: no token", "/api/chat/?order_id=" + b).Want(403, 7003),
      Get("chat: no order_id", "/api/chat/").As("bob").Want(400, 6000),
      Get("chat: order_id words", "/api/chat/?order_id=abc").As("bob").Want(400, 6003),
      Get("chat: offset negative", "/api/chat/?order_id=" + b + "&offset=-1").As("bob").Want(400, 6003),
      Get("chat: unknown order", "/api/chat/?order_id=999999").As("bob").Want(400, 6000),
      Get("chat: not a participant", "/api/chat/?order_id=" + b).As("carol").Want(400, 6001),
      Get("chat: public order, not in chat", "/api/chat/?order_id=" + a).As("alice").Want(400, 6002),
      // POST /api/chat/.
      Post("chat post: no message", "/api/chat/", Json{{"order_id", s_order_b}}).As("bob").Want(400, 6003),
      Post("chat post: no order", "/api/chat/", Json{{"PGP_message", kCipher}}).As("bob").Want(400, 6003),
      Post("chat post: empty message", "/api/chat/", Json{{"PGP_message", ""}, {"order_id", s_order_b}})
          .As("bob")
          .Want(400, 6003),
      Post("chat post: 5001 characters", "/api/chat/",
           Json{{"PGP_message", std::string(5001, 'c')}, {"order_id", s_order_b}})
          .As("bob")
          .Want(400, 6003),
      Post("chat post: message an object", "/api/chat/", Json{{"PGP_message", Json{{"x", 1}}}, {"order_id", s_order_b}})
          .As("bob")
          .Want(400, 6003),
      Post("chat post: stranger", "/api/chat/", Json{{"PGP_message", kCipher}, {"order_id", s_order_b}})
          .As("carol")
          .Want(400, 6001),
      Post("chat post: not in chat", "/api/chat/", Json{{"PGP_message", kCipher}, {"order_id", s_order_a}})
          .As("alice")
          .Want(400, 6002),
      // POST /api/reward/ (RoboSats RewardView: errors carry successful_withdrawal: false).
      Post("reward: nothing earned", "/api/reward/", Json{{"invoice", "x"}}).As("carol").Want(400, 3003),
      Post("reward: no invoice", "/api/reward/", Json::object()).As("carol").Want(400, 3003),
      Post("reward: ppm negative", "/api/reward/", Json{{"invoice", "x"}, {"routing_budget_ppm", -1}})
          .As("carol")
          .Want(400, 1049),
      Post("reward: ppm words", "/api/reward/", Json{{"invoice", "x"}, {"routing_budget_ppm", "lots"}})
          .As("carol")
          .Want(400, 1049),
      Post("reward: no token", "/api/reward/", Json{{"invoice", "x"}}).Want(403, 7003),
      // POST /api/review/ (1052 no finished order, 1053 wrong hex pubkey).
      Post("review: no pubkey", "/api/review/", Json::object()).As("carol").Want(400, 1049),
      Post("review: pubkey not hex", "/api/review/", Json{{"pubkey", std::string(64, 'z')}}).As("carol").Want(400, 1053),
      Post("review: pubkey too short", "/api/review/", Json{{"pubkey", "abcd"}}).As("carol").Want(400, 1053),
      Post("review: pubkey too long", "/api/review/", Json{{"pubkey", std::string(65, 'a')}}).As("carol").Want(400, 1049),
      Post("review: no finished order", "/api/review/", Json{{"pubkey", std::string(64, 'a')}})
          .As("carol")
          .Want(400, 1052),
      // GET /api/notifications/.
      Get("notifications: bad date", "/api/notifications/?created_at=yesterday").As("carol").Want(400, 1050),
      Get("notifications: no token", "/api/notifications/").Want(403, 7003),
      // Order actions of disputes.
      Post("dispute: before the window", Order(s_order_b), Json{{"action", "dispute"}}).As("bob").Want(400, 1054),
      Post("dispute: public order", Order(s_order_a), Json{{"action", "dispute"}}).As("alice").Want(400, 1013),
      Post("dispute: stranger", Order(s_order_b), Json{{"action", "dispute"}}).As("carol").Want(403, 1047),
      Post("statement: not in dispute", Order(s_order_b), Json{{"action", "submit_statement"}, {"statement", "x"}})
          .As("bob")
          .Want(400, 1014),
      Post("statement: missing", Order(s_order_b), Json{{"action", "submit_statement"}}).As("bob").Want(400, 1014),
      Post("statement: a number", Order(s_order_b), Json{{"action", "submit_statement"}, {"statement", 12}})
          .As("bob")
          .Want(400, 1014),
  };
  for (const auto& row : rows) Check(row);
}

TEST_F(BadInput, AdminRoutes) {
  const std::string solver = "Bearer " + std::string(40, 's');
  const std::string resolver = "Bearer " + std::string(40, 'r');
  auto admin_get = [](std::string name, std::string target) { return Get(std::move(name), std::move(target)).Admin(); };
  std::vector<Row> rows = {
      admin_get("admin: no token", "/admin/disputes/").Want(401),
      admin_get("admin: wrong token", "/admin/disputes/").Auth("Bearer " + std::string(40, 'x')).Want(401),
      admin_get("admin: token not bearer", "/admin/disputes/").Auth(std::string(40, 's')).Want(401),
      admin_get("admin: robot token", "/admin/disputes/").Auth(R("bob").token_header()).Want(401),
      admin_get("admin: empty authorization", "/admin/disputes/").Auth("").Want(401),
      admin_get("admin disputes: all=2", "/admin/disputes/?all=2").Auth(solver).Want(400),
      admin_get("admin dispute: no order_id", "/admin/dispute/").Auth(solver).Want(400),
      admin_get("admin dispute: order_id words", "/admin/dispute/?order_id=x").Auth(solver).Want(400),
      admin_get("admin dispute: no dispute", "/admin/dispute/?order_id=" + std::to_string(s_order_b))
          .Auth(solver)
          .Want(404),
      admin_get("admin orders: status 19", "/admin/orders/?status=19").Auth(solver).Want(400),
      admin_get("admin orders: limit 0", "/admin/orders/?limit=0").Auth(solver).Want(400),
      admin_get("admin accounting: no day", "/admin/accounting/").Auth(solver).Want(400),
      admin_get("admin accounting: bad day", "/admin/accounting/?day=31-12-2026").Auth(solver).Want(400),
      Post("admin resolve: solver", "/admin/dispute/resolve/", Json{{"order_id", s_order_b}, {"outcome", "maker_wins"}})
          .Admin()
          .Auth(solver)
          .Want(403),
      Post("admin resolve: no outcome", "/admin/dispute/resolve/", Json{{"order_id", s_order_b}})
          .Admin()
          .Auth(resolver)
          .Want(400),
      Post("admin resolve: unknown outcome", "/admin/dispute/resolve/",
           Json{{"order_id", s_order_b}, {"outcome", "everyone_wins"}})
          .Admin()
          .Auth(resolver)
          .Want(400),
      Post("admin resolve: automatic outcome", "/admin/dispute/resolve/",
           Json{{"order_id", s_order_b}, {"outcome", "maker_silent"}})
          .Admin()
          .Auth(resolver)
          .Want(400),
      Post("admin resolve: no dispute", "/admin/dispute/resolve/",
           Json{{"order_id", s_order_b}, {"outcome", "maker_wins"}})
          .Admin()
          .Auth(resolver)
          .Want(400),
      Post("admin resolve: no order", "/admin/dispute/resolve/", Json{{"order_id", 999999}, {"outcome", "maker_wins"}})
          .Admin()
          .Auth(resolver)
          .Want(404),
      Post("admin resolve: order_id negative", "/admin/dispute/resolve/",
           Json{{"order_id", -1}, {"outcome", "maker_wins"}})
          .Admin()
          .Auth(resolver)
          .Want(400),
      Post("admin resolve: note too long", "/admin/dispute/resolve/",
           Json{{"order_id", s_order_b}, {"outcome", "maker_wins"}, {"note", std::string(2001, 'n')}})
          .Admin()
          .Auth(resolver)
          .Want(400),
  };
  for (const auto& row : rows) Check(row);
}

}  // namespace
}  // namespace apistack
