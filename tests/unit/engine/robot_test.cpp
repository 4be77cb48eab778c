// Robots are created on their first request, with their keys checked once (RoboSats 7001,
// 7002, 1056), and one active order per robot (1000–1002).
#include "tests/unit/engine/harness.h"

namespace enginetest {
namespace {

class Robots : public EngineHarness {};

TEST_F(Robots, FirstRequestWithoutKeysIsRefused) {
  auto& r = Robot("robot", "alice");
  auto anon = r.auth;
  anon.keys.reset();
  TestRobot shadow{"shadow", anon, nullptr, "alice"};
  auto res = Call(shadow, coordinator::GetRobotCmd{});
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, 7001);
}

TEST_F(Robots, BadPublicKeyIsRefusedAndNoRobotIsCreated) {
  auto& r = Robot("robot", "alice");
  auto bad = r.auth;
  bad.keys->public_key = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----\n";
  TestRobot shadow{"shadow", bad, nullptr, "alice"};
  auto res = Call(shadow, coordinator::GetRobotCmd{});
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, 7002);
  // Without keys the token is still unknown: nothing was written.
  shadow.auth.keys.reset();
  EXPECT_EQ(Call(shadow, coordinator::GetRobotCmd{}).error().code, 7001);
}

TEST_F(Robots, KeyMadeLessThanTwelveHoursAgoIsRefused) {
  m_clock.Set(std::chrono::system_clock::now());
  auto& r = Robot("young", "alice");
  auto res = Call(r, coordinator::GetRobotCmd{});
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, 1056);
}

TEST_F(Robots, RobotIsCreatedOnceAndKeepsItsIdentity) {
  auto& r = Robot("robot", "alice");
  auto first = Ok(r, coordinator::GetRobotCmd{});
  EXPECT_EQ(first["nickname"], "robot");
  EXPECT_EQ(first["encrypted_private_key"], r.key->secret_armored());
  auto again = r.auth;
  again.keys.reset();  // later requests carry the token only
  TestRobot same{"robot", again, nullptr, "alice"};
  EXPECT_EQ(Ok(same, coordinator::GetRobotCmd{})["hash_id"], first["hash_id"]);
}

TEST_F(Robots, OneActiveOrderPerRobot) {
  auto& maker = Robot("maker", "alice");
  int64_t id = MakePublic(maker, SellOrder("100"));
  auto second = Call(maker, SellOrder("100"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, 1000);
  auto& taker = Robot("taker", "bob");
  TakeAndLock(taker, id);
  auto taker_makes = Call(taker, BuyOrder("100"));
  ASSERT_FALSE(taker_makes.ok());
  EXPECT_EQ(taker_makes.error().code, 1001);
}

}  // namespace
}  // namespace enginetest
