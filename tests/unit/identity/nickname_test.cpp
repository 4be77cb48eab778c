// Nicknames equal to the RoboSats web client's, on every vector of
// fixtures/nickname_vectors.tsv (made with its generator, robo-identities-wasm 0.1.0, by
// fixtures/gen_nickname_vectors.mjs), and the frozen word lists.
#include "coordinator/identity/nickname.h"

#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <set>

#include "coordinator/identity/nickname_words.h"
#include "coordinator/identity/robot_identity.h"
#include "escrow/crypto/sha256.h"
#include "tests/support/nickname_vectors.h"

namespace coordinator::identity {
namespace {

TEST(Nickname, EqualsTheRoboSatsClientsOnEveryVector) {
  const std::vector<testsupport::NicknameVector> vectors = testsupport::LoadNicknameVectors();
  ASSERT_GE(vectors.size(), 50u);
  size_t from_tokens = 0;
  for (const testsupport::NicknameVector& v : vectors) {
    EXPECT_EQ(NicknameFromHashId(v.hash_id), v.nickname) << v.hash_id << " (" << v.note << ")";
    if (v.token == "-") continue;
    ++from_tokens;
    // What coordinatord derives for the robot from SHA256(token) alone.
    const RobotIdentity id = DeriveRobotIdentity(escrow::crypto::Sha256(v.token));
    EXPECT_EQ(id.hash_id, v.hash_id) << v.note;
    EXPECT_EQ(id.nickname, v.nickname) << v.note;
  }
  EXPECT_GE(from_tokens, 50u);
}

TEST(Nickname, FollowsTheClientWhereRoboSatsBackendDisagrees) {
  // First try at adjective 4824: the client's list says "Featherbrained" (too long: hashed
  // again), the backend's "Niggardly" (fits): backend NiggardlyWinner428.
  EXPECT_EQ(NicknameFromHashId("ff9e98b6124cc61ac88f61a2bcbbaf19ca5358a45fec12278f98d764e935fd0f"),
            "PassiveTeaspoon855");
  // The backend scales in floating point and lands one nick_id higher: MovableLeak200.
  EXPECT_EQ(NicknameFromHashId("d67c9cb36d2c89cd8d730024d0d3c9a886988c1682452e025bf53e5f18eb781f"),
            "MovableLeak199");
  // The backend raises IndexError here (its float rounds hash / 2^256 up to 1.0).
  EXPECT_EQ(NicknameFromHashId(std::string(64, 'f')), "CustomaryRepeal755");
}

TEST(Nickname, ScalesExactlyAtABoundary) {
  // ceil(nick_id × 2^256 / pool) for nick_id = 999 × 12591 × 1234 (first noun, number 0 of
  // adjective 1234), and one less: the last name of adjective 1233, too long, hashed again.
  EXPECT_EQ(NicknameFromHashId("4160a2c145828b05160a2c145828b05160a2c145828b05160a2c145828b05161"),
            "VerdantAardvark0");
  EXPECT_EQ(NicknameFromHashId("4160a2c145828b05160a2c145828b05160a2c145828b05160a2c145828b05160"),
            "GuardedXesturgy174");
}

TEST(Nickname, HashesAnUpperCaseHashIdAgainAsGiven) {
  // RoboSats tests/robots/2 is EquivalentWool707 after one more hash of the lower-case hex; the
  // client hashes the text it was given, so upper case gives another name.
  EXPECT_EQ(NicknameFromHashId("e4c0d4014ff7ca90e2eb6b88987a7f9865c3b5b11ccd1191b6cfbd7afc48f1a2"),
            "EquivalentWool707");
  EXPECT_EQ(NicknameFromHashId("E4C0D4014FF7CA90E2EB6B88987A7F9865C3B5B11CCD1191B6CFBD7AFC48F1A2"),
            "WatchfulStomach453");
}

TEST(Nickname, MalformedHashIdHasNoNickname) {
  EXPECT_FALSE(NicknameFromHashId("").has_value());
  EXPECT_FALSE(NicknameFromHashId(std::string(63, '0')).has_value());
  EXPECT_FALSE(NicknameFromHashId(std::string(65, '0')).has_value());
  EXPECT_FALSE(NicknameFromHashId(std::string(64, 'g')).has_value());
  EXPECT_FALSE(NicknameFromHashId(" " + std::string(63, '0')).has_value());
}

TEST(Nickname, WordListsAreRoboSatsFrozenLists) {
  const auto adjectives = NicknameAdjectives();
  const auto nouns = NicknameNouns();
  ASSERT_EQ(adjectives.size(), 4832u);
  ASSERT_EQ(nouns.size(), 12591u);
  // The entries robonames' own tests check, and both ends.
  EXPECT_EQ(adjectives[0], "Toneless");
  EXPECT_EQ(adjectives[4], "Sweeping");
  EXPECT_EQ(adjectives[1683], "Atomic");
  EXPECT_EQ(adjectives[4774], "Satoshi");
  EXPECT_EQ(adjectives[4824], "Featherbrained");  // the backend's list: "Niggardly"
  EXPECT_EQ(adjectives[4831], "Simplistic");
  EXPECT_EQ(nouns[0], "Aardvark");
  EXPECT_EQ(nouns[118], "Address");
  EXPECT_EQ(nouns[6540], "Null");
  EXPECT_EQ(nouns[10937], "Zombie");
  EXPECT_EQ(nouns[12590], "Zonkey");
  // Every word, in order: SHA-256 of the lists as files (sha256sum nickname_*.txt).
  for (auto [words, digest] : {
           std::pair{adjectives, "c5820c29b54df46b9ef1b8cadbfe86311b3c7ccfddc476b7d67049d84eb6da08"},
           std::pair{nouns, "7923402043aa4c319b9806ba85c0c40cbb9f4cf44aabd194e67943bca8215ef4"},
       }) {
    std::string text;
    for (std::string_view w : words) (text += w) += '\n';
    EXPECT_EQ(escrow::crypto::ToHex(escrow::crypto::Sha256(text)), digest);
  }
}

// The compile-time splitter behind the lists (a list that breaks its rules fails the build).
static_assert(words::SplitWordList<2>("Ab\nC-d\n")[1] == "C-d");
static_assert(words::SplitWordList<1>("X\n")[0] == "X");

TEST(Nickname, FitsAndIsDeterministic) {
  std::mt19937_64 rng(18);
  std::set<std::string> distinct;
  for (int i = 0; i < 20000; ++i) {
    escrow::crypto::Hash32 digest{};
    for (uint8_t& b : digest) b = static_cast<uint8_t>(rng());
    const std::string hash_id = escrow::crypto::ToHex(digest);
    const std::optional<std::string> nick = NicknameFromHashId(hash_id);
    ASSERT_TRUE(nick.has_value());
    ASSERT_FALSE(nick->empty());
    ASSERT_LE(nick->size(), kMaxNicknameLength) << *nick;
    ASSERT_TRUE(std::isupper(static_cast<unsigned char>((*nick)[0]))) << *nick;
    ASSERT_TRUE(std::isdigit(static_cast<unsigned char>(nick->back()))) << *nick;
    for (char c : *nick) ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-') << *nick;
    ASSERT_EQ(NicknameFromHashId(hash_id), nick);
    distinct.insert(*nick);
  }
  // About 3e10 names fit in 18 characters: among 20 000 robots, a shared one is rare.
  EXPECT_GE(distinct.size(), 19990u);
}

}  // namespace
}  // namespace coordinator::identity
