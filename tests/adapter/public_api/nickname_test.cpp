// Robots registered over HTTP with the tokens of RoboSats' nickname vectors
// (tests/unit/identity/fixtures/nickname_vectors.tsv) get the nickname the RoboSats web client
// computes for them, in every view that names a robot: /api/robot/ (nickname), /api/order/
// (maker_nick, taker_nick, ur_nick) and /api/book/ (maker_nick).
#include <gtest/gtest.h>

#include <map>

#include "tests/support/nickname_vectors.h"
#include "tests/support/public_api_stack.h"

namespace apistack {
namespace {

using namespace std::chrono_literals;

// The vector whose note starts with `note`.
const testsupport::NicknameVector& ByNote(const std::vector<testsupport::NicknameVector>& vectors,
                                          std::string_view note) {
  for (const auto& v : vectors) {
    if (v.note.starts_with(note)) return v;
  }
  throw std::runtime_error("no nickname vector noted " + std::string(note));
}

TEST(ApiNickname, RobotsGetTheNicknameTheRoboSatsClientShows) {
  base::ManualClock clock(std::chrono::system_clock::now() + 13h);  // keys made now are old enough
  StackOptions options;
  options.clock = &clock;
  auto stack = PublicApiStack::Start(std::move(options));
  ASSERT_TRUE(stack.ok()) << stack.error();
  ApiClient client((*stack)->port());

  // Every vector made from a token that is not just one more random token: RoboSats' own test
  // robots, names hashed again up to four times, both ends of the lists, the hyphenated and
  // one-letter nouns, and the two robots RoboSats' backend names otherwise than its client.
  const std::vector<testsupport::NicknameVector> vectors = testsupport::LoadNicknameVectors();
  std::map<std::string, std::unique_ptr<ApiRobot>> robots;  // by token
  for (const auto& v : vectors) {
    if (v.token == "-" || v.note == "random token") continue;
    auto& robot = robots[v.token];
    robot = std::make_unique<ApiRobot>("robot" + std::to_string(robots.size()), "alice", v.token);
    auto registered = Register(client, *robot);
    ASSERT_TRUE(registered.ok()) << registered.error();
    EXPECT_EQ(registered->value("nickname", ""), v.nickname) << v.note;
    EXPECT_EQ(registered->value("hash_id", ""), v.hash_id) << v.note;
    // And again once the coordinator knows the robot (the token alone).
    auto again = client.Get("/api/robot/", robot->token_header());
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(again.json.value("nickname", ""), v.nickname) << v.note;
  }
  ASSERT_GE(robots.size(), 15u);

  // An order between the two robots RoboSats' backend would name otherwise.
  const auto& maker_v = ByNote(vectors, "first try at adjective 4824");
  const auto& taker_v = ByNote(vectors, "the backend's float arithmetic");
  const ApiRobot& maker = *robots.at(maker_v.token);
  const ApiRobot& taker = *robots.at(taker_v.token);
  auto id = MakePublic(**stack, client, maker, OrderBody(1, "100"));
  ASSERT_TRUE(id.ok()) << id.error();
  auto book = client.Get("/api/book/");
  ASSERT_EQ(book.status, 200) << book.body;
  ASSERT_TRUE(book.json.is_array()) << book.body;
  ASSERT_EQ(book.json.size(), 1u) << book.body;
  EXPECT_EQ(book.json[0].value("maker_nick", ""), maker_v.nickname);

  auto taken = TakeAndLock(**stack, client, taker, *id);
  ASSERT_TRUE(taken.ok()) << taken.error();
  EXPECT_EQ(taken->value("maker_nick", ""), maker_v.nickname);
  EXPECT_EQ(taken->value("taker_nick", ""), taker_v.nickname);
  EXPECT_EQ(taken->value("ur_nick", ""), taker_v.nickname);
  auto maker_view = client.Get("/api/order/?order_id=" + std::to_string(*id), maker.token_header());
  ASSERT_EQ(maker_view.status, 200) << maker_view.body;
  EXPECT_EQ(maker_view.json.value("ur_nick", ""), maker_v.nickname);
  EXPECT_EQ(maker_view.json.value("taker_nick", ""), taker_v.nickname);
}

}  // namespace
}  // namespace apistack
