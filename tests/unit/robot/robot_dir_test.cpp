// The robot on disk: token file permissions, round trip, refusals, state.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <ctime>
#include <filesystem>

#include "federation/robot/robot_dir.h"
#include "tests/support/test_support.h"

namespace {

using namespace federation::robot;

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

class RobotDir : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = testsupport::MakeTempDir("robot-dir") + "/alice"; }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(m_dir).parent_path(), ec);
  }
  std::string m_dir;
};

TEST_F(RobotDir, CreatesTheTokenFileOwnerOnlyAndLoadsItBack) {
  auto created = CreateRobot(m_dir, static_cast<int64_t>(std::time(nullptr)));
  ASSERT_TRUE(created.ok()) << created.error();
  EXPECT_EQ(ModeOf(m_dir + "/token"), 0600u);
  EXPECT_EQ(ModeOf(m_dir + "/private.asc"), 0600u);
  EXPECT_EQ(ModeOf(m_dir), 0700u);
  EXPECT_EQ(testsupport::ReadFile(m_dir + "/token"), created->token + "\n");
  // robot.json carries only public facts.
  const std::string facts = testsupport::ReadFile(m_dir + "/robot.json");
  EXPECT_EQ(facts.find(created->token), std::string::npos);
  EXPECT_NE(facts.find(created->derived.hash_id), std::string::npos);

  auto loaded = LoadRobot(m_dir);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->token, created->token);
  EXPECT_EQ(loaded->fingerprint, created->fingerprint);
  EXPECT_EQ(loaded->key_created_at, created->key_created_at);
  EXPECT_EQ(loaded->derived.nostr_pubkey, created->derived.nostr_pubkey);
  EXPECT_EQ(loaded->public_armored, created->public_armored);
}

TEST_F(RobotDir, NeverOverwritesARobot) {
  ASSERT_TRUE(CreateRobot(m_dir, static_cast<int64_t>(std::time(nullptr))).ok());
  const std::string token = testsupport::ReadFile(m_dir + "/token");
  auto again = CreateRobot(m_dir, static_cast<int64_t>(std::time(nullptr)));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(testsupport::ReadFile(m_dir + "/token"), token);
}

TEST_F(RobotDir, RefusesATokenFileOthersMayRead) {
  auto created = CreateRobot(m_dir, static_cast<int64_t>(std::time(nullptr)));
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(::chmod((m_dir + "/token").c_str(), 0644), 0);
  auto loaded = LoadRobot(m_dir);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().find("chmod 600"), std::string::npos) << loaded.error();
  EXPECT_EQ(loaded.error().find(created->token), std::string::npos);
}

TEST_F(RobotDir, AnEmptyDirectoryHasNoRobot) {
  auto loaded = LoadRobot(m_dir);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().find("robot init"), std::string::npos);
}

TEST_F(RobotDir, StateRoundTripsAndKeepsTheCurrentOrder) {
  std::filesystem::create_directories(m_dir);
  auto empty = LoadState(m_dir);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->orders.empty());
  RobotState s;
  s.MarkKnown("temple", "http://a.onion");
  s.MarkKnown("lake", "http://b.onion");
  s.MarkKnown("temple", "http://c.onion");
  s.AddOrder({"temple", "http://c.onion", 7});
  s.AddOrder({"lake", "http://b.onion", 3});
  s.AddOrder({"temple", "http://c.onion", 7});
  ASSERT_TRUE(SaveState(m_dir, s).ok());
  EXPECT_EQ(ModeOf(m_dir + "/state.json"), 0600u);
  auto back = LoadState(m_dir);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_TRUE(back->IsKnown("temple"));
  EXPECT_TRUE(back->IsKnown("lake"));
  EXPECT_FALSE(back->IsKnown("bazaar"));
  ASSERT_EQ(back->orders.size(), 2u);
  EXPECT_EQ(back->orders.back().id, 7);
  ASSERT_TRUE(back->current.has_value());
  EXPECT_EQ(back->current->coordinator, "temple");
  EXPECT_EQ(back->current->url, "http://c.onion");
}

TEST(RobotDirName, DefaultDirectoryIsUnderHome) {
  auto dir = DefaultRobotDir("alice");
  ASSERT_TRUE(dir.ok()) << dir.error();
  EXPECT_TRUE(dir->ends_with("/.robot/alice"));
  EXPECT_FALSE(DefaultRobotDir("../x").ok());
  EXPECT_FALSE(DefaultRobotDir("").ok());
  EXPECT_FALSE(DefaultRobotDir("a/b").ok());
}

}  // namespace
