// hash_id and nickname: pinned, because robots keep them forever.
#include "coordinator/identity/robot_identity.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "identity_fixtures.h"

namespace coordinator::identity {
namespace {

escrow::crypto::Hash32 TokenSha256(std::string_view token) { return escrow::crypto::Sha256(token); }

TEST(RobotIdentity, HashIdIsSha256OfTheHexOfSha256) {
  // Python: hashlib.sha256(hashlib.sha256(b"robosats").hexdigest().encode()).hexdigest()
  EXPECT_EQ(HashId(TokenSha256("robosats")),
            "2912bfbe0c09747406b48b63e57d72638c7b8d2cf60ef90f2aafc9c0819a7079");
  EXPECT_EQ(HashId(TokenSha256(identity_test::Fixture("robot_token.txt"))),
            "926160909746084a83173c6e2b4878e1958e9c45b7f17ad3502e84fb0c611c1c");
}

TEST(RobotIdentity, HashIdMatchesTheWebClient) {
  // The web client names its key "RoboSats ID " + sha256(sha256(token)) with js-sha256 (hex in,
  // hex out): the user ID inside fixtures/openpgpjs_pub.asc is
  // "RoboSats ID 15fad86cfca6c0aacadd61a935f378121cb39bdf199dfa7a7f45c1bb860cb4fd".
  EXPECT_EQ(HashId(TokenSha256(identity_test::Fixture("openpgpjs_token.txt"))),
            "15fad86cfca6c0aacadd61a935f378121cb39bdf199dfa7a7f45c1bb860cb4fd");
}

TEST(RobotIdentity, NicknamesArePinned) {
  EXPECT_EQ(NicknameFromHashId("2912bfbe0c09747406b48b63e57d72638c7b8d2cf60ef90f2aafc9c0819a7079"),
            "WavyPuma567");
  EXPECT_EQ(NicknameFromHashId("926160909746084a83173c6e2b4878e1958e9c45b7f17ad3502e84fb0c611c1c"),
            "IonicTortoise243");
  EXPECT_EQ(NicknameFromHashId("15fad86cfca6c0aacadd61a935f378121cb39bdf199dfa7a7f45c1bb860cb4fd"),
            "DapperTundra594");
  EXPECT_EQ(NicknameFromHashId(std::string(64, '0')), "AbleAcorn0");
  EXPECT_EQ(NicknameFromHashId(std::string(64, 'f')), "HappyJigsaw615");
  EXPECT_EQ(NicknameFromHashId(std::string(64, 'F')), "HappyJigsaw615");
  EXPECT_EQ(NicknameFromHashId("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
            "WiseOcelot895");
}

TEST(RobotIdentity, DeriveRobotIdentity) {
  const RobotIdentity id = DeriveRobotIdentity(TokenSha256("robosats"));
  EXPECT_EQ(id.token_sha256_hex, "5a8881f0783115c2cbc512c95acc489d49cb1e6557f80141e7e55f7284d95609");
  EXPECT_EQ(id.hash_id, "2912bfbe0c09747406b48b63e57d72638c7b8d2cf60ef90f2aafc9c0819a7079");
  EXPECT_EQ(id.nickname, "WavyPuma567");
}

TEST(RobotIdentity, MalformedHashIdHasNoNickname) {
  EXPECT_FALSE(NicknameFromHashId("").has_value());
  EXPECT_FALSE(NicknameFromHashId(std::string(63, '0')).has_value());
  EXPECT_FALSE(NicknameFromHashId(std::string(65, '0')).has_value());
  EXPECT_FALSE(NicknameFromHashId(std::string(64, 'g')).has_value());
}

TEST(RobotIdentity, WordListsAreLargeUniqueAndPlain) {
  for (auto words : {NicknameAdjectives(), NicknameNouns()}) {
    EXPECT_GE(words.size(), 200u);
    std::set<std::string_view> seen;
    for (std::string_view w : words) {
      EXPECT_TRUE(seen.insert(w).second) << "duplicate " << w;
      ASSERT_FALSE(w.empty());
      EXPECT_TRUE(std::isupper(static_cast<unsigned char>(w[0]))) << w;
      for (char c : w.substr(1)) EXPECT_TRUE(std::islower(static_cast<unsigned char>(c))) << w;
    }
  }
  // Pinned sizes: changing a list renames every robot.
  EXPECT_EQ(NicknameAdjectives().size(), 298u);
  EXPECT_EQ(NicknameNouns().size(), 281u);
}

TEST(RobotIdentity, NicknamesFitAndSpread) {
  std::mt19937_64 rng(18);
  std::set<std::string> distinct;
  for (int i = 0; i < 20000; ++i) {
    escrow::crypto::Hash32 digest{};
    for (uint8_t& b : digest) b = static_cast<uint8_t>(rng());
    const std::string hash_id = HashId(digest);
    const std::optional<std::string> nick = NicknameFromHashId(hash_id);
    ASSERT_TRUE(nick.has_value());
    ASSERT_LE(nick->size(), kMaxNicknameLength) << *nick;
    ASSERT_EQ(NicknameFromHashId(hash_id), nick);  // deterministic
    distinct.insert(*nick);
  }
  // 8e7 combinations: among 20 000 robots, a handful of shared nicknames at most.
  EXPECT_GE(distinct.size(), 19990u);
}

}  // namespace
}  // namespace coordinator::identity
